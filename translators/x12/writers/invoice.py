"""Canonical Invoice → X12 810 Invoice (004010, 005010), to a customer.

The inverse of :mod:`translators.x12.maps.invoice`: BIG (01 date, 02 number, 04 order number,
07 DI/CR/DR), NTE, CUR, REF (delivery note PK, contract CT, preceding invoice OI where the
references lack them), N1 BY/SE/BT/RE/ST with REF VX (VAT id), ITD per payment term, DTM 035;
per line IT1 (quantity, unit, price, item ids), TXI (category, rate), PID, REF, SAC; then TDS
(amount due, two implied decimals), TXI per VAT breakdown row (TXI08 taxable amount), SAC, CTT.

Money in N2 elements (TDS, SAC05, ITD08) must have at most two decimals: the writer raises rather
than round an amount the ERP booked.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.documents.common import AllowanceCharge, InvoiceParty
from translators.documents.invoice import Invoice, InvoiceLine, InvoiceType, PaymentTerms
from translators.edifact.writers.segments import wrap
from translators.x12.model import X12Segment
from translators.x12.writers.segments import X12Release, X12SegmentWriter, first_or_added, transaction

TRANSACTION_TYPE: Mapping[InvoiceType, str] = MappingProxyType(
    {"invoice": "DI", "credit_note": "CR", "debit_note": "DR", "corrected": "DI"}
)
"""BIG07: debit invoice, credit memo, debit memo. X12 has no "corrected invoice" type the map
reads; a corrected invoice goes as an invoice (and reads back as one, type code 380)."""

NAMED_REFERENCES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("delivery_note_number", ("PK", "BM"), "PK"),
    ("contract_number", ("CT",), "CT"),
    ("preceding_invoice_number", ("OI",), "OI"),
)
"""Invoice field, the REF qualifiers the map fills it from (in its preference), the one written."""

MUTUALLY_DEFINED_REASON = "ZZZZ"  # SAC02 1300: mutually defined
PERCENT_OF_BASE = "6"  # SAC06 378: base price amount


def render_810(
    doc: Invoice,
    *,
    version: X12Release,
    control_number: str,
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[X12Segment]:
    """ST … SE of one 810. Raises ValueError without an issue date (BIG01 is mandatory), for a line
    without a price (IT102-04 go together), or for an amount X12 cannot carry."""
    w = X12SegmentWriter(release=version, units=units, parties=parties, items=items, we_sell=True)
    if doc.issue_date is None:
        raise ValueError("an 810 needs its issue date (BIG01 is mandatory)")
    big = [
        [w.date(doc.issue_date)],
        [doc.number],
        [],
        [doc.order_number or ""],
        [],
        [],
        [TRANSACTION_TYPE[doc.invoice_type]],
    ]
    body = [X12Segment("BIG", big)]
    body += [X12Segment("NTE", [["GEN"], [piece]]) for note in doc.notes for piece in wrap(note, 80)]
    if doc.currency:
        body.append(X12Segment("CUR", [["SE"], [doc.currency]]))
    references = list(doc.references)
    for field, kinds, qualifier in NAMED_REFERENCES:
        references = first_or_added(references, kinds, getattr(doc, field), qualifier)
    body += w.references(references)
    for entity, party in (
        ("BY", doc.buyer),
        ("SE", doc.seller),
        ("BT", doc.invoicee),
        ("RE", doc.payee),
        ("ST", doc.ship_to),
    ):
        loop = w.party(entity, party)
        if loop and isinstance(party, InvoiceParty) and party.vat_id:
            loop.append(w.ref("VX", party.vat_id))
        body += loop
    body += [_itd(w, term) for term in doc.payment_terms]
    body += w.dtm("035", doc.delivery_date)
    for line in doc.lines:
        body += _line(w, line)
    body.append(X12Segment("TDS", [[w.cents(doc.totals.payable_amount, "amount due")]]))
    for row in doc.tax_breakdown:
        rate = w.decimal(row.tax_rate) if row.tax_rate is not None else ""
        txi = [
            [row.tax_category],
            [w.decimal(row.tax_amount)],
            [rate],
            [],
            [],
            [],
            [],
            [w.decimal(row.taxable_amount)],
        ]
        body.append(X12Segment("TXI", txi))
    if not doc.tax_breakdown and doc.totals.tax_total is not None:
        body.append(X12Segment("TXI", [["TX"], [w.decimal(doc.totals.tax_total)]]))  # TX: all taxes
    body += [_sac(w, allowance) for allowance in doc.allowances_charges]
    body.append(X12Segment("CTT", [[str(len(doc.lines))]]))
    return transaction("810", control_number, body)


def _itd(w: X12SegmentWriter, term: PaymentTerms) -> X12Segment:
    """ITD: 01 terms type (08 discount offered, 01 basic), 02 basis date (3 invoice date),
    03 discount %, 04 discount due date, 05 discount days, 06 net due date, 07 net days,
    08 discount amount (N2), 12 description."""
    discount = (
        term.discount_percent is not None
        or term.discount_days is not None
        or term.discount_amount is not None
    )
    if term.description and len(term.description) > 80:
        raise ValueError(f"payment terms text {term.description!r} is longer than ITD12 (80 characters)")
    values = [
        "08" if discount or term.discount_due_date is not None else "01",
        "3",
        w.decimal(term.discount_percent) if term.discount_percent is not None else "",
        w.date(term.discount_due_date) if term.discount_due_date else "",
        str(term.discount_days) if term.discount_days is not None else "",
        w.date(term.due_date) if term.due_date else "",
        str(term.net_days) if term.net_days is not None else "",
        w.cents(term.discount_amount, "discount amount") if term.discount_amount is not None else "",
        "",
        "",
        "",
        term.description or "",
    ]
    return X12Segment("ITD", [[v] for v in values])


def _sac(w: X12SegmentWriter, allowance: AllowanceCharge) -> X12Segment:
    """SAC: 01 A/C, 02 reason code (4 characters; else 03 ZZ + 04 the code), 05 amount (N2),
    06/07 percent of the base amount, 15 description."""
    code = allowance.reason_code
    reason: list[list[str]]
    if code is not None and len(code) == 4:
        reason = [[code], [], []]
    elif code:
        reason = [[], ["ZZ"], [code[:10]]]
    else:
        reason = [[MUTUALLY_DEFINED_REASON], [], []]
    sac = [
        ["C" if allowance.is_charge else "A"],
        *reason,
        [w.cents(allowance.amount, "allowance/charge amount")],
    ]
    if allowance.percent is not None:
        sac += [[PERCENT_OF_BASE], [w.decimal(allowance.percent)]]
    if allowance.reason:
        if len(allowance.reason) > 80:
            raise ValueError(f"allowance/charge reason {allowance.reason!r} is longer than SAC15 (80)")
        sac += [[]] * (14 - len(sac)) + [[allowance.reason]]
    return X12Segment("SAC", sac)


def _line(w: X12SegmentWriter, line: InvoiceLine) -> list[X12Segment]:
    price = line.unit_price if line.unit_price is not None else line.gross_price
    price = w.unit_price(price, line.price_basis_quantity)
    if price is None:
        raise ValueError(f"line {line.line_number}: an 810 line needs its price (IT104)")
    it1 = [
        [line.line_number],
        [w.decimal(line.quantity)],
        [w.unit(line.unit)],
        [w.decimal(price)],
        [],
        *w.item_ids(line),
    ]
    out = [X12Segment("IT1", it1)]
    if line.tax_rate is not None:
        out.append(X12Segment("TXI", [[line.tax_category or "VA"], [], [w.decimal(line.tax_rate)]]))
    out += w.pid(line.description)
    out += w.references(line.references)
    out += [_sac(w, allowance) for allowance in line.allowances_charges]
    return out
