"""UBL 2.1 OrderResponse and OrderResponseSimple → canonical OrderResponse.

The whole-order answer comes from ``cbc:OrderResponseCode`` (UNCL 4343 as Peppol uses it: AP
accepted, RE rejected, CA conditionally accepted = changed, AB acknowledged = accepted so far) or,
for OrderResponseSimple, ``cbc:AcceptedIndicator``. Without a code it is derived from the lines: all
accepted → accepted, all rejected → rejected, otherwise changed. Line answers accept both the UBL
"Line Status" list (NoStatus, Revised, Disputed, Cancelled, Added) and UNCL 1229 codes (Peppol).
Codes are kept as sent next to the readable status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from translators.documents.common import Reference
from translators.documents.order_response import LineStatus, OrderResponse, OrderResponseLine, ResponseType
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.parser import XmlDocument
from translators.xml.ubl.components import UblReader

RESPONSE_CODES: Mapping[str, ResponseType] = MappingProxyType(
    {"AP": "accepted", "AB": "accepted", "RE": "rejected", "CA": "changed"}
)
"""OrderResponseCode (UNCL 4343 subset) → whole-order answer."""

LINE_STATUS_CODES: Mapping[str, LineStatus] = MappingProxyType(
    {
        # UBL 2.1 "Line Status" code list
        "NoStatus": "accepted",
        "Revised": "changed",
        "Disputed": "rejected",
        "Cancelled": "rejected",
        "Added": "added",
        # UNCL 1229 (Peppol order response)
        "1": "added",
        "3": "changed",
        "5": "accepted",
        "6": "changed",
        "7": "rejected",
        "4": "accepted",
        "2": "rejected",
        "10": "rejected",
    }
)
"""LineStatusCode → per-line answer."""

ORDER_RESPONSE_REFERENCES = ("cac:OrderReference", "cac:AdditionalDocumentReference", "cac:Contract")


def _promised_date(reader: UblReader, delivery: etree._Element | None, what: str) -> dt.date | None:
    for period in ("cac:PromisedDeliveryPeriod", "cac:RequestedDeliveryPeriod"):
        start = reader.find(delivery, f"{period}/cbc:StartDate")
        if start is None:
            start = reader.find(delivery, f"{period}/cbc:EndDate")
        if start is not None:
            return reader.date(start, what)
    return None


def _line(reader: UblReader, order_line: etree._Element, default: LineStatus) -> OrderResponseLine | None:
    item_line = reader.find(order_line, "cac:LineItem")
    if item_line is None:
        reader.error("MISSING_ELEMENT", "order response line has no cac:LineItem", order_line)
        return None
    number = reader.required_text(item_line, reader.find(item_line, "cbc:ID"), "line id", "cbc:ID")
    status_element = reader.find(item_line, "cbc:LineStatusCode")
    status_code = reader.raw(status_element)
    status: LineStatus | None = default
    if status_element is not None and status_code is not None:
        status = LINE_STATUS_CODES.get(status_code)
        if status is None:
            known = ", ".join(LINE_STATUS_CODES)
            reader.error(
                "INVALID_CODE", f"line status {status_code!r} is not known (known: {known})", status_element
            )
    quantity, unit = reader.quantity(reader.find(item_line, "cbc:Quantity"), "confirmed quantity")
    price = reader.find(item_line, "cac:Price")
    unit_price = reader.amount(reader.find(price, "cbc:PriceAmount"), "price")
    basis, _ = reader.quantity(reader.find(price, "cbc:BaseQuantity"), "price base quantity")
    delivery_date = _promised_date(reader, reader.find(item_line, "cac:Delivery"), "line delivery date")
    item = reader.item(reader.find(item_line, "cac:Item"))
    references = [
        Reference(qualifier="LI", type="line_item", value=value)
        for value in (reader.text_at(order_line, "cac:OrderLineReference/cbc:LineID"),)
        if value is not None
    ]
    if number is None or status is None:
        return None
    has_quantity = quantity is not None
    return OrderResponseLine(
        line_number=number,
        gtin=item.gtin,
        buyer_item_id=item.buyer_item_id,
        seller_item_id=item.seller_item_id,
        erp_item_id=item.erp_item_id,
        description=item.description,
        line_status=status,
        line_status_code=status_code,
        confirmed_quantity=quantity,
        unit=unit if has_quantity else None,
        unit_price=unit_price,
        price_basis_quantity=basis,
        delivery_date=delivery_date,
        notes=reader.notes(order_line) + reader.notes(item_line),
        references=references,
    )


def map_ubl_order_response(doc: XmlDocument, codes: CodeLookup) -> MapResult[OrderResponse]:
    """Translate a UBL OrderResponse or OrderResponseSimple; any error means no document."""
    root = doc.root
    reader = UblReader(root, codes)
    number = reader.required_text(root, reader.find(root, "cbc:ID"), "order response number", "cbc:ID")
    order_reference = reader.find(root, "cac:OrderReference")
    if order_reference is None:
        reader.error("MISSING_ELEMENT", "the response names no order (cac:OrderReference)", root)
    order_number = (
        reader.required_text(
            order_reference, reader.find(order_reference, "cbc:ID"), "order reference", "cbc:ID"
        )
        if order_reference is not None
        else None
    )
    response_code: str | None = None
    response_type: ResponseType | None = None
    code_element = reader.find(root, "cbc:OrderResponseCode")
    accepted_element = reader.find(root, "cbc:AcceptedIndicator")
    if code_element is not None and (response_code := reader.raw(code_element)) is not None:
        response_type = RESPONSE_CODES.get(response_code)
        if response_type is None:
            known = ", ".join(RESPONSE_CODES)
            reader.error(
                "INVALID_CODE", f"order response code {response_code!r} is not known ({known})", code_element
            )
    elif accepted_element is not None:
        accepted = reader.boolean(accepted_element, "accepted indicator")
        response_type = None if accepted is None else ("accepted" if accepted else "rejected")
    default_line: LineStatus = "rejected" if response_type == "rejected" else "accepted"
    lines = [
        line
        for line in (_line(reader, e, default_line) for e in reader.findall(root, "cac:OrderLine"))
        if line is not None
    ]
    if response_type is None and code_element is None and accepted_element is None:
        statuses = {line.line_status for line in lines}
        response_type = (
            "accepted" if statuses <= {"accepted"} else "rejected" if statuses == {"rejected"} else "changed"
        )
    notes = reader.notes(root)
    notes += [n for n in (reader.free_text(e) for e in reader.findall(root, "cbc:RejectionNote")) if n]
    issue_date = reader.date(reader.find(root, "cbc:IssueDate"), "issue date")
    delivery_date = _promised_date(reader, reader.find(root, "cac:Delivery"), "delivery date")
    buyer = reader.party(reader.find(root, "cac:BuyerCustomerParty/cac:Party"))
    seller = reader.party(reader.find(root, "cac:SellerSupplierParty/cac:Party"))
    ship_to = reader.location_party(reader.find(root, "cac:Delivery/cac:DeliveryLocation"))
    references = reader.references(root, ORDER_RESPONSE_REFERENCES)
    order_date = next((r.date for r in references if r.qualifier == "ON" and r.value == order_number), None)
    if reader.errors or number is None or order_number is None or response_type is None:
        return MapResult(document=None, errors=reader.errors)
    document = OrderResponse(
        number=number,
        issue_date=issue_date,
        order_number=order_number,
        order_date=order_date,
        response_type=response_type,
        response_code=response_code,
        delivery_date=delivery_date,
        currency=reader.currency,
        buyer=buyer,
        seller=seller,
        ship_to=ship_to,
        notes=notes,
        references=references,
        lines=lines,
    )
    return MapResult(document=document, errors=[])
