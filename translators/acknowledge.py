"""Which acknowledgements an interchange earns, built as the partner will receive them — no I/O.

The pipeline stores and sends what this returns; ``edigate ack FILE`` prints it. Control numbers
come from the caller (the gateway's gapless per-partner counters), never from the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from partners.profile import CompanyProfile, PartnerProfile
from translators.edifact.charset import codec_for
from translators.edifact.contrl import build_contrl
from translators.errors import EdiError
from translators.outcome import InterchangeOutcome

NextNumber = Callable[[str, str], int]
"""(partner id, counter kind) → the next control number of that counter."""


@dataclass(frozen=True, slots=True)
class PlannedAck:
    type: str  # CONTRL | APERAK | TA1 | 997 | 999 | ApplicationResponse
    status: str  # accepted | rejected | received
    control_reference: str
    raw: bytes


def fully_accepted(outcome: InterchangeOutcome) -> bool:
    return outcome.accepted and all(m.accepted for m in outcome.messages)


def plan_acknowledgements(
    outcome: InterchangeOutcome, company: CompanyProfile, *, next_number: NextNumber, now: datetime
) -> list[PlannedAck]:
    partner = outcome.partner
    if partner is None:
        return []  # nobody to send it to: the error is visible through the API and the dashboard
    if outcome.syntax == "edifact":
        return _edifact(outcome, partner, company, next_number, now)
    return []


def _wants_contrl(outcome: InterchangeOutcome, partner: PartnerProfile) -> bool:
    """UNB 0031 = 1 always gets a CONTRL; otherwise the partner's policy decides."""
    if outcome.interchange.ack_requested == "1":
        return True
    policy = partner.acknowledgements.contrl
    return policy == "always" or (policy == "on_error" and not fully_accepted(outcome))


def _edifact(
    outcome: InterchangeOutcome,
    partner: PartnerProfile,
    company: CompanyProfile,
    next_number: NextNumber,
    now: datetime,
) -> list[PlannedAck]:
    if not _wants_contrl(outcome, partner):
        return []
    interchange = outcome.interchange
    if all(m.message.type == "CONTRL" for m in outcome.messages) and outcome.messages:
        return []  # never answer a CONTRL with a CONTRL
    control_number = str(next_number(partner.id, "edifact_interchange"))
    text = build_contrl(
        interchange,
        sender=company.edifact,
        control_reference=control_number,
        prepared_at=now,
        extra_errors=[e for e in outcome.errors if e not in interchange.errors],
        message_errors=_errors_after_reading(outcome),
    )
    if text is None:
        return []
    # The CONTRL speaks the partner's declared character set; '?' stands in for what it cannot hold.
    raw = text.encode(codec_for(interchange.syntax_identifier) or "latin-1", errors="replace")
    status = "accepted" if fully_accepted(outcome) else "rejected"
    return [PlannedAck("CONTRL", status, control_number, raw)]


def _errors_after_reading(outcome: InterchangeOutcome) -> dict[str, list[EdiError]]:
    """Errors found after reading (mapping, agreement) that CONTRL must also report per message."""
    out: dict[str, list[EdiError]] = {}
    for message_outcome in outcome.messages:
        extra = [e for e in message_outcome.errors if e not in message_outcome.message.errors]
        if extra:
            out[message_outcome.message.reference] = extra
    return out
