"""The numbers on the overview page, each with the filter that lists what it counts.

Days and weeks are UTC calendar days and ISO weeks (from Monday), like every time the dashboard
shows. Aggregates are single grouped queries over the week's rows through the ``received_at`` index,
so the page costs a few milliseconds whatever the archive's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from gateway.dashboard.ack_health import PartnerAckReport, count_overdue, count_rejected
from gateway.dashboard.certificates import CertificateRow
from gateway.dashboard.channel_health import ChannelProblem, failing_channels
from gateway.dashboard.search import ERROR_STATUSES, start_of
from gateway.database.models import Transmission
from partners.directory import PartnerDirectory

LATEST = 15


@dataclass(frozen=True, slots=True)
class Volume:
    partner_id: str
    partner_name: str
    direction: str
    today: int
    week: int


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    total: int
    errors: int


@dataclass(frozen=True, slots=True)
class Overview:
    today: date
    week_start: date
    volumes: Sequence[Volume]
    today_total: int
    week_total: int
    today_errors: int
    week_errors: int
    days: Sequence[DayCount]
    acks_overdue: int
    acks_rejected_week: int
    partner_acks_overdue: PartnerAckReport | None
    certificates: Sequence[CertificateRow] | None
    failing: Sequence[ChannelProblem]
    latest: Sequence[Transmission]

    @property
    def certificates_flagged(self) -> list[CertificateRow]:
        """Expired, expiring within 30 days, or unreadable: what an operator must renew or fix."""
        return [c for c in self.certificates or () if c.needs_attention]

    @property
    def today_error_rate(self) -> float | None:
        return self.today_errors / self.today_total if self.today_total else None

    @property
    def week_error_rate(self) -> float | None:
        return self.week_errors / self.week_total if self.week_total else None


def build_overview(
    session: Session,
    partners: PartnerDirectory,
    now: datetime,
    *,
    partner_acks: PartnerAckReport | None = None,
    certificates: Sequence[CertificateRow] | None = None,
) -> Overview:
    """The overview's numbers; ``partner_acks`` and ``certificates`` come from the caller.

    They need the gateway (partner windows, the data directory), which this function does not take
    so that the benchmark can time the database work alone; None shows as "not computed", never 0.
    """
    today = now.date()
    week_start = today - timedelta(days=today.weekday())
    today_at, week_at = start_of(today), start_of(week_start)
    in_today = case((Transmission.received_at >= today_at, 1), else_=0)
    is_error = Transmission.status.in_(ERROR_STATUSES)

    volumes: list[Volume] = []
    for partner_id, direction, today_count, week_count in session.execute(
        select(Transmission.partner_id, Transmission.direction, func.sum(in_today), func.count())
        .where(Transmission.received_at >= week_at)
        .group_by(Transmission.partner_id, Transmission.direction)
    ):
        profile = partners.get(partner_id) if partner_id else None
        volumes.append(
            Volume(
                partner_id=partner_id or "",
                partner_name=profile.name if profile else (partner_id or "unknown sender"),
                direction=direction,
                today=int(today_count or 0),
                week=int(week_count or 0),
            )
        )
    volumes.sort(key=lambda v: (-v.week, v.partner_name, v.direction))

    week_days = [week_start + timedelta(days=n) for n in range(7)]
    sums = []
    for day in week_days:
        in_day = and_(
            Transmission.received_at >= start_of(day),
            Transmission.received_at < start_of(day + timedelta(days=1)),
        )
        sums.append(func.sum(case((in_day, 1), else_=0)))
        sums.append(func.sum(case((and_(in_day, is_error), 1), else_=0)))
    row = session.execute(select(*sums).where(Transmission.received_at >= week_at)).one()
    days = [
        DayCount(day=day, total=int(row[2 * n] or 0), errors=int(row[2 * n + 1] or 0))
        for n, day in enumerate(week_days)
    ]
    latest = (
        session.execute(
            select(Transmission)
            .order_by(Transmission.received_at.desc(), Transmission.id.desc())
            .limit(LATEST)
        )
        .scalars()
        .all()
    )
    return Overview(
        today=today,
        week_start=week_start,
        volumes=volumes,
        today_total=sum(v.today for v in volumes),
        week_total=sum(v.week for v in volumes),
        today_errors=next((d.errors for d in days if d.day == today), 0),
        week_errors=sum(d.errors for d in days),
        days=days,
        acks_overdue=count_overdue(session, now),
        acks_rejected_week=count_rejected(session, since=week_at),
        partner_acks_overdue=partner_acks,
        certificates=certificates,
        failing=failing_channels(session, partners, now),
        latest=latest,
    )
