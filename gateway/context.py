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

from archive.store import ArchiveStore
from gateway.config import Settings
from gateway.database.engine import make_engine, make_session_factory
from gateway.database.migrate import upgrade
from partners.directory import PartnerDirectory
from partners.loader import load_directory


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Gateway:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    archive: ArchiveStore
    partners: PartnerDirectory
    clock: Callable[[], datetime] = utc_now
    # Set by intake so an idle in-process worker wakes at once instead of at its next poll.
    work_available: threading.Event = field(default_factory=threading.Event)

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
    archive = ArchiveStore(settings.resolved_archive_dir())
    archive.root.mkdir(parents=True, exist_ok=True)
    directory = partners if partners is not None else load_directory(settings.resolved_partners_dir())
    return Gateway(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        archive=archive,
        partners=directory,
        clock=clock,
    )
