"""The auditor's package: one partner's records for a period, in files an auditor can check alone.

Raw bytes are copied from the archive as they were received or sent; canonical documents are written
as JSON; the audit events of every record are written as JSON lines with their chain hashes, so each
event's hash can be recomputed and its link to the one before it followed. ``manifest.json`` lists
every file with its SHA-256 and size, computed from the bytes as they were written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from archive.store import ArchiveError
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import (
    Acknowledgement,
    As2Inbound,
    AuditEvent,
    AuditHead,
    Document,
    Transmission,
)
from gateway.records.partners import partner_is_known

FORMAT = "edigate-audit-export/1"
_CHUNK = 1 << 20
_SUFFIX = {"edifact": ".edi", "x12": ".x12", "xml": ".xml"}
_BATCH = 500


class ExportError(Exception):
    """The export cannot start: the folder is not empty, or the period makes no sense."""


@dataclass(frozen=True, slots=True)
class ExportedFile:
    path: str  # relative to the export folder, with forward slashes
    sha256: str
    size: int
    kind: str  # raw | as2_request | document | acknowledgement | audit_events
    subject: str | None = None


@dataclass(slots=True)
class ExportReport:
    directory: Path
    messages: int = 0
    files: list[ExportedFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # archived bytes missing or not matching

    def lines(self) -> list[str]:
        out = [f"PROBLEM {p}" for p in self.problems]
        size = sum(f.size for f in self.files)
        files = f"{len(self.files)} file(s), {size} bytes"
        out.append(f"exported {self.messages} message(s), {files} to {self.directory}")
        return out


def export_records(
    gw: Gateway, partner_id: str, start: date, end: date, directory: Path, *, actor: str
) -> ExportReport:
    """Write the partner's records received or sent from ``start`` to ``end`` (inclusive, UTC days)."""
    if end < start:
        raise ExportError(f"the period ends ({end}) before it starts ({start})")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ExportError(f"{directory} is not an empty folder; an export never mixes with other files")
    with gw.sessions() as session:
        if not partner_is_known(gw, session, partner_id):
            raise ExportError(f"partner {partner_id} is neither configured nor found in any message")
    directory.mkdir(parents=True, exist_ok=True)
    since = datetime.combine(start, time(), UTC)
    until = datetime.combine(end + timedelta(days=1), time(), UTC)
    report = ExportReport(directory)
    writer = _Writer(directory, report)
    with gw.sessions() as session:
        transmissions = list(
            session.execute(
                select(Transmission)
                .where(
                    Transmission.partner_id == partner_id,
                    Transmission.received_at >= since,
                    Transmission.received_at < until,
                )
                .order_by(Transmission.received_at, Transmission.id)
            ).scalars()
        )
        report.messages = len(transmissions)
        subjects: list[str] = []
        summaries: list[dict[str, Any]] = []
        for transmission in transmissions:
            subjects.append(transmission.id)
            subjects.extend(_export_record(gw, session, writer, transmission))
            summaries.append(_summary(transmission))
        head = session.get(AuditHead, 1)
        writer.write("audit_events.jsonl", _event_lines(session, subjects), "audit_events", None)
    manifest = {
        "format": FORMAT,
        "partner": partner_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "exported_at": gw.clock().astimezone(UTC).isoformat(),
        # The chain's end at export time: an auditor can later ask for proof that nothing came after.
        "audit_head": {"seq": head.last_seq, "hash": head.last_hash} if head else None,
        "messages": summaries,
        "files": [
            {"path": f.path, "sha256": f.sha256, "size": f.size, "kind": f.kind, "subject": f.subject}
            for f in report.files
        ],
        "problems": report.problems,
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    (directory / "manifest.json").write_bytes(manifest_bytes)
    with gw.sessions.begin() as session:
        details = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "messages": report.messages,
            "files": len(report.files),
            "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
            "problems": len(report.problems),
        }
        append_events(
            session, [AuditEntry(actor, "partner", partner_id, "records_exported", details)], gw.clock
        )
    return report


