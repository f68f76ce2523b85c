"""UBL 2.1 ApplicationResponse: the message-level answer we send XML partners, and reading theirs.

What an EDIFACT partner gets as CONTRL/APERAK, a UBL partner gets as one ApplicationResponse per
document: ``cac:DocumentResponse`` names the document (``cac:DocumentReference``) and says what we
did with it (``cac:Response/cbc:ResponseCode``), and each problem is a ``cac:Status`` with a code and
a readable reason, the way Peppol's Invoice Response and Message Level Response carry them.

Codes:

- ``cbc:ResponseCode`` from UNCL 4343 as Peppol uses it: ``AP`` accepted, ``RE`` rejected; a caller
  may send another code of the list (``AB`` acknowledged, ``IP`` in process, ``UQ`` under query,
  ``CA`` conditionally accepted, ``PD`` paid) through ``response_code``;
- ``cbc:StatusReasonCode`` from Peppol's status clarification reasons (``listID="OPStatusReason"``):
  an edigate error code is mapped to the nearest one (unknown item → ``ITM``, price mismatch →
  ``PRI``, duplicate → ``REF`` …), ``OTH`` when none is near; the edigate code itself goes into
  ``cbc:Description`` so nothing is lost, and the reason text into ``cbc:StatusReason``;
- ``cac:DocumentReference/cbc:DocumentTypeCode`` from UNCL 1001 where the document type has one
  (Invoice 380, CreditNote 381, Order 220 …), and ``cbc:DocumentType`` with the UBL name always.

Elements are written in the order the UBL 2.1 schema sequences require (ApplicationResponse: IDs,
dates, SenderParty, ReceiverParty, DocumentResponse; DocumentResponse: Response, DocumentReference;
Response: ResponseCode, Description, Status; Status: Description, StatusReasonCode, StatusReason).
Sender and receiver are ``cbc:EndpointID`` with ``schemeID``, which is what
:func:`translators.xml.identity.sender_identity` reads back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from lxml import etree

from translators.errors import EdiError
from translators.xml.identity import Identity, recipient_identity, sender_identity
from translators.xml.namespaces import UBL_CAC, UBL_CBC, UBL_PREFIXES, ubl_namespace
from translators.xml.parser import XmlDocument

ACCEPTED = "AP"
REJECTED = "RE"
ACKNOWLEDGED = "AB"
# UNCL 4343 codes that mean the document was taken (Peppol invoice response / MLR subsets).
ACCEPTING_CODES = frozenset({"AP", "AB", "CA", "IP", "PD"})
REASON_LIST = "OPStatusReason"
OTHER_REASON = "OTH"

# edigate error code → Peppol status clarification reason (OPStatusReason).
STATUS_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "UNKNOWN_ITEM": "ITM",
        "PRICE_MISMATCH": "PRI",
        "QUANTITY_MISMATCH": "QTY",
        "UNKNOWN_PARTY": "REC",
        "UNKNOWN_SHIP_TO": "DEL",
        "DUPLICATE_ORDER_NUMBER": "REF",
        "DUPLICATE_DOCUMENT": "REF",
        "UNKNOWN_ORDER": "REF",
    }
)

# UBL document type → UNCL 1001 document name code.
DOCUMENT_TYPE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "Invoice": "380",
        "CreditNote": "381",
        "Order": "220",
        "OrderChange": "230",
        "OrderResponse": "231",
        "DespatchAdvice": "351",
        "ReceiptAdvice": "632",
    }
)


@dataclass(frozen=True, slots=True)
class DocumentReference:
    """The document answered: its number and UBL type (``Invoice``), and its issue date when known."""

    id: str
    type: str
    issue_date: dt.date | None = None


def build_application_response(
    *,
    response_id: str,
    issue_date: dt.date | dt.datetime,
    sender: Identity,
    receiver: Identity,
    document_reference: DocumentReference | tuple[str, str],
    accepted: bool,
    errors: Sequence[EdiError],
    response_code: str | None = None,
    customization_id: str | None = None,
    profile_id: str | None = None,
    reason_codes: Mapping[str, str] | None = None,
) -> bytes:
    """A UBL 2.1 ApplicationResponse as UTF-8 bytes with an XML declaration.

    ``sender``/``receiver`` are ``(schemeID, id)`` (e.g. ``("0088", "4000001000005")``);
    ``document_reference`` is a :class:`DocumentReference` or ``(id, type)``. ``accepted`` gives
    ``AP`` or ``RE`` unless ``response_code`` names another UNCL 4343 code. A datetime
    ``issue_date`` also writes ``cbc:IssueTime``. ``customization_id``/``profile_id`` are written
    when a partner's network requires them (Peppol's MLR or Invoice Response identifiers).
    ``reason_codes`` maps edigate error codes to partner-agreed status reason codes.
    """
    if isinstance(document_reference, tuple):
        document_reference = DocumentReference(*document_reference)
    root = etree.Element(
        f"{{{ubl_namespace('ApplicationResponse')}}}ApplicationResponse",
        nsmap={None: ubl_namespace("ApplicationResponse"), "cac": UBL_CAC, "cbc": UBL_CBC},
    )
    _cbc(root, "UBLVersionID", "2.1")
    _cbc(root, "CustomizationID", customization_id)
    _cbc(root, "ProfileID", profile_id)
    _cbc(root, "ID", response_id)
    if isinstance(issue_date, dt.datetime):
        _cbc(root, "IssueDate", issue_date.date().isoformat())
        _cbc(root, "IssueTime", issue_date.time().replace(microsecond=0).isoformat())
    else:
        _cbc(root, "IssueDate", issue_date.isoformat())
    _party(root, "SenderParty", sender)
    _party(root, "ReceiverParty", receiver)

    document_response = _cac(root, "DocumentResponse")
    response = _cac(document_response, "Response")
    _cbc(response, "ResponseCode", response_code or (ACCEPTED if accepted else REJECTED))
    for error in errors:
        status = _cac(response, "Status")
        _cbc(status, "Description", error.code)
        reason = (reason_codes or {}).get(error.code) or STATUS_REASONS.get(error.code, OTHER_REASON)
        _cbc(status, "StatusReasonCode", reason, listID=REASON_LIST)
        _cbc(status, "StatusReason", error.text)
    reference = _cac(document_response, "DocumentReference")
    _cbc(reference, "ID", document_reference.id)
    if document_reference.issue_date is not None:
        _cbc(reference, "IssueDate", document_reference.issue_date.isoformat())
    _cbc(reference, "DocumentTypeCode", DOCUMENT_TYPE_CODES.get(document_reference.type))
    _cbc(reference, "DocumentType", document_reference.type)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _cbc(parent: etree._Element, name: str, value: str | None, **attributes: str) -> None:
    if value is None:
        return
    element = etree.SubElement(parent, f"{{{UBL_CBC}}}{name}", attributes)
    element.text = value


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{UBL_CAC}}}{name}")


def _party(root: etree._Element, name: str, identity: Identity) -> None:
    scheme, identifier = identity
    party = _cac(root, name)
    _cbc(party, "EndpointID", identifier, **({"schemeID": scheme} if scheme else {}))


# -- reading an ApplicationResponse ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseStatus:
    """One ``cac:Status``: reason code (and its list), reason text, and the description given."""

    reason_code: str | None
    reason: str
    description: str = ""
    list_id: str | None = None
    condition_code: str | None = None


@dataclass(frozen=True, slots=True)
class LineResult:
    """One ``cac:LineResponse`` (Peppol MLR puts its error detail there): the line and its response."""

    line_id: str
    response_code: str | None
    statuses: tuple[ResponseStatus, ...] = ()
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """One ``cac:DocumentResponse``: the document referenced and what was done with it."""

    document_id: str | None
    document_type: str | None
    document_type_code: str | None
    response_code: str | None
    statuses: tuple[ResponseStatus, ...] = ()
    descriptions: tuple[str, ...] = ()
    lines: tuple[LineResult, ...] = ()

    @property
    def accepted(self) -> bool:
        """Taken: AP, AB, CA, IP, PD. RE, UQ (under query) and a missing code are not."""
        return self.response_code in ACCEPTING_CODES


@dataclass(frozen=True, slots=True)
class ApplicationResponseReport:
    """What a partner's ApplicationResponse says about our documents."""

    response_id: str
    issue_date: str | None
    sender: Identity | None
    receiver: Identity | None
    documents: tuple[DocumentResult, ...]

    @property
    def accepted(self) -> bool:
        return bool(self.documents) and all(d.accepted for d in self.documents)

    @property
    def document_ids(self) -> tuple[str, ...]:
        return tuple(d.document_id for d in self.documents if d.document_id)


