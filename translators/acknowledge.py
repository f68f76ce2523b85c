"""Which acknowledgements an interchange earns, built as the partner will receive them — no I/O.

The pipeline stores and sends what this returns; ``edigate ack FILE`` prints it. Control numbers
come from the caller (the gateway's gapless per-partner counters), never from the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from partners.profile import CompanyProfile, PartnerProfile
from translators.edifact.aperak import build_aperak
from translators.edifact.charset import codec_for
from translators.edifact.contrl import build_contrl
from translators.errors import EdiError
from translators.outcome import InterchangeOutcome
from translators.x12.acks.functional import functional_ack
from translators.x12.acks.ta1 import interchange_rejected, ta1_interchange, ta1_needed
from translators.xml.application_response import build_application_response

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
    return _xml(outcome, partner, company, next_number, now)


def _wants_contrl(outcome: InterchangeOutcome, partner: PartnerProfile) -> bool:
    """UNB 0031 = 1 or 2 always gets a CONTRL; otherwise the partner's policy decides."""
    if outcome.interchange.ack_requested in ("1", "2"):
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
    interchange = outcome.interchange
    if outcome.messages and all(m.message.type in ("CONTRL", "APERAK") for m in outcome.messages):
        return []  # never acknowledge an acknowledgement
    codec = codec_for(interchange.syntax_identifier) or "latin-1"
    aperak_on = partner.acknowledgements.aperak != "never"
    planned: list[PlannedAck] = []
    if _wants_contrl(outcome, partner):
        control_number = str(next_number(partner.id, "edifact_interchange"))
        # A receipt (UNB 0031 = 2) says "received"; a partner on "always" gets the full report anyway.
        receipt = interchange.ack_requested == "2" and partner.acknowledgements.contrl != "always"
        text = build_contrl(
            interchange,
            sender=company.edifact,
            control_reference=control_number,
            prepared_at=now,
            receipt_only=receipt,
            extra_errors=[e for e in outcome.errors if e not in interchange.errors],
            # With APERAK on, business findings go there and CONTRL reports syntax and structure only.
            message_errors=_errors_after_reading(outcome, include_application=not aperak_on),
        )
        if text is not None:
            # The CONTRL speaks the partner's declared character set; '?' stands in for what it cannot hold.
            raw = text.encode(codec, errors="replace")
            status = (
                "received"
                if receipt and outcome.accepted
                else ("accepted" if _syntax_accepted(outcome, aperak_on) else "rejected")
            )
            planned.append(PlannedAck("CONTRL", status, control_number, raw))
    if aperak_on and outcome.accepted:
        planned.extend(_aperaks(outcome, partner, company, next_number, now, codec))
    return planned


def _syntax_accepted(outcome: InterchangeOutcome, aperak_on: bool) -> bool:
    if not aperak_on:
        return fully_accepted(outcome)
    return outcome.accepted and not any(m.message.errors for m in outcome.messages)


def _aperaks(
    outcome: InterchangeOutcome,
    partner: PartnerProfile,
    company: CompanyProfile,
    next_number: NextNumber,
    now: datetime,
    codec: str,
) -> list[PlannedAck]:
    """One APERAK per message that passed syntax checks: negative with the business errors, or
    positive when the policy says "always"."""
    planned: list[PlannedAck] = []
    for message_outcome in outcome.messages:
        message = message_outcome.message
        if message.errors:
            continue  # rejected at syntax level: the CONTRL already said so
        application = [e for e in message_outcome.errors if e not in message.errors]
        if not application and partner.acknowledgements.aperak != "always":
            continue
        control_number = str(next_number(partner.id, "edifact_interchange"))
        text = build_aperak(
            interchange=outcome.interchange,
            message=message,
            document_number=message_outcome.business_number or _bgm_number(message),
            errors=application,
            sender=company.edifact,
            control_reference=control_number,
            prepared_at=now,
            version=_aperak_version(message),
        )
        status = "rejected" if application else "accepted"
        planned.append(PlannedAck("APERAK", status, control_number, text.encode(codec, errors="replace")))
    return planned


def _bgm_number(message: Any) -> str | None:
    bgm = next((s for s in message.segments if s.tag == "BGM"), None)
    return bgm.get(2) or None if bgm is not None else None


def _aperak_version(message: Any) -> str:
    eancom = message.association.upper().startswith("EAN")
    if message.release.upper() == "01B":
        return "EANCOM2002" if eancom else "D01B"
    return "EANCOM97" if eancom else "D96A"


def _errors_after_reading(
    outcome: InterchangeOutcome, *, include_application: bool
) -> dict[str, list[EdiError]]:
    """Errors found after reading that CONTRL must also report per message: the agreement check
    always, and the map's findings when no APERAK carries them."""
    out: dict[str, list[EdiError]] = {}
    for message_outcome in outcome.messages:
        extra = [
            e
            for e in message_outcome.errors
            if e not in message_outcome.message.errors
            and (include_application or e.code == "MESSAGE_TYPE_NOT_AGREED")
        ]
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


def _xml(
    outcome: InterchangeOutcome,
    partner: PartnerProfile,
    company: CompanyProfile,
    next_number: NextNumber,
    now: datetime,
) -> list[PlannedAck]:
    """UBL partners get a UBL ApplicationResponse (message level response) per their policy."""
    policy = partner.acknowledgements.application_response
    interchange = outcome.interchange
    if policy == "never" or company.xml is None or interchange.syntax_identifier != "UBL":
        return []
    accepted = fully_accepted(outcome)
    if policy == "on_error" and accepted:
        return []
    message = outcome.messages[0] if outcome.messages else None
    number = next_number(partner.id, "xml_response")
    response_id = f"AR-{number}"
    raw = build_application_response(
        response_id=response_id,
        issue_date=now.date(),
        sender=(company.xml.scheme, company.xml.id),
        receiver=(interchange.sender_qualifier, interchange.sender_id),
        document_reference=(
            message.message.reference if message else "",
            message.message.type if message else "",
        ),
        accepted=accepted,
        errors=outcome.all_errors,
    )
    return [PlannedAck("ApplicationResponse", "accepted" if accepted else "rejected", response_id, raw)]
