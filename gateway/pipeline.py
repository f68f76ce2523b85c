"""The inbound pipeline for one transmission, as one database transaction.

Everything the pipeline derives — interchanges, messages, documents, acknowledgements, audit
events and the final status — commits together or not at all, so a worker that dies half-way
leaves nothing behind but the queued work item, and the next claim starts clean.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from archive.store import ArchiveError
from gateway.channels.sftp_mailbox import OUTBOX, Mailbox, PathRefused
from gateway.context import Gateway
from gateway.crash_points import crash_point
from gateway.database.audit_log import append_events
from gateway.database.counters import next_control_number
from gateway.database.direct import DirectStatement
from gateway.database.models import (
    Acknowledgement,
    Document,
    InterchangeKey,
    Transmission,
)
from gateway.database.models import (
    Interchange as InterchangeRow,
)
from gateway.database.models import (
    Message as MessageRow,
)
from gateway.database.row_ids import new_row_id
from gateway.database.rows import insert_row, new_row, update_columns
from gateway.delivery import outbound_filename, queue_delivery
from gateway.erp.outbox import enqueue_document
from gateway.order_loop import queue_auto_accept
from gateway.publication import current_publications
from partners.directory import PartnerDirectory
from partners.profile import PartnerProfile
from translators.acknowledge import plan_acknowledgements
from translators.detect import detect_syntax
from translators.edifact.stream import NotStreamable
from translators.edifact.translate import translate_edifact_stream
from translators.errors import EdiError
from translators.translate import InterchangeOutcome, MessageOutcome, Translation, translate

log = logging.getLogger(__name__)

ACTOR = "worker"
# How each syntax's interchange acknowledgement says "duplicate": CONTRL 0085 26, TA1 TA105 025.
DUPLICATE_CODES = {"edifact": "26", "x12": "TA1:025"}


@dataclass
class _Run:
    """What one pipeline run has decided so far; written out at the end."""

    transmission: Transmission
    # The directory this run uses throughout: a reload swapping gw.partners mid-run must not mix
    # the old partner profile with the new company profile (gateway/partner_reload.py).
    partners: PartnerDirectory
    events: list[AuditEntry] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)
    documents: int = 0
    acknowledgements_received: int = 0

    def event(self, action: str, **details: Any) -> None:
        self.events.append(AuditEntry(ACTOR, "transmission", self.transmission.id, action, details))


@dataclass(frozen=True, slots=True)
class PreparedTranslation:
    """A transmission's bytes translated before its write transaction begins. On SQLite that
    transaction holds the database's only write lock, which every upload waits for; reading and
    translating (no database involved) is most of a small message's work, so the worker does it
    first, unlocked. What it was made from is kept so that a run uses it only for those bytes."""

    sha256: str
    channel_partner: str | None
    partners: PartnerDirectory
    translation: Translation

    def made_from(self, transmission: Transmission) -> bool:
        return (self.sha256, self.channel_partner) == (transmission.sha256, transmission.partner_id)


def prepare_translation(gw: Gateway, sha256: str, channel_partner: str | None) -> PreparedTranslation:
    partners = gw.partners  # one directory for the whole run, even if a reload swaps it meanwhile
    translation = translate(gw.archive.get(sha256), partners, channel_partner=channel_partner)
    return PreparedTranslation(sha256, channel_partner, partners, translation)


def process_transmission(
    gw: Gateway, session: Session, transmission: Transmission, prepared: PreparedTranslation | None = None
) -> str:
    """Run the pipeline inside the caller's transaction; returns the final status."""
    _forget_previous_run(session, transmission)
    if prepared is not None and not prepared.made_from(transmission):
        prepared = None
    run = None
    if prepared is None and transmission.size >= gw.settings.stream_threshold_bytes:
        run = _process_streaming(gw, session, transmission, gw.partners)
    if run is None:
        prepared = prepared or prepare_translation(gw, transmission.sha256, transmission.partner_id)
        run = _Run(transmission, prepared.partners)
        translation = prepared.translation
        transmission.syntax = translation.syntax
        run.event(
            "parsed",
            syntax=translation.syntax,
            interchanges=len(translation.interchanges),
            messages=sum(len(i.messages) for i in translation.interchanges),
        )
        run.errors.extend(translation.errors)
        for position, outcome in enumerate(translation.interchanges, start=1):
            _store_interchange(gw, session, run, position, outcome)
    crash_point("mid_translation")

    # Partly accepted files are "processed": their good documents go on, and ``errors`` names the rest.
    status = "processed" if run.documents or run.acknowledgements_received else "rejected"
    transmission.status = status
    transmission.errors = [e.to_dict() for e in run.errors]
    transmission.processed_at = gw.clock()
    # The worker hands over a detached row (``load_row``): what the run decided goes back in one UPDATE.
    update_columns(
        session, transmission, "status", "errors", "processed_at", "syntax", "message_type", "business_number"
    )
    run.event(status, errors=len(run.errors), documents=run.documents)
    append_events(session, run.events, gw.clock)
    return status


