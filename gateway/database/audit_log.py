"""Appending to the audit chain inside the caller's transaction.

The single ``audit_head`` row is locked while appending, so concurrent workers on PostgreSQL
extend one chain in turn; on SQLite the write lock already serialises them. Callers append at the
end of their unit of work to hold that lock as briefly as possible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.audit import GENESIS_HASH, AuditEntry, ChainBreak, event_hash, first_break
from gateway.database.direct import DirectStatement
from gateway.database.models import AuditEvent, AuditHead

_BUFFER = "audit_buffer"


def append_events(
    session: Session, entries: Sequence[AuditEntry], now: Callable[[], datetime], *, immediately: bool = False
) -> None:
    """Chain and insert ``entries`` in the caller's transaction. Plain SQL, not ORM objects: every
    unit of work appends here, and one batched INSERT with two statements on the head costs a
    fraction of what the ORM's flush of each event did. Inside ``buffered_events`` they are kept,
    stamped with the time now, and written by its owner before the commit; ``immediately`` writes
    past the buffer (a streamed file's thousands of events must not pile up in memory)."""
    if not entries:
        return
    buffer: list[AuditEntry] | None = session.info.get(_BUFFER)
    if buffer is not None and not immediately:
        buffer.extend(entry if entry.at else replace(entry, at=now()) for entry in entries)
        return
    connection = session.connection()
    head = _locked_head(connection)
    if head is None:
        # The very first appends race to create the head (concurrent AS2 requests on a new
        # PostgreSQL database did, and one got a 500): insert-if-absent, then lock whichever won.
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(
            insert(AuditHead).values(id=1, last_seq=0, last_hash=GENESIS_HASH).on_conflict_do_nothing()
        )
        head = _locked_head(connection)
        assert head is not None
    seq, prev = head
    rows = []
    for entry in entries:
        seq += 1
        at = entry.at or now()
        digest = event_hash(
            seq=seq,
            at=at,
            actor=entry.actor,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            action=entry.action,
            details=entry.details,
            prev_hash=prev,
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": entry.actor,
                "subject_type": entry.subject_type,
                "subject_id": entry.subject_id,
                "action": entry.action,
                "details": entry.details,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    _INSERT_EVENT.executemany(connection, rows)
    _MOVE_HEAD.execute(connection, {"last_seq": seq, "last_hash": prev})


@contextmanager
def buffered_events(session: Session, now: Callable[[], datetime]) -> Iterator[list[AuditEntry]]:
    """Collect what the work in this block appends, and chain it in one append at the end: a worker
    batch locks and moves the audit head once instead of once per item. The caller truncates the
    list to undo an item that rolled back to its savepoint."""
    if _BUFFER in session.info:
        raise RuntimeError("audit events are already being buffered in this session")
    buffer: list[AuditEntry] = []
    session.info[_BUFFER] = buffer
    try:
        yield buffer
    finally:
        del session.info[_BUFFER]
    append_events(session, buffer, now)


def _locked_head(connection: Connection) -> tuple[int, str] | None:
    row = _LOCK_HEAD.first(connection, {})
    return None if row is None else (row[0], row[1])


# Every unit of work appends: these three run as plain driver statements (gateway/database/direct.py).
_HEAD = AuditHead.__table__
_LOCK_HEAD = DirectStatement(
    select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
)
_MOVE_HEAD = DirectStatement(update(_HEAD).where(_HEAD.c.id == 1), column_keys=("last_seq", "last_hash"))
_INSERT_EVENT = DirectStatement(
    AuditEvent.__table__.insert(),
    column_keys=(
        "seq",
        "at",
        "actor",
        "subject_type",
        "subject_id",
        "action",
        "details",
        "prev_hash",
        "hash",
    ),
)


def iter_chain(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> ChainBreak | None:
    broken = first_break(iter_chain(session))
    if broken is not None:
        return broken
    head = session.get(AuditHead, 1)
    count = session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    if head is not None and (count or 0) != head.last_seq:
        return ChainBreak(
            (count or 0) + 1, f"events after {count or 0} were deleted (head says {head.last_seq})"
        )
    return None
