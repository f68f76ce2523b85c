"""Acknowledgements partners send us, read into one shape whatever their syntax.

The gateway matches them to the interchanges and documents we sent (by control numbers or business
numbers) and keeps the partner's error detail; an acknowledgement that matches nothing is stored
and reported as unmatched, never dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from translators.edifact.aperak import parse_aperak
from translators.edifact.contrl import parse_contrls
from translators.edifact.model import Interchange, Message
from translators.errors import EdiError, Location
from translators.x12.acks.parse import parse_acks
from translators.x12.model import X12Interchange
from translators.xml.application_response import parse_application_response
from translators.xml.parser import XmlDocument

EDIFACT_ACK_TYPES = frozenset({"CONTRL", "APERAK"})
X12_ACK_TYPES = frozenset({"997", "999"})


@dataclass(frozen=True, slots=True)
class ReceivedAck:
    type: str  # CONTRL | APERAK | TA1 | 997 | 999 | ApplicationResponse
    state: str  # accepted | accepted_with_errors | partially_accepted | rejected | received
    reference: str  # the acknowledgement's own control number or id
    interchange_reference: str | None = None  # our UNB 0020 / ISA13 it answers
    group_reference: str | None = None  # our UNG 0048 / GS06
    message_references: tuple[str, ...] = ()  # our UNH 0062 / ST02 it reports on
    document_reference: str | None = None  # a business number (APERAK, ApplicationResponse)
    errors: tuple[str, ...] = field(default_factory=tuple)  # the partner's detail, readable

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def edifact_acks(interchange: Interchange, message: Message) -> tuple[list[ReceivedAck], list[EdiError]]:
    try:
        if message.type == "CONTRL":
            every = parse_contrls(interchange)
            reports = [r for r in every if r.contrl_reference == message.reference] or every[:1]
            return [
                ReceivedAck(
                    "CONTRL",
                    report.state,
                    message.reference,
                    interchange_reference=report.interchange.reference,
                    message_references=tuple(m.reference for m in report.messages),
                    errors=tuple(_contrl_detail(report)),
                )
                for report in reports
            ], []
        report = parse_aperak(message)
        document = report.document_reference
        return [
            ReceivedAck(
                "APERAK",
                report.state,
                message.reference,
                message_references=(report.message_reference,) if report.message_reference else (),
                document_reference=document.value if document is not None else None,
                errors=tuple(f"{e.code}: {e.text}" for e in report.errors),
            )
        ], []
    except ValueError as exc:
        return [], [_unreadable(message.type, str(exc), Location(message_ref=message.reference))]


def x12_acks(interchange: X12Interchange) -> tuple[list[ReceivedAck], list[EdiError]]:
    try:
        reports = parse_acks(interchange)
    except ValueError as exc:
        return [], [_unreadable("X12 acknowledgement", str(exc), Location(segment_tag="ISA"))]
    acks = []
    for report in reports:
        acks.append(
            ReceivedAck(
                report.kind,
                report.status,
                report.ack_control or report.interchange_control or "",
                interchange_reference=report.interchange_control,
                group_reference=report.group_control,
                errors=report.errors,
            )
        )
    return acks, []


def xml_ack(doc: XmlDocument) -> tuple[list[ReceivedAck], list[EdiError]]:
    try:
        report = parse_application_response(doc)
    except ValueError as exc:
        return [], [_unreadable("ApplicationResponse", str(exc), Location(path="/ApplicationResponse"))]
    states = {d.response_code for d in report.documents}
    state = "accepted" if report.accepted else ("rejected" if "RE" in states else "accepted_with_errors")
    details = [s.reason or s.description or "" for d in report.documents for s in d.statuses]
    return [
        ReceivedAck(
            "ApplicationResponse",
            state,
            report.response_id,
            document_reference=report.document_ids[0] if report.document_ids else None,
            errors=tuple(d for d in details if d),
        )
    ], []


def _contrl_detail(report: Any) -> list[str]:
    """The partner's findings as lines an operator can read: level, action, 0085 codes, positions."""
    out = []
    for level in (report.interchange, *report.groups, *report.messages):
        if level.error:
            out.append(f"{level.reference}: action {level.action}, syntax error {level.error}")
        for segment in level.segments:
            where = f"{level.reference} segment {segment.position}"
            if segment.error:
                out.append(f"{where}: syntax error {segment.error}")
            out.extend(f"{where} element {e.position}: syntax error {e.code}" for e in segment.element_errors)
    return out


def _unreadable(what: str, reason: str, location: Location) -> EdiError:
    return EdiError(
        "ACKNOWLEDGEMENT_UNREADABLE", f"{what} cannot be read: {reason}", location, level="message"
    )
