"""The order loop: where a purchase order stands, derived from the rows the gateway already keeps,
and the demo ERP stand-in that accepts every order a customer sends.

No table records an order's state: it follows from the documents and acknowledgements around the
purchase order, so it can never disagree with them. The steps, in order:

- ``received`` (a customer's PO came in) or ``sent`` (our PO to a supplier went out);
- ``acknowledged``: the PO's interchange was accepted by a syntax acknowledgement (CONTRL, 997, 999 …)
  — ours for a PO we received, the supplier's for one we sent;
- ``accepted`` / ``changed`` / ``rejected``: an order response quoting the PO number, by its
  ``response_type`` (the latest one counts);
- ``shipped``: a delivery note naming the PO in ``order_numbers`` or on a line;
- ``invoiced``: an invoice whose ``order_number`` is the PO number.

Follow-up documents travel the other way from the PO (we answer a customer's PO; a supplier answers
ours). Their order numbers live inside the JSON ``content``, which SQLite and PostgreSQL query
differently, so they are matched in Python over a bounded candidate set: same partner, the three
follow-up document types, the opposite direction, created no earlier than the PO.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import (
    Acknowledgement,
    Document,
    Interchange,
    Message,
    Transmission,
)
from gateway.delivery import queue_work
from gateway.outbound import OutboundRejected, outbound_ack_state, send_document

log = logging.getLogger(__name__)

AUTO_ACCEPT_ORDER = "auto_accept_order"
DEMO_ERP_ACTOR = "demo-erp"
RESPONSES = ("accepted", "changed", "rejected")
# Every state an order can be in, from first to last; the first step depends on the PO's direction.
STATES = ("received", "sent", "acknowledged", *RESPONSES, "shipped", "invoiced")
FOLLOW_UPS = ("order_response", "delivery_note", "invoice")


@dataclass(frozen=True, slots=True, order=True)
class OrderKey:
    """One order: a PO number is unique per partner and direction, not across partners."""

    partner_id: str
    direction: str
    order_number: str


@dataclass(slots=True)
class DocumentEvidence:
    """A document behind a step, with the interchange that carried it."""

    document_id: str
    document_type: str
    number: str | None
    direction: str
    transmission_id: str
    message_type: str | None
    control_reference: str | None
    transmission_status: str
    at: datetime
    ack_state: str | None = None  # ours going out: the partner's verdict (outbound_ack_state)
    response: str | None = None  # order responses: accepted, changed, rejected


@dataclass(slots=True)
class AckEvidence:
    """A syntax acknowledgement of the PO's interchange."""

    acknowledgement_id: str
    type: str
    status: str
    direction: str
    control_reference: str
    at: datetime


@dataclass(slots=True)
class OrderStep:
    state: str
    at: datetime
    documents: list[DocumentEvidence] = field(default_factory=list)
    acknowledgements: list[AckEvidence] = field(default_factory=list)


@dataclass(slots=True)
class OrderView:
    order_number: str
    partner: str
    direction: str
    state: str
    steps: list[OrderStep]


# ---------------------------------------------------------------------------------------------------
# Finding orders


def order_keys(session: Session, order_number: str, partner_id: str | None = None) -> list[OrderKey]:
    """Every (partner, direction) that has a purchase order with this number."""
    query = (
        select(Document.partner_id, Transmission.direction)
        .join(Transmission, Transmission.id == Document.transmission_id)
        .where(Document.document_type == "purchase_order", Document.business_number == order_number)
        .distinct()
    )
    if partner_id is not None:
        query = query.where(Document.partner_id == partner_id)
    return sorted(
        OrderKey(partner or "", direction, order_number) for partner, direction in session.execute(query)
    )


