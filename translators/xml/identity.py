"""Who sent an XML document, to whom, and its number — read before any map runs.

The gateway resolves the partner from these (as it does from UNB for EDIFACT) and uses the number
for duplicate checks, so they must come from the document's own identity fields, not from a full
translation that may fail.

UBL identifies a party by ``cbc:EndpointID`` with ``schemeID`` (an ISO 6523 ICD such as ``0088`` for
GLN, or a legacy name such as ``GLN``); which party is the sender depends on the document type. cXML
carries ``Header/From`` and ``Header/To`` credentials (``domain`` + ``Identity``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from lxml import etree

from translators.xml.namespaces import UBL_PREFIXES
from translators.xml.parser import CxmlCredential, XmlDocument

Identity = tuple[str, str]
"""``(scheme, id)``: UBL schemeID / cXML credential domain, and the identifier. The scheme may be ''."""

# UBL document type → (sender party, recipient party), each a path of cac elements to a PartyType.
_UBL_PARTIES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "Invoice": ("cac:AccountingSupplierParty/cac:Party", "cac:AccountingCustomerParty/cac:Party"),
        "CreditNote": ("cac:AccountingSupplierParty/cac:Party", "cac:AccountingCustomerParty/cac:Party"),
        "DespatchAdvice": ("cac:DespatchSupplierParty/cac:Party", "cac:DeliveryCustomerParty/cac:Party"),
        "ReceiptAdvice": ("cac:DeliveryCustomerParty/cac:Party", "cac:DespatchSupplierParty/cac:Party"),
        "Order": ("cac:BuyerCustomerParty/cac:Party", "cac:SellerSupplierParty/cac:Party"),
        "OrderChange": ("cac:BuyerCustomerParty/cac:Party", "cac:SellerSupplierParty/cac:Party"),
        "OrderCancellation": ("cac:BuyerCustomerParty/cac:Party", "cac:SellerSupplierParty/cac:Party"),
        "OrderResponse": ("cac:SellerSupplierParty/cac:Party", "cac:BuyerCustomerParty/cac:Party"),
        "OrderResponseSimple": ("cac:SellerSupplierParty/cac:Party", "cac:BuyerCustomerParty/cac:Party"),
        "ApplicationResponse": ("cac:SenderParty", "cac:ReceiverParty"),
    }
)

# cXML request type → attribute of its header that holds the document number.
_CXML_NUMBERS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "OrderRequest": ("OrderRequestHeader", "orderID"),
        "ConfirmationRequest": ("ConfirmationHeader", "confirmID"),
        "ShipNoticeRequest": ("ShipNoticeHeader", "shipmentID"),
        "InvoiceDetailRequest": ("InvoiceDetailRequestHeader", "invoiceID"),
    }
)


class HasXmlSender(Protocol):
    """The part of a partner's XML field map that identity needs (``partners.profile.XmlFieldMap``)."""

    @property
    def sender(self) -> str | None: ...

    @property
    def namespaces(self) -> Mapping[str, str]: ...

    @property
    def fields(self) -> Mapping[str, str]: ...


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def ubl_party_identity(party: etree._Element | None) -> Identity | None:
    """EndpointID with schemeID, else a PartyIdentification/ID with schemeID, else a bare EndpointID."""
    if party is None:
        return None
    endpoint = party.find("cbc:EndpointID", UBL_PREFIXES)
    if endpoint is not None and _text(endpoint) and endpoint.get("schemeID"):
        return endpoint.get("schemeID", "").strip(), _text(endpoint)
    for identifier in party.iterfind("cac:PartyIdentification/cbc:ID", UBL_PREFIXES):
        if _text(identifier) and identifier.get("schemeID"):
            return identifier.get("schemeID", "").strip(), _text(identifier)
    if endpoint is not None and _text(endpoint):
        return "", _text(endpoint)
    return None


def _cxml_identity(credentials: tuple[CxmlCredential, ...]) -> Identity | None:
    return (credentials[0].domain, credentials[0].identity) if credentials else None


def _custom_text(doc: XmlDocument, xpath: str | None, namespaces: Mapping[str, str]) -> str | None:
    if not xpath:
        return None
    try:
        found = doc.root.xpath(xpath, namespaces=dict(namespaces))
    except etree.XPathError:
        return None
    if isinstance(found, list):
        found = found[0] if found else None
    if isinstance(found, etree._Element):
        return _text(found) or None
    if isinstance(found, str):
        return found.strip() or None
    return None


def _ubl_party(doc: XmlDocument, which: int) -> Identity | None:
    paths = _UBL_PARTIES.get(doc.document_type or "")
    if paths is None:
        return None
    return ubl_party_identity(doc.root.find(paths[which], UBL_PREFIXES))


def sender_identity(doc: XmlDocument, xml_map: HasXmlSender | None = None) -> Identity | None:
    """The sender's ``(scheme, id)``, or None when the document does not say.

    For partner XML the sender is wherever the partner's profile says (``xml_map.sender``, an XPath);
    the scheme is then ''.
    """
    if doc.kind == "ubl":
        return _ubl_party(doc, 0)
    if doc.kind == "cxml":
        return _cxml_identity(doc.cxml.from_) if doc.cxml else None
    if xml_map is not None:
        value = _custom_text(doc, xml_map.sender, xml_map.namespaces)
        return ("", value) if value else None
    return None


def recipient_identity(doc: XmlDocument) -> Identity | None:
    """The recipient's ``(scheme, id)`` (UBL counterpart party, cXML ``Header/To``), or None."""
    if doc.kind == "ubl":
        return _ubl_party(doc, 1)
    if doc.kind == "cxml":
        return _cxml_identity(doc.cxml.to) if doc.cxml else None
    return None


def document_number(doc: XmlDocument, xml_map: HasXmlSender | None = None) -> str | None:
    """The business document number: UBL ``cbc:ID``, the cXML header's id attribute, or the
    partner XML's ``number`` field as its profile maps it."""
    if doc.kind == "ubl":
        return _text(doc.root.find("cbc:ID", UBL_PREFIXES)) or None
    if doc.kind == "cxml":
        where = _CXML_NUMBERS.get(doc.document_type or "")
        if where is None:
            return None
        header = doc.root.find(f"Request/{doc.document_type}/{where[0]}")
        value = (header.get(where[1]) or "").strip() if header is not None else ""
        return value or None
    if xml_map is not None:
        return _custom_text(doc, xml_map.fields.get("number"), xml_map.namespaces)
    return None
