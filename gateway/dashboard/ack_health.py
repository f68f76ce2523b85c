"""Which acknowledgements need an operator: ours not delivered in time, partners' not received in
time, rejections either way.

Ours: the database knows the fate of every acknowledgement *we* send (``delivery_state``) and the
status of every acknowledgement (``accepted`` / ``rejected``). Theirs: every outgoing interchange
waits in ``awaiting_ack`` until the partner's CONTRL/997/999/ApplicationResponse settles it, and
:func:`gateway.outbound.outbound_ack_state` turns a wait longer than the partner's
``acknowledgements.due_hours`` into "overdue". The dashboard asks that function rather than
repeating its rule, so the REST API and the dashboard never disagree about what is overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from gateway.context import Gateway
from gateway.database.models import Acknowledgement, Interchange, Transmission
from gateway.outbound import outbound_ack_state

DELIVERY_GRACE = timedelta(minutes=15)
"""How long an acknowledgement we produced may wait for delivery before it counts as overdue."""

UNDELIVERED = ("pending", "retrying")


OWED_STATES = ("overdue",)
"""Outgoing interchanges a partner has not acknowledged within its window."""
VERDICT_STATES = ("rejected", "partial", "with_errors")
"""A partner's acknowledgement said something is wrong with what we sent: all, some, or in details."""
PARTNER_STATES = OWED_STATES + VERDICT_STATES
MAX_OUTBOUND_SCAN = 2000
"""Most outgoing interchanges judged per page view; beyond it the page says the list is cut."""
EXPECTED_ACK = {"edifact": "CONTRL", "x12": "997/999", "xml": "ApplicationResponse"}
"""What a partner answers an interchange of each syntax with, in the words the operator knows."""


@dataclass(frozen=True, slots=True)
class PartnerAckState:
    """One outgoing interchange and what its partner has (not) answered.

    ``state`` is :func:`gateway.outbound.outbound_ack_state`'s verdict; ``due_since`` is when the
    partner's window closed (None when the partner has answered).
    """

    state: str
    partner_id: str
    transmission_id: str
    control_reference: str
    message_type: str | None
    business_number: str | None
    expected_type: str
    sent_at: datetime | None
    due_since: datetime | None


@dataclass(frozen=True, slots=True)
class PartnerAckReport:
    """Rows in one of the asked states, oldest first; ``cut`` when more than could be judged exist."""

    rows: Sequence[PartnerAckState]
    cut: bool = False

    def where(self, *states: str) -> list[PartnerAckState]:
        return [row for row in self.rows if row.state in states]


def partner_ack_states(
    gw: Gateway,
    session: Session,
    *,
    states: Sequence[str] = PARTNER_STATES,
    partner: str = "",
) -> PartnerAckReport:
    """Outgoing interchanges whose partner acknowledgement is in one of ``states``.

    SQL narrows the candidates (outbound, and for "overdue" only those sent before the partner's
    window could have closed) so the page stays cheap on a large archive; the verdict itself is
    always :func:`outbound_ack_state`'s.
    """
    now = gw.clock()
    wanted = set(states)
    candidates = []
    if wanted & set(OWED_STATES):
        candidates.append(
            and_(
                Interchange.status == "awaiting_ack",
                Transmission.status == "sent",
                Transmission.processed_at.is_not(None),
                _window_passed(gw, now),
            )
        )
    verdicts = [s for s in states if s in VERDICT_STATES]
    if verdicts:
        candidates.append(Interchange.status.in_(verdicts))
    if not candidates:
        return PartnerAckReport(())
    statement = (
        select(Transmission, Interchange)
        .join(Interchange, Interchange.transmission_id == Transmission.id)
        .where(Transmission.direction == "outbound", or_(*candidates))
    )
    if partner:
        statement = statement.where(Transmission.partner_id == partner)
    found = session.execute(
        statement.order_by(Transmission.received_at, Transmission.id).limit(MAX_OUTBOUND_SCAN + 1)
    ).all()
    rows: list[PartnerAckState] = []
    for transmission, interchange in found[:MAX_OUTBOUND_SCAN]:
        state = outbound_ack_state(gw, transmission, interchange)
        if state is None or state not in wanted:
            continue
        rows.append(
            PartnerAckState(
                state=state,
                partner_id=transmission.partner_id or "",
                transmission_id=transmission.id,
                control_reference=interchange.control_reference,
                message_type=transmission.message_type,
                business_number=transmission.business_number,
                expected_type=EXPECTED_ACK.get(interchange.syntax, "acknowledgement"),
                sent_at=transmission.processed_at,
                due_since=_due_since(gw, transmission) if state == "overdue" else None,
            )
        )
    return PartnerAckReport(rows, cut=len(found) > MAX_OUTBOUND_SCAN)


