"""What translating one payload produced, in the same shape for EDIFACT, X12 and XML.

The gateway stores these and the CLI prints them; neither needs to know which syntax it was.
An "interchange" is an EDIFACT UNB…UNZ, an X12 ISA…IEA, or one XML document (treated as an
interchange holding one message); the syntax-specific object stays available as ``interchange``
for acknowledgement builders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from partners.directory import PartnerDirectory
from partners.profile import PartnerProfile
from translators.detect import Syntax
from translators.errors import EdiError, Location


class MessageLike(Protocol):
    reference: str
    type: str
    errors: list[EdiError]

    @property
    def group_reference(self) -> str | None: ...


@dataclass(slots=True)
class MessageOutcome:
    message: Any  # edifact Message | x12 TransactionSet | xml message
    document: Any | None  # a canonical pydantic document
    errors: list[EdiError] = field(default_factory=list)
    identifier: str = ""  # ORDERS:D:96A:UN:EAN008, 850/005010, ubl:Invoice …
    is_acknowledgement: bool = False  # a CONTRL, APERAK, 997 … for the interchange's received_acks
    # The document number as written (BGM 1004, BEG03, cbc:ID …), kept even when the message is
    # rejected, so an operator can find a rejected order by its PO number.
    stated_number: str | None = None

    @property
    def accepted(self) -> bool:
        return (self.document is not None or self.is_acknowledgement) and not self.errors

    @property
    def business_number(self) -> str | None:
        return getattr(self.document, "number", None) or self.stated_number


@dataclass(slots=True)
class InterchangeOutcome:
    syntax: Syntax
    interchange: Any  # edifact Interchange | X12Interchange | XmlInterchange
    partner: PartnerProfile | None
    errors: list[EdiError] = field(default_factory=list)  # interchange level: envelope and partner
    messages: list[MessageOutcome] = field(default_factory=list)
    header_location: Location = field(default_factory=Location)  # where the sender is named
    received_acks: list[Any] = field(default_factory=list)  # ReceivedAck: partners acknowledging us

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def all_errors(self) -> list[EdiError]:
        out = list(self.errors)
        for group in getattr(self.interchange, "groups", ()):
            out.extend(group.errors)
        for outcome in self.messages:
            out.extend(outcome.errors)
        return out


@dataclass(slots=True)
class Translation:
    syntax: Syntax
    interchanges: list[InterchangeOutcome] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)  # the payload could not be read at all

    @property
    def all_errors(self) -> list[EdiError]:
        out = list(self.errors)
        for outcome in self.interchanges:
            out.extend(outcome.all_errors)
        return out

    @property
    def documents(self) -> list[Any]:
        return [m.document for i in self.interchanges for m in i.messages if m.accepted]


def resolve_partner(
    found: PartnerProfile | None,
    channel_partner: str | None,
    directory: PartnerDirectory,
    *,
    sender: str,
    location: Location,
    syntax_code: str | None,
) -> tuple[PartnerProfile | None, list[EdiError]]:
    """The envelope's sender must be a known partner, and the one the channel authenticated.

    When they differ, the channel's partner is who gets the answer: it proved who it is, the
    envelope only claims.
    """
    errors: list[EdiError] = []
    if found is None:
        errors.append(
            EdiError(
                "UNKNOWN_SENDER",
                f"sender {sender} is not a known partner",
                location,
                level="interchange",
                syntax_code=syntax_code,
            )
        )
    elif channel_partner is not None and found.id != channel_partner:
        errors.append(
            EdiError(
                "SENDER_MISMATCH",
                f"sender {sender} belongs to partner '{found.id}', "
                f"but the message was submitted by partner '{channel_partner}'",
                location,
                level="interchange",
                syntax_code=syntax_code,
            )
        )
    partner = directory.get(channel_partner) if channel_partner is not None and errors else found
    if partner is not None and not partner.enabled:
        errors.append(
            EdiError(
                "PARTNER_DISABLED",
                f"partner '{partner.id}' is disabled in its profile",
                location,
                level="interchange",
                syntax_code=syntax_code,
            )
        )
    return partner, errors


def type_not_agreed(
    partner: PartnerProfile, message_type: str, location: Location, syntax_code: str | None = "17"
) -> EdiError | None:
    if partner.accepts_message(message_type):
        return None
    allowed = ", ".join(partner.inbound_messages)
    return EdiError(
        "MESSAGE_TYPE_NOT_AGREED",
        f"partner '{partner.id}' may send {allowed}, not {message_type}",
        location,
        level="message",
        syntax_code=syntax_code,  # CONTRL 17 "no agreement"; X12 AK5 1 "not supported"
    )
