"""Canonical Invoice → EDIFACT INVOIC (UN D96A / D01B, EANCOM 1997 / 2002), to a customer.

The inverse of :mod:`translators.edifact.maps.invoic`:

- header: BGM (1001 from ``type_code``/``invoice_type``), DTM 137/35/131 (and 13 when the due date
  is not a payment term's), FTX, RFF (+DTM 171) with the named references (order, delivery note,
  contract, preceding invoice) first where the references lack them, NAD BY/SU/IV/PE/DP with RFF VA,
  CUX (usage 4), PAT (+DTM 13/12, PCD 12, MOA 52), ALC (+PCD, MOA 204/23/25, TAX);
- lines: LIN, PIA, IMD, QTY 47, FTX, MOA 203, PRI AAA (net) and AAB (gross), RFF (ON carries the
  order line in 1156), TAX, ALC groups;
- summary: UNS, CNT 2, MOA 79/260/259/125/176/77/113/9, one TAX + MOA 124/125 per breakdown row.

Totals are written as the document states them; a writer never recomputes what the ERP booked.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.documents.common import AllowanceCharge, InvoiceParty, Reference
from translators.documents.invoice import Invoice, InvoiceLine, InvoiceType, PaymentTerms
from translators.edifact.maps.invoic import INVOICE_TYPES, NAMED_REFERENCES
from translators.edifact.model import Segment
from translators.edifact.writers.segments import (
    NAME_LENGTH,
    EdifactVersion,
    SegmentWriter,
    message,
    named_first,
    wrap,
)

DOCUMENT_NAME_OF_TYPE: Mapping[InvoiceType, str] = MappingProxyType(
    {"invoice": "380", "credit_note": "381", "debit_note": "383", "corrected": "384"}
)
"""BGM 1001 when the document's ``type_code`` is not an EDIFACT code for its ``invoice_type``."""

NAMED_QUALIFIERS: Mapping[str, str] = MappingProxyType(
    {
        "order_number": "ON",
        "delivery_note_number": "DQ",
        "contract_number": "CT",
        "preceding_invoice_number": "IV",
    }
)
"""Invoice field → the RFF qualifier written for it when the references do not carry it."""

TOTALS: tuple[tuple[str, str], ...] = (
    ("line_net_total", "79"),
    ("allowance_total", "260"),
    ("charge_total", "259"),
    ("tax_exclusive_amount", "125"),
    ("tax_total", "176"),
    ("tax_inclusive_amount", "77"),
    ("prepaid_amount", "113"),
    ("payable_amount", "9"),
)
"""InvoiceTotals field → summary MOA qualifier (the first one the map reads for it)."""

DISCOUNT_TERMS = "22"  # 4279: discount
BASIC_TERMS = "1"  # 4279: basic


