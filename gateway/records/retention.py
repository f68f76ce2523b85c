"""Retention: delete records whose keeping period has run out, and leave a tombstone in the audit trail.

A record is one transmission (what arrived or left over a channel) with everything stored under it:
interchanges, messages, canonical documents and their ERP deliveries, acknowledgements, AS2 rows and
finished work items. It is kept as long as the longest period of anything in it; each period counts
from the end of the calendar year (UTC) that thing was created, as commercial law counts it.

Audit events are never deleted, so the hash chain keeps verifying; each deletion appends a tombstone
(``retention_deleted``) naming what went, its SHA-256 and why. Raw files are content-addressed and
shared: a file goes only when no remaining row points at it, and only after the rows' deletion is
committed, so a crash leaves at worst an unreferenced file, never a row without its bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, union, update
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import (
    Acknowledgement,
    As2Inbound,
    As2Outbound,
    AuditEvent,
    Document,
    ErpDelivery,
    Interchange,
    InterchangeKey,
    Message,
    Transmission,
    WorkItem,
)
from gateway.records.legal_hold import HeldSet, active_holds

TOMBSTONE = "retention_deleted"
ACKNOWLEDGEMENT = "acknowledgement"
DEFAULT = "default"
_UNFINISHED = ("queued", "running")
_LOOKUP_BATCH = 500
_RECORDS_PER_TRANSACTION = 100
# An AS2 message we sent carries an acknowledgement (whose record is its transmission) or, for an ERP
# document, the outbound transmission's own id.
_AS2_OUT_OWNER = func.coalesce(Acknowledgement.transmission_id, As2Outbound.acknowledgement_id)


@dataclass(frozen=True, slots=True)
class Expiry:
    """Why a record may go when it may: the kind and creation of whatever is kept longest."""

    kind: str  # document type, "acknowledgement" or "default"
    years: int
    created: datetime
    at: datetime  # 1 January after the created year plus the period

    @property
    def reason(self) -> str:
        return (
            f"retention of {self.years} years for {self.kind} created in {self.created.year} "
            f"ended {self.at:%Y-%m-%d}"
        )


@dataclass(slots=True)
class RecordOutcome:
    transmission_id: str
    partner_id: str | None
    direction: str
    sha256: str
    expiry: Expiry
    outcome: str  # deleted | would_delete | held | busy
    hold_id: str | None = None
    documents: list[str] = field(default_factory=list)
    acknowledgements: list[str] = field(default_factory=list)
    files_deleted: list[str] = field(default_factory=list)
    files_shared: list[str] = field(default_factory=list)  # still referenced by kept rows

    def line(self) -> str:
        what = {
            "deleted": "deleted",
            "would_delete": "would delete",
            "held": f"kept (legal hold {self.hold_id})",
            "busy": "kept (work still queued or running)",
        }[self.outcome]
        head = (
            f"{what} {self.direction} message {self.transmission_id} ({self.partner_id or 'unknown partner'})"
        )
        if self.outcome in ("held", "busy"):
            return f"{head}: {self.expiry.reason}"
        files = f"{len(self.files_deleted)} file(s) removed"
        if self.files_shared:
            files += f", {len(self.files_shared)} kept as shared with other records"
        return (
            f"{head}: {self.expiry.reason}; {len(self.documents)} document(s), "
            f"{len(self.acknowledgements)} acknowledgement(s), {files}"
        )


@dataclass(slots=True)
class RetentionReport:
    as_of: datetime
    dry_run: bool
    records: list[RecordOutcome] = field(default_factory=list)

    def with_outcome(self, *outcomes: str) -> list[RecordOutcome]:
        return [r for r in self.records if r.outcome in outcomes]

    @property
    def deleted(self) -> list[RecordOutcome]:
        return self.with_outcome("deleted", "would_delete")

    @property
    def held(self) -> list[RecordOutcome]:
        return self.with_outcome("held")

    def lines(self) -> list[str]:
        out = [record.line() for record in self.records]
        verb = "would delete" if self.dry_run else "deleted"
        files = sum(len(r.files_deleted) for r in self.deleted)
        out.append(
            f"retention as of {self.as_of:%Y-%m-%d}: {verb} {len(self.deleted)} message(s) and {files} "
            f"file(s); {len(self.held)} held, {len(self.with_outcome('busy'))} busy"
        )
        return out


def run_retention(
    gw: Gateway, *, now: datetime, dry_run: bool = False, actor: str = "system:retention"
) -> RetentionReport:
    """Delete (or, with ``dry_run``, only report) every record whose period ended by ``now``."""
    if now.tzinfo is None:
        raise ValueError("retention needs a timezone-aware 'now'")
    now = now.astimezone(UTC)
    years = gw.settings.retention_years
    report = RetentionReport(as_of=now, dry_run=dry_run)
    with gw.sessions() as session:
        holds = active_holds(session)
        due = _due_records(session, years, now)
    gone: set[str] = set()  # records deleted (or, in a dry run, that would be) earlier in this run
    for batch in _chunks(due, _RECORDS_PER_TRANSACTION):
        # A transaction per batch: a failure leaves every earlier batch deleted and tombstoned.
        # A dry run only reads, so it never holds a write lock while it walks the records.
        with gw.sessions() as session:
            outcomes = _settle(gw, session, batch, holds, gone, actor=actor, dry_run=dry_run)
            if not dry_run:
                session.commit()
        report.records.extend(outcomes)
        if not dry_run:
            for outcome in outcomes:
                for sha256 in outcome.files_deleted:
                    gw.archive.delete(sha256)
    return report


def expiry_of(created: datetime, kind: str, years: dict[str, int]) -> Expiry:
    period = years.get(kind, years[DEFAULT])
    created = created.astimezone(UTC)
    return Expiry(kind, period, created, datetime(created.year + 1 + period, 1, 1, tzinfo=UTC))


def _due_records(session: Session, years: dict[str, int], now: datetime) -> list[tuple[str, Expiry]]:
    """Records whose longest-kept part has expired, oldest first.

    Nothing created in or after the year ``now.year - shortest period`` can have expired, so only
    older transmissions are examined."""
    bound = datetime(now.year - min(years.values()), 1, 1, tzinfo=UTC)
    candidates = session.execute(
        select(Transmission.id, Transmission.received_at)
        .where(Transmission.received_at < bound)
        .order_by(Transmission.received_at, Transmission.id)
    ).all()
    due: list[tuple[str, Expiry]] = []
    for chunk in _chunks(candidates, _LOOKUP_BATCH):
        ids = [row.id for row in chunk]
        parts: dict[str, list[Expiry]] = {row.id: [] for row in chunk}
        for doc in session.execute(
            select(Document.transmission_id, Document.document_type, Document.created_at).where(
                Document.transmission_id.in_(ids)
            )
        ):
            parts[doc.transmission_id].append(expiry_of(doc.created_at, doc.document_type, years))
        for row in chunk:
            if not parts[row.id]:  # produced no document: bad input, or only an acknowledgement
                parts[row.id].append(expiry_of(row.received_at, DEFAULT, years))
        for ack in session.execute(
            select(Acknowledgement.transmission_id, Acknowledgement.created_at).where(
                Acknowledgement.transmission_id.in_(ids)
            )
        ):
            parts[ack.transmission_id].append(expiry_of(ack.created_at, ACKNOWLEDGEMENT, years))
        for row in chunk:
            longest = max(parts[row.id], key=lambda e: e.at)
            if longest.at <= now:
                due.append((row.id, longest))
    return due


def _settle(
    gw: Gateway,
    session: Session,
    batch: Sequence[tuple[str, Expiry]],
    holds: HeldSet,
    gone: set[str],
    *,
    actor: str,
    dry_run: bool,
) -> list[RecordOutcome]:
    """Decide each record of a batch (held, busy, deleted) and delete the deletable ones together."""
    ids = [transmission_id for transmission_id, _ in batch]
    query = select(Transmission).where(Transmission.id.in_(ids))
    transmissions = {
        t.id: t for t in session.execute(query.with_for_update() if not dry_run else query).scalars()
    }
    documents = _by_transmission(session, Document, ids)
    acknowledgements = _by_transmission(session, Acknowledgement, ids)
    subjects = [
        *ids,
        *(d.id for d in _flat(documents)),
        *(a.id for a in _flat(acknowledgements)),
    ]
    busy = set(
        session.execute(
            select(WorkItem.subject_id).where(
                WorkItem.subject_id.in_(subjects), WorkItem.state.in_(_UNFINISHED)
            )
        ).scalars()
    )
    files = _files_of(session, list(transmissions.values()), acknowledgements)
    users = file_users(session, {sha for shas in files.values() for sha in shas})
    outcomes: list[RecordOutcome] = []
    for transmission_id, expiry in batch:
        transmission = transmissions.get(transmission_id)
        if transmission is None:  # deleted meanwhile by a concurrent run
            continue
        outcome = RecordOutcome(
            transmission.id,
            transmission.partner_id,
            transmission.direction,
            transmission.sha256,
            expiry,
            "would_delete" if dry_run else "deleted",
            documents=[d.id for d in documents[transmission.id]],
            acknowledgements=[a.id for a in acknowledgements[transmission.id]],
        )
        outcomes.append(outcome)
        outcome.hold_id = holds.hold_for(transmission.id, transmission.partner_id)
        if outcome.hold_id is not None:
            outcome.outcome = "held"
            continue
        if busy.intersection([transmission.id, *outcome.documents, *outcome.acknowledgements]):
            outcome.outcome = "busy"
            continue
        gone.add(transmission.id)
        mine = {sha: users[sha] for sha in files[transmission.id]}
        outcome.files_deleted = sorted(sha for sha, owners in mine.items() if owners <= gone)
        outcome.files_shared = sorted(sha for sha, owners in mine.items() if not owners <= gone)
    deletable = [o for o in outcomes if o.outcome == "deleted"]
    if deletable:
        _delete_records(
            session,
            [o.transmission_id for o in deletable],
            [d for o in deletable for d in o.documents],
            [a for o in deletable for a in o.acknowledgements],
        )
        entries = [
            entry
            for o in deletable
            for entry in _tombstones(
                actor,
                transmissions[o.transmission_id],
                documents[o.transmission_id],
                acknowledgements[o.transmission_id],
                o,
            )
        ]
        append_events(session, entries, gw.clock)
    return outcomes


def _by_transmission(session: Session, model: Any, ids: list[str]) -> defaultdict[str, list[Any]]:
    """Rows of a batch grouped by the record (transmission) they belong to."""
    grouped: defaultdict[str, list[Any]] = defaultdict(list)
    rows = session.execute(select(model).where(model.transmission_id.in_(ids)).order_by(model.id)).scalars()
    for row in rows:
        grouped[row.transmission_id].append(row)
    return grouped


def _files_of(
    session: Session, transmissions: list[Transmission], acknowledgements: defaultdict[str, list[Any]]
) -> dict[str, set[str]]:
    """The archive files each record's rows point at."""
    files: dict[str, set[str]] = {t.id: {t.sha256} for t in transmissions}
    for ack in _flat(acknowledgements):
        files[ack.transmission_id].add(ack.sha256)
    ids = list(files)
    as2_in = session.execute(
        select(As2Inbound.transmission_id, As2Inbound.request_sha256, As2Inbound.mdn_sha256).where(
            As2Inbound.transmission_id.in_(ids)
        )
    )
    for owner, request, mdn in as2_in:
        files[owner].update(sha for sha in (request, mdn) if sha)
    sent_as = [*ids, *(a.id for a in _flat(acknowledgements))]
    as2_out = session.execute(
        select(_AS2_OUT_OWNER, As2Outbound.mdn_sha256)
        .outerjoin(Acknowledgement, Acknowledgement.id == As2Outbound.acknowledgement_id)
        .where(As2Outbound.acknowledgement_id.in_(sent_as), As2Outbound.mdn_sha256.is_not(None))
    )
    for owner, mdn in as2_out:
        files[owner].add(mdn)
    return files


