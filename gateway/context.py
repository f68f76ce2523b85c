"""Everything a running gateway needs, built once and passed to whoever needs it.

No module-level state: tests build as many gateways as they like side by side, each with its own
database, archive, partners and clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from archive.store import ArchiveStore, RawStore
from gateway.config import Settings
from gateway.database.engine import make_engine, make_session_factory
from gateway.database.migrate import upgrade
from gateway.group_commit import GroupCommit
from partners.directory import PartnerDirectory
from partners.loader import load_directory, profile_digests


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ProfileFiles:
    """The profile files behind ``Gateway.partners``, for reloading them (gateway/partner_reload.py).

    ``loaded`` maps each file name to its SHA-256 as it was when the directory was built; ``refused``
    is the last set of files that failed to load, so one broken edit is reported once, not every poll.
    ``lock`` lets one reload or admin edit of a profile run at a time.
    """

    loaded: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass
class Gateway:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    archive: RawStore
    partners: PartnerDirectory
    clock: Callable[[], datetime] = utc_now
    # Set by intake so an idle in-process worker wakes at once instead of at its next poll.
    work_available: threading.Event = field(default_factory=threading.Event)
    profile_files: ProfileFiles = field(default_factory=ProfileFiles)
    # Every channel's accepted uploads, committed together when they arrive together (gateway/intake.py).
    intake_commits: GroupCommit = field(init=False)

    def __post_init__(self) -> None:
        self.intake_commits = GroupCommit(self.sessions)

    def close(self) -> None:
        self.engine.dispose()


def open_gateway(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool = True,
    partners: PartnerDirectory | None = None,
) -> Gateway:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    archive = open_raw_store(settings)
    # Digests first: an edit landing between the two is then seen as a change and reloaded. A directory
    # passed in (tests) counts as the folder's current state, so only a real edit replaces it.
    files = ProfileFiles(loaded=profile_digests(settings.resolved_partners_dir()))
    directory = partners if partners is not None else load_directory(settings.resolved_partners_dir())
    return Gateway(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        archive=archive,
        partners=directory,
        clock=clock,
        profile_files=files,
    )


def open_raw_store(settings: Settings) -> RawStore:
    """A bucket when ``archive_url`` is set, else a folder (local, or shared by every node)."""
    if settings.archive_url:
        from archive.s3_store import S3Store

        secret = settings.s3_secret_access_key
        return S3Store.from_url(
            settings.archive_url,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret is not None else None,
        )
    store = ArchiveStore(settings.resolved_archive_dir())
    store.root.mkdir(parents=True, exist_ok=True)
    return store
