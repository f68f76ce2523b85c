"""The gateway's tables, as SQLAlchemy 2.0 typed models.

Times are stored timezone-aware in UTC; identifiers of things a user sees are UUID strings so they
can be handed out before a row exists and never reveal volumes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class PartnerText(TypeDecorator[str]):
    """A column filled from what a partner sent (envelope ids, references, labels), cut to its width.

    The raw bytes are archived exactly and the readers report values longer than the standard
    allows; the row only needs a searchable label. Without the cut, one 300-character reference
    made PostgreSQL refuse the row and the worker fail the message as an internal error (SQLite
    does not enforce widths, so it went unnoticed there).
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return value[: self.length] if value is not None else None


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite forgets time zones; this puts UTC back on the way out and refuses naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Transmission(Base):
    """What arrived (or left) over a channel, byte for byte: the unit a partner gets an id for."""

    __tablename__ = "transmissions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    channel: Mapped[str] = mapped_column(String(16))
    # partner_id and status have no index of their own: the composite ones below lead with them.
    partner_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(PartnerText(128))
    filename: Mapped[str | None] = mapped_column(PartnerText(255))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    transport: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16))
    syntax: Mapped[str | None] = mapped_column(String(16))
    message_type: Mapped[str | None] = mapped_column(PartnerText(16))
    business_number: Mapped[str | None] = mapped_column(PartnerText(64), index=True)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("partner_id", "idempotency_key", name="uq_transmission_idempotency"),
        # Dashboard filters (migration 0006): every filter of the message search has an index, and the
        # common "one partner / one status, newest first" lists read in index order.
        Index("ix_transmissions_direction", "direction"),
        Index("ix_transmissions_syntax", "syntax"),
        Index("ix_transmissions_message_type", "message_type"),
        Index("ix_transmissions_partner_received", "partner_id", "received_at"),
        Index("ix_transmissions_status_received", "status", "received_at"),
    )


class Interchange(Base):
    __tablename__ = "interchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    syntax: Mapped[str] = mapped_column(String(16))
    partner_id: Mapped[str | None] = mapped_column(String(64))
    sender_id: Mapped[str] = mapped_column(PartnerText(64))
    sender_qualifier: Mapped[str] = mapped_column(PartnerText(32))  # UNB 0007, ISA05, XML scheme (NetworkID…)
    recipient_id: Mapped[str] = mapped_column(PartnerText(64))
    recipient_qualifier: Mapped[str] = mapped_column(PartnerText(32))
    control_reference: Mapped[str] = mapped_column(PartnerText(128), index=True)  # XML: "<type>:<number>"
    syntax_identifier: Mapped[str | None] = mapped_column(PartnerText(8))
    syntax_version: Mapped[int | None] = mapped_column(Integer)
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ack_requested: Mapped[str] = mapped_column(PartnerText(2), default="")
    test_indicator: Mapped[str] = mapped_column(PartnerText(2), default="")
    status: Mapped[str] = mapped_column(String(16))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("interchanges.id"))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class InterchangeKey(Base):
    """One row per (sender, control reference) ever accepted: the primary key *is* the duplicate check,
    so two workers racing on the same retransmission cannot both win."""

    __tablename__ = "interchange_keys"

    syntax: Mapped[str] = mapped_column(String(16), primary_key=True)
    sender_id: Mapped[str] = mapped_column(PartnerText(64), primary_key=True)
    sender_qualifier: Mapped[str] = mapped_column(PartnerText(32), primary_key=True)
    control_reference: Mapped[str] = mapped_column(PartnerText(128), primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"))


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"), index=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(PartnerText(35))
    message_type: Mapped[str] = mapped_column(PartnerText(16))
    identifier: Mapped[str] = mapped_column(PartnerText(64))
    group_reference: Mapped[str | None] = mapped_column(PartnerText(35))
    status: Mapped[str] = mapped_column(String(16))
    business_number: Mapped[str | None] = mapped_column(PartnerText(64), index=True)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (
        Index("ix_messages_reference", "reference"),
        Index("ix_messages_group_reference", "group_reference"),
    )


class Document(Base):
    """A canonical ERP document; its id is what the ERP sees and stays the same on every redelivery."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    document_type: Mapped[str] = mapped_column(String(32))
    business_number: Mapped[str | None] = mapped_column(PartnerText(64), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_documents_document_type", "document_type"),)


class Acknowledgement(Base):
    __tablename__ = "acknowledgements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # outbound: we acknowledge; inbound: partner does
    type: Mapped[str] = mapped_column(String(32))  # CONTRL, APERAK, TA1, 997, 999, ApplicationResponse …
    status: Mapped[str] = mapped_column(String(16))  # accepted | rejected | received
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    interchange_id: Mapped[int | None] = mapped_column(ForeignKey("interchanges.id"))
    control_reference: Mapped[str] = mapped_column(PartnerText(35))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resent_of_id: Mapped[str | None] = mapped_column(ForeignKey("acknowledgements.id"))
    filename: Mapped[str | None] = mapped_column(PartnerText(255))
    delivery_state: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending|delivered|retrying|failed
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # For acknowledgements partners send us: the outbound transmission they answer, when matched.
    answers_transmission_id: Mapped[str | None] = mapped_column(ForeignKey("transmissions.id"), index=True)

    __table_args__ = (
        Index("ix_acknowledgements_delivery_state", "delivery_state", "created_at"),
        Index("ix_acknowledgements_status", "status", "created_at"),
    )


class ControlCounter(Base):
    """Per-partner outgoing control numbers: incremented under a row lock, so gapless and unique."""

    __tablename__ = "control_counters"

    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)


class WorkItem(Base):
    """The queue lives in the database, so a crash loses nothing and any node can claim work."""

    __tablename__ = "work_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_work_items_claim", "state", "id"),  # due items in id order (the claim)
        Index("ix_work_items_subject", "kind", "subject_id"),
    )


class AuditEvent(Base):
    """Append-only; ``hash`` covers every field and ``prev_hash``, so editing or deleting a row
    breaks the chain from there on."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_events_actor", "actor"),
        Index("ix_audit_events_action", "action"),
    )