class _LateRejection(Exception):
    """The interchange turned out rejected only at its end, after messages were stored as good."""


def _process_streaming(
    gw: Gateway, session: Session, transmission: Transmission, partners: PartnerDirectory
) -> _Run | None:
    """A large EDIFACT interchange, read from the archive a window at a time and stored message by
    message, so memory stays flat however big the file. None when the file needs the whole-file
    path (another syntax, or a shape only that reader handles); whatever was stored is undone."""
    with gw.archive.open(transmission.sha256) as handle:
        if detect_syntax(handle.read(512)) != "edifact":
            return None
    for reject_all in (False, True):
        savepoint = session.begin_nested()
        run = _Run(transmission, partners)
        try:
            with gw.archive.open(transmission.sha256) as handle:
                _stream_interchange(gw, session, run, handle, reject_all=reject_all)
        except NotStreamable:
            savepoint.rollback()
            return None
        except _LateRejection:
            savepoint.rollback()
            continue
        savepoint.commit()
        return run
    raise AssertionError("a read that rejects every message cannot be rejected late")


def _stream_interchange(gw: Gateway, session: Session, run: _Run, handle: Any, *, reject_all: bool) -> None:
    transmission = run.transmission
    transmission.syntax = "edifact"
    items = translate_edifact_stream(handle, run.partners, transmission.partner_id, reject_all=reject_all)
    outcome = next(items)
    assert isinstance(outcome, InterchangeOutcome)
    # Messages are judged with what is known now; the envelope's end may still reject them all, and
    # then, as on the whole-file path, the interchange claims no key: it is read again rejecting all.
    accepted_at_start = outcome.accepted
    row, duplicate_of = _open_interchange(session, run, 1, outcome, claim=not reject_all)
    keep = {id(transmission), id(row), id(duplicate_of)}
    for position, message_outcome in enumerate(items, start=1):
        assert isinstance(message_outcome, MessageOutcome)
        _store_message(gw, session, run, row, outcome, position, message_outcome)
        _lighten(message_outcome)
        if position % STREAM_BATCH == 0:
            append_events(session, run.events, gw.clock, immediately=True)
            run.events.clear()
            _release_stored(session, keep)
    # The exhausted reader has set the interchange's errors anew, from the envelope and the partner.
    if accepted_at_start and not outcome.accepted and not reject_all:
        raise _LateRejection
    if duplicate_of is not None:
        outcome.errors.append(_duplicate_error(outcome, duplicate_of))
    run.event("parsed", syntax="edifact", interchanges=1, messages=len(outcome.messages), streamed=True)
    _judge_interchange(session, run, row, outcome, duplicate_of)
    _finish_interchange(gw, session, run, row, outcome, duplicate_of)


STREAM_BATCH = 500  # messages between two flushes of the session and the audit trail


def _lighten(message_outcome: MessageOutcome) -> None:
    """Keep what acknowledgements need (references, errors, numbers), drop segments and document;
    the strings every message repeats (type, version …) are shared, not held once per message."""
    message_outcome.stated_number = message_outcome.business_number
    if message_outcome.document is not None:
        message_outcome.document = _STORED
    message_outcome.identifier = sys.intern(message_outcome.identifier)
    message = message_outcome.message
    message.segments.clear()
    for name in ("type", "version", "release", "agency", "association"):
        setattr(message, name, sys.intern(getattr(message, name)))


