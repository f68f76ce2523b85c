"""cXML OrderRequest → canonical PurchaseOrder.

The header's ``type`` (new / update / delete) becomes the EDIFACT message function an ERP already
knows from ORDERS (9 original, 5 replace, 1 cancellation), because an update must replace the earlier
order, not add a second one. The buyer and seller are the ``Header/From`` and ``Header/To``
credentials, ship-to and invoicee the header's ``ShipTo`` and ``BillTo`` addresses.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.cxml.components import CxmlReader
from translators.xml.parser import CxmlHeader, XmlDocument

MESSAGE_FUNCTIONS: Mapping[str, str] = MappingProxyType({"new": "9", "update": "5", "delete": "1"})
"""OrderRequestHeader/@type → EDIFACT 1225 message function."""


def _line(reader: CxmlReader, item_out: etree._Element) -> PurchaseOrderLine | None:
    number = reader.raw(item_out, "lineNumber")
    if number is None:
        reader.error("MISSING_VALUE", "ItemOut has no lineNumber", item_out, "lineNumber")
    detail = reader.find(item_out, "ItemDetail")
    quantity, unit = reader.quantity(item_out, detail, "ordered quantity")
    price = reader.money(reader.find(detail, "UnitPrice"), "unit price")
    requested = reader.attribute_date(item_out, "requestedDeliveryDate", "requested delivery date")
    item = reader.item(reader.find(item_out, "ItemID"), detail)
    if number is None or quantity is None:
        return None
    return PurchaseOrderLine(
        line_number=number,
        gtin=item.gtin,
        buyer_item_id=item.buyer_item_id,
        seller_item_id=item.seller_item_id,
        erp_item_id=item.erp_item_id,
        description=item.description,
        quantity=quantity,
        unit=unit,
        notes=reader.comments(item_out),
        unit_price=price,
        requested_delivery_date=requested,
    )


def map_order_request(doc: XmlDocument, codes: CodeLookup) -> MapResult[PurchaseOrder]:
    """Translate a cXML OrderRequest; any error means no document."""
    reader = CxmlReader(doc.root, codes)
    request = doc.root.find("Request/OrderRequest")
    assert request is not None  # the parser classified the document by this element
    header = request.find("OrderRequestHeader")
    if header is None:
        reader.error("MISSING_ELEMENT", "OrderRequest has no OrderRequestHeader", request)
        return MapResult(document=None, errors=reader.errors)
    number = reader.raw(header, "orderID")
    if number is None:
        reader.error("MISSING_VALUE", "the order has no orderID", header, "orderID")
    issue_date = reader.attribute_date(header, "orderDate", "order date")
    requested = reader.attribute_date(header, "requestedDeliveryDate", "requested delivery date")
    order_type = reader.raw(header, "type") or "new"
    function = MESSAGE_FUNCTIONS.get(order_type)
    if function is None:
        reader.error(
            "INVALID_CODE", f"order type {order_type!r} is not new, update or delete", header, "type"
        )
    total = reader.money(reader.find(header, "Total"), "order total")
    items = request.findall("ItemOut")
    if not items:
        reader.error("MISSING_ELEMENT", "the order has no lines (ItemOut)", request)
    lines = [line for line in (_line(reader, e) for e in items) if line is not None]
    credentials = doc.cxml or CxmlHeader()
    ship_to = reader.address_party(reader.find(header, "ShipTo/Address"))
    invoicee = reader.address_party(reader.find(header, "BillTo/Address"))
    if reader.errors or number is None:
        return MapResult(document=None, errors=reader.errors)
    document = PurchaseOrder(
        number=number,
        message_function=function,
        issue_date=issue_date,
        requested_delivery_date=requested,
        currency=reader.currency,
        buyer=reader.credential_party(credentials.from_),
        seller=reader.credential_party(credentials.to),
        ship_to=ship_to,
        invoicee=invoicee,
        notes=reader.comments(header),
        lines=lines,
        total_amount=total,
    )
    return MapResult(document=document, errors=[])
