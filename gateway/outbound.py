"""Documents from the ERP to a partner: validate, render in the partner's format, envelope with
our control numbers, store, and queue for delivery over the partner's channel.

Everything is written in one transaction (rows, audit events, the delivery work item) after the
bytes are in the archive, so an accepted request is never half-sent and never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.counters import next_control_number
from gateway.database.models import Document, Interchange, Message, Transmission
from gateway.database.row_ids import new_row_id
from gateway.delivery import DELIVER_OUTBOUND, queue_work
from partners.profile import CompanyProfile, PartnerProfile
from translators.documents.schema import DOCUMENT_MODELS
from translators.render import Endpoint, RenderError, ReverseCodes, render_document

# What an ERP may send to a partner of each role.
ALLOWED = {
    "customer": {"order_response", "delivery_note", "invoice"},
    "supplier": {"purchase_order"},
}
X12_RELEASES = {"00401": "004010", "00501": "005010"}


class OutboundRejected(Exception):
    """The request cannot be sent as it is; ``problems`` say why, field by field."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class OutboundReceipt:
    id: str
    document_id: str
    control_reference: str
    message_type: str
    syntax: str


def parse_document(payload: dict[str, Any]) -> Any:
    """The canonical document from the ERP's JSON, validated against its published schema."""
    kind = payload.get("document_type")
    model = DOCUMENT_MODELS.get(kind or "")
    if model is None:
        known = ", ".join(sorted(DOCUMENT_MODELS))
        raise OutboundRejected([{"field": "document.document_type", "message": f"expected one of {known}"}])
    if kind == "order_response" and "response" in payload and "response_type" not in payload:
        payload = {**payload, "response_type": payload["response"]}  # the short name ERPs are told
        payload.pop("response")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise OutboundRejected(
            [
                {"field": "document." + ".".join(str(p) for p in error["loc"]), "message": error["msg"]}
                for error in exc.errors()
            ]
        ) from exc


def send_document(
    gw: Gateway, partner: PartnerProfile, payload: dict[str, Any], *, actor: str
) -> OutboundReceipt:
    document = parse_document(payload)
    if document.document_type not in ALLOWED[partner.role]:
        raise OutboundRejected(
            [
                {
                    "field": "document.document_type",
                    "message": f"partner '{partner.id}' is a {partner.role}; it can be sent "
                    + ", ".join(sorted(ALLOWED[partner.role])),
                }
            ]
        )
    now = gw.clock()
    with gw.sessions.begin() as session:
        syntax = partner.syntax
        numbers = {
            "interchange": next_control_number(session, partner.id, f"{syntax}_interchange"),
            "group": next_control_number(session, partner.id, f"{syntax}_group"),
            "message": 1,
        }
        try:
            rendered = render_document(
                document,
                syntax=syntax,
                version=_version(partner),
                sender=_ours(gw.partners.company, partner),
                recipient=_theirs(partner),
                control_numbers=numbers,
                prepared_at=now,
                reverse_codes=_reverse_codes(partner),
                association="EANCOM" if syntax == "edifact" else None,
                syntax_identifier=partner.edifact_charset,
            )
        except RenderError as exc:
            # Nothing was stored: the counters roll back with the transaction, leaving no gap.
            raise OutboundRejected([{"field": "document", "message": str(exc)}]) from exc
        sha256 = gw.archive.put(rendered.content)
        transmission = Transmission(
            id=new_row_id(),
            direction="outbound",
            channel=partner.delivery,
            partner_id=partner.id,
            received_at=now,
            sha256=sha256,
            size=len(rendered.content),
            content_type=None,
            transport={},
            status="queued",
            syntax=syntax,
            message_type=rendered.message_type,
            business_number=document.number,
            errors=[],
        )
        session.add(transmission)
        session.flush()
        interchange = Interchange(
            transmission_id=transmission.id,
            position=1,
            syntax=syntax,
            partner_id=partner.id,
            sender_id=_ours(gw.partners.company, partner).id,
            sender_qualifier=_ours(gw.partners.company, partner).qualifier,
            recipient_id=_theirs(partner).id,
            recipient_qualifier=_theirs(partner).qualifier,
            control_reference=rendered.control_reference,
            syntax_identifier={"x12": "X12", "xml": "UBL"}.get(syntax, partner.edifact_charset),
            status="awaiting_ack",
            errors=[],
            prepared_at=now,
        )
        session.add(interchange)
        session.flush()
        message = Message(
            interchange_id=interchange.id,
            transmission_id=transmission.id,
            position=1,
            reference="1",
            message_type=rendered.message_type,
            identifier=rendered.message_type,
            # X12 997/999 answer a group (AK102 = our GS06), so the group number is kept to match them.
            group_reference=str(numbers["group"]) if syntax == "x12" else None,
            status="sent",
            business_number=document.number,
            errors=[],
        )
        session.add(message)
        session.flush()
        row = Document(
            id=new_row_id(),
            message_id=message.id,
            transmission_id=transmission.id,
            partner_id=partner.id,
            document_type=document.document_type,
            business_number=document.number,
            content=document.model_dump(mode="json"),
            created_at=now,
        )
        session.add(row)
        queue_work(session, DELIVER_OUTBOUND, transmission.id, now)
        append_events(
            session,
            [
                AuditEntry(
                    actor,
                    "transmission",
                    transmission.id,
                    "outbound_accepted",
                    {
                        "partner": partner.id,
                        "document": row.id,
                        "document_type": row.document_type,
                        "number": document.number,
                    },
                ),
                AuditEntry(
                    "system",
                    "transmission",
                    transmission.id,
                    "rendered",
                    {
                        "syntax": syntax,
                        "message_type": rendered.message_type,
                        "control_reference": rendered.control_reference,
                        "sha256": sha256,
                        "size": len(rendered.content),
                    },
                ),
            ],
            gw.clock,
        )
    gw.work_available.set()
    return OutboundReceipt(transmission.id, row.id, rendered.control_reference, rendered.message_type, syntax)


