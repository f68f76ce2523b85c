"""UBL 2.1 Order → canonical PurchaseOrder.

Like the EDIFACT ORDERS map, the whole document is read even after the first problem, every problem
is a located error (XPath and line), and any error means no document: the ERP never gets an order that
differs from what the customer sent.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.parser import XmlDocument
from translators.xml.ubl.components import UblReader

ORDER_REFERENCES = (
    "cac:QuotationDocumentReference",
    "cac:OrderDocumentReference",
    "cac:OriginatorDocumentReference",
    "cac:AdditionalDocumentReference",
    "cac:Contract",
)


def requested_date(reader: UblReader, delivery: etree._Element | None, what: str) -> dt.date | None:
    """Start of ``cac:RequestedDeliveryPeriod`` (its end when only that is given)."""
    period = reader.find(delivery, "cac:RequestedDeliveryPeriod")
    start = reader.find(period, "cbc:StartDate")
    element = start if start is not None else reader.find(period, "cbc:EndDate")
    return reader.date(element, what)


def _line(reader: UblReader, order_line: etree._Element) -> PurchaseOrderLine | None:
    item_line = reader.find(order_line, "cac:LineItem")
    if item_line is None:
        reader.error("MISSING_ELEMENT", "order line has no cac:LineItem", order_line)
        return None
    number = reader.required_text(item_line, reader.find(item_line, "cbc:ID"), "line id", "cbc:ID")
    quantity_element = reader.find(item_line, "cbc:Quantity")
    if quantity_element is None:
        reader.error(
            "MISSING_ELEMENT", f"line {number or '?'} has no ordered quantity (cbc:Quantity)", item_line
        )
    quantity, unit = reader.quantity(quantity_element, "ordered quantity", required=True)
    price = reader.find(item_line, "cac:Price")
    unit_price = reader.amount(reader.find(price, "cbc:PriceAmount"), "price")
    basis, _ = reader.quantity(reader.find(price, "cbc:BaseQuantity"), "price base quantity")
    line_amount = reader.amount(reader.find(item_line, "cbc:LineExtensionAmount"), "line amount")
    delivery_date = requested_date(reader, reader.find(item_line, "cac:Delivery"), "requested delivery date")
    item = reader.item(reader.find(item_line, "cac:Item"))
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
        notes=reader.notes(order_line) + reader.notes(item_line),
        unit_price=unit_price,
        price_basis_quantity=basis,
        line_amount=line_amount,
        requested_delivery_date=delivery_date,
    )


def map_ubl_order(doc: XmlDocument, codes: CodeLookup) -> MapResult[PurchaseOrder]:
    """Translate a UBL Order with the partner's code mappings; any error means no document."""
    root = doc.root
    reader = UblReader(root, codes)
    number = reader.required_text(root, reader.find(root, "cbc:ID"), "order number", "cbc:ID")
    issue_date = reader.date(reader.find(root, "cbc:IssueDate"), "issue date")
    delivery = reader.find(root, "cac:Delivery")
    order_lines = reader.findall(root, "cac:OrderLine")
    if not order_lines:
        reader.error("MISSING_ELEMENT", "the order has no lines (cac:OrderLine)", root)
    lines = [line for line in (_line(reader, e) for e in order_lines) if line is not None]
    total = reader.amount(
        reader.find(root, "cac:AnticipatedMonetaryTotal/cbc:PayableAmount"), "payable amount"
    )
    count_element = reader.find(root, "cbc:LineCountNumeric")
    count = reader.decimal(count_element, "line count")
    line_count: int | None = None
    if count is not None and count_element is not None:
        if count != count.to_integral_value() or count < 0:
            reader.error("INVALID_NUMBER", f"line count {count} is not a whole number", count_element)
        else:
            line_count = int(count)
            if line_count != len(order_lines):
                reader.error(
                    "LINE_COUNT_MISMATCH",
                    f"cbc:LineCountNumeric says {line_count} line(s), the order has {len(order_lines)}",
                    count_element,
                )
    parties = {
        "buyer": reader.party(reader.find(root, "cac:BuyerCustomerParty/cac:Party")),
        "seller": reader.party(reader.find(root, "cac:SellerSupplierParty/cac:Party")),
        "invoicee": reader.party(reader.find(root, "cac:AccountingCustomerParty/cac:Party")),
        "ship_to": reader.location_party(reader.find(delivery, "cac:DeliveryLocation")),
    }
    references = reader.references(root, ORDER_REFERENCES)
    requested = requested_date(reader, delivery, "requested delivery date")
    if reader.errors or number is None:
        return MapResult(document=None, errors=reader.errors)
    document = PurchaseOrder(
        number=number,
        document_name_code=reader.text_at(root, "cbc:OrderTypeCode"),
        issue_date=issue_date,
        requested_delivery_date=requested,
        currency=reader.currency,
        references=references,
        notes=reader.notes(root),
        lines=lines,
        total_amount=total,
        line_count=line_count,
        **parties,
    )
    return MapResult(document=document, errors=[])