def recent_order_keys(session: Session, partner_id: str | None, *, limit: int, offset: int) -> list[OrderKey]:
    """Orders, newest first (by their latest PO document), one page of them."""
    latest = func.max(Document.created_at)
    query = (
        select(Document.partner_id, Transmission.direction, Document.business_number)
        .join(Transmission, Transmission.id == Document.transmission_id)
        .where(Document.document_type == "purchase_order", Document.business_number.is_not(None))
        .group_by(Document.partner_id, Transmission.direction, Document.business_number)
        .order_by(latest.desc(), Document.business_number)
        .limit(limit)
        .offset(offset)
    )
    if partner_id is not None:
        query = query.where(Document.partner_id == partner_id)
    return [OrderKey(p or "", d, n) for p, d, n in session.execute(query)]


# ---------------------------------------------------------------------------------------------------
# Deriving the state


def describe_orders(gw: Gateway, session: Session, keys: Sequence[OrderKey]) -> list[OrderView]:
    """The state and evidence of each order, in the order of ``keys``; a handful of queries for the
    whole batch rather than a few per order."""
    if not keys:
        return []
    purchase_orders = _evidence_rows(
        session,
        select(Document, Transmission, Interchange)
        .join(Transmission, Transmission.id == Document.transmission_id)
        .join(Message, Message.id == Document.message_id)
        .join(Interchange, Interchange.id == Message.interchange_id)
        .where(
            Document.document_type == "purchase_order",
            Document.business_number.in_(sorted({k.order_number for k in keys})),
            Document.partner_id.in_(sorted({k.partner_id for k in keys})),
        ),
    )
    by_key: dict[OrderKey, list[_Row]] = defaultdict(list)
    for row in purchase_orders:
        key = OrderKey(
            row.document.partner_id or "", row.transmission.direction, row.document.business_number or ""
        )
        by_key[key].append(row)
    follow_ups = _follow_ups(session, by_key)
    acks = _acknowledgements(session, [row for rows in by_key.values() for row in rows])
    views = []
    for key in keys:
        rows = by_key.get(key)
        if rows:
            views.append(_view(gw, key, rows, follow_ups.get((key.partner_id, key.direction), []), acks))
    return views


@dataclass(slots=True)
class _Row:
    document: Document
    transmission: Transmission
    interchange: Interchange | None


def _evidence_rows(session: Session, query: Any) -> list[_Row]:
    return [
        _Row(document, transmission, interchange)
        for document, transmission, interchange in session.execute(
            query.order_by(Document.created_at, Document.id)
        )
    ]


def _follow_ups(session: Session, orders: dict[OrderKey, list[_Row]]) -> dict[tuple[str, str], list[_Row]]:
    """Candidate responses, despatch advices and invoices per (partner, PO direction): the bounded set
    the order numbers are then matched in, in Python."""
    earliest: dict[tuple[str, str], datetime] = {}
    for key, rows in orders.items():
        first = min(row.document.created_at for row in rows)
        slot = (key.partner_id, key.direction)
        earliest[slot] = min(first, earliest.get(slot, first))
    found: dict[tuple[str, str], list[_Row]] = {}
    for (partner_id, direction), since in earliest.items():
        found[(partner_id, direction)] = _evidence_rows(
            session,
            select(Document, Transmission, Interchange)
            .join(Transmission, Transmission.id == Document.transmission_id)
            .join(Message, Message.id == Document.message_id)
            .join(Interchange, Interchange.id == Message.interchange_id)
            .where(
                Document.partner_id == partner_id,
                Document.document_type.in_(FOLLOW_UPS),
                Transmission.direction == _opposite(direction),
                Document.created_at >= since,
            ),
        )
    return found