def _export_record(gw: Gateway, session: Session, writer: _Writer, transmission: Transmission) -> list[str]:
    """Write one message's files; returns the ids of its documents and acknowledgements."""
    folder = f"messages/{transmission.id}"
    name = "received" if transmission.direction == "inbound" else "sent"
    writer.copy_archived(
        gw, f"{folder}/{name}{_suffix(transmission)}", transmission.sha256, "raw", transmission.id
    )
    as2 = session.execute(
        select(As2Inbound.request_sha256).where(As2Inbound.transmission_id == transmission.id)
    ).scalar()
    if as2:  # the HTTP request as it came over the wire, signed and encrypted
        writer.copy_archived(gw, f"{folder}/as2-request.bin", as2, "as2_request", transmission.id)
    ids: list[str] = []
    for doc in session.execute(
        select(Document).where(Document.transmission_id == transmission.id).order_by(Document.id)
    ).scalars():
        content = json.dumps(doc.content, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
        writer.write(f"{folder}/documents/{doc.id}.json", [content], "document", doc.id)
        ids.append(doc.id)
    for ack in session.execute(
        select(Acknowledgement)
        .where(Acknowledgement.transmission_id == transmission.id)
        .order_by(Acknowledgement.created_at, Acknowledgement.id)
    ).scalars():
        suffix = ".mdn" if ack.type == "MDN" else _suffix(transmission)  # an AS2 receipt is MIME, not EDI
        path = f"{folder}/acknowledgements/{ack.id}-{ack.direction}-{ack.type}{suffix}"
        writer.copy_archived(gw, path, ack.sha256, "acknowledgement", ack.id)
        ids.append(ack.id)
    return ids


def _event_lines(session: Session, subjects: list[str]) -> Iterator[bytes]:
    seen: set[int] = set()
    events: list[AuditEvent] = []
    for start in range(0, len(subjects), _BATCH):
        chunk = subjects[start : start + _BATCH]
        for event in session.execute(select(AuditEvent).where(AuditEvent.subject_id.in_(chunk))).scalars():
            if event.seq not in seen:
                seen.add(event.seq)
                events.append(event)
    for event in sorted(events, key=lambda e: e.seq):
        # Field for field what archive.audit.event_hash covers, so each hash can be recomputed.
        line = {
            "seq": event.seq,
            "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": event.actor,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "action": event.action,
            "details": event.details,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
        yield json.dumps(line, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8") + b"\n"


def _summary(transmission: Transmission) -> dict[str, Any]:
    return {
        "id": transmission.id,
        "direction": transmission.direction,
        "channel": transmission.channel,
        "received_at": transmission.received_at.isoformat(),
        "status": transmission.status,
        "message_type": transmission.message_type,
        "business_number": transmission.business_number,
        "sha256": transmission.sha256,
        "size": transmission.size,
        "filename": transmission.filename,
    }


def _suffix(transmission: Transmission) -> str:
    return _SUFFIX.get(transmission.syntax or "", ".bin")


class _Writer:
    """Writes files into the export folder, hashing exactly the bytes that reach the disk."""

    def __init__(self, root: Path, report: ExportReport) -> None:
        self.root = root
        self.report = report

    def copy_archived(self, gw: Gateway, path: str, sha256: str, kind: str, subject: str) -> None:
        try:
            with gw.archive.open(sha256) as source:
                written = self.write(path, _read_chunks(source), kind, subject)
        except ArchiveError as exc:
            self.report.problems.append(f"{path}: {exc}")
            return
        if written.sha256 != sha256:
            self.report.problems.append(f"{path}: archived file {sha256} no longer matches its hash")

    def write(self, path: str, chunks: Iterable[bytes], kind: str, subject: str | None) -> ExportedFile:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with target.open("xb") as handle:  # the folder started empty: nothing is ever overwritten
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        exported = ExportedFile(path, digest.hexdigest(), size, kind, subject)
        self.report.files.append(exported)
        return exported


def _read_chunks(source: BinaryIO) -> Iterator[bytes]:
    yield from iter(lambda: source.read(_CHUNK), b"")
