"""Which map translates an XML document: by kind and type, or by the partner's XPath field map.

The gateway calls :func:`map_xml` after :func:`~translators.xml.parser.read_xml` and partner
resolution. UBL and cXML documents are recognised by their own type; anything else needs the
partner's ``xml_map``. A document edigate has no map for is answered with a located
``UNSUPPORTED_XML_DOCUMENT`` rather than an exception, like any other bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from translators.documents.common import CanonicalModel
from translators.edifact.maps.result import CodeLookup, IdentityCodes, MapResult
from translators.errors import EdiError, Location
from translators.xml.custom import XmlFieldMapLike, map_custom
from translators.xml.cxml.confirmation_request import map_confirmation_request
from translators.xml.cxml.invoice_detail_request import map_invoice_detail_request
from translators.xml.cxml.order_request import map_order_request
from translators.xml.cxml.ship_notice_request import map_ship_notice_request
from translators.xml.parser import XmlDocument
from translators.xml.paths import element_path
from translators.xml.ubl.despatch_advice import map_ubl_despatch_advice
from translators.xml.ubl.invoice import map_ubl_invoice
from translators.xml.ubl.order import map_ubl_order
from translators.xml.ubl.order_response import map_ubl_order_response

XmlMap = Callable[[XmlDocument, CodeLookup], MapResult[Any]]

UBL_MAPS: Mapping[str, XmlMap] = MappingProxyType(
    {
        "Order": map_ubl_order,
        "OrderResponse": map_ubl_order_response,
        "OrderResponseSimple": map_ubl_order_response,
        "DespatchAdvice": map_ubl_despatch_advice,
        "Invoice": map_ubl_invoice,
        "CreditNote": map_ubl_invoice,
    }
)
"""UBL document type → map. Read-only."""

CXML_MAPS: Mapping[str, XmlMap] = MappingProxyType(
    {
        "OrderRequest": map_order_request,
        "ConfirmationRequest": map_confirmation_request,
        "ShipNoticeRequest": map_ship_notice_request,
        "InvoiceDetailRequest": map_invoice_detail_request,
    }
)
"""cXML request type → map. Read-only."""


class XmlProfile(Protocol):
    """What map_xml needs from ``partners.profile.PartnerProfile``."""

    @property
    def codes(self) -> CodeLookup: ...

    @property
    def xml_map(self) -> XmlFieldMapLike | None: ...


def _unsupported(doc: XmlDocument, text: str) -> MapResult[CanonicalModel]:
    error = EdiError(
        code="UNSUPPORTED_XML_DOCUMENT",
        text=text,
        location=Location(path=element_path(doc.root), line=doc.root.sourceline),
        level="message",
    )
    return MapResult(document=None, errors=[error])


def map_xml(doc: XmlDocument, profile: XmlProfile | None) -> MapResult[Any]:
    """Translate ``doc`` into its canonical document with the partner's code mappings.

    ``profile`` may be None (partner not resolved): codes then pass through, and custom XML cannot be
    mapped. A profile with an ``xml_map`` for this root takes precedence for custom XML only: UBL and
    cXML always use edigate's own maps.
    """
    codes: CodeLookup = profile.codes if profile is not None else IdentityCodes()
    if doc.kind == "ubl":
        ubl_map = UBL_MAPS.get(doc.document_type or "")
        if ubl_map is None:
            supported = ", ".join(UBL_MAPS)
            return _unsupported(doc, f"UBL {doc.document_type} is not translated (supported: {supported})")
        return ubl_map(doc, codes)
    if doc.kind == "cxml":
        cxml_map = CXML_MAPS.get(doc.document_type or "")
        if cxml_map is None:
            supported = ", ".join(CXML_MAPS)
            what = doc.document_type or "without a Request"
            return _unsupported(doc, f"cXML {what} is not translated (supported: {supported})")
        return cxml_map(doc, codes)
    xml_map = getattr(profile, "xml_map", None) if profile is not None else None
    if xml_map is None:
        namespace = f" in namespace {doc.namespace}" if doc.namespace else ""
        return _unsupported(
            doc,
            f"<{doc.root_name}>{namespace} is neither UBL nor cXML, and no partner profile maps it (xml_map)",
        )
    return map_custom(doc, xml_map, codes)