def _acknowledgements(session: Session, rows: Iterable[_Row]) -> dict[str, list[Acknowledgement]]:
    """Acknowledgements of each PO's transmission: the ones we sent for a PO we received, the ones the
    supplier sent back for a PO we sent."""
    inbound = [r.transmission.id for r in rows if r.transmission.direction == "inbound"]
    outbound = [r.transmission.id for r in rows if r.transmission.direction == "outbound"]
    found: dict[str, list[Acknowledgement]] = defaultdict(list)
    if inbound:
        for ack in session.execute(
            select(Acknowledgement)
            .where(Acknowledgement.direction == "outbound", Acknowledgement.transmission_id.in_(inbound))
            .order_by(Acknowledgement.created_at)
        ).scalars():
            found[ack.transmission_id].append(ack)
    if outbound:
        for ack in session.execute(
            select(Acknowledgement)
            .where(
                Acknowledgement.direction == "inbound",
                Acknowledgement.answers_transmission_id.in_(outbound),
            )
            .order_by(Acknowledgement.created_at)
        ).scalars():
            found[ack.answers_transmission_id or ""].append(ack)
    return found


def _view(
    gw: Gateway,
    key: OrderKey,
    orders: list[_Row],
    candidates: list[_Row],
    acks: dict[str, list[Acknowledgement]],
) -> OrderView:
    number = key.order_number
    since = min(row.document.created_at for row in orders)
    first = OrderStep("received" if key.direction == "inbound" else "sent", since)
    first.documents = [_evidence(gw, row) for row in orders]
    steps = [first]

    accepting = []
    for row in orders:
        for ack in acks.get(row.transmission.id, []):
            # An interchange-level acceptance of the PO's own interchange (a transmission may hold several).
            if ack.status == "accepted" and (
                ack.interchange_id is None
                or row.interchange is None
                or key.direction == "outbound"
                or ack.interchange_id == row.interchange.id
            ):
                accepting.append(ack)
    if accepting:
        steps.append(
            OrderStep("acknowledged", accepting[0].created_at, acknowledgements=[_ack(a) for a in accepting])
        )

    later = [row for row in candidates if row.document.created_at >= since]
    responses = [r for r in later if r.document.document_type == "order_response" and _answers(r, number)]
    if responses:
        latest = responses[-1]
        verdict = str(latest.document.content.get("response_type") or "accepted")
        steps.append(OrderStep(verdict, latest.document.created_at, [_evidence(gw, r) for r in responses]))
    despatches = [r for r in later if r.document.document_type == "delivery_note" and _delivers(r, number)]
    if despatches:
        steps.append(
            OrderStep("shipped", despatches[0].document.created_at, [_evidence(gw, r) for r in despatches])
        )
    invoices = [r for r in later if r.document.document_type == "invoice" and _answers(r, number)]
    if invoices:
        steps.append(
            OrderStep("invoiced", invoices[0].document.created_at, [_evidence(gw, r) for r in invoices])
        )
    return OrderView(number, key.partner_id, key.direction, steps[-1].state, steps)


def _answers(row: _Row, number: str) -> bool:
    return row.document.content.get("order_number") == number


def _delivers(row: _Row, number: str) -> bool:
    content = row.document.content
    if number in (content.get("order_numbers") or []):
        return True
    return any(line.get("order_number") == number for line in content.get("lines") or [])


def _evidence(gw: Gateway, row: _Row) -> DocumentEvidence:
    document, transmission = row.document, row.transmission
    response = document.content.get("response_type") if document.document_type == "order_response" else None
    return DocumentEvidence(
        document_id=document.id,
        document_type=document.document_type,
        number=document.business_number,
        direction=transmission.direction,
        transmission_id=transmission.id,
        message_type=transmission.message_type,
        control_reference=row.interchange.control_reference if row.interchange else None,
        transmission_status=transmission.status,
        at=document.created_at,
        ack_state=(
            outbound_ack_state(gw, transmission, row.interchange)
            if transmission.direction == "outbound"
            else None
        ),
        response=response,
    )


def _ack(ack: Acknowledgement) -> AckEvidence:
    return AckEvidence(ack.id, ack.type, ack.status, ack.direction, ack.control_reference, ack.created_at)


def _opposite(direction: str) -> str:
    return "outbound" if direction == "inbound" else "inbound"


# ---------------------------------------------------------------------------------------------------
# The demo ERP stand-in