def file_users(session: Session, hashes: Iterable[str]) -> dict[str, set[str | None]]:
    """For each archive file, the records (transmission ids) whose rows point at it.

    Content addressing shares files between records; ``None`` stands for a row that belongs to no
    record (an AS2 request refused before a transmission existed), which keeps the file for good."""
    wanted = list(hashes)
    users: dict[str, set[str | None]] = {sha: set() for sha in wanted}
    if not wanted:
        return users
    query = union(
        select(Transmission.sha256, Transmission.id).where(Transmission.sha256.in_(wanted)),
        select(Acknowledgement.sha256, Acknowledgement.transmission_id).where(
            Acknowledgement.sha256.in_(wanted)
        ),
        select(As2Inbound.request_sha256, As2Inbound.transmission_id).where(
            As2Inbound.request_sha256.in_(wanted)
        ),
        select(As2Inbound.mdn_sha256, As2Inbound.transmission_id).where(As2Inbound.mdn_sha256.in_(wanted)),
        select(As2Outbound.mdn_sha256, _AS2_OUT_OWNER)
        .outerjoin(Acknowledgement, Acknowledgement.id == As2Outbound.acknowledgement_id)
        .where(As2Outbound.mdn_sha256.in_(wanted)),
    )
    for sha, owner in session.execute(query):
        users[sha].add(owner)
    return users