def render_invoic(
    doc: Invoice,
    *,
    version: EdifactVersion,
    association: str | None,
    message_reference: str,
    decimal_mark: str = ".",
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[Segment]:
    """UNH … UNT of one INVOIC (or credit/debit note).

    Raises ValueError without an issue date (DTM 137 is mandatory).
    """
    w = SegmentWriter(
        version=version,
        association=association,
        decimal_mark=decimal_mark,
        units=units,
        parties=parties,
        items=items,
        we_sell=True,
    )
    if doc.issue_date is None:
        raise ValueError("an INVOIC needs its issue date (DTM 137 is mandatory)")
    code = doc.type_code if INVOICE_TYPES.get(doc.type_code or "") == doc.invoice_type else None
    body: list[Segment] = [
        Segment("BGM", [[code or DOCUMENT_NAME_OF_TYPE[doc.invoice_type]], [doc.number], ["9"]])
    ]
    body += w.dtm("137", doc.issue_date) + w.dtm("35", doc.delivery_date) + w.dtm("131", doc.tax_point_date)
    terms_due = next((t.due_date for t in doc.payment_terms if t.due_date is not None), None)
    if doc.due_date is not None and doc.due_date != terms_due:
        body += w.dtm("13", doc.due_date)
    for note in doc.notes:
        body += w.ftx("AAI", note)
    for term in doc.payment_terms:
        if term.description:
            body += w.ftx("AAB", term.description)  # 4451 AAB: terms of payments
    body += w.references(_references(doc))
    for qualifier, party in (
        ("BY", doc.buyer),
        ("SU", doc.seller),
        ("IV", doc.invoicee),
        ("PE", doc.payee),
        ("DP", doc.ship_to),
    ):
        body += w.nad(qualifier, party)
        if isinstance(party, InvoiceParty) and party.vat_id:
            body.append(w.rff("VA", party.vat_id))
    body += w.cux(doc.currency, "4")
    for term in doc.payment_terms:
        body += _payment_terms(w, term)
    for allowance in doc.allowances_charges:
        body += _allowance(w, allowance)
    for line in doc.lines:
        body += _line(w, line)
    body += [Segment("UNS", [["S"]]), *w.cnt(len(doc.lines))]
    for field, qualifier in TOTALS:
        body += w.moa(qualifier, getattr(doc.totals, field))
    for row in doc.tax_breakdown:
        body += w.tax(row.tax_category, row.tax_rate)
        body += w.moa("124", row.tax_amount) + w.moa("125", row.taxable_amount)
    return message("INVOIC", version, association, message_reference, body)


def _references(doc: Invoice) -> list[Reference]:
    """The references, preceded by a reference for each named field they do not already give."""
    references = list(doc.references)
    for field, qualifier in NAMED_QUALIFIERS.items():
        kinds = [q for q, f in NAMED_REFERENCES.items() if f == field]
        references = named_first(references, kinds, getattr(doc, field), qualifier)
    return references


def _payment_terms(w: SegmentWriter, term: PaymentTerms) -> list[Segment]:
    """PAT (+DTM 13/12, PCD 12, MOA 52). A term with discount *and* net days needs two PAT groups:
    PAT carries one period (C112), and the map reads a discount term's period as discount days."""
    discount = (
        term.discount_percent is not None
        or term.discount_days is not None
        or term.discount_due_date is not None
        or term.discount_amount is not None
    )
    out: list[Segment] = []
    if discount:
        out += [_pat(DISCOUNT_TERMS, term.discount_days)]
        out += w.dtm("12", term.discount_due_date)
        out += w.pcd("12", term.discount_percent)
        out += w.moa("52", term.discount_amount)
    if not discount or term.net_days is not None or term.due_date is not None:
        out += [_pat(BASIC_TERMS, term.net_days)]
        out += w.dtm("13", term.due_date)
    return out


def _pat(kind: str, days: int | None) -> Segment:
    """PAT 4279 with C112: 5 date of invoice, 3 after reference, D days, n days."""
    if days is None:
        return Segment("PAT", [[kind]])
    return Segment("PAT", [[kind], [], ["5", "3", "D", str(days)]])


def _allowance(w: SegmentWriter, allowance: AllowanceCharge) -> list[Segment]:
    """ALC (5463 A/C, C214 7161 code and 7160 text) + PCD + MOA 204/23 and 25 + TAX."""
    texts = wrap(allowance.reason, NAME_LENGTH) if allowance.reason else []
    if len(texts) > 2:
        raise ValueError(f"allowance/charge reason {allowance.reason!r} does not fit ALC C214 (2 × 35)")
    code = allowance.reason_code or ""
    c552: list[str] = []
    if code and not w.has_code("INVOIC", "7161", code) and w.has_code("INVOIC", "5189", code):
        code, c552 = "", ["", allowance.reason_code or ""]  # a UNCL 5189 reason goes in C552
    c214 = [code, "", "", *texts]
    out = [Segment("ALC", [["C" if allowance.is_charge else "A"], c552, [], [], c214])]
    out += w.pcd("2" if allowance.is_charge else "1", allowance.percent)
    out += w.moa("23" if allowance.is_charge else "204", allowance.amount)
    out += w.moa("25", allowance.base_amount)
    out += w.tax(allowance.tax_category, allowance.tax_rate)
    return out


def _line(w: SegmentWriter, line: InvoiceLine) -> list[Segment]:
    out = w.item_segments(line)
    out += w.imd(line.description)
    out += w.qty("47", line.quantity, line.unit)
    for note in line.notes:
        out += w.ftx("AAI", note)
    out += w.moa("203", line.line_net_amount)
    gross_basis = line.price_basis_quantity if line.unit_price is None else None
    out += w.pri("AAA", line.unit_price, line.price_basis_quantity, line.unit)
    out += w.pri("AAB", line.gross_price, gross_basis, line.unit)
    references = list(line.references)
    first_on = next((i for i, r in enumerate(references) if r.qualifier == "ON"), None)
    has_li = any(r.qualifier == "LI" for r in references)
    line_numbers: dict[int, str] = {}
    if line.order_line_number and not has_li:
        if first_on is None:
            references.insert(0, Reference(qualifier="LI", value=line.order_line_number))
        else:
            line_numbers[first_on] = line.order_line_number
    out += w.references(references, line_numbers)
    out += w.tax(line.tax_category, line.tax_rate)
    for allowance in line.allowances_charges:
        out += _allowance(w, allowance)
    return out
