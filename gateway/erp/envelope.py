"""What the ERP receives for one document, the same by every channel.

Webhook bodies, pull responses and JSON file drops all carry this envelope, so an ERP that switches
channels (or uses several) reads one shape and deduplicates on one id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from gateway.database.models import Document


class DocumentEnvelope(BaseModel):
    id: str = Field(
        description="Document id: the same on every delivery by every channel, so the ERP can deduplicate"
    )
    document_type: str = Field(description="purchase_order, order_response, delivery_note or invoice")
    partner: str | None = Field(description="The trading partner the document came from")
    message_id: str = Field(description="The transmission it was read from (as the partner knows it)")
    business_number: str | None = Field(description="The document's own number (order number, …)")
    created_at: datetime = Field(description="When edigate created the document; the delivery order")
    document: dict[str, Any] = Field(description="The canonical document (JSON Schema: edigate schema)")


def envelope(document: Document) -> DocumentEnvelope:
    return DocumentEnvelope(
        id=document.id,
        document_type=document.document_type,
        partner=document.partner_id,
        message_id=document.transmission_id,
        business_number=document.business_number,
        created_at=document.created_at,
        document=document.content,
    )
