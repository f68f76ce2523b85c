"""cXML ConfirmationRequest → canonical OrderResponse.

The header ``type`` answers for the whole order: ``accept`` → accepted, ``reject`` → rejected, any
detailed answer (``detail``, ``allDetail``, ``except``, ``backordered``, ``replace``) → changed.
Each ``ConfirmationItem`` may split its quantity over several ``ConfirmationStatus`` elements
(6 accepted, 4 backordered); the confirmed quantity is what the accepting statuses add up to, and
the line status is the one status when there is one, else ``changed``. The cXML item's ``quantity``
is the ordered quantity.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from lxml import etree

from translators.documents.common import Reference
from translators.documents.order_response import LineStatus, OrderResponse, OrderResponseLine, ResponseType
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.cxml.components import CxmlReader
from translators.xml.parser import XmlDocument

RESPONSE_TYPES: Mapping[str, ResponseType] = MappingProxyType(
    {
        "accept": "accepted",
        "reject": "rejected",
        "detail": "changed",
        "allDetail": "changed",
        "except": "changed",
        "backordered": "changed",
        "replace": "changed",
    }
)
"""ConfirmationHeader/@type → whole-order answer."""

STATUS_TYPES: Mapping[str, LineStatus] = MappingProxyType(
    {
        "accept": "accepted",
        "reject": "rejected",
        "backordered": "backordered",
        "detail": "changed",
        "allDetail": "changed",
    }
)
"""ConfirmationStatus/@type → line status (``unknown`` has none and is refused)."""

_CONFIRMING = frozenset({"accept", "detail", "allDetail"})


def _line(reader: CxmlReader, element: etree._Element) -> OrderResponseLine | None:
    number = reader.raw(element, "lineNumber")
    if number is None:
        reader.error("MISSING_VALUE", "ConfirmationItem has no lineNumber", element, "lineNumber")
    ordered, unit = reader.quantity(element, element, "ordered quantity")
    statuses = element.findall("ConfirmationStatus")
    if not statuses:
        reader.error("MISSING_ELEMENT", f"line {number or '?'} has no ConfirmationStatus", element)
    kinds: list[LineStatus] = []
    confirmed: Decimal | None = None
    delivery_date = None
    unit_price = None
    item = reader.item(None, None)
    notes: list[str] = []
    for status in statuses:
        kind = reader.raw(status, "type")
        mapped = STATUS_TYPES.get(kind or "")
        if mapped is None:
            known = ", ".join(STATUS_TYPES)
            reader.error(
                "INVALID_CODE", f"confirmation status {kind!r} is not usable ({known})", status, "type"
            )
            continue
        kinds.append(mapped)
        quantity = reader.decimal(status, "confirmed quantity", attribute="quantity")
        if kind in _CONFIRMING and quantity is not None:
            confirmed = (confirmed or Decimal(0)) + quantity
        if delivery_date is None:
            delivery_date = reader.attribute_date(status, "deliveryDate", "delivery date")
        price = reader.money(reader.find(status, "UnitPrice"), "confirmed unit price")
        unit_price = unit_price if unit_price is not None else price
        item_in = reader.find(status, "ItemIn")
        if item_in is not None and item.seller_item_id is None:
            item = reader.item(reader.find(item_in, "ItemID"), reader.find(item_in, "ItemDetail"))
        notes += reader.comments(status)
    if number is None or not kinds:
        return None
    line_status: LineStatus = kinds[0] if len(set(kinds)) == 1 else "changed"
    return OrderResponseLine(
        line_number=number,
        gtin=item.gtin,
        buyer_item_id=item.buyer_item_id,
        seller_item_id=item.seller_item_id,
        erp_item_id=item.erp_item_id,
        description=item.description,
        line_status=line_status,
        line_status_code=" ".join(reader.raw(s, "type") or "" for s in statuses).strip() or None,
        ordered_quantity=ordered,
        confirmed_quantity=confirmed
        if confirmed is not None
        else (Decimal(0) if line_status == "rejected" else None),
        unit=unit,
        unit_price=unit_price,
        delivery_date=delivery_date,
        notes=notes,
    )


def map_confirmation_request(doc: XmlDocument, codes: CodeLookup) -> MapResult[OrderResponse]:
    """Translate a cXML ConfirmationRequest; any error means no document.

    ``confirmID`` is optional in cXML; without it the response is numbered by the cXML payloadID,
    which is unique per document by definition.
    """
    reader = CxmlReader(doc.root, codes)
    request = doc.root.find("Request/ConfirmationRequest")
    assert request is not None  # the parser classified the document by this element
    header = request.find("ConfirmationHeader")
    reference = request.find("OrderReference")
    if header is None:
        reader.error("MISSING_ELEMENT", "ConfirmationRequest has no ConfirmationHeader", request)
    if reference is None:
        reader.error("MISSING_ELEMENT", "ConfirmationRequest names no order (OrderReference)", request)
    if header is None or reference is None:
        return MapResult(document=None, errors=reader.errors)
    number = reader.raw(header, "confirmID") or (doc.cxml.payload_id if doc.cxml else None)
    if number is None:
        reader.error("MISSING_VALUE", "the confirmation has no confirmID (nor a cXML payloadID)", header)
    kind = reader.raw(header, "type")
    response_type = RESPONSE_TYPES.get(kind or "")
    if response_type is None:
        known = ", ".join(RESPONSE_TYPES)
        reader.error("INVALID_CODE", f"confirmation type {kind!r} is not known ({known})", header, "type")
    order_number = reader.raw(reference, "orderID")
    if order_number is None:
        reader.error("MISSING_VALUE", "the order reference has no orderID", reference, "orderID")
    order_date = reader.attribute_date(reference, "orderDate", "order date")
    issue_date = reader.attribute_date(header, "noticeDate", "notice date")
    reader.money(reader.find(header, "Total"), "confirmed total")  # sets and checks the currency
    lines = [
        line for line in (_line(reader, e) for e in request.findall("ConfirmationItem")) if line is not None
    ]
    if reader.errors or number is None or order_number is None or response_type is None:
        return MapResult(document=None, errors=reader.errors)
    document = OrderResponse(
        number=number,
        issue_date=issue_date,
        order_number=order_number,
        order_date=order_date,
        response_type=response_type,
        response_code=kind,
        currency=reader.currency,
        buyer=reader.credential_party(doc.cxml.to) if doc.cxml else None,
        seller=reader.credential_party(doc.cxml.from_) if doc.cxml else None,
        notes=reader.comments(header),
        references=[Reference(qualifier="ON", type="buyer_order", value=order_number, date=order_date)],
        lines=lines,
    )
    return MapResult(document=document, errors=[])
