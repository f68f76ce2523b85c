"""From bytes and the partner directory to canonical documents and located errors — no I/O.

The gateway's pipeline and ``edigate translate`` both call ``translate``, so what an operator sees
on the command line is exactly what the worker does; the gateway only adds what needs a database
(duplicate checks, control numbers, storage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from partners.directory import PartnerDirectory
from partners.profile import PartnerProfile
from translators.detect import Syntax, detect_syntax
from translators.edifact.maps import map_message
from translators.edifact.model import Interchange, Message
from translators.edifact.reader import read_interchanges
from translators.errors import EdiError, EdiSyntaxError, Location


@dataclass(slots=True)
class MessageOutcome:
    message: Message
    document: Any | None  # a canonical pydantic document
    errors: list[EdiError] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.document is not None and not self.errors

    @property
    def business_number(self) -> str | None:
        return getattr(self.document, "number", None)


@dataclass(slots=True)
class InterchangeOutcome:
    interchange: Interchange
    partner: PartnerProfile | None
    errors: list[EdiError] = field(default_factory=list)  # interchange level: envelope and partner
    messages: list[MessageOutcome] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def all_errors(self) -> list[EdiError]:
        out = list(self.errors)
        for group in self.interchange.groups:
            out.extend(group.errors)
        for outcome in self.messages:
            out.extend(outcome.errors)
        return out


@dataclass(slots=True)
class Translation:
    syntax: Syntax
    interchanges: list[InterchangeOutcome] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)  # the file could not be read at all

    @property
    def all_errors(self) -> list[EdiError]:
        out = list(self.errors)
        for outcome in self.interchanges:
            out.extend(outcome.all_errors)
        return out

    @property
    def documents(self) -> list[Any]:
        return [m.document for i in self.interchanges for m in i.messages if m.accepted]


def translate(data: bytes, directory: PartnerDirectory, *, channel_partner: str | None = None) -> Translation:
    """``channel_partner`` is who the channel authenticated (API key, AS2 id, SFTP user); the
    envelope's sender must then be that partner, so one partner cannot submit in another's name."""
    syntax = detect_syntax(data)
    if syntax == "empty":
        return Translation(
            syntax,
            errors=[
                EdiError("EMPTY_INPUT", "the body is empty; expected an interchange", level="interchange")
            ],
        )
    if syntax != "edifact":
        what = {"unknown": "unrecognised content", "x12": "ANSI X12", "xml": "XML"}[syntax]
        return Translation(
            syntax,
            errors=[
                EdiError(
                    "UNSUPPORTED_SYNTAX",
                    f"{what} is not accepted here yet; "
                    "expected a UN/EDIFACT interchange starting with UNA or UNB",
                    level="interchange",
                )
            ],
        )
    try:
        interchanges = read_interchanges(data)
    except EdiSyntaxError as exc:
        return Translation(syntax, errors=[exc.error])
    result = Translation(syntax)
    for interchange in interchanges:
        result.interchanges.append(_translate_interchange(interchange, directory, channel_partner))
    return result


def _translate_interchange(
    interchange: Interchange, directory: PartnerDirectory, channel_partner: str | None
) -> InterchangeOutcome:
    errors = list(interchange.errors)
    partner = directory.by_edifact_sender(interchange.sender_id, interchange.sender_qualifier)
    sender = f"{interchange.sender_id}:{interchange.sender_qualifier}".rstrip(":")
    unb_sender = Location(segment_index=interchange.header.index, segment_tag="UNB", element=2)
    if partner is None:
        errors.append(
            EdiError(
                "UNKNOWN_SENDER",
                f"UNB sender {sender} is not a known partner",
                unb_sender,
                level="interchange",
                syntax_code="23",
            )
        )
        if channel_partner is not None:
            partner = directory.get(channel_partner)
    elif channel_partner is not None and partner.id != channel_partner:
        errors.append(
            EdiError(
                "SENDER_MISMATCH",
                f"UNB sender {sender} belongs to partner '{partner.id}', "
                f"but the message was submitted by partner '{channel_partner}'",
                unb_sender,
                level="interchange",
                syntax_code="23",
            )
        )
        partner = directory.get(channel_partner)
    company = directory.company.edifact
    if interchange.recipient_id != company.id or (
        company.qualifier and interchange.recipient_qualifier not in ("", company.qualifier)
    ):
        recipient = f"{interchange.recipient_id}:{interchange.recipient_qualifier}".rstrip(":")
        errors.append(
            EdiError(
                "RECIPIENT_NOT_US",
                f"UNB recipient {recipient} is not {company.id}:{company.qualifier} "
                f"({directory.company.name})",
                Location(segment_index=interchange.header.index, segment_tag="UNB", element=3),
                level="interchange",
                syntax_code="7",
            )
        )
    outcome = InterchangeOutcome(interchange, partner, errors)
    for message in interchange.messages:
        outcome.messages.append(_translate_message(message, interchange, partner, rejected=bool(errors)))
    return outcome


def _translate_message(
    message: Message, interchange: Interchange, partner: PartnerProfile | None, *, rejected: bool
) -> MessageOutcome:
    if message.errors or rejected or partner is None:
        # A message in a rejected interchange is rejected with it; mapping it would only add noise.
        return MessageOutcome(message, None, list(message.errors))
    if partner.inbound_messages and message.type not in partner.inbound_messages:
        allowed = ", ".join(partner.inbound_messages)
        return MessageOutcome(
            message,
            None,
            [
                EdiError(
                    "MESSAGE_TYPE_NOT_AGREED",
                    f"partner '{partner.id}' may send {allowed}, not {message.type}",
                    Location(
                        segment_index=message.segments[0].index,
                        segment_tag="UNH",
                        element=2,
                        component=1,
                        message_ref=message.reference,
                        message_segment=1,
                    ),
                    level="message",
                    syntax_code="17",
                )
            ],
        )
    mapped = map_message(message, interchange, partner)
    return MessageOutcome(message, mapped.document if not mapped.errors else None, list(mapped.errors))
