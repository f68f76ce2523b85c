"""The hash chain behind the audit trail.

Each event's hash covers its own fields and the previous event's hash, so changing, inserting or
deleting any event breaks every hash after it. This module only computes and checks; storing the
events is the gateway's job (gateway/database/audit_log.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An event before it is chained: what happened, to what, by whom."""

    actor: str  # "partner:acme-retail", "worker", "operator:admin", "system"
    subject_type: str  # "transmission", "acknowledgement", "operator" …
    subject_id: str
    action: str  # "received", "archived", "validated", "translated", "acknowledged" …
    details: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


class ChainedEvent(Protocol):
    seq: int
    at: datetime
    actor: str
    subject_type: str
    subject_id: str
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def event_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    subject_type: str,
    subject_id: str,
    action: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    # Canonical JSON: sorted keys, no whitespace variance, times in UTC at microsecond precision.
    payload = json.dumps(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "action": action,
            "details": details,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def first_break(events: Iterable[ChainedEvent]) -> ChainBreak | None:
    """Walk the chain in sequence order; the first event that does not fit is where tampering began."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"event {expected_seq} is missing (next stored is {event.seq})")
        if event.prev_hash != expected_prev:
            return ChainBreak(event.seq, "previous-hash link does not match the event before it")
        recomputed = event_hash(
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            action=event.action,
            details=event.details,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainBreak(event.seq, "content does not match its hash (event was altered)")
        expected_prev = event.hash
        expected_seq += 1
    return None
