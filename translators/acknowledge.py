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
from translators.x12.acks.functional import functional_ack
from translators.x12.acks.ta1 import interchange_rejected, ta1_interchange, ta1_needed

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
    if outcome.syntax == "x12":
        return _x12(outcome, partner, company, next_number, now)
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


def _x12(
    outcome: InterchangeOutcome,
    partner: PartnerProfile,
    company: CompanyProfile,
    next_number: NextNumber,
    now: datetime,
) -> list[PlannedAck]:
    """A TA1 for the envelope (ISA14 = 1 or an envelope problem, per policy), then the 997 or 999
    the partner is configured for, one per received group, in one interchange."""
    interchange = outcome.interchange
    policy = partner.acknowledgements
    ours = (company.x12.qualifier, company.x12.id) if company.x12 is not None else None
    theirs = (interchange.sender_qualifier, interchange.sender_id)
    planned: list[PlannedAck] = []
    if ta1_needed(interchange, outcome.errors, policy.ta1):
        number = next_number(partner.id, "x12_interchange")
        text = ta1_interchange(
            interchange, outcome.errors, control_number=number, prepared_at=now, sender=ours, receiver=theirs
        )
        status = "rejected" if interchange_rejected(interchange, outcome.errors) else "accepted"
        planned.append(PlannedAck("TA1", status, f"{number:09d}", text.encode("latin-1", errors="replace")))
    if policy.functional in ("997", "999") and outcome.accepted:
        if all(group.functional_id == "FA" for group in interchange.groups):
            return planned  # acknowledgements are never acknowledged
        number = next_number(partner.id, "x12_interchange")
        errors_by_set = {
            (m.message.group_control or "", m.message.control): m.errors for m in outcome.messages if m.errors
        }
        text = functional_ack(
            interchange,
            kind=policy.functional,
            control_number=number,
            group_control_number=next_number(partner.id, "x12_group"),
            prepared_at=now,
            errors_by_set=errors_by_set,
            interchange_errors=outcome.errors,
            sender=ours,
            receiver=theirs,
        )
        if text is not None:
            status = "accepted" if fully_accepted(outcome) else "rejected"
            planned.append(
                PlannedAck(
                    policy.functional, status, f"{number:09d}", text.encode("latin-1", errors="replace")
                )
            )
    return planned