def parse_application_response(doc: XmlDocument) -> ApplicationResponseReport:
    """A document read by :func:`translators.xml.parser.read_xml` into a report.

    Raises ValueError when it is not a UBL ApplicationResponse.
    """
    if doc.kind != "ubl" or doc.document_type != "ApplicationResponse":
        raise ValueError(f"not a UBL ApplicationResponse (root {doc.root_name!r})")
    root = doc.root
    documents = tuple(
        DocumentResult(
            document_id=_text(response, "cac:DocumentReference/cbc:ID"),
            document_type=_text(response, "cac:DocumentReference/cbc:DocumentType"),
            document_type_code=_text(response, "cac:DocumentReference/cbc:DocumentTypeCode"),
            response_code=_text(response, "cac:Response/cbc:ResponseCode"),
            statuses=_statuses(response.find("cac:Response", UBL_PREFIXES)),
            descriptions=_texts(response, "cac:Response/cbc:Description"),
            lines=tuple(
                LineResult(
                    line_id=_text(line, "cac:LineReference/cbc:LineID") or "",
                    response_code=_text(line, "cac:Response/cbc:ResponseCode"),
                    statuses=_statuses(line.find("cac:Response", UBL_PREFIXES)),
                    descriptions=_texts(line, "cac:Response/cbc:Description"),
                )
                for line in response.iterfind("cac:LineResponse", UBL_PREFIXES)
            ),
        )
        for response in root.iterfind("cac:DocumentResponse", UBL_PREFIXES)
    )
    return ApplicationResponseReport(
        response_id=_text(root, "cbc:ID") or "",
        issue_date=_text(root, "cbc:IssueDate"),
        sender=sender_identity(doc),
        receiver=recipient_identity(doc),
        documents=documents,
    )


def _text(parent: etree._Element, path: str) -> str | None:
    element = parent.find(path, UBL_PREFIXES)
    if element is None:
        return None
    return "".join(element.itertext()).strip() or None


def _texts(parent: etree._Element, path: str) -> tuple[str, ...]:
    found = ("".join(e.itertext()).strip() for e in parent.iterfind(path, UBL_PREFIXES))
    return tuple(text for text in found if text)


def _statuses(response: etree._Element | None) -> tuple[ResponseStatus, ...]:
    if response is None:
        return ()
    statuses = []
    for status in response.iterfind("cac:Status", UBL_PREFIXES):
        code = status.find("cbc:StatusReasonCode", UBL_PREFIXES)
        statuses.append(
            ResponseStatus(
                reason_code=_text(status, "cbc:StatusReasonCode"),
                reason=" ".join(_texts(status, "cbc:StatusReason")),
                description=" ".join(_texts(status, "cbc:Description")),
                list_id=code.get("listID") if code is not None else None,
                condition_code=_text(status, "cbc:ConditionCode"),
            )
        )
    return tuple(statuses)
