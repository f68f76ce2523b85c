"""``/v1/documents``: the ERP pulls canonical documents of every partner, in order, and acks them.

The ERP authenticates with its own key (``ErpDep``); partner keys are refused here. The re-offer
rule and the cursor are described in gateway/erp/pull.py and in the endpoint descriptions below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from gateway.api.dependencies import ErpDep, GatewayDep
from gateway.erp import pull
from gateway.erp.envelope import DocumentEnvelope, envelope
from gateway.erp.outbox import PULL

router = APIRouter(prefix="/v1/documents", tags=["erp"])


class OfferedDocument(DocumentEnvelope):
    offers: int = Field(description="1 on the first offer; more means offered again without an ack")


class DocumentPage(BaseModel):
    items: list[OfferedDocument]
    next_cursor: str = Field(description="Pass as ``after`` to continue; opaque, stable, only grows")
    visibility_timeout_seconds: int = Field(
        description="Acknowledge each document within this time or it is offered again"
    )


class DeliveryOut(BaseModel):
    channel: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


class DocumentDetail(DocumentEnvelope):
    acknowledged_at: datetime | None = Field(description="When the ERP acknowledged it (pull)")
    deliveries: list[DeliveryOut]


class Acknowledged(BaseModel):
    id: str
    acknowledged_at: datetime


@router.get("", response_model=DocumentPage, summary="Documents not yet acknowledged, in order")
def list_documents(
    gw: GatewayDep,
    erp: ErpDep,
    after: Annotated[str | None, Query(description="``next_cursor`` of the previous page")] = None,
    document_type: Annotated[
        list[str] | None, Query(alias="type", description="Only these document types (repeatable)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DocumentPage:
    """Unacknowledged documents in outbox order: those after the cursor, then again any offered
    more than the visibility timeout ago without an ack (and any that committed late behind the
    cursor). Acknowledge each with ``POST /v1/documents/{id}/ack``."""
    if not gw.settings.erp_pull:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "pull delivery is switched off (EDIGATE_ERP_PULL)")
    try:
        page = pull.offer_documents(
            gw, cursor=after, document_types=document_type or [], limit=limit, actor=erp.actor
        )
    except pull.CursorError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    return DocumentPage(
        items=[
            OfferedDocument(**envelope(offer.document).model_dump(), offers=offer.offers)
            for offer in page.offers
        ],
        next_cursor=page.next_cursor,
        visibility_timeout_seconds=gw.settings.erp_pull_visibility_seconds,
    )


@router.get("/{document_id}", response_model=DocumentDetail, summary="One document and its deliveries")
def get_document(document_id: str, gw: GatewayDep, erp: ErpDep) -> DocumentDetail:
    try:
        document, deliveries = pull.read_document(gw, document_id, actor=erp.actor)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    acked = next((d.delivered_at for d in deliveries if d.channel == PULL), None)
    return DocumentDetail(
        **envelope(document).model_dump(),
        acknowledged_at=acked,
        deliveries=[
            DeliveryOut(
                channel=d.channel,
                state=d.state,
                attempts=d.attempts,
                last_status=d.last_status,
                last_error=d.last_error,
                delivered_at=d.delivered_at,
            )
            for d in deliveries
        ],
    )


@router.post("/{document_id}/ack", response_model=Acknowledged, summary="Confirm a document is stored")
def acknowledge_document(document_id: str, gw: GatewayDep, erp: ErpDep) -> Acknowledged:
    """Idempotent: acknowledging twice answers with the first acknowledgement's time."""
    try:
        at = pull.acknowledge(gw, document_id, actor=erp.actor)
    except pull.NotInPullQueue as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return Acknowledged(id=document_id, acknowledged_at=at)