def _delete_records(
    session: Session, transmission_ids: list[str], document_ids: list[str], ack_ids: list[str]
) -> None:
    """Delete the rows of these records, dependents first."""
    interchange_ids = list(
        session.execute(
            select(Interchange.id).where(Interchange.transmission_id.in_(transmission_ids))
        ).scalars()
    )
    # Kept records that merely point here (a later duplicate, a resent or answering acknowledgement)
    # lose the link, as a replay already does; the tombstone says what they pointed at.
    session.execute(
        update(Acknowledgement).where(Acknowledgement.resent_of_id.in_(ack_ids)).values(resent_of_id=None)
    )
    session.execute(
        update(Acknowledgement)
        .where(Acknowledgement.answers_transmission_id.in_(transmission_ids))
        .values(answers_transmission_id=None)
    )
    session.execute(
        update(Acknowledgement)
        .where(Acknowledgement.interchange_id.in_(interchange_ids))
        .values(interchange_id=None)
    )
    session.execute(
        update(Interchange)
        .where(Interchange.duplicate_of_id.in_(interchange_ids))
        .values(duplicate_of_id=None)
    )
    session.execute(delete(As2Inbound).where(As2Inbound.transmission_id.in_(transmission_ids)))
    session.execute(
        delete(As2Outbound).where(As2Outbound.acknowledgement_id.in_([*transmission_ids, *ack_ids]))
    )
    session.execute(
        delete(WorkItem).where(WorkItem.subject_id.in_([*transmission_ids, *document_ids, *ack_ids]))
    )
    session.execute(delete(ErpDelivery).where(ErpDelivery.document_id.in_(document_ids)))
    session.execute(delete(Document).where(Document.id.in_(document_ids)))
    session.execute(delete(Acknowledgement).where(Acknowledgement.id.in_(ack_ids)))
    session.execute(delete(Message).where(Message.transmission_id.in_(transmission_ids)))
    session.execute(delete(InterchangeKey).where(InterchangeKey.interchange_id.in_(interchange_ids)))
    session.execute(delete(Interchange).where(Interchange.id.in_(interchange_ids)))
    session.execute(delete(Transmission).where(Transmission.id.in_(transmission_ids)))


