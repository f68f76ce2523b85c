"""Which partner ids the records commands accept: configured now, or found in stored messages.

A partner whose profile was removed still has records to hold and export, but a mistyped id must be
refused, or a hold would protect nothing and an export would be silently empty."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.context import Gateway
from gateway.database.models import Transmission


def partner_is_known(gw: Gateway, session: Session, partner_id: str) -> bool:
    if gw.partners.get(partner_id) is not None:
        return True
    query = select(Transmission.id).where(Transmission.partner_id == partner_id).limit(1)
    return session.execute(query).first() is not None
