"""Canonical document → UBL 2.1 XML (``edigate translate --format ubl`` and outbound UBL partners).

Elements are written in the order the UBL 2.1 schemas' sequences require, with the standard
prefixes (``cac``/``cbc``), amounts with ``currencyID`` and quantities with ``unitCode``. GLNs are
written with ISO 6523 ICD ``0088`` (as Peppol does), GTINs with ``0160``.

What the reader in :mod:`translators.xml.ubl` produces, this writer writes back so that reading the
output gives the same canonical document. Some canonical fields have no UBL element and are not
written: a purchase order's ``message_function`` (EDIFACT only), an order response line's
``ordered_quantity``, a package's ``parent_id``, an invoice's ``invoicee`` and the day counts of
payment terms. A reference whose qualifier UBL has no element for becomes an
``AdditionalDocumentReference`` with the qualifier as ``cbc:DocumentType``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from lxml import etree

from translators.documents.common import AllowanceCharge, InvoiceParty, Party, Reference
from translators.documents.delivery_note import DeliveryNote
from translators.documents.invoice import Invoice
from translators.documents.order_response import OrderResponse
from translators.documents.purchase_order import PurchaseOrder
from translators.xml.namespaces import UBL_CAC, UBL_CBC, ubl_namespace
from translators.xml.ubl.order_response import LINE_STATUS_CODES, RESPONSE_CODES

GLN_SCHEME = "0088"
GTIN_SCHEME = "0160"

_RESPONSE_TYPE_CODES: Mapping[str, str] = MappingProxyType(
    {"accepted": "AP", "rejected": "RE", "changed": "CA"}
)
_LINE_STATUS_CODES: Mapping[str, str] = MappingProxyType(
    {"accepted": "5", "changed": "3", "rejected": "7", "added": "1", "backordered": "3"}
)
_INVOICE_TYPE_CODES: Mapping[str, str] = MappingProxyType(
    {"invoice": "380", "credit_note": "381", "debit_note": "383", "corrected": "384"}
)

# Reference qualifier → UBL element per document (in schema order); others are "additional".
_ORDER_REFERENCE_ELEMENTS = (
    "QuotationDocumentReference",
    "OrderDocumentReference",
    "OriginatorDocumentReference",
    "AdditionalDocumentReference",
    "Contract",
)
_INVOICE_REFERENCE_ELEMENTS = (
    "OrderReference",
    "BillingReference",
    "DespatchDocumentReference",
    "ReceiptDocumentReference",
    "ContractDocumentReference",
    "AdditionalDocumentReference",
)
_QUALIFIER_ELEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "ON": "OrderReference",
        "IV": "BillingReference",
        "AAK": "DespatchDocumentReference",
        "ReceiptDocumentReference": "ReceiptDocumentReference",
        "QuotationDocumentReference": "QuotationDocumentReference",
        "OrderDocumentReference": "OrderDocumentReference",
        "OriginatorDocumentReference": "OriginatorDocumentReference",
    }
)

UblDocument = PurchaseOrder | OrderResponse | DeliveryNote | Invoice


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Writer:
    """Builds one UBL document; holds only the document currency."""

    def __init__(self, currency: str | None) -> None:
        self.currency = currency

    # -- primitives -----------------------------------------------------------------------------

    @staticmethod
    def cbc(parent: etree._Element, name: str, value: object | None, **attributes: str | None) -> None:
        """``<cbc:name>value</cbc:name>`` when value is not None."""
        if value is None:
            return
        element = etree.SubElement(parent, f"{{{UBL_CBC}}}{name}")
        element.text = _text(value)
        for key, attribute in attributes.items():
            if attribute is not None:
                element.set(key, attribute)

    @staticmethod
    def cac(parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{UBL_CAC}}}{name}")

    def amount(self, parent: etree._Element, name: str, value: Decimal | None) -> None:
        self.cbc(parent, name, value, currencyID=self.currency)

    def quantity(self, parent: etree._Element, name: str, value: Decimal | None, unit: str | None) -> None:
        self.cbc(parent, name, value, unitCode=unit)

    # -- components -----------------------------------------------------------------------------

    def address(self, parent: etree._Element, name: str, party: Party) -> None:
        address = party.address
        if address is None:
            return
        element = self.cac(parent, name)
        self.cbc(element, "StreetName", address.street)
        self.cbc(element, "CityName", address.city)
        self.cbc(element, "PostalZone", address.postal_code)
        if address.country is not None:
            self.cbc(self.cac(element, "Country"), "IdentificationCode", address.country)

    def party(self, parent: etree._Element, name: str | None, party: Party | None) -> None:
        """``cac:<name>/cac:Party`` (or ``cac:Party`` directly when name is None) from a Party."""
        if party is None:
            return
        element = self.cac(self.cac(parent, name), "Party") if name else self.cac(parent, "Party")
        self.cbc(element, "EndpointID", party.gln, schemeID=GLN_SCHEME)
        if party.gln is not None:
            self.cbc(self.cac(element, "PartyIdentification"), "ID", party.gln, schemeID=GLN_SCHEME)
        if party.party_id is not None:
            identification = self.cac(element, "PartyIdentification")
            self.cbc(identification, "ID", party.party_id, schemeAgencyID=party.party_id_agency)
        if party.name is not None:
            self.cbc(self.cac(element, "PartyName"), "Name", party.name)
        self.address(element, "PostalAddress", party)
        if isinstance(party, InvoiceParty) and party.vat_id is not None:
            scheme = self.cac(element, "PartyTaxScheme")
            self.cbc(scheme, "CompanyID", party.vat_id)
            self.cbc(self.cac(scheme, "TaxScheme"), "ID", "VAT")

    def party_as(self, parent: etree._Element, name: str, party: Party | None) -> None:
        """A party element that *is* a PartyType (``cac:PayeeParty``)."""
        if party is None:
            return
        holder = etree.Element("holder")
        self.party(holder, None, party)
        written = holder[0]
        written.tag = f"{{{UBL_CAC}}}{name}"
        parent.append(written)

    def location(self, delivery: etree._Element, party: Party | None) -> None:
        if party is None:
            return
        location = self.cac(delivery, "DeliveryLocation")
        if party.gln is not None:
            self.cbc(location, "ID", party.gln, schemeID=GLN_SCHEME)
        elif party.party_id is not None:
            self.cbc(location, "ID", party.party_id, schemeAgencyID=party.party_id_agency)
        self.cbc(location, "Name", party.name)
        self.address(location, "Address", party)

    def item(
        self,
        parent: etree._Element,
        line: object,
        *,
        lot: tuple[str | None, dt.date | None] = (None, None),
        tax: tuple[str | None, Decimal | None] = (None, None),
    ) -> None:
        item = self.cac(parent, "Item")
        self.cbc(item, "Name", getattr(line, "description", None))
        for element, attribute in (
            ("BuyersItemIdentification", "buyer_item_id"),
            ("SellersItemIdentification", "seller_item_id"),
        ):
            value = getattr(line, attribute, None)
            if value is not None:
                self.cbc(self.cac(item, element), "ID", value)
        gtin = getattr(line, "gtin", None)
        if gtin is not None:
            self.cbc(self.cac(item, "StandardItemIdentification"), "ID", gtin, schemeID=GTIN_SCHEME)
        category, rate = tax
        if category is not None or rate is not None:
            classified = self.cac(item, "ClassifiedTaxCategory")
            self.cbc(classified, "ID", category)
            self.cbc(classified, "Percent", rate)
            self.cbc(self.cac(classified, "TaxScheme"), "ID", "VAT")
        number, expiry = lot
        if number is not None or expiry is not None:
            identification = self.cac(self.cac(item, "ItemInstance"), "LotIdentification")
            self.cbc(identification, "LotNumberID", number)
            self.cbc(identification, "ExpiryDate", expiry)

    def reference(self, parent: etree._Element, element_name: str, reference: Reference) -> None:
        element = self.cac(parent, element_name)
        if element_name == "BillingReference":
            element = self.cac(element, "InvoiceDocumentReference")
        self.cbc(element, "ID", reference.value)
        self.cbc(element, "IssueDate", reference.date)
        if (
            element_name == "AdditionalDocumentReference"
            and reference.qualifier != "AdditionalDocumentReference"
        ):
            self.cbc(element, "DocumentType", reference.qualifier)

    def references(
        self, parent: etree._Element, references: list[Reference], elements: tuple[str, ...], contract: str
    ) -> None:
        """References grouped by UBL element in schema order; VN rides on the OrderReference."""
        sales_order = next((r.value for r in references if r.qualifier == "VN"), None)
        for element_name in elements:
            for reference in references:
                if reference.qualifier == "VN":
                    continue
                target = (
                    contract if reference.qualifier == "CT" else _QUALIFIER_ELEMENTS.get(reference.qualifier)
                )
                if target is None or target not in elements:
                    target = "AdditionalDocumentReference"
                if target != element_name:
                    continue
                self.reference(parent, element_name, reference)
                if element_name == "OrderReference" and sales_order is not None:
                    order_reference = parent[-1]
                    sales = etree.Element(f"{{{UBL_CBC}}}SalesOrderID")
                    sales.text = sales_order
                    order_reference.insert(1, sales)
                    sales_order = None

    def allowance_charge(self, parent: etree._Element, allowance: AllowanceCharge) -> None:
        element = self.cac(parent, "AllowanceCharge")
        self.cbc(element, "ChargeIndicator", "true" if allowance.is_charge else "false")
        self.cbc(element, "AllowanceChargeReasonCode", allowance.reason_code)
        self.cbc(element, "AllowanceChargeReason", allowance.reason)
        self.cbc(element, "MultiplierFactorNumeric", allowance.percent)
        self.amount(element, "Amount", allowance.amount)
        self.amount(element, "BaseAmount", allowance.base_amount)
        if allowance.tax_category is not None or allowance.tax_rate is not None:
            category = self.cac(element, "TaxCategory")
            self.cbc(category, "ID", allowance.tax_category)
            self.cbc(category, "Percent", allowance.tax_rate)
            self.cbc(self.cac(category, "TaxScheme"), "ID", "VAT")

    # -- documents ------------------------------------------------------------------------------

    def header(self, root: etree._Element, number: str) -> None:
        self.cbc(root, "UBLVersionID", "2.1")
        self.cbc(root, "ID", number)

    def order(self, doc: PurchaseOrder) -> etree._Element:
        root = _root("Order")
        self.header(root, doc.number)
        self.cbc(root, "IssueDate", doc.issue_date)
        self.cbc(root, "OrderTypeCode", doc.document_name_code)
        for note in doc.notes:
            self.cbc(root, "Note", note)
        self.cbc(root, "DocumentCurrencyCode", doc.currency)
        self.cbc(root, "LineCountNumeric", doc.line_count)
        self.references(root, doc.references, _ORDER_REFERENCE_ELEMENTS, "Contract")
        self.party(root, "BuyerCustomerParty", doc.buyer)
        self.party(root, "SellerSupplierParty", doc.seller)
        self.party(root, "AccountingCustomerParty", doc.invoicee)
        if doc.ship_to is not None or doc.requested_delivery_date is not None:
            delivery = self.cac(root, "Delivery")
            self.location(delivery, doc.ship_to)
            if doc.requested_delivery_date is not None:
                self.cbc(
                    self.cac(delivery, "RequestedDeliveryPeriod"), "StartDate", doc.requested_delivery_date
                )
        if doc.total_amount is not None:
            self.amount(self.cac(root, "AnticipatedMonetaryTotal"), "PayableAmount", doc.total_amount)
        for line in doc.lines:
            order_line = self.cac(root, "OrderLine")
            for note in line.notes:
                self.cbc(order_line, "Note", note)
            item_line = self.cac(order_line, "LineItem")
            self.cbc(item_line, "ID", line.line_number)
            self.quantity(item_line, "Quantity", line.quantity, line.unit)
            self.amount(item_line, "LineExtensionAmount", line.line_amount)
            if line.requested_delivery_date is not None:
                period = self.cac(self.cac(item_line, "Delivery"), "RequestedDeliveryPeriod")
                self.cbc(period, "StartDate", line.requested_delivery_date)
            if line.unit_price is not None:
                price = self.cac(item_line, "Price")
                self.amount(price, "PriceAmount", line.unit_price)
                self.quantity(price, "BaseQuantity", line.price_basis_quantity, line.unit)
            self.item(item_line, line)
        return root

    def order_response(self, doc: OrderResponse) -> etree._Element:
        root = _root("OrderResponse")
        self.header(root, doc.number)
        self.cbc(root, "IssueDate", doc.issue_date)
        code = doc.response_code if doc.response_code in RESPONSE_CODES else None
        statuses = {line.line_status for line in doc.lines}
        derived = (
            "accepted" if statuses <= {"accepted"} else "rejected" if statuses == {"rejected"} else "changed"
        )
        if code is None and derived != doc.response_type:
            code = _RESPONSE_TYPE_CODES[doc.response_type]
        self.cbc(root, "OrderResponseCode", code)
        for note in doc.notes:
            self.cbc(root, "Note", note)
        self.cbc(root, "DocumentCurrencyCode", doc.currency)
        references = list(doc.references)
        if not any(r.qualifier == "ON" and r.value == doc.order_number for r in references):
            references.insert(
                0, Reference(qualifier="ON", type="buyer_order", value=doc.order_number, date=doc.order_date)
            )
        self.references(
            root, references, ("OrderReference", "AdditionalDocumentReference", "Contract"), "Contract"
        )
        self.party(root, "SellerSupplierParty", doc.seller or Party())
        self.party(root, "BuyerCustomerParty", doc.buyer or Party())
        if doc.ship_to is not None or doc.delivery_date is not None:
            delivery = self.cac(root, "Delivery")
            self.location(delivery, doc.ship_to)
            if doc.delivery_date is not None:
                self.cbc(self.cac(delivery, "PromisedDeliveryPeriod"), "StartDate", doc.delivery_date)
        default = "rejected" if doc.response_type == "rejected" else "accepted"
        for line in doc.lines:
            order_line = self.cac(root, "OrderLine")
            for note in line.notes:
                self.cbc(order_line, "Note", note)
            item_line = self.cac(order_line, "LineItem")
            self.cbc(item_line, "ID", line.line_number)
            status_code = line.line_status_code if line.line_status_code in LINE_STATUS_CODES else None
            if status_code is None and line.line_status != default:
                status_code = _LINE_STATUS_CODES[line.line_status]
            self.cbc(item_line, "LineStatusCode", status_code)
            self.quantity(item_line, "Quantity", line.confirmed_quantity, line.unit)
            if line.delivery_date is not None:
                period = self.cac(self.cac(item_line, "Delivery"), "PromisedDeliveryPeriod")
                self.cbc(period, "StartDate", line.delivery_date)
            if line.unit_price is not None:
                price = self.cac(item_line, "Price")
                self.amount(price, "PriceAmount", line.unit_price)
                self.quantity(price, "BaseQuantity", line.price_basis_quantity, line.unit)
            self.item(item_line, line)
            for reference in line.references:
                if reference.qualifier == "LI":
                    self.cbc(self.cac(order_line, "OrderLineReference"), "LineID", reference.value)
        return root

    def despatch_advice(self, doc: DeliveryNote) -> etree._Element:
        root = _root("DespatchAdvice")
        self.header(root, doc.number)
        self.cbc(root, "IssueDate", doc.issue_date)
        for note in doc.notes:
            self.cbc(root, "Note", note)
        references = list(doc.references)
        for number in doc.order_numbers:
            if not any(r.qualifier == "ON" and r.value == number for r in references) and not any(
                line.order_number == number for line in doc.lines
            ):
                references.append(Reference(qualifier="ON", type="buyer_order", value=number))
        self.references(root, references, ("OrderReference", "AdditionalDocumentReference"), "Contract")
        self.party(root, "DespatchSupplierParty", doc.ship_from or doc.seller or Party())
        self.party(root, "DeliveryCustomerParty", doc.ship_to or doc.buyer or Party())
        self.party(root, "BuyerCustomerParty", doc.buyer)
        if doc.seller is not None and doc.seller != doc.ship_from:
            self.party(root, "SellerSupplierParty", doc.seller)
        shipment = self.cac(root, "Shipment")
        self.cbc(shipment, "ID", "1")
        if doc.gross_weight is not None:
            self.quantity(shipment, "GrossWeightMeasure", doc.gross_weight.value, doc.gross_weight.unit)
        self.cbc(shipment, "TotalTransportHandlingUnitQuantity", doc.package_count)
        if doc.transport_reference is not None:
            consignment = self.cac(shipment, "Consignment")
            self.cbc(consignment, "ID", "1")
            self.cbc(consignment, "CarrierAssignedID", doc.transport_reference)
        if doc.transport_mode is not None or doc.carrier is not None:
            stage = self.cac(shipment, "ShipmentStage")
            self.cbc(stage, "TransportModeCode", doc.transport_mode)
            self.party_as(stage, "CarrierParty", doc.carrier)
        if doc.despatch_date is not None or doc.delivery_date is not None:
            delivery = self.cac(shipment, "Delivery")
            if doc.delivery_date is not None:
                self.cbc(self.cac(delivery, "EstimatedDeliveryPeriod"), "StartDate", doc.delivery_date)
            if doc.despatch_date is not None:
                self.cbc(self.cac(delivery, "Despatch"), "ActualDespatchDate", doc.despatch_date)
        for package in doc.packages:
            unit = self.cac(shipment, "TransportHandlingUnit")
            self.cbc(unit, "ID", package.sscc)
            self.cbc(unit, "TransportHandlingUnitTypeCode", package.package_type)
            self.cbc(unit, "TotalPackageQuantity", package.package_count)
            if package.gross_weight is not None:
                dimension = self.cac(unit, "MeasurementDimension")
                self.cbc(dimension, "AttributeID", "AAB")
                self.quantity(dimension, "Measure", package.gross_weight.value, package.gross_weight.unit)
        for line in doc.lines:
            element = self.cac(root, "DespatchLine")
            self.cbc(element, "ID", line.line_number)
            for note in line.notes:
                self.cbc(element, "Note", note)
            self.quantity(element, "DeliveredQuantity", line.quantity, line.unit)
            if line.order_line_number is not None:
                reference = self.cac(element, "OrderLineReference")
                self.cbc(reference, "LineID", line.order_line_number)
                if line.order_number is not None:
                    self.cbc(self.cac(reference, "OrderReference"), "ID", line.order_number)
            self.item(element, line, lot=(line.batch_number, line.best_before_date))
            if line.sscc is not None:
                line_shipment = self.cac(element, "Shipment")
                self.cbc(line_shipment, "ID", "1")
                self.cbc(self.cac(line_shipment, "TransportHandlingUnit"), "ID", line.sscc)
        return root

    def invoice(self, doc: Invoice) -> etree._Element:
        credit = doc.invoice_type == "credit_note"
        name = "CreditNote" if credit else "Invoice"
        root = _root(name)
        self.header(root, doc.number)
        self.cbc(root, "IssueDate", doc.issue_date)
        if not credit:
            self.cbc(root, "DueDate", doc.due_date)
        else:
            self.cbc(root, "TaxPointDate", doc.tax_point_date)
        self.cbc(root, f"{name}TypeCode", doc.type_code or _INVOICE_TYPE_CODES[doc.invoice_type])
        for note in doc.notes:
            self.cbc(root, "Note", note)
        if not credit:
            self.cbc(root, "TaxPointDate", doc.tax_point_date)
        self.cbc(root, "DocumentCurrencyCode", doc.currency)
        references = list(doc.references)
        for qualifier, value in (
            ("ON", doc.order_number),
            ("IV", doc.preceding_invoice_number),
            ("AAK", doc.delivery_note_number),
            ("CT", doc.contract_number),
        ):
            if value is not None and not any(r.qualifier == qualifier for r in references):
                references.append(Reference(qualifier=qualifier, value=value))
        self.references(root, references, _INVOICE_REFERENCE_ELEMENTS, "ContractDocumentReference")
        self.party(root, "AccountingSupplierParty", doc.seller or Party())
        self.party(root, "AccountingCustomerParty", doc.buyer or Party())
        self.party_as(root, "PayeeParty", doc.payee)
        if doc.ship_to is not None:
            self.location(self.cac(root, "Delivery"), doc.ship_to)
        if credit and doc.due_date is not None:
            means = self.cac(root, "PaymentMeans")
            self.cbc(means, "PaymentMeansCode", "1")
            self.cbc(means, "PaymentDueDate", doc.due_date)
        for term in doc.payment_terms:
            element = self.cac(root, "PaymentTerms")
            self.cbc(element, "Note", term.description)
            self.cbc(element, "SettlementDiscountPercent", term.discount_percent)
            self.amount(element, "SettlementDiscountAmount", term.discount_amount)
            self.cbc(element, "PaymentDueDate", term.due_date)
        for allowance in doc.allowances_charges:
            self.allowance_charge(root, allowance)
        totals = doc.totals
        if totals.tax_total is not None or doc.tax_breakdown:
            tax_total = self.cac(root, "TaxTotal")
            self.amount(tax_total, "TaxAmount", totals.tax_total)
            for row in doc.tax_breakdown:
                subtotal = self.cac(tax_total, "TaxSubtotal")
                self.amount(subtotal, "TaxableAmount", row.taxable_amount)
                self.amount(subtotal, "TaxAmount", row.tax_amount)
                category = self.cac(subtotal, "TaxCategory")
                self.cbc(category, "ID", row.tax_category)
                self.cbc(category, "Percent", row.tax_rate)
                self.cbc(category, "TaxExemptionReason", row.exemption_reason)
                self.cbc(self.cac(category, "TaxScheme"), "ID", "VAT")
        monetary = self.cac(root, "LegalMonetaryTotal")
        for element_name, value in (
            ("LineExtensionAmount", totals.line_net_total),
            ("TaxExclusiveAmount", totals.tax_exclusive_amount),
            ("TaxInclusiveAmount", totals.tax_inclusive_amount),
            ("AllowanceTotalAmount", totals.allowance_total),
            ("ChargeTotalAmount", totals.charge_total),
            ("PrepaidAmount", totals.prepaid_amount),
            ("PayableRoundingAmount", totals.rounding_amount),
            ("PayableAmount", totals.payable_amount),
        ):
            self.amount(monetary, element_name, value)
        for line in doc.lines:
            element = self.cac(root, f"{name}Line")
            self.cbc(element, "ID", line.line_number)
            for note in line.notes:
                self.cbc(element, "Note", note)
            self.quantity(
                element, "CreditedQuantity" if credit else "InvoicedQuantity", line.quantity, line.unit
            )
            self.amount(element, "LineExtensionAmount", line.line_net_amount)
            if line.order_line_number is not None:
                self.cbc(self.cac(element, "OrderLineReference"), "LineID", line.order_line_number)
            for allowance in line.allowances_charges:
                self.allowance_charge(element, allowance)
            self.item(element, line, tax=(line.tax_category, line.tax_rate))
            if line.unit_price is not None or line.gross_price is not None:
                price = self.cac(element, "Price")
                self.amount(price, "PriceAmount", line.unit_price)
                self.quantity(price, "BaseQuantity", line.price_basis_quantity, line.unit)
                if line.gross_price is not None:
                    discount = self.cac(price, "AllowanceCharge")
                    self.cbc(discount, "ChargeIndicator", "false")
                    net = line.unit_price if line.unit_price is not None else line.gross_price
                    self.amount(discount, "Amount", line.gross_price - net)
                    self.amount(discount, "BaseAmount", line.gross_price)
        return root


def _root(document_type: str) -> etree._Element:
    return etree.Element(
        f"{{{ubl_namespace(document_type)}}}{document_type}",
        nsmap={None: ubl_namespace(document_type), "cac": UBL_CAC, "cbc": UBL_CBC},
    )


def to_ubl(document: UblDocument) -> bytes:
    """Render a canonical PurchaseOrder, OrderResponse, DeliveryNote or Invoice as UBL 2.1 XML (UTF-8).

    An Invoice whose ``invoice_type`` is ``credit_note`` becomes a UBL CreditNote. Raises TypeError
    for anything else.
    """
    writer = _Writer(getattr(document, "currency", None))
    if isinstance(document, PurchaseOrder):
        root = writer.order(document)
    elif isinstance(document, OrderResponse):
        root = writer.order_response(document)
    elif isinstance(document, DeliveryNote):
        root = writer.despatch_advice(document)
    elif isinstance(document, Invoice):
        root = writer.invoice(document)
    else:
        raise TypeError(f"no UBL rendering for {type(document).__name__}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