_STORED = object()  # "a document was made and stored": accepted, without holding it


def _release_stored(session: Session, keep: set[int]) -> None:
    """Flush, then forget the rows already written, so the session does not grow with the file."""
    session.flush()
    for obj in list(session.identity_map.values()):
        if id(obj) not in keep:
            session.expunge(obj)


def _forget_previous_run(session: Session, transmission: Transmission) -> None:
    """A replayed message starts from nothing; the acknowledgements it got stay as history. A run
    that stored anything also recorded the syntax it read, so without one there is nothing to undo."""
    if transmission.syntax is None:
        return
    old = (
        session.execute(select(InterchangeRow.id).where(InterchangeRow.transmission_id == transmission.id))
        .scalars()
        .all()
    )
    if not old:
        return
    session.execute(
        update(Acknowledgement).where(Acknowledgement.interchange_id.in_(old)).values(interchange_id=None)
    )
    session.execute(delete(Document).where(Document.transmission_id == transmission.id))
    session.execute(delete(MessageRow).where(MessageRow.transmission_id == transmission.id))
    session.execute(delete(InterchangeKey).where(InterchangeKey.interchange_id.in_(old)))
    session.execute(
        update(InterchangeRow).where(InterchangeRow.duplicate_of_id.in_(old)).values(duplicate_of_id=None)
    )
    session.execute(delete(InterchangeRow).where(InterchangeRow.id.in_(old)))
    transmission.message_type = transmission.business_number = None


def _store_interchange(
    gw: Gateway, session: Session, run: _Run, position: int, outcome: InterchangeOutcome
) -> None:
    row, duplicate_of = _open_interchange(session, run, position, outcome)
    _judge_interchange(session, run, row, outcome, duplicate_of)
    for msg_position, message_outcome in enumerate(outcome.messages, start=1):
        _store_message(gw, session, run, row, outcome, msg_position, message_outcome)
    _finish_interchange(gw, session, run, row, outcome, duplicate_of)


def _open_interchange(
    session: Session, run: _Run, position: int, outcome: InterchangeOutcome, *, claim: bool = True
) -> tuple[InterchangeRow, InterchangeRow | None]:
    """The interchange's row, and the earlier one it repeats (its duplicate error added)."""
    ic = outcome.interchange
    row = new_row(
        InterchangeRow,
        transmission_id=run.transmission.id,
        position=position,
        syntax=outcome.syntax,
        partner_id=outcome.partner.id if outcome.partner else None,
        sender_id=ic.sender_id,
        sender_qualifier=ic.sender_qualifier,
        recipient_id=ic.recipient_id,
        recipient_qualifier=ic.recipient_qualifier,
        control_reference=ic.control_reference,
        syntax_identifier=ic.syntax_identifier,
        syntax_version=ic.syntax_version,
        prepared_at=ic.prepared_at,
        ack_requested=ic.ack_requested,
        test_indicator=ic.test_indicator,
        status="accepted",
        errors=[],
    )
    insert_row(session, row, generated_id=True)  # its status and errors follow in _judge_interchange

    duplicate_of = _claim_interchange_key(session, row) if outcome.accepted and claim else None
    if duplicate_of is not None:
        row.duplicate_of_id = duplicate_of.id
        outcome.errors.append(_duplicate_error(outcome, duplicate_of))
        run.event(
            "duplicate_detected",
            control_reference=ic.control_reference,
            original=duplicate_of.transmission_id,
        )
    return row, duplicate_of


def _duplicate_error(outcome: InterchangeOutcome, duplicate_of: InterchangeRow) -> EdiError:
    ic = outcome.interchange
    return EdiError(
        "DUPLICATE_INTERCHANGE",
        f"interchange {ic.control_reference} from {ic.sender_id} was already received "
        f"(message {duplicate_of.transmission_id}); it is not processed again",
        outcome.header_location,
        level="interchange",
        syntax_code=DUPLICATE_CODES.get(outcome.syntax),
    )