def queue_auto_accept(gw: Gateway, session: Session, document: Document) -> list[AuditEntry]:
    """With ``demo_auto_accept``, queue the acceptance of a customer's purchase order in the caller's
    transaction — the one that stores the PO — so the answer cannot be lost between the two."""
    if not gw.settings.demo_auto_accept or document.document_type != "purchase_order":
        return []
    partner = gw.partners.get(document.partner_id or "")
    if partner is None or partner.role != "customer":
        return []
    queue_work(session, AUTO_ACCEPT_ORDER, document.id, gw.clock())
    return [
        AuditEntry(
            DEMO_ERP_ACTOR,
            "document",
            document.id,
            "order_auto_accept_queued",
            {"partner": partner.id, "number": document.business_number},
        )
    ]


def acceptance_of(order: dict[str, Any], *, issue_date: str) -> dict[str, Any]:
    """The order response an ERP that agrees to everything would send: every line confirmed in full."""
    number = str(order["number"])
    lines = []
    for line in order.get("lines") or []:
        answer: dict[str, Any] = {"line_number": line["line_number"], "line_status": "accepted"}
        for name in ("gtin", "buyer_item_id", "seller_item_id", "erp_item_id", "description", "unit"):
            if line.get(name) is not None:
                answer[name] = line[name]
        if line.get("quantity") is not None:
            answer["ordered_quantity"] = answer["confirmed_quantity"] = line["quantity"]
        lines.append(answer)
    response: dict[str, Any] = {
        "document_type": "order_response",
        "number": f"AR-{number}"[:35],
        "issue_date": issue_date,
        "order_number": number,
        "response": "accepted",
        "lines": lines,
    }
    if order.get("issue_date"):
        response["order_date"] = order["issue_date"]
    for party in ("buyer", "seller", "ship_to"):
        if order.get(party):
            response[party] = order[party]
    if order.get("currency"):
        response["currency"] = order["currency"]
    return response


def auto_accept_order(gw: Gateway, document_id: str) -> str | None:
    """Accept the purchase order ``document_id`` as the demo ERP; returns the outbound id, or None
    when there was nothing to do.

    ``send_document`` commits on its own, and SQLite has a single writer, so this runs before (not
    inside) the worker's transaction. It is idempotent instead: an order that already has a response
    going out — from an earlier attempt that died before its work item was marked done, or from the
    real ERP — is not answered again.
    """
    with gw.sessions() as session:
        order = session.get(Document, document_id)
        transmission = session.get(Transmission, order.transmission_id) if order is not None else None
        if order is None or transmission is None or order.document_type != "purchase_order":
            return None  # replayed meanwhile: the new run queued its own acceptance
        partner = gw.partners.get(order.partner_id or "")
        key = OrderKey(order.partner_id or "", transmission.direction, order.business_number or "")
        answered = any(
            step.state in RESPONSES for view in describe_orders(gw, session, [key]) for step in view.steps
        )
        payload = acceptance_of(order.content, issue_date=gw.clock().date().isoformat())
    if partner is None or not partner.enabled or transmission.direction != "inbound" or answered:
        reason = "already answered" if answered else "partner not an enabled customer"
        _audit(gw, document_id, "order_auto_accept_skipped", {"reason": reason})
        return None
    try:
        receipt = send_document(gw, partner, payload, actor=DEMO_ERP_ACTOR)
    except OutboundRejected as exc:
        # Retrying cannot make an unrenderable answer renderable; say why and stop.
        log.warning("demo ERP could not accept order %s: %s", document_id, exc)
        _audit(gw, document_id, "order_auto_accept_refused", {"problems": exc.problems})
        return None
    _audit(
        gw,
        document_id,
        "order_auto_accepted",
        {"outbound": receipt.id, "response": payload["number"], "order_number": payload["order_number"]},
    )
    return receipt.id


def _audit(gw: Gateway, document_id: str, action: str, details: dict[str, Any]) -> None:
    with gw.sessions.begin() as session:
        append_events(
            session, [AuditEntry(DEMO_ERP_ACTOR, "document", document_id, action, details)], gw.clock
        )
