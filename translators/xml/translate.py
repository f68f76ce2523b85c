"""XML documents → outcomes: one document is one "interchange" holding one message.

The sender is read from the document itself (UBL EndpointID, cXML From credential, or the partner's
own XPath) and must be the partner the channel authenticated, as for EDIFACT and X12.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from partners.directory import PartnerDirectory
from partners.profile import PartnerProfile
from translators.errors import EdiError, EdiSyntaxError, Location
from translators.outcome import (
    InterchangeOutcome,
    MessageOutcome,
    Translation,
    resolve_partner,
    type_not_agreed,
)
from translators.received_acks import xml_ack
from translators.xml.identity import document_number, recipient_identity, sender_identity
from translators.xml.maps import map_xml
from translators.xml.parser import XmlDocument, read_xml
from translators.xml.paths import element_path


@dataclass(slots=True)
class XmlMessage:
    reference: str
    type: str
    errors: list[EdiError] = field(default_factory=list)
    group_reference: str | None = None


@dataclass(slots=True)
class XmlInterchange:
    """The envelope-like facts of an XML document, named as the gateway stores interchanges."""

    document: XmlDocument
    sender_id: str
    sender_qualifier: str  # the identity scheme: 0088, GLN, NetworkID …
    recipient_id: str
    recipient_qualifier: str
    control_reference: str  # document type and number: the duplicate-check key
    syntax_identifier: str  # UBL | cXML | XML
    messages: list[XmlMessage]
    syntax_version: int | None = None
    prepared_at: datetime | None = None
    ack_requested: str = ""
    test_indicator: str = ""
    errors: list[EdiError] = field(default_factory=list)
    groups: tuple[()] = ()


def translate_xml(data: bytes, directory: PartnerDirectory, channel_partner: str | None) -> Translation:
    try:
        doc = read_xml(data)
    except EdiSyntaxError as exc:
        return Translation("xml", errors=[exc.error])
    return Translation("xml", [_document(doc, directory, channel_partner)])


def _candidate(
    doc: XmlDocument, directory: PartnerDirectory, channel_partner: str | None
) -> PartnerProfile | None:
    """Partner XML has no standard identity field: the partners whose profile maps this root element
    are asked, each with its own sender XPath."""
    candidates = directory.by_xml_root(doc.root_name)
    preferred = [p for p in candidates if p.id == channel_partner] + [
        p for p in candidates if p.id != channel_partner
    ]
    for partner in preferred:
        found = sender_identity(doc, partner.xml_map)
        if found is not None and partner.claims_xml_id(found[1]):
            return partner
    return None


def _document(
    doc: XmlDocument, directory: PartnerDirectory, channel_partner: str | None
) -> InterchangeOutcome:
    root = Location(path=element_path(doc.root), line=doc.root.sourceline)
    document_type = doc.document_type or doc.root_name
    if doc.kind == "custom":
        found = _candidate(doc, directory, channel_partner)
        identity = sender_identity(doc, found.xml_map) if found is not None else None
    else:
        identity = sender_identity(doc)
        found = directory.by_xml_sender(*identity) if identity is not None else None
    scheme, sender_id = identity if identity is not None else ("", "")
    partner, errors = resolve_partner(
        found,
        channel_partner,
        directory,
        sender=f"{scheme}:{sender_id}" if identity is not None else f"of <{doc.root_name}> (none found)",
        location=root,
        syntax_code=None,
    )
    recipient = recipient_identity(doc) if doc.kind != "custom" else None
    company = directory.company.xml
    # A recipient named in a scheme we hold no identity in (a cXML NetworkID, say) cannot be judged.
    if (
        recipient is not None
        and company is not None
        and recipient[0].lower() == company.scheme.lower()
        and not company.matches(*recipient)
    ):
        errors.append(
            EdiError(
                "RECIPIENT_NOT_US",
                f"recipient {recipient[0]}:{recipient[1]} is not {company.describe()} "
                f"({directory.company.name})",
                root,
                level="interchange",
            )
        )
    number = document_number(doc, partner.xml_map if partner is not None else None) or ""
    message = XmlMessage(number, document_type)
    interchange = XmlInterchange(
        document=doc,
        sender_id=sender_id,
        sender_qualifier=scheme,
        recipient_id=recipient[1] if recipient else "",
        recipient_qualifier=recipient[0] if recipient else "",
        control_reference=f"{document_type}:{number}",
        syntax_identifier={"ubl": "UBL", "cxml": "cXML"}.get(doc.kind, "XML"),
        messages=[message],
    )
    outcome = InterchangeOutcome("xml", interchange, partner, errors, header_location=root)
    message_outcome = MessageOutcome(message, None, [], f"{interchange.syntax_identifier}:{document_type}")
    message_outcome.stated_number = number or None
    outcome.messages.append(message_outcome)
    if errors or partner is None:
        return outcome
    if document_type == "ApplicationResponse":  # an acknowledgement: always agreed, nothing to map
        acks, problems = xml_ack(doc)
        outcome.received_acks.extend(acks)
        message_outcome.errors.extend(problems)
        message_outcome.is_acknowledgement = not problems
        return outcome
    not_agreed = type_not_agreed(partner, document_type, root, None)
    if not_agreed is not None:
        message_outcome.errors.append(not_agreed)
        return outcome
    mapped = map_xml(doc, partner)
    message_outcome.errors.extend(mapped.errors)
    message_outcome.document = mapped.document if not mapped.errors else None
    return outcome