def _judge_interchange(
    session: Session,
    run: _Run,
    row: InterchangeRow,
    outcome: InterchangeOutcome,
    duplicate_of: InterchangeRow | None,
) -> None:
    row.status = "accepted" if outcome.accepted else ("duplicate" if duplicate_of else "rejected")
    row.errors = [e.to_dict() for e in outcome.errors]
    if row.status != "accepted" or row.errors or row.duplicate_of_id is not None:  # else as inserted
        update_columns(session, row, "status", "errors", "duplicate_of_id")
    run.errors.extend(outcome.all_errors)
    run.event(
        "validated",
        interchange=outcome.interchange.control_reference,
        partner=row.partner_id,
        status=row.status,
        errors=[e.code for e in outcome.all_errors],
    )


def _store_message(
    gw: Gateway,
    session: Session,
    run: _Run,
    row: InterchangeRow,
    outcome: InterchangeOutcome,
    position: int,
    message_outcome: MessageOutcome,
) -> MessageRow:
    accepted = outcome.accepted and message_outcome.accepted
    message_row = new_row(
        MessageRow,
        interchange_id=row.id,
        transmission_id=run.transmission.id,
        position=position,
        reference=message_outcome.message.reference,
        message_type=message_outcome.message.type,
        identifier=message_outcome.identifier,
        group_reference=message_outcome.message.group_reference,
        status="accepted" if accepted else "rejected",
        business_number=message_outcome.business_number,
        errors=[e.to_dict() for e in message_outcome.errors],
    )
    insert_row(session, message_row, generated_id=True)
    if run.transmission.message_type is None:
        run.transmission.message_type = message_row.message_type
    if run.transmission.business_number is None:
        run.transmission.business_number = message_row.business_number  # found even when rejected
    if accepted and message_outcome.document is not None:
        _store_document(gw, session, run, message_row, message_outcome.document)
    return message_row


def _finish_interchange(
    gw: Gateway,
    session: Session,
    run: _Run,
    row: InterchangeRow,
    outcome: InterchangeOutcome,
    duplicate_of: InterchangeRow | None,
) -> None:
    if outcome.partner is not None and outcome.accepted:
        for received in outcome.received_acks:
            _record_received_ack(gw, session, run, row, outcome.partner, received)
    if outcome.partner is not None:
        _acknowledge(gw, session, run, row, outcome, duplicate_of)


# Acknowledgement states as stored (the column is short); the partner's words stay in the audit trail.
_STORED_STATES = {"accepted_with_errors": "with_errors", "partially_accepted": "partial"}


def _record_received_ack(
    gw: Gateway, session: Session, run: _Run, row: InterchangeRow, partner: PartnerProfile, received: Any
) -> None:
    """Store a partner's acknowledgement and tie it to what we sent; unmatched ones are kept and said so."""
    answered = _answered_transmission(session, partner.id, received)
    ack = Acknowledgement(
        id=new_row_id(),
        direction="inbound",
        type=received.type,
        status=_STORED_STATES.get(received.state, received.state),
        partner_id=partner.id,
        transmission_id=run.transmission.id,
        interchange_id=row.id,
        control_reference=received.reference[:35],
        sha256=run.transmission.sha256,
        size=run.transmission.size,
        created_at=gw.clock(),
        delivery_state="received",
        answers_transmission_id=answered.id if answered else None,
    )
    session.add(ack)
    if answered is not None:
        _settle_outbound(session, answered, ack.status)
    run.acknowledgements_received += 1
    details = {**received.to_dict(), "answers": answered.id if answered else None}
    action = "acknowledgement_received" if answered else "acknowledgement_unmatched"
    run.events.append(AuditEntry(ACTOR, "acknowledgement", ack.id, action, details))
    run.event(action, acknowledgement=ack.id, type=received.type, state=received.state)


def _settle_outbound(session: Session, answered: Transmission, state: str) -> None:
    """The partner's verdict becomes the acknowledgement state of what we sent; a receipt-only
    acknowledgement ("received") does not settle it."""
    if state == "received":
        return
    outbound = (
        session.execute(select(InterchangeRow).where(InterchangeRow.transmission_id == answered.id))
        .scalars()
        .first()
    )
    if outbound is not None:
        outbound.status = state


