"""Sending what we produce to a partner over the channel its profile names.

Acknowledgements (and, later, outgoing documents) are stored first, then delivered by a work item,
so a channel that is down delays a delivery but never loses it. (A partner's own mailbox on our
SFTP server cannot be down: the worker puts its acknowledgements there while processing, see
``gateway/publication.py``; a resend still comes this way.) Each channel contributes one
function to ``DELIVERERS``; "rest" keeps the file for the partner to fetch through the API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.crash_points import crash_point
from gateway.database.models import Acknowledgement, Interchange, Transmission, WorkItem
from gateway.database.rows import insert_values, load_row, update_columns
from partners.profile import PartnerProfile

DELIVER_ACKNOWLEDGEMENT = "deliver_acknowledgement"
DELIVER_OUTBOUND = "deliver_outbound"

_EXTENSIONS = {"edifact": "edi", "x12": "x12", "xml": "xml"}


class DeliveryError(Exception):
    """The channel could not take the file now; the work item is retried with back-off."""


@dataclass(frozen=True, slots=True)
class OutboundFile:
    partner: PartnerProfile
    kind: str  # CONTRL, APERAK, TA1, 997, 999, ApplicationResponse …
    control_reference: str
    filename: str
    data: bytes
    sha256: str
    subject_id: str  # the acknowledgement (or outgoing interchange) id
    # The worker's transaction, for channels that keep state of their own (AS2: Message-ID, MIC, MDN).
    session: Session | None = None


Deliverer = Callable[[Gateway, OutboundFile], dict[str, Any]]
"""Sends one file; returns transport details for the audit trail; raises DeliveryError to retry."""


def _keep_for_api(_gw: Gateway, item: OutboundFile) -> dict[str, Any]:
    return {"channel": "rest", "note": "kept for the partner to fetch with GET /v1/messages/{id}"}


def _deliverers() -> Mapping[str, Deliverer]:
    # Channel modules are imported here, not at the top, so the REST-only gateway needs none of them.
    table: dict[str, Deliverer] = {"rest": _keep_for_api}
    from gateway.channels.as2.sender import deliver as deliver_as2

    table["as2"] = deliver_as2
    from gateway.channels.sftp_outbound import deliver_sftp

    table["sftp"] = deliver_sftp
    return MappingProxyType(table)


def outbound_filename(partner_id: str, kind: str, control_reference: str, syntax: str, at: datetime) -> str:
    """Unique and meaningful: who it is for, what it is, its control number, when it was made."""
    safe_ref = "".join(c if c.isalnum() or c in "-_" else "_" for c in control_reference)
    return f"{partner_id}_{kind}_{safe_ref}_{at:%Y%m%dT%H%M%S%fZ}.{_EXTENSIONS.get(syntax, 'txt')}"


def queue_delivery(session: Session, ack: Acknowledgement, now: datetime) -> None:
    queue_work(session, DELIVER_ACKNOWLEDGEMENT, ack.id, now)


def queue_work(session: Session, kind: str, subject_id: str, now: datetime) -> None:
    queued = {"kind": kind, "subject_id": subject_id, "state": "queued", "attempts": 0}
    insert_values(session, WorkItem.__table__, {**queued, "available_at": now, "created_at": now})


def _route(gw: Gateway, partner_id: str | None, channel: str | None) -> tuple[PartnerProfile, str, Deliverer]:
    """The partner's profile, the channel to use (its ``delivery`` unless one is forced) and its sender."""
    partner = gw.partners.get(partner_id or "")
    if partner is None:
        raise DeliveryError(f"partner {partner_id!r} has no profile any more")
    channel = channel or partner.delivery
    deliverer = _deliverers().get(channel)
    if deliverer is None:
        raise DeliveryError(f"delivery channel {channel!r} is not available in this gateway")
    return partner, channel, deliverer


def deliver_acknowledgement(gw: Gateway, session: Session, ack_id: str) -> list[AuditEntry]:
    ack = load_row(session, Acknowledgement, ack_id)  # detached: one per inbound message, kept cheap
    if ack is None:
        raise LookupError(f"acknowledgement {ack_id} does not exist")
    # An MDN answers an AS2 message, so it goes back over AS2 whatever the partner's delivery setting.
    partner, channel, deliverer = _route(gw, ack.partner_id, "as2" if ack.type == "MDN" else None)
    item = OutboundFile(
        partner=partner,
        kind=ack.type,
        control_reference=ack.control_reference,
        filename=ack.filename
        or outbound_filename(partner.id, ack.type, ack.control_reference, "edifact", ack.created_at),
        data=gw.archive.get(ack.sha256),
        sha256=ack.sha256,
        subject_id=ack.id,
        session=session,
    )
    details = deliverer(gw, item)
    crash_point("during_ack_send")
    # A channel that waits for a receipt (AS2 with an asynchronous MDN) reports its own state.
    ack.delivery_state = str(details.pop("delivery_state", "delivered"))
    ack.delivered_at = gw.clock() if ack.delivery_state == "delivered" else None
    update_columns(session, ack, "delivery_state", "delivered_at")
    return [
        AuditEntry(
            "worker",
            "acknowledgement",
            ack.id,
            "acknowledgement_delivered",
            {"channel": channel, "filename": item.filename, **details},
        )
    ]


def record_delivery_failure(session: Session, ack_id: str, final: bool) -> None:
    ack = session.get(Acknowledgement, ack_id)
    if ack is not None:
        ack.delivery_state = "failed" if final else "retrying"


def deliver_outbound(gw: Gateway, session: Session, transmission_id: str) -> list[AuditEntry]:
    """Send a rendered ERP document over the partner's channel; it then waits for the partner's ack."""
    transmission = session.get(Transmission, transmission_id)
    if transmission is None or transmission.direction != "outbound":
        raise LookupError(f"outbound transmission {transmission_id} does not exist")
    partner, channel, deliverer = _route(gw, transmission.partner_id, None)
    interchange = (
        session.execute(select(Interchange).where(Interchange.transmission_id == transmission.id))
        .scalars()
        .first()
    )
    control_reference = interchange.control_reference if interchange is not None else transmission.id
    kind = transmission.message_type or "document"
    item = OutboundFile(
        partner=partner,
        kind=kind,
        control_reference=control_reference,
        filename=outbound_filename(
            partner.id, kind, control_reference, transmission.syntax or "", transmission.received_at
        ),
        data=gw.archive.get(transmission.sha256),
        sha256=transmission.sha256,
        subject_id=transmission.id,
        session=session,
    )
    details = deliverer(gw, item)
    crash_point("after_outbound_send")
    transmission.status = "sent"
    transmission.processed_at = gw.clock()
    return [
        AuditEntry(
            "worker",
            "transmission",
            transmission.id,
            "outbound_delivered",
            {"channel": channel, "filename": item.filename, **details},
        )
    ]


def record_outbound_failure(session: Session, transmission_id: str, final: bool) -> None:
    transmission = session.get(Transmission, transmission_id)
    if transmission is not None:
        transmission.status = "failed" if final else "queued"
