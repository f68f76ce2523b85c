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
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(128))
    filename: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    transport: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    syntax: Mapped[str | None] = mapped_column(String(16))
    message_type: Mapped[str | None] = mapped_column(String(16))
    business_number: Mapped[str | None] = mapped_column(String(64), index=True)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("partner_id", "idempotency_key", name="uq_transmission_idempotency"),)


class Interchange(Base):
    __tablename__ = "interchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    syntax: Mapped[str] = mapped_column(String(16))
    partner_id: Mapped[str | None] = mapped_column(String(64))
    sender_id: Mapped[str] = mapped_column(String(64))
    sender_qualifier: Mapped[str] = mapped_column(String(32))  # UNB 0007, ISA05, XML scheme (NetworkID…)
    recipient_id: Mapped[str] = mapped_column(String(64))
    recipient_qualifier: Mapped[str] = mapped_column(String(32))
    control_reference: Mapped[str] = mapped_column(String(128), index=True)  # XML: "<type>:<number>"
    syntax_identifier: Mapped[str | None] = mapped_column(String(8))
    syntax_version: Mapped[int | None] = mapped_column(Integer)
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ack_requested: Mapped[str] = mapped_column(String(2), default="")
    test_indicator: Mapped[str] = mapped_column(String(2), default="")
    status: Mapped[str] = mapped_column(String(16))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("interchanges.id"))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class InterchangeKey(Base):
    """One row per (sender, control reference) ever accepted: the primary key *is* the duplicate check,
    so two workers racing on the same retransmission cannot both win."""

    __tablename__ = "interchange_keys"

    syntax: Mapped[str] = mapped_column(String(16), primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sender_qualifier: Mapped[str] = mapped_column(String(32), primary_key=True)
    control_reference: Mapped[str] = mapped_column(String(128), primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"))


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"), index=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(35))
    message_type: Mapped[str] = mapped_column(String(16))
    identifier: Mapped[str] = mapped_column(String(64))
    group_reference: Mapped[str | None] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(16))
    business_number: Mapped[str | None] = mapped_column(String(64), index=True)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Document(Base):
    """A canonical ERP document; its id is what the ERP sees and stays the same on every redelivery."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    document_type: Mapped[str] = mapped_column(String(32))
    business_number: Mapped[str | None] = mapped_column(String(64), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Acknowledgement(Base):
    __tablename__ = "acknowledgements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # outbound: we acknowledge; inbound: partner does
    type: Mapped[str] = mapped_column(String(32))  # CONTRL, APERAK, TA1, 997, 999, ApplicationResponse …
    status: Mapped[str] = mapped_column(String(16))  # accepted | rejected | received
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    transmission_id: Mapped[str] = mapped_column(ForeignKey("transmissions.id"), index=True)
    interchange_id: Mapped[int | None] = mapped_column(ForeignKey("interchanges.id"))
    control_reference: Mapped[str] = mapped_column(String(35))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resent_of_id: Mapped[str | None] = mapped_column(ForeignKey("acknowledgements.id"))
    filename: Mapped[str | None] = mapped_column(String(255))
    delivery_state: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending|delivered|retrying|failed
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


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

    __table_args__ = (Index("ix_work_items_claim", "state", "available_at"),)


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


class OperatorSession(Base):
    """Server-side sessions: the cookie holds a random token, the table only its hash."""

    __tablename__ = "operator_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
