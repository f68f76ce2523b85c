"""Durable intake: the bytes and their row are committed before any channel says "received".

Every channel (REST, AS2, SFTP) calls ``accept``; only after it returns may the channel answer
its partner, so nothing that was acknowledged at transport level can be lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from archive.store import ArchiveError
from archive.sync_batch import deferred_sync
from gateway.context import Gateway
from gateway.crash_points import crash_point
from gateway.database.audit_log import append_events
from gateway.database.models import Transmission, WorkItem
from gateway.database.row_ids import new_row_id
from gateway.database.rows import insert_values

PROCESS_TRANSMISSION = "process_transmission"


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was used before with different bytes."""

    def __init__(self, existing_id: str) -> None:
        super().__init__(f"Idempotency-Key was already used for message {existing_id} with a different body")
        self.existing_id = existing_id


@dataclass(frozen=True, slots=True)
class Upload:
    channel: str  # rest | as2 | sftp
    data: bytes | BinaryIO  # a file object is streamed into the archive, never read whole
    partner_id: str | None
    actor: str
    content_type: str | None = None
    filename: str | None = None
    idempotency_key: str | None = None
    transport: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Receipt:
    id: str
    status: str
    sha256: str
    replayed: bool  # True when an earlier upload with the same Idempotency-Key is answered again


def accept(gw: Gateway, upload: Upload) -> Receipt:
    if isinstance(upload.data, bytes) and upload.idempotency_key:
        # hashed here only to answer a repeat before storing anything
        earlier = _find_by_idempotency_key(gw, upload, hashlib.sha256(upload.data).hexdigest())
        if earlier is not None:
            return earlier
    # Durable before its row: the file is written without an fsync of its own, and the group commit
    # that writes its row syncs it first, with one syncfs for all the uploads of that commit.
    with deferred_sync() as files:
        if isinstance(upload.data, bytes):
            sha256, size = gw.archive.put(upload.data), len(upload.data)
        else:
            # The hash is known only once the stream is stored; storing a repeat costs nothing,
            # since the archive is content-addressed and keeps one copy.
            sha256, size = gw.archive.put_stream(_chunks(upload.data))
    unsynced: Collection[Path] = files.folders if files is not None else ()
    if not isinstance(upload.data, bytes) and upload.idempotency_key:
        earlier = _find_by_idempotency_key(gw, upload, sha256)
        if earlier is not None:
            return earlier
    crash_point("after_archive_put")
    now = gw.clock()
    transmission = {
        "id": new_row_id(),
        "direction": "inbound",
        "channel": upload.channel,
        "partner_id": upload.partner_id,
        "received_at": now,
        "sha256": sha256,
        "size": size,
        "content_type": upload.content_type,
        "filename": upload.filename,
        "idempotency_key": upload.idempotency_key,
        "transport": upload.transport,
        "status": "received",
        "errors": [],
    }
    work_item = {
        "kind": PROCESS_TRANSMISSION,
        "subject_id": transmission["id"],
        "state": "queued",
        "attempts": 0,
        "available_at": now,
        "created_at": now,
    }
    events = _intake_events(transmission, upload)

    def write(session: Session) -> None:
        # Plain SQL: this is every upload's transaction, and the ORM's flush cost more than the rows.
        insert_values(session, Transmission.__table__, transmission)
        insert_values(session, WorkItem.__table__, work_item)
        append_events(session, events, gw.clock)

    try:
        gw.intake_commits.commit(write, unsynced)
    except OSError as exc:
        raise ArchiveError(f"the archive could not make {sha256} durable: {exc.strerror or exc}") from exc
    except IntegrityError:
        # Two requests with one Idempotency-Key raced; the first one's row now exists.
        if upload.idempotency_key:
            earlier = _find_by_idempotency_key(gw, upload, sha256)
            if earlier is not None:
                return earlier
        raise
    crash_point("after_intake_commit")
    gw.work_available.set()
    return Receipt(transmission["id"], "received", sha256, replayed=False)


def _chunks(stream: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def _find_by_idempotency_key(gw: Gateway, upload: Upload, sha256: str) -> Receipt | None:
    with gw.sessions() as session:
        existing = _lookup(session, upload.partner_id, upload.idempotency_key)
        if existing is None:
            return None
        if existing.sha256 != sha256:
            raise IdempotencyConflict(existing.id)
        return Receipt(existing.id, existing.status, existing.sha256, replayed=True)


def _lookup(session: Session, partner_id: str | None, key: str | None) -> Transmission | None:
    return session.execute(
        select(Transmission).where(Transmission.partner_id == partner_id, Transmission.idempotency_key == key)
    ).scalar_one_or_none()


def _intake_events(transmission: dict[str, Any], upload: Upload) -> list[AuditEntry]:
    received = {
        "channel": upload.channel,
        "partner": upload.partner_id,
        "size": transmission["size"],
        "content_type": upload.content_type,
        "filename": upload.filename,
        "transport": upload.transport,
    }
    subject, at = transmission["id"], transmission["received_at"]
    return [
        AuditEntry(upload.actor, "transmission", subject, "received", received, at),
        AuditEntry(
            "system",
            "transmission",
            subject,
            "archived",
            {"sha256": transmission["sha256"], "size": transmission["size"]},
            at,
        ),
    ]
