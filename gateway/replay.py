"""Queue a rejected or failed message for processing again, e.g. after its profile was fixed."""

from __future__ import annotations

from sqlalchemy import select

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import Transmission, WorkItem
from gateway.intake import PROCESS_TRANSMISSION

REPLAYABLE = ("rejected", "failed")


class ReplayError(Exception):
    pass


def replay_transmission(gw: Gateway, transmission_id: str, *, actor: str, reason: str) -> None:
    with gw.sessions.begin() as session:
        transmission = session.get(Transmission, transmission_id, with_for_update=True)
        if transmission is None:
            raise ReplayError(f"no message {transmission_id}")
        if transmission.status not in REPLAYABLE:
            raise ReplayError(
                f"message {transmission_id} is {transmission.status}; "
                f"only {' or '.join(REPLAYABLE)} messages "
                "can be processed again (a processed one would be delivered twice)"
            )
        now = gw.clock()
        item = session.execute(
            select(WorkItem).where(
                WorkItem.kind == PROCESS_TRANSMISSION, WorkItem.subject_id == transmission_id
            )
        ).scalar_one_or_none()
        if item is None:
            item = WorkItem(kind=PROCESS_TRANSMISSION, subject_id=transmission_id, created_at=now)
            session.add(item)
        item.state, item.attempts, item.available_at, item.last_error = "queued", 0, now, None
        transmission.status = "received"
        append_events(
            session,
            [AuditEntry(actor, "transmission", transmission_id, "replay_requested", {"reason": reason})],
            gw.clock,
        )
    gw.work_available.set()
