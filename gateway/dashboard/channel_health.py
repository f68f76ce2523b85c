"""Which partners' outbound channel is failing, judged from the deliveries that did not go through.

A channel is failing for a partner when acknowledgements to it are being retried, or were given up
on in the last week. The last error of the delivery work item says why, in the channel's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.database.models import Acknowledgement, WorkItem
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT
from partners.directory import PartnerDirectory

FAILED_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ChannelProblem:
    partner_id: str
    partner_name: str
    channel: str
    retrying: int
    failed: int
    last_error: str | None


def failing_channels(
    session: Session, partners: PartnerDirectory, now: datetime, *, partner: str = ""
) -> Sequence[ChannelProblem]:
    statement = (
        select(Acknowledgement.partner_id, Acknowledgement.delivery_state, func.count())
        .where(
            Acknowledgement.direction == "outbound",
            (Acknowledgement.delivery_state == "retrying")
            | (
                (Acknowledgement.delivery_state == "failed")
                & (Acknowledgement.created_at >= now - FAILED_WINDOW)
            ),
        )
        .group_by(Acknowledgement.partner_id, Acknowledgement.delivery_state)
    )
    if partner:
        statement = statement.where(Acknowledgement.partner_id == partner)
    counts: dict[str, dict[str, int]] = {}
    for partner_id, state, count in session.execute(statement):
        counts.setdefault(partner_id or "", {})[state] = count
    problems: list[ChannelProblem] = []
    for partner_id, states in sorted(counts.items()):
        profile = partners.get(partner_id)
        problems.append(
            ChannelProblem(
                partner_id=partner_id,
                partner_name=profile.name if profile else partner_id or "unknown",
                channel=profile.delivery if profile else "?",
                retrying=states.get("retrying", 0),
                failed=states.get("failed", 0),
                last_error=_last_error(session, partner_id),
            )
        )
    return problems


def _last_error(session: Session, partner_id: str) -> str | None:
    return session.execute(
        select(WorkItem.last_error)
        .join(Acknowledgement, Acknowledgement.id == WorkItem.subject_id)
        .where(
            WorkItem.kind == DELIVER_ACKNOWLEDGEMENT,
            Acknowledgement.partner_id == partner_id,
            WorkItem.last_error.is_not(None),
        )
        .order_by(WorkItem.id.desc())
        .limit(1)
    ).scalar_one_or_none()
