"""Everything about one message on one page: what happened, what was received, what came of it.

Builds on :func:`gateway.api.messages.message_detail` (the same view partners get over REST) and
adds what only an operator sees: the audit timeline with actors, the raw text with errors in
place, the delivery state of each acknowledgement and the transport details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.api.messages import message_detail
from gateway.api.schemas import MessageDetail
from gateway.context import Gateway
from gateway.dashboard.segments import RawView, raw_view
from gateway.database.models import Acknowledgement, AuditEvent, Document, Interchange, Message, Transmission
from gateway.outbound import outbound_ack_state
from gateway.replay import REPLAYABLE
from translators.detect import detect_syntax

VIEW_BYTES = 4 * 1024 * 1024
"""Largest part of a raw file laid out on the page; the download always has all of it."""
TIMELINE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]

    @property
    def by_operator(self) -> bool:
        return self.actor.startswith("operator:") or self.actor == "cli"


@dataclass(frozen=True, slots=True)
class AcknowledgementView:
    row: Acknowledgement
    raw: str

    @property
    def resendable(self) -> bool:
        """Only what we send can be sent again; a partner's acknowledgement is its to resend."""
        return self.row.direction == "outbound"


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    document_type: str
    business_number: str | None
    content: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MessagePage:
    transmission: Transmission
    partner_name: str
    detail: MessageDetail
    documents: Sequence[DocumentView]
    acknowledgements: Sequence[AcknowledgementView]
    timeline: Sequence[TimelineEntry]
    raw: RawView
    raw_cut: bool
    transport: Sequence[tuple[str, Any]]
    partner_ack_state: str | None = None
    """For what we sent: awaiting_ack, overdue, or the partner's verdict (see ``outbound_ack_state``)."""
    answers: Sequence[AcknowledgementView] = ()
    """For what we sent: the partner's acknowledgements that answered it, matched on receipt."""

    @property
    def resendable(self) -> bool:
        """Only what we send can be sent again; the partner is the one to resend its own messages."""
        return self.transmission.direction == "outbound"

    @property
    def resend_hint(self) -> str:
        return (
            "Delivers the same interchange (same control number) again over the partner's channel; "
            "the partner's acknowledgement window starts again when it is delivered."
        )

    @property
    def reprocessable(self) -> bool:
        return self.transmission.status in REPLAYABLE

    @property
    def reprocess_hint(self) -> str:
        if self.reprocessable:
            return "Runs the pipeline again with the partner's current profile."
        return (
            f"This message is {self.transmission.status}; only {' or '.join(REPLAYABLE)} messages are "
            "processed again (a processed one would reach the ERP twice)."
        )


def build_message_page(gw: Gateway, session: Session, transmission: Transmission) -> MessagePage:
    detail = message_detail(gw, session, transmission)
    ack_rows = {
        a.id: a
        for a in session.execute(
            select(Acknowledgement).where(Acknowledgement.transmission_id == transmission.id)
        ).scalars()
    }
    acknowledgements = [AcknowledgementView(ack_rows[a.id], a.raw) for a in detail.acknowledgements]
    documents = [
        DocumentView(d.id, d.document_type, d.business_number, d.content)
        for d in session.execute(
            select(Document).where(Document.transmission_id == transmission.id).order_by(Document.created_at)
        ).scalars()
    ]
    partner_ack_state: str | None = None
    answers: list[AcknowledgementView] = []
    if transmission.direction == "outbound":
        partner_ack_state = outbound_ack_state(
            gw,
            transmission,
            session.execute(select(Interchange).where(Interchange.transmission_id == transmission.id))
            .scalars()
            .first(),
        )
        answers = [
            AcknowledgementView(a, gw.archive.get(a.sha256).decode("utf-8", errors="replace"))
            for a in session.execute(
                select(Acknowledgement)
                .where(Acknowledgement.answers_transmission_id == transmission.id)
                .order_by(Acknowledgement.created_at)
            ).scalars()
        ]
    subjects = [transmission.id, *ack_rows, *(d.id for d in documents), *(a.row.id for a in answers)]
    timeline = [
        TimelineEntry(e.at, e.actor, e.action, e.subject_type, e.subject_id, e.details or {})
        for e in session.execute(
            select(AuditEvent)
            .where(AuditEvent.subject_id.in_(subjects))
            .order_by(AuditEvent.seq)
            .limit(TIMELINE_LIMIT)
        ).scalars()
    ]
    data = gw.archive.get(transmission.sha256)
    profile = gw.partners.get(transmission.partner_id) if transmission.partner_id else None
    return MessagePage(
        transmission=transmission,
        partner_name=profile.name if profile else (transmission.partner_id or "unknown sender"),
        detail=detail,
        documents=documents,
        acknowledgements=acknowledgements,
        timeline=timeline,
        raw=_raw(session, transmission, data[:VIEW_BYTES]),
        raw_cut=len(data) > VIEW_BYTES,
        transport=_transport(transmission),
        partner_ack_state=partner_ack_state,
        answers=answers,
    )


def _raw(session: Session, transmission: Transmission, data: bytes) -> RawView:
    interchanges = session.execute(
        select(Interchange.id, Interchange.position, Interchange.errors).where(
            Interchange.transmission_id == transmission.id
        )
    ).all()
    position_of = {row.id: row.position for row in interchanges}
    by_position: dict[int, list[dict[str, Any]]] = {
        row.position: list(row.errors or []) for row in interchanges
    }
    for interchange_id, errors in session.execute(
        select(Message.interchange_id, Message.errors)
        .where(Message.transmission_id == transmission.id)
        .order_by(Message.position)
    ):
        by_position.setdefault(position_of[interchange_id], []).extend(errors or [])
    placed = [e for errors in by_position.values() for e in errors]
    general = [e for e in transmission.errors or [] if e not in placed]
    syntax = transmission.syntax or detect_syntax(data)  # not processed yet: judge by the bytes
    return raw_view(data, syntax, by_position, general)


def _transport(transmission: Transmission) -> list[tuple[str, Any]]:
    """Channel facts first (how it came), then whatever the channel recorded (AS2 headers and MDN,
    SFTP path, REST caller) exactly as stored."""
    out: list[tuple[str, Any]] = [("channel", transmission.channel), ("direction", transmission.direction)]
    for name in ("filename", "content_type", "idempotency_key"):
        value = getattr(transmission, name)
        if value:
            out.append((name, value))
    out.extend(sorted((transmission.transport or {}).items()))
    return out
