"""cXML InvoiceDetailRequest → canonical Invoice.

``purpose`` says what the document does (standard → invoice, creditMemo/lineLevelCreditMemo → credit
note, debitMemo → debit note). Parties come from the header's ``InvoicePartner`` contacts (``from`` or
``remitTo`` is the seller, ``soldTo`` or ``billTo`` the buyer, ``remitTo`` the payee), falling back to
the cXML header credentials. The summary's amounts are taken as stated — Subtotal is the line net
total, Tax the tax total, Net the tax-inclusive amount after discounts, Due (else Net, else Gross)
the amount due — and checked against each other with cXML's own arithmetic (lines add up to
Subtotal; Gross = Subtotal + Tax + SpecialHandling + Shipping; Net = Gross − Discount; Due = Net −
Deposit): a mismatch is a located ``TOTAL_MISMATCH``. Shipping and special handling are charges.
A ``TaxDetail`` without a taxable amount (optional in cXML) gives no breakdown row.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from lxml import etree

from translators.documents.common import AllowanceCharge, InvoiceParty, Party, Reference
from translators.documents.invoice import (
    Invoice,
    InvoiceLine,
    InvoiceTotals,
    InvoiceType,
    PaymentTerms,
    TaxBreakdown,
)
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.xml.cxml.components import CxmlReader
from translators.xml.parser import XmlDocument

PURPOSES: Mapping[str, tuple[InvoiceType, str]] = MappingProxyType(
    {
        "standard": ("invoice", "380"),
        "creditMemo": ("credit_note", "381"),
        "lineLevelCreditMemo": ("credit_note", "381"),
        "debitMemo": ("debit_note", "383"),
    }
)
"""InvoiceDetailRequestHeader/@purpose → (invoice_type, UNCL 1001 code)."""


def _partner(reader: CxmlReader, header: etree._Element, roles: tuple[str, ...]) -> InvoiceParty | None:
    for role in roles:
        for partner in header.findall("InvoicePartner"):
            contact = partner.find("Contact")
            if contact is not None and contact.get("role") == role:
                party = reader.address_party(contact) or Party()
                vat_id = None
                for reference in partner.findall("IdReference"):
                    if (reference.get("domain") or "").lower() in ("vatid", "vat"):
                        vat_id = reader.raw(reference, "identifier")
                return InvoiceParty(**party.model_dump(), vat_id=vat_id)
    return None


def _payment_terms(reader: CxmlReader, header: etree._Element) -> list[PaymentTerms]:
    terms: list[PaymentTerms] = []
    for term in header.findall("PaymentTerm"):
        days = reader.decimal(term, "payment days", attribute="payInNumberOfDays")
        percent = reader.decimal(
            term.find("Discount/DiscountPercent"), "discount percent", attribute="percent"
        )
        whole_days = int(days) if days is not None and days == days.to_integral_value() else None
        if days is not None and whole_days is None:
            reader.error(
                "INVALID_NUMBER", f"payment days {days} is not a whole number", term, "payInNumberOfDays"
            )
        if percent is not None:
            terms.append(PaymentTerms(discount_percent=percent, discount_days=whole_days))
        elif whole_days is not None:
            terms.append(PaymentTerms(net_days=whole_days))
    return terms


def _line(reader: CxmlReader, item: etree._Element, order_number: str | None) -> InvoiceLine | None:
    number = reader.raw(item, "invoiceLineNumber")
    if number is None:
        reader.error("MISSING_VALUE", "invoice item has no invoiceLineNumber", item, "invoiceLineNumber")
    quantity, unit = reader.quantity(item, item, "invoiced quantity")
    price = reader.money(reader.find(item, "UnitPrice"), "unit price")
    subtotal_holder = reader.find(item, "SubtotalAmount")
    if subtotal_holder is None:
        reader.error("MISSING_ELEMENT", f"invoice line {number or '?'} has no SubtotalAmount", item)
    net = reader.money(subtotal_holder, "line subtotal", required=True)
    reference = reader.find(item, "InvoiceDetailItemReference")
    if reference is None:
        reference = reader.find(item, "InvoiceDetailServiceItemReference")
    ids = reader.item(reader.find(reference, "ItemID"), reference)
    tax_detail = reader.find(item, "Tax/TaxDetail")
    rate = reader.decimal(tax_detail, "line tax rate", attribute="percentageRate")
    if number is None or quantity is None or net is None:
        return None
    references = [Reference(qualifier="ON", type="buyer_order", value=order_number)] if order_number else []
    return InvoiceLine(
        line_number=number,
        gtin=ids.gtin,
        buyer_item_id=ids.buyer_item_id,
        seller_item_id=ids.seller_item_id,
        erp_item_id=ids.erp_item_id,
        description=ids.description,
        quantity=quantity,
        unit=unit,
        notes=reader.comments(item),
        references=references,
        unit_price=price,
        line_net_amount=net,
        tax_rate=rate,
        order_line_number=reader.raw(reference, "lineNumber"),
    )


class _Summary:
    """The stated amounts of InvoiceDetailSummary and the elements that state them."""

    def __init__(self, reader: CxmlReader, summary: etree._Element) -> None:
        self.elements = {
            name: summary.find(name)
            for name in (
                "SubtotalAmount",
                "Tax",
                "SpecialHandlingAmount",
                "ShippingAmount",
                "GrossAmount",
                "InvoiceDetailDiscount",
                "NetAmount",
                "DepositAmount",
                "DueAmount",
            )
        }
        self.amounts: dict[str, Decimal | None] = {
            name: reader.money(element, name, required=name in ("SubtotalAmount", "Tax"))
            for name, element in self.elements.items()
            if element is not None
        }

    def get(self, name: str) -> Decimal | None:
        return self.amounts.get(name)


def _check(reader: CxmlReader, summary: _Summary, name: str, expected: Decimal | None, rule: str) -> None:
    stated, element = summary.get(name), summary.elements.get(name)
    if element is None or stated is None or expected is None or stated == expected:
        return
    reader.error(
        "TOTAL_MISMATCH", f"{rule}: stated {stated}, the document's own figures give {expected}", element
    )


def map_invoice_detail_request(doc: XmlDocument, codes: CodeLookup) -> MapResult[Invoice]:
    """Translate a cXML InvoiceDetailRequest; any error (including totals that do not add up) means
    no document."""
    reader = CxmlReader(doc.root, codes)
    request = doc.root.find("Request/InvoiceDetailRequest")
    assert request is not None  # the parser classified the document by this element
    header = request.find("InvoiceDetailRequestHeader")
    summary_element = request.find("InvoiceDetailSummary")
    if header is None:
        reader.error("MISSING_ELEMENT", "InvoiceDetailRequest has no InvoiceDetailRequestHeader", request)
    if summary_element is None:
        reader.error("MISSING_ELEMENT", "InvoiceDetailRequest has no InvoiceDetailSummary", request)
    if header is None or summary_element is None:
        return MapResult(document=None, errors=reader.errors)
    number = reader.raw(header, "invoiceID")
    if number is None:
        reader.error("MISSING_VALUE", "the invoice has no invoiceID", header, "invoiceID")
    purpose = reader.raw(header, "purpose") or "standard"
    kind = PURPOSES.get(purpose)
    if kind is None:
        reader.error(
            "INVALID_CODE",
            f"invoice purpose {purpose!r} is not translated ({', '.join(PURPOSES)})",
            header,
            "purpose",
        )
    issue_date = reader.attribute_date(header, "invoiceDate", "invoice date")
    order_numbers: list[str] = []
    lines: list[InvoiceLine] = []
    for order in request.findall("InvoiceDetailOrder"):
        info = order.find("InvoiceDetailOrderInfo")
        order_id = None
        for path in ("OrderReference", "OrderIDInfo"):
            element = reader.find(info, path)
            if element is not None and reader.raw(element, "orderID"):
                order_id = reader.raw(element, "orderID")
                break
        if order_id is not None and order_id not in order_numbers:
            order_numbers.append(order_id)
        items = order.findall("InvoiceDetailItem") + order.findall("InvoiceDetailServiceItem")
        lines += [line for line in (_line(reader, e, order_id) for e in items) if line is not None]
    if not request.findall("InvoiceDetailOrder/InvoiceDetailItem") and not request.findall(
        "InvoiceDetailOrder/InvoiceDetailServiceItem"
    ):
        reader.error(
            "MISSING_ELEMENT", "the invoice has no lines (InvoiceDetailOrder/InvoiceDetailItem)", request
        )
    summary = _Summary(reader, summary_element)
    zero = Decimal(0)
    charges: list[AllowanceCharge] = []
    for name, reason in (("ShippingAmount", "shipping"), ("SpecialHandlingAmount", "special handling")):
        amount = summary.get(name)
        if amount:
            charges.append(AllowanceCharge(is_charge=True, amount=amount, reason=reason))
    discount = summary.get("InvoiceDetailDiscount")
    if discount:
        charges.append(AllowanceCharge(is_charge=False, amount=discount, reason="discount"))
    breakdown: list[TaxBreakdown] = []
    for detail in summary_element.findall("Tax/TaxDetail"):
        taxable = reader.money(detail.find("TaxableAmount"), "taxable amount")
        tax = reader.money(detail.find("TaxAmount"), "tax amount", required=True)
        rate = reader.decimal(detail, "tax rate", attribute="percentageRate")
        if taxable is not None and tax is not None:
            breakdown.append(
                TaxBreakdown(
                    tax_category=reader.raw(detail, "category") or "tax",
                    tax_rate=rate,
                    taxable_amount=taxable,
                    tax_amount=tax,
                )
            )
    subtotal, tax_total = summary.get("SubtotalAmount"), summary.get("Tax")
    if reader.errors:  # totals are only checked on complete figures
        return MapResult(document=None, errors=reader.errors)
    line_sum = sum((line.line_net_amount or zero for line in lines), zero)
    _check(reader, summary, "SubtotalAmount", line_sum if lines else None, "sum of line subtotals")
    gross_stated, net_stated = summary.get("GrossAmount"), summary.get("NetAmount")
    if subtotal is not None and tax_total is not None:
        handling = (summary.get("SpecialHandlingAmount") or zero) + (summary.get("ShippingAmount") or zero)
        gross = subtotal + tax_total + handling
        _check(reader, summary, "GrossAmount", gross, "gross amount (subtotal + tax + handling + shipping)")
        if gross_stated is None:
            gross_stated = gross  # Net is still checked against the stated parts Gross would sum
    if gross_stated is not None:
        _check(
            reader, summary, "NetAmount", gross_stated - (discount or zero), "net amount (gross − discount)"
        )
    if net_stated is not None:
        deposit = summary.get("DepositAmount") or zero
        _check(reader, summary, "DueAmount", net_stated - deposit, "due amount (net − deposit)")
    payable = next(
        (a for a in (summary.get(n) for n in ("DueAmount", "NetAmount", "GrossAmount")) if a is not None),
        None,
    )
    if payable is None:
        reader.error(
            "MISSING_ELEMENT",
            "the invoice states no amount due (DueAmount, NetAmount or GrossAmount)",
            summary_element,
        )
    tax_sum = sum((b.tax_amount for b in breakdown), zero)
    tax_element = summary.elements.get("Tax")
    if breakdown and tax_total is not None and tax_element is not None and tax_sum != tax_total:
        reader.error(
            "TOTAL_MISMATCH",
            f"tax total: stated {tax_total}, the tax details add up to {tax_sum}",
            tax_element,
        )
    seller = _partner(reader, header, ("from", "remitTo")) or _as_invoice_party(
        reader.credential_party(doc.cxml.from_) if doc.cxml else None
    )
    buyer = _partner(reader, header, ("soldTo", "billTo")) or _as_invoice_party(
        reader.credential_party(doc.cxml.to) if doc.cxml else None
    )
    payee = _partner(reader, header, ("remitTo",))
    invoicee = _partner(reader, header, ("billTo",))
    ship_to = None
    shipping = header.find("InvoiceDetailShipping")
    if shipping is not None:
        for contact in shipping.findall("Contact"):
            if contact.get("role") == "shipTo":
                ship_to = reader.address_party(contact)
    payment_terms = _payment_terms(reader, header)
    if reader.errors or number is None or kind is None or payable is None:
        return MapResult(document=None, errors=reader.errors)
    totals = InvoiceTotals(
        line_net_total=subtotal,
        allowance_total=discount,
        tax_total=tax_total,
        tax_inclusive_amount=summary.get("NetAmount"),
        prepaid_amount=summary.get("DepositAmount"),
        payable_amount=payable,
    )
    document = Invoice(
        number=number,
        invoice_type=kind[0],
        type_code=kind[1],
        issue_date=issue_date,
        currency=reader.currency,
        seller=seller,
        buyer=buyer,
        payee=payee,
        invoicee=invoicee,
        ship_to=ship_to,
        order_number=order_numbers[0] if len(order_numbers) == 1 else None,
        references=[Reference(qualifier="ON", type="buyer_order", value=n) for n in order_numbers],
        notes=reader.comments(header),
        payment_terms=payment_terms,
        lines=lines,
        allowances_charges=charges,
        tax_breakdown=breakdown,
        totals=totals,
    )
    return MapResult(document=document, errors=[])


def _as_invoice_party(party: Party | None) -> InvoiceParty | None:
    return InvoiceParty(**party.model_dump()) if party is not None else None
