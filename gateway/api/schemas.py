"""Response shapes of the REST API; they are what the OpenAPI description publishes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

# Inbound: received → processing → processed | rejected | failed. Outbound: queued → sent | failed.
Status = Literal["received", "processing", "processed", "rejected", "failed", "queued", "sent"]


class Accepted(BaseModel):
    id: str = Field(description="Message id: use it to ask for the status")
    status: Status
    sha256: str = Field(description="SHA-256 of the bytes as stored in the archive")


class ErrorLocation(BaseModel):
    segment_index: int | None = None
    segment_tag: str | None = None
    element: int | None = None
    component: int | None = None
    message_ref: str | None = None
    message_segment: int | None = None
    group_ref: str | None = None
    path: str | None = None
    line: int | None = None


class ErrorOut(BaseModel):
    code: str
    text: str
    location: ErrorLocation
    level: str
    syntax_code: str | None = None


class AcknowledgementOut(BaseModel):
    id: str
    type: str
    status: str
    control_reference: str
    created_at: datetime
    raw: str = Field(description="The acknowledgement's text exactly as sent")


class MessageOut(BaseModel):
    reference: str
    type: str
    identifier: str
    status: str
    business_number: str | None


class InterchangeOut(BaseModel):
    control_reference: str
    sender: str
    recipient: str
    syntax_identifier: str | None
    syntax_version: int | None
    status: str
    duplicate: bool
    messages: list[MessageOut]


class MessageDetail(BaseModel):
    id: str
    direction: Literal["inbound", "outbound"] = "inbound"
    status: Status
    partner: str | None
    channel: str
    received_at: datetime
    processed_at: datetime | None
    sha256: str
    size: int
    syntax: str | None
    message_type: str | None
    business_number: str | None
    interchanges: list[InterchangeOut]
    documents: list[dict[str, Any]] = Field(description="Canonical ERP documents, each with its document id")
    errors: list[ErrorOut]
    acknowledgements: list[AcknowledgementOut]


class MessageSummary(BaseModel):
    id: str
    direction: Literal["inbound", "outbound"] = "inbound"
    status: Status
    partner: str | None
    channel: str
    received_at: datetime
    syntax: str | None
    message_type: str | None
    business_number: str | None
    size: int


class MessageList(BaseModel):
    items: list[MessageSummary]
    total: int
    limit: int
    offset: int