class AuditHead(Base):
    """A single row locked by whoever appends, so concurrent writers extend one chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # viewer | operator | admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Lockout after repeated wrong passwords (gateway.dashboard.auth): consecutive failures since the
    # last success, and until when sign-in is refused even with the right password.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OperatorSession(Base):
    """Server-side sessions: the cookie holds a random token, the table only its hash."""

    __tablename__ = "operator_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class As2Inbound(Base):
    """One received AS2 Message-ID per sender: the primary key is the duplicate claim, so concurrent
    retransmits cannot both be processed, and the MDN stored here is what a retransmit gets again."""

    __tablename__ = "as2_inbound"

    as2_from: Mapped[str] = mapped_column(String(128), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))  # receiving | done
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    transmission_id: Mapped[str | None] = mapped_column(ForeignKey("transmissions.id"))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    disposition: Mapped[str | None] = mapped_column(String(255))
    mic: Mapped[str | None] = mapped_column(String(160))
    mdn_mode: Mapped[str | None] = mapped_column(String(8))  # sync | async | none
    mdn_url: Mapped[str | None] = mapped_column(Text)
    mdn_sha256: Mapped[str | None] = mapped_column(String(64))
    mdn_headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mdn_acknowledgement_id: Mapped[str | None] = mapped_column(String(36))


class As2Outbound(Base):
    """One AS2 message we send (with its resends, which keep the Message-ID) and the MDN it got."""

    __tablename__ = "as2_outbound"

    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    acknowledgement_id: Mapped[str] = mapped_column(String(36), unique=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))  # awaiting_mdn | delivered | failed
    sends: Mapped[int] = mapped_column(Integer, default=0)
    mic: Mapped[str | None] = mapped_column(String(160))
    mic_algorithm: Mapped[str | None] = mapped_column(String(16))
    mdn_mode: Mapped[str] = mapped_column(String(8))
    mdn_signed: Mapped[bool] = mapped_column(default=True)
    mdn_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mdn_sha256: Mapped[str | None] = mapped_column(String(64))
    disposition: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)


class ErpDelivery(Base):
    """The ERP outbox: one document on its way to the ERP by one channel (webhook, file_drop, pull).

    Rows are written in the transaction that creates the document, so no document exists without its
    outbox entries and none is lost between the pipeline and the ERP. ``id`` only grows: it is the
    delivery order and, for the pull channel, the position behind the opaque cursor. For ``pull``,
    ``delivered`` means acknowledged by the ERP and ``offered_until`` hides an offered document from
    other pulls until its visibility timeout ends.
    """

    __tablename__ = "erp_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # webhook | file_drop | pull
    partner_id: Mapped[str | None] = mapped_column(String(64))
    document_type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))  # queued | delivered | retrying | dead | disabled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status of the last webhook attempt
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offered_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offers: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("document_id", "channel", name="uq_erp_deliveries_document_channel"),
        Index("ix_erp_deliveries_channel_state", "channel", "state", "id"),
        Index("ix_erp_deliveries_channel_partner", "channel", "partner_id", "id"),
        {"sqlite_autoincrement": True},
    )


class ErpEndpoint(Base):
    """A webhook URL's standing: a 410 Gone disables it until an operator enables it again.

    Keyed by the URL's SHA-256 and shown redacted, because a URL can carry credentials."""

    __tablename__ = "erp_endpoints"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))  # enabled | disabled
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


class LegalHold(Base):
    """A partner's or one message's records that retention must not delete until the hold is released.

    Released holds stay as history; only rows with ``released_at`` unset stop deletion."""

    __tablename__ = "legal_holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # partner | message
    subject_id: Mapped[str] = mapped_column(String(64))  # partner id, or transmission (message) id
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(128))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_by: Mapped[str | None] = mapped_column(String(128))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    release_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_legal_holds_scope_subject", "scope", "subject_id"),)
