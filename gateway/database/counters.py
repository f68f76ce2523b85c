"""Gapless per-partner control numbers for everything we send (interchanges, acknowledgements).

The counter row is locked for the rest of the caller's transaction, so a number is used exactly
when the transaction that drew it commits; a rolled-back transaction leaves no gap.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.database.models import ControlCounter


def next_control_number(session: Session, partner_id: str, kind: str) -> int:
    for _ in range(3):
        row = session.execute(
            select(ControlCounter)
            .where(ControlCounter.partner_id == partner_id, ControlCounter.kind == kind)
            .with_for_update()
        ).scalar_one_or_none()
        if row is not None:
            row.last_value += 1
            session.flush()
            return row.last_value
        try:
            with session.begin_nested():
                session.add(ControlCounter(partner_id=partner_id, kind=kind, last_value=1))
            return 1
        except IntegrityError:
            continue  # another worker created the row first; lock and increment it instead
    raise RuntimeError(f"control counter {partner_id}/{kind} could not be locked")