def _answered_transmission(session: Session, partner_id: str, received: Any) -> Transmission | None:
    """What we sent that this acknowledgement answers: by our interchange control number, else by our
    group reference, else by the business document number it quotes — the first that finds one."""
    outbound = select(Transmission).where(Transmission.direction == "outbound")
    candidates = []
    if received.interchange_reference:
        candidates.append(
            outbound.join(InterchangeRow, InterchangeRow.transmission_id == Transmission.id).where(
                InterchangeRow.partner_id == partner_id,
                InterchangeRow.control_reference == received.interchange_reference,
            )
        )
    if received.group_reference:
        candidates.append(
            outbound.join(MessageRow, MessageRow.transmission_id == Transmission.id).where(
                Transmission.partner_id == partner_id, MessageRow.group_reference == received.group_reference
            )
        )
    if received.document_reference:
        candidates.append(
            outbound.where(
                Transmission.partner_id == partner_id,
                Transmission.business_number == received.document_reference,
            )
        )
    for query in candidates:
        found = session.execute(query).scalars().first()
        if found is not None:
            return found
    return None


def _claim_interchange_key(session: Session, row: InterchangeRow) -> InterchangeRow | None:
    """Insert the (sender, reference) key; if it exists, return the interchange that holds it.
    One INSERT that does nothing on a conflict, instead of a savepoint around an ORM insert."""
    connection = session.connection()
    key = {
        "syntax": row.syntax,
        "sender_id": row.sender_id,
        "sender_qualifier": row.sender_qualifier,
        "control_reference": row.control_reference,
    }
    claim = _CLAIM_KEY_POSTGRESQL if connection.dialect.name == "postgresql" else _CLAIM_KEY_SQLITE
    # A row comes back only when inserted (rowcount is -1 on psycopg).
    if claim.first(connection, {**key, "interchange_id": row.id}) is not None:
        return None
    return session.get(InterchangeRow, _KEY_HOLDER.scalar(connection, key))


def _claim_key_statement(insert: Any) -> DirectStatement:
    keys = InterchangeKey.__table__
    return DirectStatement(
        insert(keys)
        .values({column.key: bindparam(column.key) for column in keys.columns})
        .on_conflict_do_nothing()
        .returning(keys.c.interchange_id)
    )


_CLAIM_KEY_POSTGRESQL = _claim_key_statement(postgresql.insert)
_CLAIM_KEY_SQLITE = _claim_key_statement(sqlite.insert)
_KEY_HOLDER = DirectStatement(
    select(InterchangeKey.__table__.c.interchange_id).where(
        *(
            InterchangeKey.__table__.c[name] == bindparam(name)
            for name in ("syntax", "sender_id", "sender_qualifier", "control_reference")
        )
    )
)


def _store_document(gw: Gateway, session: Session, run: _Run, message_row: MessageRow, document: Any) -> None:
    content = document.model_dump(mode="json")
    doc = new_row(
        Document,
        id=new_row_id(),
        message_id=message_row.id,
        transmission_id=run.transmission.id,
        partner_id=run.transmission.partner_id,
        document_type=content["document_type"],
        business_number=content.get("number"),
        content=content,
        created_at=gw.clock(),
    )
    insert_row(session, doc)
    run.events.extend(enqueue_document(gw, session, doc))  # the ERP outbox, in this same transaction
    run.events.extend(queue_auto_accept(gw, session, doc))  # the demo ERP's answer, likewise
    run.documents += 1
    if run.transmission.business_number is None:
        run.transmission.business_number = doc.business_number
    run.event(
        "translated",
        document=doc.id,
        document_type=doc.document_type,
        number=doc.business_number,
        message=message_row.reference,
    )


