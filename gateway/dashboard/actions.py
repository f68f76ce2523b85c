"""What an operator can do from the dashboard, each with a reason and each an audit event.

The reason is mandatory because the audit trail is read months later by someone who was not
there: "reprocessed by anna" is a fact, "reprocessed by anna: ACME fixed their unit codes, ticket
4711" is an explanation. Refusals (a viewer pressing a button it should not see) are audited too.
"""

from __future__ import annotations

from sqlalchemy import select

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.dashboard.auth import SignedIn
from gateway.database.audit_log import append_events
from gateway.database.models import Acknowledgement, Transmission, WorkItem
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT, DELIVER_OUTBOUND, queue_delivery
from gateway.replay import ReplayError, replay_transmission

ACTING_ROLE = "operator"
MAX_REASON = 500


class ActionError(Exception):
    """The action cannot be done as asked; the message says why, for the operator to read."""


class NotAllowed(ActionError):
    """The operator's role does not include acting on messages."""


def reprocess(gw: Gateway, operator: SignedIn, transmission_id: str, reason: str) -> None:
    """Queue the message for the pipeline again, with the partner's current profile."""
    _allowed(gw, operator, "transmission", transmission_id, "reprocess")
    try:
        replay_transmission(gw, transmission_id, actor=operator.actor, reason=_reason(reason))
    except ReplayError as exc:
        raise ActionError(str(exc)) from exc


def resend_acknowledgement(gw: Gateway, operator: SignedIn, ack_id: str, reason: str) -> str:
    """Put the acknowledgement's delivery back on the queue; returns its message id.

    The same bytes go out again under the same file name: a resend repeats the delivery, it does
    not make a new acknowledgement with a new control number.
    """
    _allowed(gw, operator, "acknowledgement", ack_id, "resend")
    why = _reason(reason)
    with gw.sessions.begin() as session:
        ack = session.get(Acknowledgement, ack_id, with_for_update=True)
        if ack is None:
            raise ActionError(f"no acknowledgement {ack_id}")
        if ack.direction != "outbound":
            raise ActionError("this acknowledgement came from the partner; only ours can be sent again")
        item = session.execute(
            select(WorkItem)
            .where(WorkItem.kind == DELIVER_ACKNOWLEDGEMENT, WorkItem.subject_id == ack.id)
            .with_for_update()
        ).scalar_one_or_none()
        if item is not None and item.state == "running":
            raise ActionError("this acknowledgement is being delivered right now; look again in a moment")
        now = gw.clock()
        previous = ack.delivery_state
        if item is None:
            queue_delivery(session, ack, now)
        else:
            item.state, item.attempts, item.available_at = "queued", 0, now
            item.last_error = item.lease_owner = None
            item.lease_until = item.finished_at = None
        ack.delivery_state = "pending"
        append_events(
            session,
            [
                AuditEntry(
                    operator.actor,
                    "acknowledgement",
                    ack.id,
                    "resend_requested",
                    {"reason": why, "transmission": ack.transmission_id, "previous_state": previous},
                )
            ],
            gw.clock,
        )
        transmission_id = ack.transmission_id
    gw.work_available.set()
    return transmission_id


def resend_interchange(gw: Gateway, operator: SignedIn, transmission_id: str, reason: str) -> None:
    """Put an outgoing interchange's delivery back on the queue: the same bytes, the same control number.

    A partner that lost our file gets it again as it was; a new control number would be a new
    interchange and break the matching of its acknowledgement. Delivering it again restarts the
    partner's acknowledgement window (``processed_at`` is set anew by the delivery).
    """
    _allowed(gw, operator, "transmission", transmission_id, "resend")
    why = _reason(reason)
    with gw.sessions.begin() as session:
        transmission = session.get(Transmission, transmission_id, with_for_update=True)
        if transmission is None:
            raise ActionError(f"no message {transmission_id}")
        if transmission.direction != "outbound":
            raise ActionError("this message came from the partner; only what we send can be sent again")
        item = (
            session.execute(
                select(WorkItem)
                .where(WorkItem.kind == DELIVER_OUTBOUND, WorkItem.subject_id == transmission.id)
                .order_by(WorkItem.id.desc())
                .with_for_update()
            )
            .scalars()
            .first()
        )
        if item is not None and item.state == "running":
            raise ActionError("this message is being delivered right now; look again in a moment")
        now = gw.clock()
        previous = transmission.status
        if item is None:
            session.add(
                WorkItem(
                    kind=DELIVER_OUTBOUND,
                    subject_id=transmission.id,
                    state="queued",
                    attempts=0,
                    available_at=now,
                    created_at=now,
                )
            )
        else:
            item.state, item.attempts, item.available_at = "queued", 0, now
            item.last_error = item.lease_owner = None
            item.lease_until = item.finished_at = None
        transmission.status = "queued"
        append_events(
            session,
            [
                AuditEntry(
                    operator.actor,
                    "transmission",
                    transmission.id,
                    "resend_requested",
                    {"reason": why, "previous_state": previous},
                )
            ],
            gw.clock,
        )
    gw.work_available.set()


def record_refusal(gw: Gateway, operator: SignedIn, subject_type: str, subject_id: str, action: str) -> None:
    with gw.sessions.begin() as session:
        append_events(
            session,
            [
                AuditEntry(
                    operator.actor,
                    subject_type,
                    subject_id[:64],
                    "action_refused",
                    {"action": action, "role": operator.role, "required": ACTING_ROLE},
                )
            ],
            gw.clock,
        )


def _allowed(gw: Gateway, operator: SignedIn, subject_type: str, subject_id: str, action: str) -> None:
    if not operator.may(ACTING_ROLE):
        record_refusal(gw, operator, subject_type, subject_id, action)
        raise NotAllowed(f"your role ({operator.role}) may look but not {action}; ask an operator or admin")


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ActionError("say why: the reason is recorded in the audit trail with your name")
    return text[:MAX_REASON]