def partner_acknowledgements_overdue(gw: Gateway, session: Session, *, partner: str = "") -> PartnerAckReport:
    """Acknowledgements partners owe us: outgoing interchanges not answered within their window."""
    return partner_ack_states(gw, session, states=OWED_STATES, partner=partner)


def _due_hours(gw: Gateway, partner_id: str | None) -> int:
    # The same default outbound_ack_state applies to a partner whose profile is gone.
    profile = gw.partners.get(partner_id or "")
    return profile.acknowledgements.due_hours if profile is not None else 24


def _due_since(gw: Gateway, transmission: Transmission) -> datetime | None:
    if transmission.processed_at is None:
        return None
    return transmission.processed_at + timedelta(hours=_due_hours(gw, transmission.partner_id))


def _window_passed(gw: Gateway, now: datetime) -> ColumnElement[bool]:
    """Sent before the partner's own window closed: one cut-off per partner, the default for others."""
    known = [p.id for p in gw.partners]
    per_partner = [
        and_(
            Transmission.partner_id == p.id,
            Transmission.processed_at <= now - timedelta(hours=_due_hours(gw, p.id)),
        )
        for p in gw.partners
    ]
    others = and_(
        or_(Transmission.partner_id.is_(None), Transmission.partner_id.not_in(known)),
        Transmission.processed_at <= now - timedelta(hours=_due_hours(gw, None)),
    )
    return or_(*per_partner, others)


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Our acknowledgements that should have reached the partner by now, or whose delivery gave up."""
    return and_(
        Acknowledgement.direction == "outbound",
        or_(
            Acknowledgement.delivery_state == "failed",
            and_(
                Acknowledgement.delivery_state.in_(UNDELIVERED),
                Acknowledgement.created_at < now - DELIVERY_GRACE,
            ),
        ),
    )


def overdue_outbound(
    session: Session, now: datetime, *, partner: str = "", limit: int = 200
) -> Sequence[Acknowledgement]:
    statement = select(Acknowledgement).where(overdue_condition(now))
    if partner:
        statement = statement.where(Acknowledgement.partner_id == partner)
    return session.execute(statement.order_by(Acknowledgement.created_at).limit(limit)).scalars().all()


def count_overdue(session: Session, now: datetime, *, partner: str = "") -> int:
    statement = select(func.count()).select_from(Acknowledgement).where(overdue_condition(now))
    if partner:
        statement = statement.where(Acknowledgement.partner_id == partner)
    return session.execute(statement).scalar_one()


def rejected(
    session: Session, *, since: datetime | None = None, partner: str = "", limit: int = 200
) -> Sequence[Acknowledgement]:
    statement = select(Acknowledgement).where(Acknowledgement.status == "rejected")
    if since is not None:
        statement = statement.where(Acknowledgement.created_at >= since)
    if partner:
        statement = statement.where(Acknowledgement.partner_id == partner)
    return session.execute(statement.order_by(Acknowledgement.created_at.desc()).limit(limit)).scalars().all()


def count_rejected(session: Session, *, since: datetime | None = None, partner: str = "") -> int:
    statement = select(func.count()).select_from(Acknowledgement).where(Acknowledgement.status == "rejected")
    if since is not None:
        statement = statement.where(Acknowledgement.created_at >= since)
    if partner:
        statement = statement.where(Acknowledgement.partner_id == partner)
    return session.execute(statement).scalar_one()
