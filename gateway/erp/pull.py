"""Pull delivery: the ERP fetches documents in order and acknowledges each one.

The re-offer rule. Every document waits in the pull queue until the ERP acknowledges it
(``POST /v1/documents/{id}/ack``). A page (``GET /v1/documents?after=<cursor>``) holds, in outbox
order, the unacknowledged documents that are either after the cursor or not currently offered:
never offered yet (e.g. committed late by a slower worker, with a lower position than documents
already seen) or offered longer than the visibility timeout ago without an acknowledgement. Each
document on a page is hidden from other pages for the visibility timeout. So an ERP that acks what
it stored never sees a document twice, one that crashes mid-page gets the rest again after the
timeout, and repeating a request with the same cursor (a lost response) returns the same documents.

The cursor is opaque to the ERP but stable: it encodes the highest outbox position handed out, so
the same position always gives the same cursor and positions only grow.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import Document, ErpDelivery
from gateway.erp.outbox import DELIVERED, PULL, QUEUED
from translators.numerals import is_digits

_CURSOR_PREFIX = "edigate-erp:"


class CursorError(ValueError):
    """The cursor was not one this gateway handed out."""


class NotInPullQueue(LookupError):
    """The document exists but was not queued for pull (pull delivery was off when it was made)."""


@dataclass(frozen=True, slots=True)
class Offer:
    document: Document
    offers: int  # 1 on the first offer, more when offered again


@dataclass(frozen=True, slots=True)
class Page:
    offers: list[Offer]
    next_cursor: str


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError(f"not a cursor from this gateway: {cursor!r}") from None
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not is_digits(number):
        raise CursorError(f"not a cursor from this gateway: {cursor!r}")
    return int(number)


def offer_documents(
    gw: Gateway, *, cursor: str | None, document_types: Sequence[str], limit: int, actor: str
) -> Page:
    after = decode_cursor(cursor)
    now = gw.clock()
    visibility = timedelta(seconds=gw.settings.erp_pull_visibility_seconds)
    conditions = [
        ErpDelivery.channel == PULL,
        ErpDelivery.state == QUEUED,
        or_(
            ErpDelivery.id > after,
            ErpDelivery.offered_until.is_(None),
            ErpDelivery.offered_until <= now,
        ),
    ]
    if document_types:
        conditions.append(ErpDelivery.document_type.in_(list(document_types)))
    with gw.sessions.begin() as session:
        rows = session.execute(
            select(ErpDelivery, Document)
            .join(Document, Document.id == ErpDelivery.document_id)
            .where(*conditions)
            .order_by(ErpDelivery.id)
            .limit(limit)
            .with_for_update(of=ErpDelivery, skip_locked=True)
        ).all()
        offers: list[Offer] = []
        events: list[AuditEntry] = []
        for delivery, document in rows:
            delivery.offers += 1
            delivery.offered_until = now + visibility
            offers.append(Offer(document, delivery.offers))
            events.append(
                AuditEntry(
                    actor,
                    "document",
                    document.id,
                    "erp_document_offered",
                    {"channel": PULL, "delivery": delivery.id, "offer": delivery.offers},
                )
            )
        append_events(session, events, gw.clock)
        position = max([after, *(delivery.id for delivery, _ in rows)])
    return Page(offers, encode_cursor(position))


def acknowledge(gw: Gateway, document_id: str, *, actor: str) -> datetime:
    """Confirm receipt; idempotent, so an ERP that retries its ack gets the first ack's time."""
    with gw.sessions.begin() as session:
        if session.get(Document, document_id) is None:
            raise LookupError(f"no document {document_id}")
        delivery = session.execute(
            select(ErpDelivery)
            .where(ErpDelivery.document_id == document_id, ErpDelivery.channel == PULL)
            .with_for_update()
        ).scalar_one_or_none()
        if delivery is None:
            raise NotInPullQueue(f"document {document_id} was not queued for pull delivery")
        if delivery.state != DELIVERED or delivery.delivered_at is None:
            delivery.state = DELIVERED
            delivery.delivered_at = gw.clock()
            delivery.offered_until = None
            append_events(
                session,
                [
                    AuditEntry(
                        actor,
                        "document",
                        document_id,
                        "erp_document_acknowledged",
                        {"channel": PULL, "delivery": delivery.id, "offers": delivery.offers},
                    )
                ],
                gw.clock,
            )
        return delivery.delivered_at


def read_document(gw: Gateway, document_id: str, *, actor: str) -> tuple[Document, list[ErpDelivery]]:
    """One document with the state of its deliveries; the read is audited like every hand-over."""
    with gw.sessions.begin() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise LookupError(f"no document {document_id}")
        deliveries = list(
            session.execute(
                select(ErpDelivery).where(ErpDelivery.document_id == document_id).order_by(ErpDelivery.id)
            ).scalars()
        )
        append_events(
            session, [AuditEntry(actor, "document", document_id, "erp_document_read", {})], gw.clock
        )
        return document, deliveries
