"""Appending to the audit chain inside the caller's transaction.

The single ``audit_head`` row is locked while appending, so concurrent workers on PostgreSQL
extend one chain in turn; on SQLite the write lock already serialises them. Callers append at the
end of their unit of work to hold that lock as briefly as possible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.audit import GENESIS_HASH, AuditEntry, ChainBreak, event_hash, first_break
from gateway.database.models import AuditEvent, AuditHead


def append_events(session: Session, entries: Sequence[AuditEntry], now: Callable[[], datetime]) -> None:
    if not entries:
        return
    head = _locked_head(session)
    if head is None:
        # The very first event: two nodes may get here at once on a fresh PostgreSQL database. The
        # loser's insert waits for the winner's commit, fails, and then locks the winner's row.
        try:
            with session.begin_nested():
                session.add(AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH))
        except IntegrityError:
            pass
        head = _locked_head(session)
        assert head is not None
    seq, prev = head.last_seq, head.last_hash
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
        session.add(
            AuditEvent(
                seq=seq,
                at=at,
                actor=entry.actor,
                subject_type=entry.subject_type,
                subject_id=entry.subject_id,
                action=entry.action,
                details=entry.details,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    head.last_seq, head.last_hash = seq, prev
    session.flush()


def _locked_head(session: Session) -> AuditHead | None:
    return session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()


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
