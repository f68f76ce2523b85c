"""Gapless per-partner control numbers for everything we send (interchanges, acknowledgements).

The counter row is locked for the rest of the caller's transaction (the UPDATE takes the row lock),
so a number is used exactly when the transaction that drew it commits; a rolled-back transaction
leaves no gap. Plain SQL, one statement per number: the pipeline draws one per acknowledgement.
"""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.database.direct import DirectStatement
from gateway.database.models import ControlCounter


def next_control_number(session: Session, partner_id: str, kind: str) -> int:
    connection = session.connection()
    key = {"partner_id": partner_id, "kind": kind}
    for _ in range(2):
        drawn = _DRAW.scalar(connection, key)
        if drawn is not None:
            return int(drawn)
        # The first number for this partner and kind: create the row at 0 unless another worker
        # just did, then draw from whichever row now exists.
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(
            insert(_COUNTER).values(partner_id=partner_id, kind=kind, last_value=0).on_conflict_do_nothing()
        )
    raise RuntimeError(f"control counter {partner_id}/{kind} could not be drawn")


_COUNTER = ControlCounter.__table__
_DRAW = DirectStatement(
    update(_COUNTER)
    .where(_COUNTER.c.partner_id == bindparam("partner_id"), _COUNTER.c.kind == bindparam("kind"))
    .values(last_value=_COUNTER.c.last_value + 1)
    .returning(_COUNTER.c.last_value)
)