def tombstoned_files(session: Session) -> set[str]:
    """Archive files retention deleted on purpose, as its tombstones say."""
    details = session.execute(select(AuditEvent.details).where(AuditEvent.action == TOMBSTONE)).scalars()
    return {sha for d in details for sha in d.get("files_deleted", [])}


def _tombstones(
    actor: str,
    transmission: Transmission,
    documents: Sequence[Document],
    acknowledgements: Sequence[Acknowledgement],
    outcome: RecordOutcome,
) -> list[AuditEntry]:
    expiry = outcome.expiry
    common = {
        "document_type": expiry.kind,
        "retention_years": expiry.years,
        "created": expiry.created.isoformat(),
        "expired_at": expiry.at.isoformat(),
        "reason": expiry.reason,
        "transmission": transmission.id,
    }
    events = [
        AuditEntry(
            actor,
            "transmission",
            transmission.id,
            TOMBSTONE,
            {
                **common,
                "direction": transmission.direction,
                "partner": transmission.partner_id,
                "received_at": transmission.received_at.isoformat(),
                "sha256": transmission.sha256,
                "size": transmission.size,
                "documents": outcome.documents,
                "acknowledgements": outcome.acknowledgements,
                "files_deleted": outcome.files_deleted,
                "files_shared": outcome.files_shared,
            },
        )
    ]
    events.extend(
        AuditEntry(
            actor,
            "document",
            doc.id,
            TOMBSTONE,
            {**common, "type": doc.document_type, "number": doc.business_number},
        )
        for doc in documents
    )
    events.extend(
        AuditEntry(
            actor,
            "acknowledgement",
            ack.id,
            TOMBSTONE,
            {**common, "type": ack.type, "sha256": ack.sha256, "size": ack.size},
        )
        for ack in acknowledgements
    )
    return events


def _flat(grouped: defaultdict[str, list[Any]]) -> Iterator[Any]:
    for rows in grouped.values():
        yield from rows


def _chunks(rows: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
