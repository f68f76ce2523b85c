"""``/v1/acknowledgements``: which of our messages partners have acknowledged, owe, or rejected, and
which of their acknowledgements matched nothing we sent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from gateway.api.dependencies import ErpDep, GatewayDep
from gateway.database.models import Acknowledgement, Interchange, Transmission
from gateway.outbound import outbound_ack_state

router = APIRouter(prefix="/v1/acknowledgements", tags=["acknowledgements"])

State = Literal["awaiting_ack", "overdue", "accepted", "with_errors", "partial", "rejected", "unmatched"]


class AckItem(BaseModel):
    state: State
    partner: str | None
    outbound_id: str | None
    message_type: str | None
    business_number: str | None
    control_reference: str | None
    sent_at: datetime | None
    acknowledgement_id: str | None = None
    acknowledgement_type: str | None = None


@router.get("", response_model=list[AckItem], summary="Acknowledgement state of what we sent")
def list_acknowledgements(
    gw: GatewayDep,
    _erp: ErpDep,
    state: State | None = None,
    partner: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AckItem]:
    items: list[AckItem] = []
    with gw.sessions() as session:
        if state in (None, "unmatched"):
            query = select(Acknowledgement).where(
                Acknowledgement.direction == "inbound", Acknowledgement.answers_transmission_id.is_(None)
            )
            if partner:
                query = query.where(Acknowledgement.partner_id == partner)
            for ack in session.execute(
                query.order_by(Acknowledgement.created_at.desc()).limit(limit)
            ).scalars():
                items.append(
                    AckItem(
                        state="unmatched",
                        partner=ack.partner_id,
                        outbound_id=None,
                        message_type=None,
                        business_number=None,
                        control_reference=ack.control_reference,
                        sent_at=None,
                        acknowledgement_id=ack.id,
                        acknowledgement_type=ack.type,
                    )
                )
        if state == "unmatched":
            return items
        query = (
            select(Transmission, Interchange)
            .join(Interchange, Interchange.transmission_id == Transmission.id)
            .where(Transmission.direction == "outbound")
        )
        if partner:
            query = query.where(Transmission.partner_id == partner)
        rows = session.execute(query.order_by(Transmission.received_at.desc()).limit(limit * 5)).all()
        for transmission, interchange in rows:
            current = outbound_ack_state(gw, transmission, interchange)
            if current is None or (state is not None and current != state):
                continue
            items.append(
                AckItem(
                    state=current,
                    partner=transmission.partner_id,
                    outbound_id=transmission.id,  # type: ignore[arg-type]
                    message_type=transmission.message_type,
                    business_number=transmission.business_number,
                    control_reference=interchange.control_reference,
                    sent_at=transmission.processed_at,
                )
            )
    return items[:limit]
