"""``/v1/messages``: partners submit interchanges and follow what became of them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.store import ArchiveError
from gateway.api.body import read_limited_body
from gateway.api.dependencies import GatewayDep, PartnerDep
from gateway.api.schemas import (
    Accepted,
    AcknowledgementOut,
    ErrorOut,
    InterchangeOut,
    MessageDetail,
    MessageList,
    MessageOut,
    MessageSummary,
    Status,
)
from gateway.api.thread_pool import thread_pool
from gateway.context import Gateway
from gateway.database.models import Acknowledgement, Document, Interchange, Message, Transmission
from gateway.intake import IdempotencyConflict, Upload, accept
from translators.edifact.charset import codec_for

router = APIRouter(prefix="/v1/messages", tags=["messages"])

# Types whose body is a wrapper around a file or a structure, never the interchange itself: storing a
# browser form upload would archive the multipart envelope, and JSON is not an EDI syntax.
_WRAPPER_TYPES = ("multipart/", "application/json", "application/x-ndjson", "text/html")
_ACCEPTED_TYPES = (
    "application/edifact",
    "application/edi-x12",
    "application/edi-consent",
    "application/xml",
    "text/xml",
    "text/plain",
    "application/octet-stream",
)


def _refuse_wrapper_types(content_type: str | None) -> None:
    """415 for a body that cannot be an interchange; anything else is judged by its bytes, since
    partners label content loosely (curl --data-binary sends application/x-www-form-urlencoded)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media.startswith(_WRAPPER_TYPES) or media.endswith("+json"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type {media} is not an interchange: send the raw EDIFACT, X12 or XML bytes as the "
            f"body (not a form upload or JSON), as {', '.join(_ACCEPTED_TYPES)} or without a Content-Type",
        )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    summary="Submit an interchange",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in _ACCEPTED_TYPES
            },
        }
    },
    responses={
        401: {"description": "missing or unknown API key"},
        409: {"description": "Idempotency-Key reused"},
        413: {"description": "body over the configured limit (EDIGATE_MAX_BODY_BYTES); nothing stored"},
        415: {"description": "multipart, JSON or HTML body: not an interchange; nothing stored"},
    },
)
async def submit_message(
    request: Request,
    gw: GatewayDep,
    partner: PartnerDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Accepted:
    """The raw body is the interchange, byte for byte. 202 means it is stored durably; processing
    follows asynchronously — poll ``GET /v1/messages/{id}``."""
    _refuse_wrapper_types(request.headers.get("content-type"))
    body = await read_limited_body(request, gw.settings.max_body_bytes)
    upload = Upload(
        channel="rest",
        data=body,
        partner_id=partner.id,
        actor=f"partner:{partner.id}",
        content_type=request.headers.get("content-type"),
        idempotency_key=idempotency_key,
        transport={
            "remote_addr": request.client.host if request.client else None,
            "user_agent": request.headers.get("user-agent"),
        },
    )
    try:
        with body:
            receipt = await thread_pool(request).run(accept, gw, upload)
    except IdempotencyConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except ArchiveError as exc:
        raise HTTPException(status.HTTP_507_INSUFFICIENT_STORAGE, f"not accepted: {exc}") from exc
    return Accepted(id=receipt.id, status=receipt.status, sha256=receipt.sha256)  # type: ignore[arg-type]


@router.get("/{message_id}", response_model=MessageDetail, summary="Status, documents, errors and acks")
def get_message(message_id: str, gw: GatewayDep, partner: PartnerDep) -> MessageDetail:
    with gw.sessions() as session:
        transmission = session.get(Transmission, message_id)
        # Another partner's id answers exactly like an unknown one: ids are not to be probed.
        if transmission is None or transmission.partner_id != partner.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no message {message_id}")
        return message_detail(gw, session, transmission)


@router.get("", response_model=MessageList, summary="List your messages")
def list_messages(
    gw: GatewayDep,
    partner: PartnerDep,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    message_type: str | None = None,
    business_number: str | None = None,
    received_after: datetime | None = None,
    received_before: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> MessageList:
    conditions = [Transmission.partner_id == partner.id]
    if status_:
        conditions.append(Transmission.status == status_)
    if message_type:
        conditions.append(Transmission.message_type == message_type)
    if business_number:
        conditions.append(Transmission.business_number == business_number)
    if received_after:
        conditions.append(Transmission.received_at >= received_after)
    if received_before:
        conditions.append(Transmission.received_at < received_before)
    with gw.sessions() as session:
        total = session.execute(
            select(func.count()).select_from(Transmission).where(*conditions)
        ).scalar_one()
        rows = session.execute(
            select(Transmission)
            .where(*conditions)
            .order_by(Transmission.received_at.desc(), Transmission.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        items = [
            MessageSummary(
                id=t.id,
                direction=t.direction,  # type: ignore[arg-type]
                status=t.status,  # type: ignore[arg-type]
                partner=t.partner_id,
                channel=t.channel,
                received_at=t.received_at,
                syntax=t.syntax,
                message_type=t.message_type,
                business_number=t.business_number,
                size=t.size,
            )
            for t in rows
        ]
    return MessageList(items=items, total=total, limit=limit, offset=offset)


def message_detail(gw: Gateway, session: Session, transmission: Transmission) -> MessageDetail:
    interchanges = (
        session.execute(
            select(Interchange)
            .where(Interchange.transmission_id == transmission.id)
            .order_by(Interchange.position)
        )
        .scalars()
        .all()
    )
    messages = (
        session.execute(
            select(Message).where(Message.transmission_id == transmission.id).order_by(Message.position)
        )
        .scalars()
        .all()
    )
    documents = (
        session.execute(
            select(Document).where(Document.transmission_id == transmission.id).order_by(Document.created_at)
        )
        .scalars()
        .all()
    )
    acks = (
        session.execute(
            select(Acknowledgement)
            .where(Acknowledgement.transmission_id == transmission.id)
            .order_by(Acknowledgement.created_at)
        )
        .scalars()
        .all()
    )
    charset = {i.id: i.syntax_identifier or "" for i in interchanges}
    return MessageDetail(
        id=transmission.id,
        direction=transmission.direction,  # type: ignore[arg-type]
        status=transmission.status,  # type: ignore[arg-type]
        partner=transmission.partner_id,
        channel=transmission.channel,
        received_at=transmission.received_at,
        processed_at=transmission.processed_at,
        sha256=transmission.sha256,
        size=transmission.size,
        syntax=transmission.syntax,
        message_type=transmission.message_type,
        business_number=transmission.business_number,
        interchanges=[
            InterchangeOut(
                control_reference=i.control_reference,
                sender=_party(i.sender_id, i.sender_qualifier),
                recipient=_party(i.recipient_id, i.recipient_qualifier),
                syntax_identifier=i.syntax_identifier,
                syntax_version=i.syntax_version,
                status=i.status,
                duplicate=i.duplicate_of_id is not None,
                messages=[
                    MessageOut(
                        reference=m.reference,
                        type=m.message_type,
                        identifier=m.identifier,
                        status=m.status,
                        business_number=m.business_number,
                    )
                    for m in messages
                    if m.interchange_id == i.id
                ],
            )
            for i in interchanges
        ],
        documents=[{"id": d.id, **d.content} for d in documents],
        errors=[ErrorOut.model_validate(e) for e in transmission.errors],
        acknowledgements=[
            AcknowledgementOut(
                id=a.id,
                type=a.type,
                status=a.status,
                control_reference=a.control_reference,
                created_at=a.created_at,
                raw=gw.archive.get(a.sha256).decode(
                    text_codec(charset.get(a.interchange_id or -1, "")), errors="replace"
                ),
            )
            for a in acks
        ],
    )


def text_codec(syntax_identifier: str) -> str:
    """Acknowledgements are written in the charset of what they answer; XML ones are UTF-8."""
    if syntax_identifier in ("UBL", "cXML", "XML"):
        return "utf-8"
    return codec_for(syntax_identifier) or "latin-1"


def _party(identifier: str, qualifier: str) -> str:
    return f"{identifier}:{qualifier}" if qualifier else identifier
