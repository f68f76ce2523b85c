"""``/v1/outbound``: the ERP sends order responses, delivery notes, invoices and orders to partners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select

from gateway.api.dependencies import ErpDep, GatewayDep
from gateway.api.messages import text_codec
from gateway.database.models import Acknowledgement, Document, Interchange, Transmission
from gateway.outbound import OutboundRejected, outbound_ack_state, send_document

router = APIRouter(prefix="/v1/outbound", tags=["outbound"])


class OutboundRequest(BaseModel):
    partner: str = Field(description="The partner id, e.g. acme-retail")
    document: dict[str, Any] = Field(description="A canonical document (see `edigate schema NAME`)")


class OutboundAccepted(BaseModel):
    id: str
    document_id: str
    status: str
    syntax: str
    message_type: str
    control_reference: str


class PartnerAck(BaseModel):
    type: str
    status: str
    control_reference: str
    received_at: datetime


class OutboundDetail(BaseModel):
    id: str
    partner: str | None
    status: str = Field(description="queued, sent (delivered over the channel), failed")
    channel: str
    syntax: str | None
    message_type: str | None
    business_number: str | None
    control_reference: str | None
    ack_state: str | None = Field(description="awaiting_ack, accepted, with_errors, rejected, overdue")
    created_at: datetime
    raw: str = Field(description="The interchange exactly as rendered")
    document: dict[str, Any]
    acknowledgements: list[PartnerAck]


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=OutboundAccepted, summary="Send a document"
)
async def submit_outbound(request: OutboundRequest, gw: GatewayDep, _erp: ErpDep) -> OutboundAccepted:
    partner = gw.partners.get(request.partner)
    if partner is None or not partner.enabled:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"no enabled partner '{request.partner}'")
    try:
        receipt = await run_in_threadpool(send_document, gw, partner, request.document, actor="erp")
    except OutboundRejected as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.problems) from exc
    return OutboundAccepted(
        id=receipt.id,
        document_id=receipt.document_id,
        status="queued",
        syntax=receipt.syntax,
        message_type=receipt.message_type,
        control_reference=receipt.control_reference,
    )


@router.get("/{outbound_id}", response_model=OutboundDetail, summary="What was sent and what came back")
def get_outbound(outbound_id: str, gw: GatewayDep, _erp: ErpDep) -> OutboundDetail:
    with gw.sessions() as session:
        transmission = session.get(Transmission, outbound_id)
        if transmission is None or transmission.direction != "outbound":
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no outbound message {outbound_id}")
        interchange = (
            session.execute(select(Interchange).where(Interchange.transmission_id == outbound_id))
            .scalars()
            .first()
        )
        document = (
            session.execute(select(Document).where(Document.transmission_id == outbound_id)).scalars().first()
        )
        acks = (
            session.execute(
                select(Acknowledgement)
                .where(Acknowledgement.answers_transmission_id == outbound_id)
                .order_by(Acknowledgement.created_at)
            )
            .scalars()
            .all()
        )
        raw = gw.archive.get(transmission.sha256)
        return OutboundDetail(
            id=transmission.id,
            partner=transmission.partner_id,
            status=transmission.status,
            channel=transmission.channel,
            syntax=transmission.syntax,
            message_type=transmission.message_type,
            business_number=transmission.business_number,
            control_reference=interchange.control_reference if interchange else None,
            ack_state=outbound_ack_state(gw, transmission, interchange),
            created_at=transmission.received_at,
            raw=raw.decode(
                text_codec(interchange.syntax_identifier or "" if interchange else ""), errors="replace"
            ),
            document=document.content if document else {},
            acknowledgements=[
                PartnerAck(
                    type=a.type,
                    status=a.status,
                    control_reference=a.control_reference,
                    received_at=a.created_at,
                )
                for a in acks
            ],
        )


def _identifier(interchange: Interchange | None) -> str:
    return (interchange.syntax_identifier or "") if interchange is not None else ""
