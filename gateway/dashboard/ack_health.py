"""Which acknowledgements need an operator: ours not delivered in time, rejections either way.

What the database knows today is the fate of the acknowledgements *we* send (``delivery_state``)
and the status of every acknowledgement (``accepted`` / ``rejected``). Which acknowledgements a
partner still owes *us* needs reconciliation of our outgoing interchanges against what came back;
another issue adds it, and plugs into :func:`partner_acknowledgements_overdue` - until then the
dashboard says "not tracked yet" instead of showing a zero it cannot vouch for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from gateway.database.models import Acknowledgement

DELIVERY_GRACE = timedelta(minutes=15)
"""How long an acknowledgement we produced may wait for delivery before it counts as overdue."""

UNDELIVERED = ("pending", "retrying")


@dataclass(frozen=True, slots=True)
class OverduePartnerAcknowledgement:
    """One acknowledgement a partner owes us: the shape partner-ack reconciliation will return."""

    partner_id: str
    transmission_id: str
    control_reference: str
    expected_type: str
    due_since: datetime


def partner_acknowledgements_overdue(
    session: Session, now: datetime
) -> Sequence[OverduePartnerAcknowledgement] | None:
    """Hook for partner-acknowledgement reconciliation; None means "not tracked by this gateway yet".

    Replace the body when outgoing interchanges record the acknowledgement they expect; the
    overview and the acknowledgements page already show whatever this returns.
    """
    return None


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
