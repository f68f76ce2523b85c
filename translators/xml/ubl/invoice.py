"""UBL 2.1 Invoice and CreditNote → canonical Invoice (EN 16931 semantics).

Amounts are taken as the supplier stated them and then checked against each other with the EN 16931
rules (BR-CO-10 line total, BR-CO-13 tax-exclusive, BR-CO-14 tax total, BR-CO-15 tax-inclusive,
BR-CO-16 amount due, BR-CO-11/12 allowance and charge totals). A mismatch is a located
``TOTAL_MISMATCH`` error, never a silent correction: the ERP must book what the supplier claims or
reject it. Only the ``cac:TaxTotal`` in the document currency counts; EN 16931 allows a second one
in the tax accounting currency (BT-111), which is ignored here.

``MultiplierFactorNumeric`` of an allowance or charge is read as a percentage (``20`` = 20 %), as
the EN 16931 UBL binding and Peppol use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from lxml import etree

from translators.documents.common import AllowanceCharge, InvoiceParty, Party
from translators.documents.invoice import (
    Invoice,
    InvoiceLine,
    InvoiceTotals,
    InvoiceType,
    PaymentTerms,
    TaxBreakdown,
)
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.parser import XmlDocument
from translators.xml.ubl.components import UblReader

INVOICE_TYPES: Mapping[str, InvoiceType] = MappingProxyType(
    {"380": "invoice", "381": "credit_note", "383": "debit_note", "384": "corrected"}
)
"""UNCL 1001 type code → invoice_type; other codes (386 prepayment, 389 self-billed …) are invoices."""

INVOICE_REFERENCES = (
    "cac:OrderReference",
    "cac:BillingReference/cac:InvoiceDocumentReference",
    "cac:DespatchDocumentReference",
    "cac:ReceiptDocumentReference",
    "cac:ContractDocumentReference",
    "cac:AdditionalDocumentReference",
)

_TOTAL_ELEMENTS = (
    ("line_net_total", "cbc:LineExtensionAmount", "sum of line net amounts"),
    ("allowance_total", "cbc:AllowanceTotalAmount", "allowance total"),
    ("charge_total", "cbc:ChargeTotalAmount", "charge total"),
    ("tax_exclusive_amount", "cbc:TaxExclusiveAmount", "tax exclusive amount"),
    ("tax_inclusive_amount", "cbc:TaxInclusiveAmount", "tax inclusive amount"),
    ("prepaid_amount", "cbc:PrepaidAmount", "prepaid amount"),
    ("rounding_amount", "cbc:PayableRoundingAmount", "rounding amount"),
    ("payable_amount", "cbc:PayableAmount", "amount due"),
)


class _InvoiceMapper:
    """State of one map_ubl_invoice call."""

    def __init__(self, doc: XmlDocument, codes: CodeLookup) -> None:
        self.root = doc.root
        self.credit_note = doc.document_type == "CreditNote"
        self.reader = UblReader(doc.root, codes)
        prefix = "CreditNote" if self.credit_note else "Invoice"
        self.line_tag = f"cac:{prefix}Line"
        self.quantity_tag = "cbc:CreditedQuantity" if self.credit_note else "cbc:InvoicedQuantity"
        self.type_tag = f"cbc:{prefix}TypeCode"

    # -- components -----------------------------------------------------------------------------

    def invoice_party(self, party: etree._Element | None) -> InvoiceParty | None:
        """A Party plus its VAT id (PartyTaxScheme/CompanyID with TaxScheme VAT, else the first one)."""
        reader = self.reader
        base = reader.party(party)
        if base is None:
            return None
        vat_id = None
        for scheme in reader.findall(party, "cac:PartyTaxScheme"):
            company_id = reader.text_at(scheme, "cbc:CompanyID")
            if company_id is not None and (
                vat_id is None or reader.text_at(scheme, "cac:TaxScheme/cbc:ID") == "VAT"
            ):
                vat_id = company_id
        return InvoiceParty(**base.model_dump(), vat_id=vat_id)

    def allowance_charge(self, element: etree._Element, where: str) -> AllowanceCharge | None:
        reader = self.reader
        indicator_element = reader.find(element, "cbc:ChargeIndicator")
        if indicator_element is None:
            reader.error("MISSING_ELEMENT", f"{where} allowance/charge has no cbc:ChargeIndicator", element)
        is_charge = reader.boolean(indicator_element, "charge indicator")
        amount_element = reader.find(element, "cbc:Amount")
        if amount_element is None:
            reader.error("MISSING_ELEMENT", f"{where} allowance/charge has no cbc:Amount", element)
        amount = reader.amount(amount_element, f"{where} allowance/charge amount", required=True)
        base_amount = reader.amount(reader.find(element, "cbc:BaseAmount"), "allowance/charge base amount")
        percent = reader.decimal(
            reader.find(element, "cbc:MultiplierFactorNumeric"), "allowance/charge percent"
        )
        rate = reader.decimal(
            reader.find(element, "cac:TaxCategory/cbc:Percent"), "allowance/charge tax rate"
        )
        if is_charge is None or amount is None:
            return None
        return AllowanceCharge(
            is_charge=is_charge,
            amount=amount,
            reason=reader.free_text(reader.find(element, "cbc:AllowanceChargeReason")),
            reason_code=reader.text_at(element, "cbc:AllowanceChargeReasonCode"),
            base_amount=base_amount,
            percent=percent,
            tax_category=reader.text_at(element, "cac:TaxCategory/cbc:ID"),
            tax_rate=rate,
        )

    def line(self, element: etree._Element) -> InvoiceLine | None:
        reader = self.reader
        number = reader.required_text(element, reader.find(element, "cbc:ID"), "line id", "cbc:ID")
        quantity_element = reader.find(element, self.quantity_tag)
        if quantity_element is None:
            reader.error("MISSING_ELEMENT", f"line {number or '?'} has no {self.quantity_tag}", element)
        quantity, unit = reader.quantity(quantity_element, "invoiced quantity", required=True)
        net_element = reader.find(element, "cbc:LineExtensionAmount")
        if net_element is None:
            reader.error("MISSING_ELEMENT", f"line {number or '?'} has no cbc:LineExtensionAmount", element)
        net = reader.amount(net_element, "line net amount", required=True)
        price = reader.find(element, "cac:Price")
        unit_price = reader.amount(reader.find(price, "cbc:PriceAmount"), "net price")
        basis, _ = reader.quantity(reader.find(price, "cbc:BaseQuantity"), "price base quantity")
        gross = reader.amount(reader.find(price, "cac:AllowanceCharge/cbc:BaseAmount"), "gross price")
        item_element = reader.find(element, "cac:Item")
        category = reader.find(item_element, "cac:ClassifiedTaxCategory")
        rate = reader.decimal(reader.find(category, "cbc:Percent"), "line tax rate")
        allowances = [
            a
            for a in (
                self.allowance_charge(e, "line") for e in reader.findall(element, "cac:AllowanceCharge")
            )
            if a is not None
        ]
        item = reader.item(item_element)
        if number is None or quantity is None or net is None:
            return None
        return InvoiceLine(
            line_number=number,
            gtin=item.gtin,
            buyer_item_id=item.buyer_item_id,
            seller_item_id=item.seller_item_id,
            erp_item_id=item.erp_item_id,
            description=item.description,
            quantity=quantity,
            unit=unit,
            notes=reader.notes(element),
            unit_price=unit_price,
            price_basis_quantity=basis,
            gross_price=gross,
            line_net_amount=net,
            tax_category=reader.text_at(category, "cbc:ID"),
            tax_rate=rate,
            order_line_number=reader.text_at(element, "cac:OrderLineReference/cbc:LineID"),
            allowances_charges=allowances,
        )

    def tax_total(self) -> tuple[etree._Element | None, Decimal | None, list[TaxBreakdown]]:
        """The TaxTotal in the document currency: its element, amount and breakdown."""
        reader = self.reader
        chosen = None
        for candidate in reader.findall(self.root, "cac:TaxTotal"):
            currency = reader.raw(reader.find(candidate, "cbc:TaxAmount"), "currencyID")
            if currency is None or reader.currency is None or currency == reader.currency:
                chosen = candidate
                break
        if chosen is None:
            return None, None, []
        amount = reader.amount(reader.find(chosen, "cbc:TaxAmount"), "tax total", required=True)
        breakdown: list[TaxBreakdown] = []
        for subtotal in reader.findall(chosen, "cac:TaxSubtotal"):
            category = reader.find(subtotal, "cac:TaxCategory")
            category_id = reader.required_text(
                subtotal, reader.find(category, "cbc:ID"), "tax category", "cac:TaxCategory/cbc:ID"
            )
            taxable = reader.amount(
                reader.find(subtotal, "cbc:TaxableAmount"), "taxable amount", required=True
            )
            tax = reader.amount(reader.find(subtotal, "cbc:TaxAmount"), "tax amount", required=True)
            rate = reader.decimal(reader.find(category, "cbc:Percent"), "tax rate")
            for what, value, path in (
                ("taxable amount", taxable, "cbc:TaxableAmount"),
                ("tax amount", tax, "cbc:TaxAmount"),
            ):
                if value is None and reader.find(subtotal, path) is None:
                    reader.error("MISSING_ELEMENT", f"tax subtotal has no {what} ({path})", subtotal)
            if category_id is None or taxable is None or tax is None:
                continue
            breakdown.append(
                TaxBreakdown(
                    tax_category=category_id,
                    tax_rate=rate,
                    taxable_amount=taxable,
                    tax_amount=tax,
                    exemption_reason=reader.free_text(reader.find(category, "cbc:TaxExemptionReason"))
                    or reader.text_at(category, "cbc:TaxExemptionReasonCode"),
                )
            )
        return chosen, amount, breakdown

    def payment_terms(self) -> list[PaymentTerms]:
        reader = self.reader
        terms: list[PaymentTerms] = []
        for element in reader.findall(self.root, "cac:PaymentTerms"):
            notes = reader.notes(element)
            term = PaymentTerms(
                description=" ".join(notes) or None,
                due_date=reader.date(reader.find(element, "cbc:PaymentDueDate"), "payment due date"),
                discount_percent=reader.decimal(
                    reader.find(element, "cbc:SettlementDiscountPercent"), "settlement discount percent"
                ),
                discount_amount=reader.amount(
                    reader.find(element, "cbc:SettlementDiscountAmount"), "discount"
                ),
            )
            if any(v is not None for v in term.model_dump().values()):
                terms.append(term)
        return terms

    # -- checks ---------------------------------------------------------------------------------

    def check(
        self, element: etree._Element | None, stated: Decimal | None, expected: Decimal, rule: str
    ) -> None:
        if element is None or stated is None or stated == expected:
            return
        self.reader.error(
            "TOTAL_MISMATCH", f"{rule}: stated {stated}, the document's own figures give {expected}", element
        )

    def check_totals(
        self,
        monetary: etree._Element,
        totals: InvoiceTotals,
        lines: list[InvoiceLine],
        allowances: list[AllowanceCharge],
        tax: tuple[etree._Element | None, list[TaxBreakdown]],
    ) -> None:
        """EN 16931 BR-CO-10 … BR-CO-16, each reported on the element that states the total."""
        find = self.reader.find
        zero = Decimal(0)
        line_sum = sum((line.line_net_amount or zero for line in lines), zero)
        self.check(
            find(monetary, "cbc:LineExtensionAmount"), totals.line_net_total, line_sum, "BR-CO-10 line total"
        )
        allowance_sum = sum((a.amount for a in allowances if not a.is_charge), zero)
        charge_sum = sum((a.amount for a in allowances if a.is_charge), zero)
        self.check(
            find(monetary, "cbc:AllowanceTotalAmount"),
            totals.allowance_total,
            allowance_sum,
            "BR-CO-11 allowance total",
        )
        self.check(
            find(monetary, "cbc:ChargeTotalAmount"), totals.charge_total, charge_sum, "BR-CO-12 charge total"
        )
        if totals.line_net_total is not None:
            exclusive = (
                totals.line_net_total - (totals.allowance_total or zero) + (totals.charge_total or zero)
            )
            self.check(
                find(monetary, "cbc:TaxExclusiveAmount"),
                totals.tax_exclusive_amount,
                exclusive,
                "BR-CO-13 tax exclusive amount",
            )
        tax_element, breakdown = tax
        if tax_element is not None and breakdown:
            tax_sum = sum((b.tax_amount for b in breakdown), zero)
            self.check(find(tax_element, "cbc:TaxAmount"), totals.tax_total, tax_sum, "BR-CO-14 tax total")
        if totals.tax_exclusive_amount is not None:
            inclusive = totals.tax_exclusive_amount + (totals.tax_total or zero)
            self.check(
                find(monetary, "cbc:TaxInclusiveAmount"),
                totals.tax_inclusive_amount,
                inclusive,
                "BR-CO-15 tax inclusive amount",
            )
        if totals.tax_inclusive_amount is not None:
            payable = (
                totals.tax_inclusive_amount
                - (totals.prepaid_amount or zero)
                + (totals.rounding_amount or zero)
            )
            self.check(
                find(monetary, "cbc:PayableAmount"), totals.payable_amount, payable, "BR-CO-16 amount due"
            )

    # -- the whole map --------------------------------------------------------------------------

    def run(self) -> MapResult[Invoice]:
        root, reader = self.root, self.reader
        kind = "credit note" if self.credit_note else "invoice"
        number = reader.required_text(root, reader.find(root, "cbc:ID"), f"{kind} number", "cbc:ID")
        issue_date = reader.date(reader.find(root, "cbc:IssueDate"), "issue date")
        type_code = reader.text_at(root, self.type_tag)
        invoice_type: InvoiceType = INVOICE_TYPES.get(
            type_code or "", "credit_note" if self.credit_note else "invoice"
        )
        line_elements = reader.findall(root, self.line_tag)
        if not line_elements:
            reader.error("MISSING_ELEMENT", f"the {kind} has no lines ({self.line_tag})", root)
        lines = [line for line in (self.line(e) for e in line_elements) if line is not None]
        allowances = [
            a
            for a in (
                self.allowance_charge(e, "document") for e in reader.findall(root, "cac:AllowanceCharge")
            )
            if a is not None
        ]
        tax_element, tax_amount, breakdown = self.tax_total()
        monetary = reader.find(root, "cac:LegalMonetaryTotal")
        amounts: dict[str, Decimal | None] = {}
        if monetary is None:
            reader.error("MISSING_ELEMENT", f"the {kind} has no totals (cac:LegalMonetaryTotal)", root)
        else:
            for field, path, what in _TOTAL_ELEMENTS:
                amounts[field] = reader.amount(reader.find(monetary, path), what, required=True)
            if reader.find(monetary, "cbc:PayableAmount") is None:
                reader.error("MISSING_ELEMENT", "the amount due (cbc:PayableAmount) is missing", monetary)
        references = reader.references(root, INVOICE_REFERENCES)
        named = {r.qualifier: r.value for r in reversed(references)}
        payment_terms = self.payment_terms()
        due_date = reader.date(reader.find(root, "cbc:DueDate"), "due date")
        if due_date is None:
            due_date = reader.date(
                reader.find(root, "cac:PaymentMeans/cbc:PaymentDueDate"), "payment due date"
            )
        parties = {
            "seller": self.invoice_party(reader.find(root, "cac:AccountingSupplierParty/cac:Party")),
            "buyer": self.invoice_party(reader.find(root, "cac:AccountingCustomerParty/cac:Party")),
            "payee": self.invoice_party(reader.find(root, "cac:PayeeParty")),
        }
        ship_to = self.ship_to()
        tax_point = reader.date(reader.find(root, "cbc:TaxPointDate"), "tax point date")
        totals: InvoiceTotals | None = None
        if monetary is not None and amounts.get("payable_amount") is not None:
            totals = InvoiceTotals.model_validate({**amounts, "tax_total": tax_amount})
        if totals is not None and monetary is not None and not reader.errors:
            # only on complete figures: a line lost to an earlier error would make every total "wrong"
            self.check_totals(monetary, totals, lines, allowances, (tax_element, breakdown))
        if reader.errors or number is None or totals is None:
            return MapResult(document=None, errors=reader.errors)
        document = Invoice(
            number=number,
            invoice_type=invoice_type,
            type_code=type_code,
            issue_date=issue_date,
            tax_point_date=tax_point,
            due_date=due_date,
            currency=reader.currency,
            ship_to=ship_to,
            order_number=named.get("ON"),
            delivery_note_number=named.get("AAK"),
            contract_number=named.get("CT"),
            preceding_invoice_number=named.get("IV"),
            references=references,
            notes=reader.notes(root),
            payment_terms=payment_terms,
            lines=lines,
            allowances_charges=allowances,
            tax_breakdown=breakdown,
            totals=totals,
            **parties,
        )
        return MapResult(document=document, errors=[])

    def ship_to(self) -> Party | None:
        reader = self.reader
        delivery = reader.find(self.root, "cac:Delivery")
        party = reader.location_party(reader.find(delivery, "cac:DeliveryLocation"))
        name = reader.free_text(reader.find(delivery, "cac:DeliveryParty/cac:PartyName/cbc:Name"))
        if name is not None:
            party = (party or Party()).model_copy(
                update={"name": party.name if party and party.name else name}
            )
        return party


def map_ubl_invoice(doc: XmlDocument, codes: CodeLookup) -> MapResult[Invoice]:
    """Translate a UBL Invoice or CreditNote; any error (including a total that does not add up)
    means no document."""
    return _InvoiceMapper(doc, codes).run()
