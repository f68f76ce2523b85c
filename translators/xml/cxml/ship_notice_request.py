"""cXML ShipNoticeRequest → canonical DeliveryNote.

A ship notice is split into ``ShipNoticePortion`` elements, one per purchase order; each item's
``lineNumber`` is the line of *that order*, so the note's own line numbers are positions across all
portions and the order line travels in ``order_line_number``. Ship-from and ship-to are the header's
``Contact`` elements with those roles; the carrier and tracking number come from ``ShipControl``.
"""

from __future__ import annotations

from lxml import etree

from translators.documents.common import Party
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.cxml.components import CxmlReader
from translators.xml.parser import XmlDocument


def _contact(reader: CxmlReader, header: etree._Element, role: str) -> Party | None:
    for contact in header.findall("Contact"):
        if contact.get("role") == role:
            return reader.address_party(contact)
    return None


def _carrier(reader: CxmlReader, control: etree._Element | None) -> Party | None:
    """CarrierIdentifier domain ``companyName`` is the name; any other domain (SCAC, DUNS) an id."""
    name = None
    identifier: tuple[str, str | None] | None = None
    for element in reader.findall(control, "CarrierIdentifier"):
        value = reader.raw(element)
        domain = reader.raw(element, "domain")
        if value is None:
            continue
        if domain == "companyName":
            name = name or value
        elif identifier is None:
            identifier = (value, domain)
    if name is None and identifier is None:
        return None
    return Party(
        name=name,
        party_id=identifier[0] if identifier else None,
        party_id_agency=identifier[1] if identifier else None,
    )


def _line(
    reader: CxmlReader, item: etree._Element, position: int, order_number: str | None
) -> DeliveryNoteLine | None:
    quantity, unit = reader.quantity(item, item, "shipped quantity")
    order_line = reader.raw(item, "lineNumber")
    ids = reader.item(reader.find(item, "ItemID"), reader.find(item, "ShipNoticeItemDetail"))
    batch = reader.text_at(item, "Batch/SupplierBatchID") or reader.text_at(item, "Batch/BuyerBatchID")
    best_before = reader.attribute_date(reader.find(item, "Batch"), "expirationDate", "expiration date")
    if quantity is None:
        return None
    return DeliveryNoteLine(
        line_number=str(position),
        gtin=ids.gtin,
        buyer_item_id=ids.buyer_item_id,
        seller_item_id=ids.seller_item_id,
        erp_item_id=ids.erp_item_id,
        description=ids.description,
        quantity=quantity,
        unit=unit,
        notes=reader.comments(item),
        order_number=order_number,
        order_line_number=order_line,
        batch_number=batch,
        best_before_date=best_before,
    )


def map_ship_notice_request(doc: XmlDocument, codes: CodeLookup) -> MapResult[DeliveryNote]:
    """Translate a cXML ShipNoticeRequest; any error means no document."""
    reader = CxmlReader(doc.root, codes)
    request = doc.root.find("Request/ShipNoticeRequest")
    assert request is not None  # the parser classified the document by this element
    header = request.find("ShipNoticeHeader")
    if header is None:
        reader.error("MISSING_ELEMENT", "ShipNoticeRequest has no ShipNoticeHeader", request)
        return MapResult(document=None, errors=reader.errors)
    number = reader.raw(header, "shipmentID")
    if number is None:
        reader.error("MISSING_VALUE", "the ship notice has no shipmentID", header, "shipmentID")
    issue_date = reader.attribute_date(header, "noticeDate", "notice date")
    despatch_date = reader.attribute_date(header, "shipmentDate", "shipment date")
    delivery_date = reader.attribute_date(header, "deliveryDate", "delivery date")
    order_numbers: list[str] = []
    lines: list[DeliveryNoteLine] = []
    portions = request.findall("ShipNoticePortion")
    if not portions:
        reader.error("MISSING_ELEMENT", "the ship notice has no ShipNoticePortion", request)
    for portion in portions:
        reference = portion.find("OrderReference")
        order_number = reader.raw(reference, "orderID")
        if order_number is not None and order_number not in order_numbers:
            order_numbers.append(order_number)
        items = portion.findall("ShipNoticeItem")
        if not items:
            reader.error("MISSING_ELEMENT", "ShipNoticePortion has no ShipNoticeItem", portion)
        for item in items:
            line = _line(reader, item, len(lines) + 1, order_number)
            if line is not None:
                lines.append(line)
    control = request.find("ShipControl")
    if reader.errors or number is None:
        return MapResult(document=None, errors=reader.errors)
    document = DeliveryNote(
        number=number,
        issue_date=issue_date,
        despatch_date=despatch_date,
        delivery_date=delivery_date,
        order_numbers=order_numbers,
        seller=reader.credential_party(doc.cxml.from_) if doc.cxml else None,
        buyer=reader.credential_party(doc.cxml.to) if doc.cxml else None,
        ship_to=_contact(reader, header, "shipTo"),
        ship_from=_contact(reader, header, "shipFrom"),
        carrier=_carrier(reader, control),
        transport_reference=reader.text_at(control, "ShipmentIdentifier"),
        notes=reader.comments(header),
        lines=lines,
    )
    return MapResult(document=document, errors=[])
