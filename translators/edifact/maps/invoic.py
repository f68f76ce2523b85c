"""EDIFACT INVOIC (EANCOM D96A / D01B, UN D93A …) → canonical Invoice (and credit/debit notes).

Where the segments sit decides what they mean, so the walk tracks the group it is in:

- header: BGM (1001 → invoice type), DTM 137/3/35/131, FTX, RFF (+DTM) — ON, DQ/AAK, CT, IV/OI fill
  the named references —, NAD BY/SU/SE/IV/DP/ST/PE with RFF VA (the party's VAT id), CUX,
  PAT (+DTM 13/12, PCD 12, MOA 52) as payment terms, ALC (+PCD, MOA 204/23/8/25, TAX) as document
  allowances and charges;
- lines: LIN/PIA/IMD/QTY 47/MOA 203/PRI AAA (net) AAB (gross)/TAX/RFF ON (1156 line)/ALC;
- summary (after UNS): MOA 79/259/260/125/176/124/77/86/128/113/9 as totals; TAX + MOA 124/125 as
  the VAT breakdown.

**Totals are never recomputed.** They are read as stated and then checked against the lines, the
allowances/charges and the tax rows (the EN 16931 BR-CO rules, to ``ROUNDING_TOLERANCE``). A
disagreement is a located ``TOTALS_MISMATCH`` on the MOA of the stated total. Decision: the map
returns the document *together with* those errors — it is otherwise a faithful reading, useful to
show in the dashboard — but an error is an error: ``translate`` hands the ERP no document from a
message with errors, so the invoice is rejected and the supplier told why. Booking an invoice whose
arithmetic does not add up is a decision for people, not for a translator. Any other error (a date,
a number, a missing quantity, an unknown code) means no document at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from translators.documents.common import AllowanceCharge, InvoiceParty, Party, Reference
from translators.documents.invoice import (
    Invoice,
    InvoiceLine,
    InvoiceTotals,
    InvoiceType,
    PaymentTerms,
    TaxBreakdown,
)
from translators.edifact.maps.result import CodeLookup, MapResult, ProfileWithCodes
from translators.edifact.maps.segments import (
    LINE_SUBGROUP_TAGS,
    ItemIds,
    OpenReference,
    SegmentReader,
    add_reference,
    codes_of,
    free_text,
    text,
)
from translators.edifact.model import Interchange, Message, Segment
from translators.errors import EdiError
from translators.numerals import is_digits

INVOICE_TYPES: Mapping[str, InvoiceType] = MappingProxyType(
    {
        "380": "invoice",
        "82": "invoice",  # metered services invoice
        "386": "invoice",  # prepayment invoice
        "389": "invoice",  # self-billed invoice
        "390": "invoice",  # delcredere invoice
        "393": "invoice",  # factored invoice
        "381": "credit_note",
        "83": "credit_note",  # credit note related to financial adjustments
        "261": "credit_note",  # self-billed credit note
        "383": "debit_note",
        "84": "debit_note",  # debit note related to financial adjustments
        "384": "corrected",
    }
)
"""UNCL 1001 document name codes edigate books, by invoice type. A pro-forma (325) is not a claim
for payment and is deliberately absent: it is rejected as an unknown code rather than booked."""

PARTY_ROLES: Mapping[str, str] = MappingProxyType(
    {
        "BY": "buyer",
        "SU": "seller",
        "SE": "seller",  # D93A senders use SE (selling party)
        "IV": "invoicee",
        "DP": "ship_to",
        "ST": "ship_to",
        "PE": "payee",
    }
)
"""NAD 3035 → Invoice field."""

NAMED_REFERENCES: Mapping[str, str] = MappingProxyType(
    {
        "ON": "order_number",
        "DQ": "delivery_note_number",
        "AAK": "delivery_note_number",
        "CT": "contract_number",
        "IV": "preceding_invoice_number",
        "OI": "preceding_invoice_number",
    }
)
"""RFF 1153 → the Invoice field it also fills (the first of each wins; all stay in references)."""

SUMMARY_TOTALS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # InvoiceTotals field: 5025 qualifiers in order of preference
        "line_net_total": ("79",),
        "allowance_total": ("260",),
        "charge_total": ("259",),
        "tax_exclusive_amount": ("125",),
        "tax_total": ("176", "124"),
        "tax_inclusive_amount": ("77", "39", "86", "128"),
        "prepaid_amount": ("113",),
        "payable_amount": ("9",),
    }
)
"""Summary MOA qualifiers (outside a TAX or ALC group) per total. 77 invoice amount, 39 invoice
total (D97B), 86 message total, 128 total amount; 176 total tax, 124 tax amount (D93A); 9 amount due."""

INVOICED_QUANTITY = "47"
LINE_AMOUNTS = ("203", "66")  # 5025: line item amount; goods item total (D93A)
ALLOWANCE_AMOUNTS = ("204", "23", "8")  # 5025: allowance, charge, allowance or charge amount
ALLOWANCE_BASE = "25"
ALC_KINDS: Mapping[str, bool] = MappingProxyType({"A": False, "C": True})  # 5463 → is_charge
ROUNDING_TOLERANCE = Decimal("0.01")
"""How far a stated total may differ from what its parts add up to: one cent of rounding."""

Section = Literal["header", "parties", "payment", "allowance", "other", "line", "summary"]


@dataclass(slots=True)
class _Located:
    """A value with the segment it was read from, so a later check can point at it."""

    value: Decimal
    segment: Segment
    position: int


@dataclass(slots=True)
class _AllowanceDraft:
    segment: Segment
    position: int
    is_charge: bool
    reason_code: str | None
    reason: str | None
    amount: Decimal | None = None
    base_amount: Decimal | None = None
    percent: Decimal | None = None
    tax_category: str | None = None
    tax_rate: Decimal | None = None


@dataclass(slots=True)
class _TaxDraft:
    segment: Segment
    position: int
    category: str | None
    rate: Decimal | None
    amounts: dict[str, _Located] = field(default_factory=dict)  # 124 tax, 125 taxable


@dataclass(slots=True)
class _LineDraft:
    segment: Segment
    position: int
    line_number: str
    items: ItemIds = field(default_factory=ItemIds)
    descriptions: list[str] = field(default_factory=list)
    quantity: tuple[Decimal | None, str] | None = None
    amounts: dict[str, Decimal] = field(default_factory=dict)
    prices: dict[str, tuple[Decimal, Decimal | None]] = field(default_factory=dict)
    tax_category: str | None = None
    tax_rate: Decimal | None = None
    order_line_number: str | None = None
    allowances: list[_AllowanceDraft] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    subgroup: str | None = None  # tag of the segment group the line is in (ALC, NAD, …), None for the line


class _InvoicMapper(SegmentReader):
    """State of one map_invoic call. Lives only as long as the call."""

    def __init__(self, message: Message, interchange: Interchange, codes: CodeLookup) -> None:
        super().__init__(message, interchange, codes)
        self.section: Section = "header"
        self.open_reference: OpenReference | None = None
        self.bgm: tuple[Segment, int] | None = None
        self.number = ""
        self.invoice_type: InvoiceType | None = None
        self.type_code: str | None = None
        self.dates: dict[str, dt.date | None] = {}
        self.currency: str | None = None
        self.parties: dict[str, tuple[Party, int]] = {}
        self.last_party: str | None = None
        self.references: list[Reference] = []
        self.notes: list[str] = []
        self.terms: list[PaymentTerms] = []
        self.allowance: _AllowanceDraft | None = None
        self.allowances: list[_AllowanceDraft] = []
        self.line: _LineDraft | None = None
        self.line_drafts: list[_LineDraft] = []
        self.lines: list[InvoiceLine] = []
        self.totals: dict[str, _Located] = {}
        self.tax: _TaxDraft | None = None
        self.taxes: list[_TaxDraft] = []
        self.summary_group: Literal["totals", "tax", "allowance"] = "totals"
        self.line_count: tuple[int, Segment, int] | None = None

    def run(self) -> MapResult[Invoice]:
        for position, segment in enumerate(self.message.segments, start=1):
            tag = segment.tag
            if tag in ("UNH", "UNT"):
                continue
            open_reference, self.open_reference = self.open_reference, None
            if tag == "UNS":
                self.finish_line()
                self.section = "summary"
            elif tag == "LIN":
                self.finish_line()
                self.start_line(segment, position)
            elif self.section == "line":
                self.line_segment(segment, position, open_reference)
            elif self.section == "summary":
                self.summary_segment(segment, position)
            else:
                self.header_segment(segment, position, open_reference)
        self.finish_line()
        self.check_required()
        if self.errors or self.bgm is None or self.invoice_type is None:
            return MapResult(document=None, errors=self.errors)
        invoice = self.build(self.invoice_type)
        if invoice is None:
            return MapResult(document=None, errors=self.errors)
        return MapResult(document=invoice, errors=self.check_totals(invoice))

    # -- header ---------------------------------------------------------------------------------

    def header_segment(self, segment: Segment, position: int, open_reference: OpenReference | None) -> None:
        tag = segment.tag
        if tag == "BGM":
            self.read_bgm(segment, position)
        elif tag == "DTM":
            if open_reference is not None:
                self.date_reference(segment, position, open_reference)
            elif self.section == "payment":
                self.payment_date(segment, position)
            elif self.section == "header":
                qualifier = segment.get(1, 1)
                if qualifier in ("137", "3", "35", "131", "13") and qualifier not in self.dates:
                    self.dates[qualifier] = self.date_value(segment, position)
        elif tag == "FTX":
            note = free_text(segment)
            if note is not None:
                self.notes.append(note)
        elif tag == "RFF":
            if self.section == "header":
                self.open_reference = add_reference(self.references, segment)
            elif self.section == "parties":
                self.party_reference(segment)
        elif tag == "NAD":
            self.section = "parties"
            self.read_nad(segment, position)
        elif tag == "CUX":
            self.section = "other"
            if self.currency is None:
                self.currency = segment.get(1, 2) or None
        elif tag == "PAT":
            self.section = "payment"
            self.read_pat(segment)
        elif tag == "PCD" and self.section == "payment":
            self.payment_percent(segment, position)
        elif tag == "MOA" and self.section == "payment":
            if segment.get(1, 1) == "52":
                amount = self.decimal_value(segment, position, 1, 2, "discount amount MOA 52")
                self.terms[-1] = self.terms[-1].model_copy(update={"discount_amount": amount})
        elif tag == "ALC":
            self.section = "allowance"
            self.allowance = self.read_alc(segment, position)
            if self.allowance is not None:
                self.allowances.append(self.allowance)
        elif self.section == "allowance" and self.allowance is not None:
            self.allowance_segment(self.allowance, segment, position)
        elif tag in ("TDT", "TOD", "PAI", "PCI", "GIR", "EQD", "TAX", "MOA"):
            self.section = "other"  # a header group whose RFF/DTM/MOA are not the document's

    def read_bgm(self, segment: Segment, position: int) -> None:
        if self.bgm is not None:
            self.second_segment(segment, position, self.bgm[1], "BGM")
            return
        self.bgm = (segment, position)
        code = segment.get(1, 1)
        self.number = self.document_number(segment, position, "an invoice")
        if code in INVOICE_TYPES:
            self.invoice_type, self.type_code = INVOICE_TYPES[code], code
        else:
            self.unknown_code(
                segment,
                position,
                1,
                1,
                "document name code (BGM 1001)",
                "380/82/386/389/390/393 invoice, 381/83/261 credit note, 383/84 debit note, 384 corrected",
            )

    def read_nad(self, segment: Segment, position: int) -> None:
        role = PARTY_ROLES.get(segment.get(1, 1))
        self.last_party = role
        if role is None:
            return
        if role in self.parties:
            self.last_party = None
            self.second_segment(
                segment, position, self.parties[role][1], f"NAD for the {role.replace('_', '-')}"
            )
            return
        model = Party if role == "ship_to" else InvoiceParty
        self.parties[role] = (self.party(segment, model), position)

    def party_reference(self, segment: Segment) -> None:
        """RFF+VA right after a NAD is that party's VAT identifier (EN 16931 BT-31 / BT-48)."""
        role = self.last_party
        if role is None or segment.get(1, 1) != "VA" or not segment.get(1, 2):
            return
        party, position = self.parties[role]
        if isinstance(party, InvoiceParty) and party.vat_id is None:
            self.parties[role] = (party.model_copy(update={"vat_id": segment.get(1, 2)}), position)

    def read_pat(self, segment: Segment) -> None:
        """PAT 4279 type, C110 terms (4276 text), C112 2475 reference, 2009 relation, 2151 period, 2152 n."""
        kind = segment.get(1, 1)
        description = text(segment, 2, (4, 5))
        days: int | None = None
        if segment.get(3, 3) in ("D", "") and is_digits(segment.get(3, 4)):
            days = int(segment.get(3, 4))
        self.terms.append(
            PaymentTerms(
                description=description,
                net_days=days if kind != "22" else None,
                discount_days=days if kind == "22" else None,
            )
        )

    def payment_date(self, segment: Segment, position: int) -> None:
        qualifier = segment.get(1, 1)
        if qualifier not in ("13", "12") or not self.terms:
            return
        date = self.date_value(segment, position)
        key = "due_date" if qualifier == "13" else "discount_due_date"
        self.terms[-1] = self.terms[-1].model_copy(update={key: date})

    def payment_percent(self, segment: Segment, position: int) -> None:
        if segment.get(1, 1) == "12" and self.terms:
            percent = self.decimal_value(segment, position, 1, 2, "discount percentage PCD 12")
            self.terms[-1] = self.terms[-1].model_copy(update={"discount_percent": percent})

    # -- allowances and charges -----------------------------------------------------------------

    def read_alc(self, segment: Segment, position: int) -> _AllowanceDraft | None:
        """ALC 5463 (A allowance, C charge), C214 special services (7161 code, 7160 text)."""
        kind = segment.get(1, 1)
        if kind not in ALC_KINDS:
            self.unknown_code(
                segment, position, 1, 1, "allowance or charge (ALC 5463)", "A allowance, C charge"
            )
            return None
        return _AllowanceDraft(
            segment=segment,
            position=position,
            is_charge=ALC_KINDS[kind],
            reason_code=segment.get(5, 1) or segment.get(2, 2) or None,
            reason=text(segment, 5, (4, 5)),
        )

    def allowance_segment(self, draft: _AllowanceDraft, segment: Segment, position: int) -> None:
        tag, qualifier = segment.tag, segment.get(1, 1)
        if tag == "MOA" and qualifier in ALLOWANCE_AMOUNTS and draft.amount is None:
            draft.amount = self.decimal_value(
                segment, position, 1, 2, f"allowance/charge amount MOA {qualifier}"
            )
        elif tag == "MOA" and qualifier == ALLOWANCE_BASE and draft.base_amount is None:
            draft.base_amount = self.decimal_value(segment, position, 1, 2, "allowance/charge basis MOA 25")
        elif tag == "PCD" and qualifier in ("1", "2", "3") and draft.percent is None:
            draft.percent = self.decimal_value(
                segment, position, 1, 2, f"allowance/charge percent PCD {qualifier}"
            )
        elif tag == "TAX":
            draft.tax_category, draft.tax_rate = self.read_tax(segment, position)

    def allowance_charge(self, draft: _AllowanceDraft) -> AllowanceCharge | None:
        if draft.amount is None:
            kind = "charge" if draft.is_charge else "allowance"
            self.error(
                "MISSING_SEGMENT",
                f"{kind} {draft.reason or draft.reason_code or ''} has no amount "
                "(MOA 204, 23 or 8 expected after this ALC)".replace("  ", " "),
                draft.segment,
                draft.position,
                syntax_code="13",
            )
            return None
        return AllowanceCharge(
            is_charge=draft.is_charge,
            amount=draft.amount,
            reason=draft.reason,
            reason_code=draft.reason_code,
            base_amount=draft.base_amount,
            percent=draft.percent,
            tax_category=draft.tax_category,
            tax_rate=draft.tax_rate,
        )

    def read_tax(self, segment: Segment, position: int) -> tuple[str | None, Decimal | None]:
        """TAX: C243 5278 rate (element 5, component 4) and 5305 category (element 6)."""
        rate = self.decimal_value(segment, position, 5, 4, "tax rate TAX 5278")
        return segment.get(6, 1) or None, rate

    # -- lines ----------------------------------------------------------------------------------

    def start_line(self, segment: Segment, position: int) -> None:
        self.section = "line"
        line_number = segment.get(1, 1) or str(len(self.line_drafts) + 1)
        self.line = _LineDraft(segment, position, line_number)
        self.line.items.add_lin(segment)

    def line_segment(self, segment: Segment, position: int, open_reference: OpenReference | None) -> None:
        line = self.line
        assert line is not None  # section "line" is only entered by start_line
        tag, qualifier = segment.tag, segment.get(1, 1)
        if tag == "ALC":
            line.subgroup = tag
            allowance = self.read_alc(segment, position)
            if allowance is not None:
                line.allowances.append(allowance)
            return
        if tag in LINE_SUBGROUP_TAGS and tag != "TAX":  # TAX + MOA 124 is the line's own tax (SG33)
            line.subgroup = tag
        if line.subgroup == "ALC":
            if line.allowances and tag in ("MOA", "PCD", "TAX"):
                self.allowance_segment(line.allowances[-1], segment, position)
            return
        if tag == "PIA":
            line.items.add_pia(segment)
        elif tag == "IMD":
            description = text(segment, 3, (4, 5))
            if description is not None:
                line.descriptions.append(description)
        elif tag == "QTY" and qualifier == INVOICED_QUANTITY and line.quantity is None:
            what = f"line {line.line_number} invoiced quantity QTY 47"
            line.quantity = (self.required_decimal(segment, position, 1, 2, what), segment.get(1, 3))
        elif (
            tag == "MOA" and qualifier in LINE_AMOUNTS and qualifier not in line.amounts and not line.subgroup
        ):
            amount = self.decimal_value(segment, position, 1, 2, f"line amount MOA {qualifier}")
            if amount is not None:
                line.amounts[qualifier] = amount
        elif tag == "PRI" and qualifier in ("AAA", "AAB") and qualifier not in line.prices:
            price = self.decimal_value(segment, position, 1, 2, f"price {qualifier}")
            basis = self.decimal_value(segment, position, 1, 5, "unit price basis")
            if price is not None:
                line.prices[qualifier] = (price, basis)
        elif tag == "TAX" and not line.subgroup and line.tax_category is None and line.tax_rate is None:
            line.tax_category, line.tax_rate = self.read_tax(segment, position)
        elif tag == "RFF" and not line.subgroup:
            self.open_reference = add_reference(line.references, segment)
            if qualifier == "ON" and line.order_line_number is None:
                line.order_line_number = segment.get(1, 3) or None
            elif qualifier == "LI" and line.order_line_number is None:
                line.order_line_number = segment.get(1, 2) or None
        elif tag == "DTM" and open_reference is not None:
            self.date_reference(segment, position, open_reference)
        elif tag == "FTX" and not line.subgroup:
            note = free_text(segment)
            if note is not None:
                line.notes.append(note)

    def finish_line(self) -> None:
        line, self.line = self.line, None
        if line is None:
            return
        self.line_drafts.append(line)
        allowances = [self.allowance_charge(a) for a in line.allowances]
        if line.quantity is None:
            self.error(
                "MISSING_SEGMENT",
                f"line {line.line_number} has no invoiced quantity (QTY+47 expected after this LIN)",
                line.segment,
                line.position,
                syntax_code="13",
            )
            return
        quantity, unit = line.quantity
        if quantity is None or any(a is None for a in allowances):
            return  # the errors are recorded
        net, basis = line.prices.get("AAA", (None, None))
        gross, gross_basis = line.prices.get("AAB", (None, None))
        self.lines.append(
            InvoiceLine(
                line_number=line.line_number,
                **line.items.fields(self.codes),
                description=" ".join(line.descriptions) or None,
                quantity=quantity,
                unit=self.unit(unit),
                notes=line.notes,
                references=line.references,
                unit_price=net,
                price_basis_quantity=basis if net is not None else gross_basis,
                gross_price=gross,
                line_net_amount=next((line.amounts[q] for q in LINE_AMOUNTS if q in line.amounts), None),
                tax_category=line.tax_category,
                tax_rate=line.tax_rate,
                order_line_number=line.order_line_number,
                allowances_charges=[a for a in allowances if a is not None],
            )
        )

    # -- summary --------------------------------------------------------------------------------

    def summary_segment(self, segment: Segment, position: int) -> None:
        """After UNS: totals (MOA), VAT breakdown (TAX + MOA 124/125), allowance totals (ALC + MOA)."""
        tag, qualifier = segment.tag, segment.get(1, 1)
        if tag == "TAX":
            category, rate = self.read_tax(segment, position)
            self.tax = _TaxDraft(segment, position, category, rate)
            self.taxes.append(self.tax)
            self.summary_group = "tax"
        elif tag == "ALC":
            self.summary_group = "allowance"  # per-kind subtotals: informative, the totals say it all
        elif tag == "MOA":
            if self.summary_group == "allowance":
                return
            if self.summary_group == "tax" and self.tax is not None and qualifier in ("124", "125"):
                if qualifier not in self.tax.amounts:
                    amount = self.decimal_value(segment, position, 1, 2, f"tax amount MOA {qualifier}")
                    if amount is not None:
                        self.tax.amounts[qualifier] = _Located(amount, segment, position)
                return
            if qualifier in self.totals:
                return
            amount = self.decimal_value(segment, position, 1, 2, f"total MOA {qualifier}")
            if amount is not None:
                self.totals[qualifier] = _Located(amount, segment, position)
        elif tag == "CNT" and qualifier == "2":
            count = self.whole_number(segment, position, 1, 2, "line count CNT 2")
            if count is not None:
                self.line_count = (count, segment, position)

    # -- end ------------------------------------------------------------------------------------

    def check_required(self) -> None:
        segments = self.message.segments
        if self.bgm is None:
            self.error(
                "MISSING_SEGMENT",
                "no BGM (beginning of message): an invoice needs its number and type; expected after UNH",
                segments[0],
                1,
                syntax_code="13",
            )
        if not self.line_drafts:
            self.missing_segment("the invoice has no lines (no LIN segment before UNS)")
        if not any(q in self.totals for q in ("9", *SUMMARY_TOTALS["tax_inclusive_amount"])):
            self.missing_segment("the invoice states no amount due (MOA 9, 77 or 86 expected after UNS)")
        elif "113" in self.totals and "9" not in self.totals:
            self.missing_segment("a prepaid amount (MOA 113) is stated but no amount due (MOA 9)")
        for tax in self.taxes:
            missing = [q for q in ("125", "124") if q not in tax.amounts]
            if missing:
                self.error(
                    "MISSING_SEGMENT",
                    f"VAT breakdown {tax.category or '?'} {tax.rate if tax.rate is not None else '?'} % has "
                    f"no {' and no '.join('MOA ' + q for q in missing)} (taxable and tax amount)",
                    tax.segment,
                    tax.position,
                    syntax_code="13",
                )
            elif tax.category is None:
                self.error(
                    "MISSING_VALUE",
                    "VAT breakdown has no tax category (TAX 5305, e.g. S, Z, E, AE)",
                    tax.segment,
                    tax.position,
                    6,
                    1,
                    syntax_code="13",
                )
        if self.line_count is not None:
            count, segment, position = self.line_count
            if count != len(self.line_drafts):
                self.error(
                    "LINE_COUNT_MISMATCH",
                    f"CNT 2 says {count} line(s), the message has {len(self.line_drafts)} LIN segment(s)",
                    segment,
                    position,
                    1,
                    2,
                )

    def total(self, name: str) -> _Located | None:
        return next((self.totals[q] for q in SUMMARY_TOTALS[name] if q in self.totals), None)

    def build(self, invoice_type: InvoiceType) -> Invoice | None:
        allowances = [self.allowance_charge(a) for a in self.allowances]
        if self.errors:
            return None
        stated = {name: self.total(name) for name in SUMMARY_TOTALS}
        values = {name: located.value if located else None for name, located in stated.items()}
        if values["payable_amount"] is None:
            values["payable_amount"] = values["tax_inclusive_amount"]  # no prepayment: due = invoice amount
        named: dict[str, str] = {}
        for reference in self.references:
            field_name = NAMED_REFERENCES.get(reference.qualifier)
            if field_name is not None:
                named.setdefault(field_name, reference.value)
        basic_terms_due = next((t.due_date for t in self.terms if t.due_date is not None), None)
        return Invoice(
            number=self.number,
            invoice_type=invoice_type,
            type_code=self.type_code,
            issue_date=self.dates.get("137") or self.dates.get("3"),
            tax_point_date=self.dates.get("131"),
            due_date=self.dates.get("13") or basic_terms_due,
            delivery_date=self.dates.get("35"),
            currency=self.currency,
            buyer=self.invoice_party("buyer"),
            seller=self.invoice_party("seller"),
            payee=self.invoice_party("payee"),
            invoicee=self.invoice_party("invoicee"),
            ship_to=self.role("ship_to"),
            **named,
            references=self.references,
            notes=self.notes,
            payment_terms=self.terms,
            lines=self.lines,
            allowances_charges=[a for a in allowances if a is not None],
            tax_breakdown=[
                TaxBreakdown(
                    tax_category=t.category or "",
                    tax_rate=t.rate,
                    taxable_amount=t.amounts["125"].value,
                    tax_amount=t.amounts["124"].value,
                )
                for t in self.taxes
            ],
            totals=InvoiceTotals(**values),
        )

    def role(self, role: str) -> Party | None:
        found = self.parties.get(role)
        return found[0] if found else None

    def invoice_party(self, role: str) -> InvoiceParty | None:
        party = self.role(role)
        return party if isinstance(party, InvoiceParty) else None

    # -- totals ---------------------------------------------------------------------------------

    def check_totals(self, invoice: Invoice) -> list[EdiError]:
        """EN 16931 BR-CO-10 … BR-CO-16 on the stated amounts; a located TOTALS_MISMATCH per rule broken."""
        located = {name: self.total(name) for name in SUMMARY_TOTALS}
        totals = invoice.totals
        line_amounts = [ln.line_net_amount for ln in invoice.lines]
        line_sum = sum((a for a in line_amounts if a is not None), Decimal(0))
        allowances = sum((a.amount for a in invoice.allowances_charges if not a.is_charge), Decimal(0))
        charges = sum((a.amount for a in invoice.allowances_charges if a.is_charge), Decimal(0))
        net_total = totals.line_net_total if totals.line_net_total is not None else line_sum

        if None not in line_amounts:
            self.compare(located["line_net_total"], line_sum, "the sum of the line amounts (MOA 203)")
        self.compare(located["allowance_total"], allowances, "the sum of the document allowances (ALC A)")
        self.compare(located["charge_total"], charges, "the sum of the document charges (ALC C)")
        self.compare(
            located["tax_exclusive_amount"],
            net_total - allowances + charges,
            f"line total {net_total} − allowances {allowances} + charges {charges}",
        )
        if invoice.tax_breakdown:
            tax_sum = sum((t.tax_amount for t in invoice.tax_breakdown), Decimal(0))
            taxable_sum = sum((t.taxable_amount for t in invoice.tax_breakdown), Decimal(0))
            self.compare(located["tax_total"], tax_sum, "the sum of the VAT breakdown tax amounts (MOA 124)")
            self.compare(
                located["tax_exclusive_amount"],
                taxable_sum,
                "the sum of the VAT breakdown taxable amounts (MOA 125)",
            )
            for tax in self.taxes:
                if tax.rate is not None:
                    expected = tax.amounts["125"].value * tax.rate / 100
                    self.compare(
                        tax.amounts["124"],
                        expected,
                        f"taxable amount {tax.amounts['125'].value} × {tax.rate} %",
                    )
        if totals.tax_exclusive_amount is not None and totals.tax_total is not None:
            self.compare(
                located["tax_inclusive_amount"],
                totals.tax_exclusive_amount + totals.tax_total,
                f"amount without tax {totals.tax_exclusive_amount} + tax {totals.tax_total}",
            )
        if totals.tax_inclusive_amount is not None and located["payable_amount"] is not None:
            prepaid = totals.prepaid_amount or Decimal(0)
            self.compare(
                located["payable_amount"],
                totals.tax_inclusive_amount - prepaid,
                f"invoice amount {totals.tax_inclusive_amount} − prepaid {prepaid}",
            )
        return self.errors

    def compare(self, stated: _Located | None, expected: Decimal, what: str) -> None:
        if stated is None or abs(stated.value - expected) <= ROUNDING_TOLERANCE:
            return
        qualifier = stated.segment.get(1, 1)
        self.error(
            "TOTALS_MISMATCH",
            f"MOA {qualifier} states {stated.value}, but {what} is {expected.quantize(Decimal('0.01'))} "
            f"(difference {(stated.value - expected).quantize(Decimal('0.01'))}; "
            f"tolerance {ROUNDING_TOLERANCE}); edigate does not correct totals",
            stated.segment,
            stated.position,
            1,
            2,
        )


def map_invoic(
    message: Message, interchange: Interchange, profile: ProfileWithCodes | None
) -> MapResult[Invoice]:
    """Translate one INVOIC message into an Invoice using the partner's code mappings.

    Returns the document with no errors; no document with every located error found; or — only when
    the stated totals disagree with their parts — the document with its TOTALS_MISMATCH errors.
    """
    return _InvoicMapper(message, interchange, codes_of(profile)).run()
