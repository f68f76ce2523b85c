"""The canonical invoice (and credit note): what a supplier bills us, per EN 16931 semantics.

Field names follow EN 16931 / UBL 2.1 Invoice (the business term is named in each docstring), so an
EDIFACT INVOIC, an X12 810, a UBL Invoice/CreditNote and a cXML InvoiceDetailRequest all end up as the
same JSON. Amounts are as the supplier stated them: a map never recomputes a total, it reports a
mismatch instead — the ERP must book what the supplier claims, or reject it, never a silent "fix".
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from translators.documents.common import (
    AllowanceCharge,
    CanonicalModel,
    DocumentLine,
    InvoiceParty,
    Money,
    Party,
    Percent,
    Quantity,
    Reference,
)

InvoiceType = Literal["invoice", "credit_note", "debit_note", "corrected"]
"""What the document does. ``type_code`` keeps the UNCL 1001 code (EN 16931 BT-3): 380 invoice,
381 credit note, 383 debit note, 384 corrected invoice (X12 BIG07 / UBL InvoiceTypeCode map onto it)."""


class PaymentTerms(CanonicalModel):
    """One payment term (EN 16931 BT-20 text, BT-9 due date; EDIFACT PAT+DTM+PCD, X12 ITD).

    A cash-discount term has ``discount_percent`` and ``discount_days`` (or ``discount_due_date``);
    a net term has ``net_days`` or ``due_date``. Suppliers often send both, hence a list.
    """

    description: str | None = None
    due_date: dt.date | None = None
    net_days: int | None = None
    discount_percent: Percent | None = None
    discount_days: int | None = None
    discount_due_date: dt.date | None = None
    discount_amount: Money | None = None


class InvoiceLine(DocumentLine):
    """One invoiced item (EN 16931 BG-25).

    ``quantity``/``unit`` are BT-129/BT-130; ``unit_price`` is the net price (BT-146) for
    ``price_basis_quantity`` units (BT-149; named as on PurchaseOrderLine); ``gross_price`` BT-148.
    ``line_net_amount`` (BT-131) is quantity × price − line allowances + line charges, as the
    supplier stated it. ``tax_category``/``tax_rate`` are BT-151/BT-152 (UNCL 5305: S, Z, E, AE, K, G, O).
    ``order_line_number`` is BT-132.
    """

    unit_price: Money | None = None
    price_basis_quantity: Quantity | None = None
    gross_price: Money | None = None
    line_net_amount: Money | None = None
    tax_category: str | None = None
    tax_rate: Percent | None = None
    order_line_number: str | None = None
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list)


class TaxBreakdown(CanonicalModel):
    """One VAT breakdown row per category and rate (EN 16931 BG-23: BT-116 … BT-121)."""

    tax_category: str
    tax_rate: Percent | None = None
    taxable_amount: Money
    tax_amount: Money
    exemption_reason: str | None = None


class InvoiceTotals(CanonicalModel):
    """Document totals (EN 16931 BG-22), exactly as the supplier stated them.

    ``line_net_total`` BT-106, ``allowance_total`` BT-107, ``charge_total`` BT-108,
    ``tax_exclusive_amount`` BT-109, ``tax_total`` BT-110, ``tax_inclusive_amount`` BT-112,
    ``prepaid_amount`` BT-113, ``rounding_amount`` BT-114, ``payable_amount`` BT-115.
    Only the amount due is required: every syntax has it (EDIFACT MOA 9/77, X12 TDS01, UBL
    PayableAmount); the others are None when the supplier did not send them.
    """

    line_net_total: Money | None = None
    allowance_total: Money | None = None
    charge_total: Money | None = None
    tax_exclusive_amount: Money | None = None
    tax_total: Money | None = None
    tax_inclusive_amount: Money | None = None
    prepaid_amount: Money | None = None
    rounding_amount: Money | None = None
    payable_amount: Money


class Invoice(CanonicalModel):
    """An invoice, credit note or debit note received from a supplier.

    ``number`` BT-1, ``type_code`` BT-3, ``issue_date`` BT-2, ``tax_point_date`` BT-7, ``due_date``
    BT-9, ``delivery_date`` BT-72 (actual delivery), ``currency`` BT-5. ``order_number`` BT-13,
    ``delivery_note_number`` BT-16 (despatch advice), ``contract_number`` BT-12,
    ``preceding_invoice_number`` BT-25 (what a credit note corrects).
    ``references`` holds every reference the supplier sent, including those named ones.
    ``seller`` BG-4, ``buyer`` BG-7, ``payee`` BG-10 (when not the seller), ``invoicee`` the party
    the invoice is addressed to when not the buyer, ``ship_to`` BG-13.
    """

    document_type: Literal["invoice"] = "invoice"
    number: str = Field(min_length=1)
    invoice_type: InvoiceType
    type_code: str | None = None
    issue_date: dt.date | None = None
    tax_point_date: dt.date | None = None
    due_date: dt.date | None = None
    delivery_date: dt.date | None = None
    currency: str | None = None
    buyer: InvoiceParty | None = None
    seller: InvoiceParty | None = None
    payee: InvoiceParty | None = None
    invoicee: InvoiceParty | None = None
    ship_to: Party | None = None
    order_number: str | None = None
    delivery_note_number: str | None = None
    contract_number: str | None = None
    preceding_invoice_number: str | None = None
    references: list[Reference] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    payment_terms: list[PaymentTerms] = Field(default_factory=list)
    lines: list[InvoiceLine] = Field(default_factory=list)
    allowances_charges: list[AllowanceCharge] = Field(default_factory=list)
    tax_breakdown: list[TaxBreakdown] = Field(default_factory=list)
    totals: InvoiceTotals