def _version(partner: PartnerProfile) -> str:
    if partner.syntax == "x12":
        return X12_RELEASES.get(partner.x12_version or "00401", "004010")
    if partner.syntax == "xml":
        return "2.1"
    return partner.edifact_version


def _ours(company: CompanyProfile, partner: PartnerProfile) -> Endpoint:
    if partner.syntax == "x12" and company.x12 is not None:
        return Endpoint(company.x12.id, company.x12.qualifier)
    if partner.syntax == "xml" and company.xml is not None:
        return Endpoint(company.xml.id, company.xml.scheme)
    return Endpoint(company.edifact.id, company.edifact.qualifier)


def _theirs(partner: PartnerProfile) -> Endpoint:
    if partner.syntax == "x12" and partner.x12:
        return Endpoint(partner.x12[0].id, partner.x12[0].qualifier, partner.x12[0].gs_id or None)
    if partner.syntax == "xml" and partner.xml:
        return Endpoint(partner.xml[0].id, partner.xml[0].scheme)
    identity = partner.edifact[0]
    return Endpoint(identity.id, identity.qualifier)


def _reverse_codes(partner: PartnerProfile) -> ReverseCodes:
    """The profile maps partner → ERP codes; sending needs the inverse (first mapping wins)."""

    def invert(mapping: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for theirs, ours in mapping.items():
            out.setdefault(ours, theirs)
        return out

    return ReverseCodes(
        units=invert(partner.codes.units),
        parties=invert(partner.codes.parties),
        items=invert(partner.codes.items),
    )


def outbound_ack_state(
    gw: Gateway, transmission: Transmission, interchange: Interchange | None
) -> str | None:
    """awaiting_ack turns overdue once the partner's window (``acknowledgements.due_hours``) has
    passed since we sent it; a partner's verdict (accepted, with_errors, partial, rejected) stays."""
    if interchange is None:
        return None
    if (
        interchange.status != "awaiting_ack"
        or transmission.status != "sent"
        or transmission.processed_at is None
    ):
        return interchange.status
    partner = gw.partners.get(transmission.partner_id or "")
    hours = partner.acknowledgements.due_hours if partner is not None else 24
    return "overdue" if gw.clock() > transmission.processed_at + timedelta(hours=hours) else "awaiting_ack"
