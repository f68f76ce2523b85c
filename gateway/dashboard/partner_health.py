"""Partners as an operator checks them: the profile file as it is on disk, what lint says about
it, and how the partner's traffic and acknowledgements are doing.

The file is read again on every visit, so the page shows the file an operator just edited - and its
lint problems - even before the gateway reloads it. Values of keys that hold secrets (passwords,
private keys, tokens, API key hashes) are blanked: viewers may read profiles, not credentials.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gateway.dashboard.ack_health import overdue_condition
from gateway.dashboard.search import ERROR_STATUSES
from gateway.database.models import Acknowledgement, Transmission
from partners.lint import LintProblem, scan_directory
from partners.profile import PartnerProfile

_SECRET_KEY = re.compile(r"(password|passphrase|secret|private_key|token|api_key)", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"^(\s*)([A-Za-z0-9_.\"'-]+)(\s*=\s*)(.*)$")
REDACTED = '"(hidden)"'


@dataclass(frozen=True, slots=True)
class Traffic:
    received: int = 0
    errors: int = 0
    last_at: datetime | None = None
    acks_overdue: int = 0
    acks_rejected: int = 0


@dataclass(frozen=True, slots=True)
class PartnerRow:
    profile: PartnerProfile
    traffic: Traffic
    problems: Sequence[LintProblem]


def lint_problems(directory: Path) -> tuple[dict[str, list[LintProblem]], list[LintProblem]]:
    """Problems by partner file name, and those that belong to no single partner file."""
    by_file: dict[str, list[LintProblem]] = {}
    general: list[LintProblem] = []
    for problem in scan_directory(directory).problems:
        if problem.file.endswith(".toml") and problem.file != "company.toml" and "/" not in problem.file:
            by_file.setdefault(problem.file, []).append(problem)
        else:
            general.append(problem)
    return by_file, general


def traffic_by_partner(session: Session, since: datetime, now: datetime) -> dict[str, Traffic]:
    out: dict[str, Traffic] = {}
    rows = session.execute(
        select(
            Transmission.partner_id,
            func.count(),
            func.sum(case((Transmission.status.in_(ERROR_STATUSES), 1), else_=0)),
            func.max(Transmission.received_at),
        )
        .where(Transmission.received_at >= since, Transmission.partner_id.is_not(None))
        .group_by(Transmission.partner_id)
    )
    for partner_id, count, errors, last_at in rows:
        out[partner_id] = Traffic(int(count), int(errors or 0), last_at)
    overdue = session.execute(
        select(Acknowledgement.partner_id, func.count())
        .where(overdue_condition(now))
        .group_by(Acknowledgement.partner_id)
    )
    for partner_id, count in overdue:
        current = out.get(partner_id or "", Traffic())
        out[partner_id or ""] = Traffic(current.received, current.errors, current.last_at, int(count), 0)
    rejected = session.execute(
        select(Acknowledgement.partner_id, func.count())
        .where(Acknowledgement.status == "rejected", Acknowledgement.created_at >= since)
        .group_by(Acknowledgement.partner_id)
    )
    for partner_id, count in rejected:
        current = out.get(partner_id or "", Traffic())
        out[partner_id or ""] = Traffic(
            current.received, current.errors, current.last_at, current.acks_overdue, int(count)
        )
    return out


def profile_text(directory: Path, partner_id: str) -> str | None:
    """The profile file with secret values hidden, or None when there is no such file."""
    path = directory / f"{partner_id}.toml"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return redact(text)


def redact(text: str) -> str:
    """Blank the values of secret keys, including multi-line arrays and strings (PEM keys)."""
    out: list[str] = []
    closing: str | None = None
    for line in text.splitlines():
        if closing is not None:
            if closing in line:
                closing = None
            continue
        match = _ASSIGNMENT.match(line)
        if match is None or not _SECRET_KEY.search(match.group(2)):
            out.append(line)
            continue
        value = match.group(4).strip()
        for opener, closer in (('"""', '"""'), ("'''", "'''"), ("[", "]")):
            if value.startswith(opener) and closer not in value[len(opener) :]:
                closing = closer
                break
        out.append(f"{match.group(1)}{match.group(2)}{match.group(3)}{REDACTED}")
    return "\n".join(out)