def _acknowledge(
    gw: Gateway,
    session: Session,
    run: _Run,
    row: InterchangeRow,
    outcome: InterchangeOutcome,
    duplicate_of: InterchangeRow | None,
) -> None:
    partner: PartnerProfile = outcome.partner  # type: ignore[assignment]
    if duplicate_of is not None and _same_bytes(session, duplicate_of, run.transmission):
        # An identical retransmission gets the acknowledgements it got the first time, unchanged.
        originals = (
            session.execute(
                select(Acknowledgement)
                .where(Acknowledgement.interchange_id == duplicate_of.id)
                .order_by(Acknowledgement.created_at)
            )
            .scalars()
            .all()
        )
        for original in originals:
            _record_ack(
                gw,
                session,
                run,
                row,
                partner,
                original.type,
                original.control_reference,
                original.sha256,
                original.size,
                original.status,
                resent_of=original.id,
            )
        if originals:
            return

    def next_number(partner_id: str, kind: str) -> int:
        return next_control_number(session, partner_id, kind)

    for planned in plan_acknowledgements(
        outcome, run.partners.company, next_number=next_number, now=gw.clock()
    ):
        sha256 = gw.archive.put(planned.raw)
        _record_ack(
            gw,
            session,
            run,
            row,
            partner,
            planned.type,
            planned.control_reference,
            sha256,
            len(planned.raw),
            planned.status,
            data=planned.raw,
        )


def _same_bytes(session: Session, original: InterchangeRow, transmission: Transmission) -> bool:
    earlier = session.get(Transmission, original.transmission_id)
    return earlier is not None and earlier.sha256 == transmission.sha256


def _record_ack(
    gw: Gateway,
    session: Session,
    run: _Run,
    row: InterchangeRow,
    partner: PartnerProfile,
    ack_type: str,
    control_reference: str,
    sha256: str,
    size: int,
    status: str,
    resent_of: str | None = None,
    data: bytes | None = None,
) -> None:
    ack = new_row(
        Acknowledgement,
        id=new_row_id(),
        direction="outbound",
        type=ack_type,
        status=status,
        partner_id=partner.id,
        transmission_id=run.transmission.id,
        interchange_id=row.id,
        control_reference=control_reference,
        sha256=sha256,
        size=size,
        created_at=gw.clock(),
        resent_of_id=resent_of,
        delivery_state="pending",
    )
    ack.filename = outbound_filename(partner.id, ack.type, control_reference, row.syntax, ack.created_at)
    delivered = _stage_in_mailbox(gw, partner, ack, data)
    if delivered is not None:
        ack.delivery_state, ack.delivered_at = "delivered", ack.created_at
    insert_row(session, ack)
    if delivered is None:
        queue_delivery(session, ack, ack.created_at)
    run.events.append(
        AuditEntry(
            ACTOR,
            "acknowledgement",
            ack.id,
            "acknowledgement_created",
            {
                "type": ack_type,
                "status": status,
                "control_reference": control_reference,
                "sha256": sha256,
                "transmission": run.transmission.id,
                "resent_of": resent_of,
            },
        )
    )
    if delivered is not None:
        run.events.append(
            AuditEntry(ACTOR, "acknowledgement", ack.id, "acknowledgement_delivered", delivered)
        )


def _stage_in_mailbox(
    gw: Gateway, partner: PartnerProfile, ack: Acknowledgement, data: bytes | None
) -> dict[str, Any] | None:
    """Deliver ``ack`` in this transaction when the partner takes its files from its mailbox on our
    SFTP server: staged hidden now, published once the transaction commits
    (``gateway/publication.py``), which saves a work item per message. None where that is not
    possible (another channel, no publisher, the mailbox refusing): the ack is queued for delivery."""
    publications = current_publications()
    sftp = partner.sftp
    if publications is None or partner.delivery != "sftp" or sftp is None or sftp.mode != "mailbox":
        return None
    try:
        payload = gw.archive.get(ack.sha256) if data is None else data
        mailbox = Mailbox(gw.settings.data_dir, partner.id)
        publications.add(*mailbox.stage(OUTBOX, ack.filename, payload, ack.id))
    except (OSError, PathRefused, ArchiveError) as exc:
        log.warning("acknowledgement %s goes to the delivery queue: %s", ack.id, exc)
        return None
    path, size = f"/{OUTBOX}/{ack.filename}", len(payload)
    return {"channel": "sftp", "filename": ack.filename, "mode": "mailbox", "path": path, "size": size}
