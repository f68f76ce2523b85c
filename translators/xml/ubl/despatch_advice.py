"""UBL 2.1 DespatchAdvice → canonical DeliveryNote.

Packages are the ``cac:TransportHandlingUnit`` elements of the shipment, numbered in document order
(UBL gives them no hierarchy id); a unit's ``cbc:ID`` is its SSCC. A despatch line names the unit it
travels in through its own ``cac:Shipment/cac:TransportHandlingUnit/cbc:ID``, which ties it to the
package with that SSCC. A backorder (``cbc:BackorderQuantity`` with its reason) has no field of its
own in the canonical note, so it is kept as a line note rather than lost.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from translators.documents.common import Measure
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.parser import XmlDocument
from translators.xml.ubl.components import UblReader

DESPATCH_REFERENCES = ("cac:OrderReference", "cac:AdditionalDocumentReference")


def _first_date(
    reader: UblReader, element: etree._Element | None, paths: tuple[str, ...], what: str
) -> dt.date | None:
    for path in paths:
        found = reader.find(element, path)
        if found is not None:
            return reader.date(found, what)
    return None


def _measure(reader: UblReader, element: etree._Element | None, what: str) -> Measure | None:
    value, unit = reader.quantity(element, what)
    return Measure(value=value, unit=unit) if value is not None else None


def _packages(reader: UblReader, shipment: etree._Element | None) -> list[Package]:
    packages: list[Package] = []
    for position, unit in enumerate(reader.findall(shipment, "cac:TransportHandlingUnit"), start=1):
        count = reader.decimal(reader.find(unit, "cbc:TotalPackageQuantity"), "package count")
        packages.append(
            Package(
                id=str(position),
                sscc=reader.text_at(unit, "cbc:ID"),
                package_type=reader.text_at(unit, "cbc:TransportHandlingUnitTypeCode"),
                package_count=int(count)
                if count is not None and count == count.to_integral_value()
                else None,
                gross_weight=_measure(
                    reader,
                    reader.find(unit, "cac:MeasurementDimension[cbc:AttributeID='AAB']/cbc:Measure"),
                    "package gross weight",
                ),
            )
        )
    return packages


def _line(
    reader: UblReader, line: etree._Element, order_numbers: list[str], packages: list[Package]
) -> DeliveryNoteLine | None:
    number = reader.required_text(line, reader.find(line, "cbc:ID"), "despatch line id", "cbc:ID")
    delivered = reader.find(line, "cbc:DeliveredQuantity")
    if delivered is None:
        reader.error("MISSING_ELEMENT", f"despatch line {number or '?'} has no cbc:DeliveredQuantity", line)
    quantity, unit = reader.quantity(delivered, "delivered quantity", required=True)
    notes = reader.notes(line)
    backorder_element = reader.find(line, "cbc:BackorderQuantity")
    backorder, backorder_unit = reader.quantity(backorder_element, "backorder quantity")
    if backorder is not None:
        reason = reader.free_text(reader.find(line, "cbc:BackorderReason"))
        notes.append(f"backorder {backorder} {backorder_unit}" + (f": {reason}" if reason else ""))
    order_line = reader.find(line, "cac:OrderLineReference")
    order_number = reader.text_at(order_line, "cac:OrderReference/cbc:ID")
    if order_number is None and len(order_numbers) == 1:
        order_number = order_numbers[0]
    lot = reader.find(line, "cac:Item/cac:ItemInstance/cac:LotIdentification")
    sscc = reader.text_at(line, "cac:Shipment/cac:TransportHandlingUnit/cbc:ID")
    package_id = next((p.id for p in packages if sscc is not None and p.sscc == sscc), None)
    item = reader.item(reader.find(line, "cac:Item"))
    best_before = reader.date(reader.find(lot, "cbc:ExpiryDate"), "expiry date")
    if number is None or quantity is None:
        return None
    return DeliveryNoteLine(
        line_number=number,
        gtin=item.gtin,
        buyer_item_id=item.buyer_item_id,
        seller_item_id=item.seller_item_id,
        erp_item_id=item.erp_item_id,
        description=item.description,
        quantity=quantity,
        unit=unit,
        notes=notes,
        order_number=order_number,
        order_line_number=reader.text_at(order_line, "cbc:LineID"),
        batch_number=reader.text_at(lot, "cbc:LotNumberID"),
        best_before_date=best_before,
        package_id=package_id,
        sscc=sscc,
    )


def map_ubl_despatch_advice(doc: XmlDocument, codes: CodeLookup) -> MapResult[DeliveryNote]:
    """Translate a UBL DespatchAdvice; any error means no document."""
    root = doc.root
    reader = UblReader(root, codes)
    number = reader.required_text(root, reader.find(root, "cbc:ID"), "despatch advice number", "cbc:ID")
    issue_date = reader.date(reader.find(root, "cbc:IssueDate"), "issue date")
    shipment = reader.find(root, "cac:Shipment")
    delivery = reader.find(shipment, "cac:Delivery")
    despatch_date = _first_date(reader, delivery, ("cac:Despatch/cbc:ActualDespatchDate",), "despatch date")
    delivery_date = _first_date(
        reader,
        delivery,
        ("cac:EstimatedDeliveryPeriod/cbc:StartDate", "cac:PromisedDeliveryPeriod/cbc:StartDate"),
        "estimated delivery date",
    )
    references = reader.references(root, DESPATCH_REFERENCES)
    order_numbers = [r.value for r in references if r.qualifier == "ON"]
    packages = _packages(reader, shipment)
    despatch_lines = reader.findall(root, "cac:DespatchLine")
    if not despatch_lines:
        reader.error("MISSING_ELEMENT", "the despatch advice has no lines (cac:DespatchLine)", root)
    lines = [
        line
        for line in (_line(reader, e, order_numbers, packages) for e in despatch_lines)
        if line is not None
    ]
    for line in lines:
        if line.order_number is not None and line.order_number not in order_numbers:
            order_numbers.append(line.order_number)
    stage = reader.find(shipment, "cac:ShipmentStage")
    carrier = reader.party(reader.find(stage, "cac:CarrierParty")) or reader.party(
        reader.find(delivery, "cac:CarrierParty")
    )
    count = reader.decimal(reader.find(shipment, "cbc:TotalTransportHandlingUnitQuantity"), "package count")
    seller = reader.party(reader.find(root, "cac:SellerSupplierParty/cac:Party"))
    ship_from = reader.party(reader.find(root, "cac:DespatchSupplierParty/cac:Party"))
    gross_weight = _measure(reader, reader.find(shipment, "cbc:GrossWeightMeasure"), "gross weight")
    buyer = reader.party(reader.find(root, "cac:BuyerCustomerParty/cac:Party"))
    ship_to = reader.party(reader.find(root, "cac:DeliveryCustomerParty/cac:Party"))
    if reader.errors or number is None:
        return MapResult(document=None, errors=reader.errors)
    document = DeliveryNote(
        number=number,
        issue_date=issue_date,
        despatch_date=despatch_date,
        delivery_date=delivery_date,
        order_numbers=order_numbers,
        buyer=buyer,
        seller=seller or ship_from,
        ship_to=ship_to,
        ship_from=ship_from,
        carrier=carrier,
        transport_mode=reader.text_at(stage, "cbc:TransportModeCode"),
        transport_reference=reader.text_at(shipment, "cac:Consignment/cbc:CarrierAssignedID"),
        gross_weight=gross_weight,
        package_count=int(count) if count is not None and count == count.to_integral_value() else None,
        notes=reader.notes(root),
        references=references,
        packages=packages,
        lines=lines,
    )
    return MapResult(document=document, errors=[])
