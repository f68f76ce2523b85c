"""Legal holds: a partner's or a message's records stay, whatever their retention says, until released.

Placing and releasing a hold are audited like any operator action, because a hold decides whether
evidence survives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import LegalHold, Transmission
from gateway.database.row_ids import new_row_id
from gateway.records.partners import partner_is_known

Scope = Literal["partner", "message"]


class HoldError(Exception):
    """A hold that cannot be placed or released; the message says which and why."""


@dataclass(frozen=True, slots=True)
class HeldSet:
    """The active holds, in the shape retention asks them: is this transmission held, and by which hold."""

    partners: dict[str, str]  # partner id → hold id
    messages: dict[str, str]  # transmission id → hold id

    def hold_for(self, transmission_id: str, partner_id: str | None) -> str | None:
        return self.messages.get(transmission_id) or self.partners.get(partner_id or "")


def place_hold(gw: Gateway, scope: Scope, subject_id: str, *, reason: str, actor: str) -> LegalHold:
    if not reason.strip():
        raise HoldError("a legal hold needs a reason")
    with gw.sessions.begin() as session:
        _check_subject(gw, session, scope, subject_id)
        hold = LegalHold(
            id=new_row_id(),
            scope=scope,
            subject_id=subject_id,
            reason=reason,
            placed_by=actor,
            placed_at=gw.clock(),
        )
        session.add(hold)
        _record(gw, session, hold, actor, "hold_placed", reason)
    return hold


def release_hold(gw: Gateway, hold_id: str, *, actor: str, reason: str | None = None) -> LegalHold:
    with gw.sessions.begin() as session:
        hold = session.get(LegalHold, hold_id, with_for_update=True)
        if hold is None:
            raise HoldError(f"legal hold {hold_id} does not exist")
        if hold.released_at is not None:
            raise HoldError(
                f"legal hold {hold_id} was already released at {hold.released_at:%Y-%m-%d %H:%M}Z"
            )
        hold.released_at, hold.released_by, hold.release_reason = gw.clock(), actor, reason
        _record(gw, session, hold, actor, "hold_released", reason)
    return hold


def list_holds(gw: Gateway, *, include_released: bool = False) -> list[LegalHold]:
    with gw.sessions() as session:
        query = select(LegalHold).order_by(LegalHold.placed_at, LegalHold.id)
        if not include_released:
            query = query.where(LegalHold.released_at.is_(None))
        holds = list(session.execute(query).scalars())
        session.expunge_all()
    return holds


def active_holds(session: Session) -> HeldSet:
    """Every hold in force; there are few, so retention loads them once per run."""
    rows = session.execute(select(LegalHold).where(LegalHold.released_at.is_(None))).scalars()
    partners: dict[str, str] = {}
    messages: dict[str, str] = {}
    for hold in rows:
        (partners if hold.scope == "partner" else messages).setdefault(hold.subject_id, hold.id)
    return HeldSet(partners, messages)


def _record(
    gw: Gateway, session: Session, hold: LegalHold, actor: str, action: str, reason: str | None
) -> None:
    """Audit the change and detach the hold, so the caller can read it after the commit."""
    details = {"scope": hold.scope, "subject": hold.subject_id, "reason": reason}
    append_events(session, [AuditEntry(actor, "legal_hold", hold.id, action, details)], gw.clock)
    session.flush()
    session.expunge(hold)


def _check_subject(gw: Gateway, session: Session, scope: Scope, subject_id: str) -> None:
    """A hold on a mistyped id would protect nothing while looking as if it did."""
    if scope == "message":
        if session.get(Transmission, subject_id) is None:
            raise HoldError(f"message {subject_id} does not exist")
        return
    if not partner_is_known(gw, session, subject_id):
        raise HoldError(f"partner {subject_id} is neither configured nor found in any message")
