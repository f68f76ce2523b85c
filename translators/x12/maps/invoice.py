"""X12 810 Invoice (004010, 005010) → canonical Invoice.

- BIG01 invoice date, BIG02 number, BIG04 purchase order number, BIG07 transaction type
  (CR credit memo → credit_note 381, DR debit memo → debit_note 383, else invoice 380);
- N1 loops: BY buyer (BT when there is no BY; BT is the invoicee when there is), SE/SU/VN/II
  seller, RE payee, ST ship-to; REF VX in the loop is the party's VAT id;
- REF: PO order number, PK/BM delivery note, CT contract, OI preceding invoice; all kept as references;
- ITD → payment terms (ITD03 discount %, ITD04/05 discount due date/days, ITD06/07 net due date/days,
  ITD08 discount amount N2, ITD12 text); DTM 035 delivered → delivery date;
- IT1 lines: IT101 line number, IT102 quantity, IT103 unit (through the profile), IT104 unit price,
  product ids IT106…; PID description; TXI VAT rate/category; SAC allowances/charges (SAC05 N2);
- summary: TDS01 (N2, two implied decimals) is the amount due; TXI02 amounts sum to the tax total and
  give a breakdown row when TXI08 (taxable amount) is sent; SAC allowances/charges; CTT01 is checked
  against the IT1 count.

Amounts are as the supplier stated them; the map never recomputes a total.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
from translators.x12.maps.reading import ROLE_OF_ENTITY, X12Mapper, description
from translators.x12.model import TransactionSet, X12Segment

INVOICE_TYPES: dict[str, tuple[InvoiceType, str]] = {
    "CR": ("credit_note", "381"),
    "DR": ("debit_note", "383"),
}
_DEFAULT_TYPE: tuple[InvoiceType, str] = ("invoice", "380")
_SUBLOOPS = frozenset({"SAC", "SLN", "N1", "LM", "V1", "FA1"})


class _InvoiceMapper(X12Mapper):
    def __init__(self, ts: TransactionSet, codes_lookup: CodeLookup) -> None:
        super().__init__(ts, codes_lookup)
        self.big: tuple[X12Segment, int] | None = None
        self.currency: str | None = None
        self.references: list[Reference] = []
        self.notes: list[str] = []
        self.delivery: dt.date | None = None
        self.loops: list[list[X12Segment]] = []
        self.terms: list[PaymentTerms] = []
        self.lines: list[InvoiceLine] = []
        self.charges: list[AllowanceCharge] = []
        self.tax_total: Decimal | None = None
        self.breakdown: list[TaxBreakdown] = []
        self.tds: tuple[X12Segment, int] | None = None
        self.ctt: tuple[X12Segment, int] | None = None

    def run(self) -> MapResult[Invoice]:
        section = "header"
        party: list[X12Segment] | None = None
        line: list[tuple[int, X12Segment]] | None = None
        line_groups: list[list[tuple[int, X12Segment]]] = []
        for position, seg in enumerate(self.ts.segments, start=1):
            tag = seg.tag
            if tag in ("ST", "SE"):
                continue
            if tag == "IT1":
                section, party = "line", None
                line = [(position, seg)]
                line_groups.append(line)
            elif tag == "TDS":
                section, party = "summary", None
                self.tds = (seg, position)
            elif section == "line" and line is not None:
                line.append((position, seg))
            elif section == "summary":
                self.summary_segment(seg, position)
            elif tag == "N1":
                party = [seg]
                self.loops.append(party)
            elif party is not None and tag in ("N2", "N3", "N4", "REF", "PER", "DMG"):
                party.append(seg)
            else:
                party = None
                self.header_segment(seg, position)
        for group in line_groups:
            built = self.line(group, len(self.lines) + 1)
            if built is not None:
                self.lines.append(built)
        if self.big is None:
            self.missing("no BIG (beginning segment): an invoice needs its number and date", "BIG")
        if self.tds is None:
            self.missing("no TDS (total monetary value summary): an invoice needs its amount due", "TDS")
        if not line_groups:
            self.missing("the invoice has no lines (no IT1 segment)", "IT1")
        payable = self.implied(self.tds[0], self.tds[1], 1, 2, "total invoice amount") if self.tds else None
        if self.ctt is not None:
            count = self.integer(self.ctt[0], self.ctt[1], 1, "line count")
            if count is not None and count != len(line_groups):
                self.error(
                    "LINE_COUNT_MISMATCH",
                    f"CTT01 says {count} line(s), the invoice has {len(line_groups)} IT1",
                    self.ctt[0],
                    self.ctt[1],
                    1,
                )
        if self.errors or self.big is None or payable is None:
            return MapResult(document=None, errors=self.errors)
        big, big_position = self.big
        invoice_type, type_code = INVOICE_TYPES.get(big.get(7), _DEFAULT_TYPE)
        parties = self.parties()
        named = {r.qualifier: r.value for r in reversed(self.references)}
        return MapResult(
            document=Invoice(
                number=big.get(2).strip(),
                invoice_type=invoice_type,
                type_code=type_code,
                issue_date=self.date(big, big_position, 1, "invoice date"),
                delivery_date=self.delivery,
                currency=self.currency,
                buyer=parties.get("buyer"),
                seller=parties.get("seller"),
                payee=parties.get("payee"),
                invoicee=parties.get("invoicee"),
                ship_to=parties.get("ship_to"),
                order_number=big.get(4) or named.get("PO"),
                delivery_note_number=named.get("PK") or named.get("BM"),
                contract_number=named.get("CT"),
                preceding_invoice_number=named.get("OI"),
                references=self.references,
                notes=self.notes,
                payment_terms=self.terms,
                lines=self.lines,
                allowances_charges=self.charges,
                tax_breakdown=self.breakdown,
                totals=InvoiceTotals(tax_total=self.tax_total, payable_amount=payable),
            ),
            errors=[],
        )

    def header_segment(self, seg: X12Segment, position: int) -> None:
        tag = seg.tag
        if tag == "BIG":
            self.big = (seg, position)
            self.date(seg, position, 1, "invoice date")
            if not seg.get(2).strip():
                self.error("MISSING_VALUE", "BIG02 (invoice number) is empty", seg, position, 2, "AK4:1")
        elif tag == "CUR" and self.currency is None:
            self.currency = seg.get(2) or None
        elif tag == "REF" and (ref := self.reference(seg)) is not None:
            self.references.append(ref)
        elif tag == "NTE" and seg.get(2).strip():
            self.notes.append(seg.get(2).strip())
        elif tag == "DTM" and seg.get(1) == "035" and self.delivery is None:
            self.delivery = self.date(seg, position, 2, "delivery date")
        elif tag == "ITD":
            self.terms.append(self.payment_terms(seg, position))

    def payment_terms(self, seg: X12Segment, position: int) -> PaymentTerms:
        return PaymentTerms(
            description=seg.get(12).strip() or None,
            discount_percent=self.decimal(seg, position, 3, "terms discount percent"),
            discount_due_date=self.date(seg, position, 4, "terms discount due date"),
            discount_days=self.integer(seg, position, 5, "terms discount days"),
            due_date=self.date(seg, position, 6, "terms net due date"),
            net_days=self.integer(seg, position, 7, "terms net days"),
            discount_amount=self.implied(seg, position, 8, 2, "terms discount amount"),
        )

    def summary_segment(self, seg: X12Segment, position: int) -> None:
        tag = seg.tag
        if tag == "TXI":
            amount = self.decimal(seg, position, 2, "tax amount")
            if amount is not None:
                self.tax_total = (self.tax_total or Decimal(0)) + amount
                taxable = self.decimal(seg, position, 8, "taxable amount")
                if taxable is not None:
                    self.breakdown.append(
                        TaxBreakdown(
                            tax_category=seg.get(1),
                            tax_rate=self.decimal(seg, position, 3, "tax percent"),
                            taxable_amount=taxable,
                            tax_amount=amount,
                        )
                    )
        elif tag == "SAC":
            charge = self.allowance_charge(seg, position)
            if charge is not None:
                self.charges.append(charge)
        elif tag == "CTT":
            self.ctt = (seg, position)

    def allowance_charge(self, seg: X12Segment, position: int) -> AllowanceCharge | None:
        indicator = seg.get(1)
        amount = self.implied(seg, position, 5, 2, "allowance/charge amount")
        if indicator not in ("A", "C") or amount is None:
            return None  # SAC01 N (no allowance or charge) or an informational SAC without amount
        return AllowanceCharge(
            is_charge=indicator == "C",
            amount=abs(amount),
            reason=seg.get(15).strip() or None,
            reason_code=seg.get(2) or None,
            percent=self.decimal(seg, position, 7, "allowance/charge percent") if seg.get(6) else None,
        )

    def line(self, group: list[tuple[int, X12Segment]], sequence: int) -> InvoiceLine | None:
        position, it1 = group[0]
        number = it1.get(1) or str(sequence)
        quantity = self.decimal(it1, position, 2, "quantity invoiced")
        price = self.decimal(it1, position, 4, "unit price")
        if quantity is None:
            if it1.get(2) == "":
                self.error(
                    "MISSING_VALUE",
                    f"line {number}: IT102 (quantity invoiced) is empty",
                    it1,
                    position,
                    2,
                    "AK4:2",
                )
            return None
        if not it1.get(3):
            self.error("MISSING_VALUE", f"line {number}: IT103 (unit) is empty", it1, position, 3, "AK4:2")
            return None
        descriptions: list[str] = []
        charges: list[AllowanceCharge] = []
        tax_category = tax_rate = None
        references: list[Reference] = []
        in_subloop = False
        for pos, seg in group[1:]:
            tag = seg.tag
            if tag == "SAC":
                in_subloop = True
                charge = self.allowance_charge(seg, pos)
                if charge is not None:
                    charges.append(charge)
            elif tag in _SUBLOOPS:
                in_subloop = True
            elif tag == "PID" and description(seg):
                descriptions.append(description(seg) or "")
            elif in_subloop:
                continue
            elif tag == "TXI" and tax_category is None:
                tax_category = seg.get(1) or None
                tax_rate = self.decimal(seg, pos, 3, "tax percent")
            elif tag == "REF" and (ref := self.reference(seg)) is not None:
                references.append(ref)
        gtin, seller, buyer = self.item_ids(it1, 6, 10)
        return InvoiceLine(
            line_number=number,
            gtin=gtin,
            buyer_item_id=buyer,
            seller_item_id=seller,
            erp_item_id=self.erp_item(gtin, seller, buyer),
            description=" ".join(descriptions) or None,
            quantity=quantity,
            unit=self.codes.unit(it1.get(3)),
            references=references,
            unit_price=price,
            tax_category=tax_category,
            tax_rate=tax_rate,
            order_line_number=it1.get(1) or None,
            allowances_charges=charges,
        )

    def parties(self) -> dict[str, InvoiceParty]:
        found: dict[str, InvoiceParty] = {}
        for loop in self.loops:
            role = ROLE_OF_ENTITY.get(loop[0].get(1))
            if role is None or role in found:
                continue
            party: Party = self.party(loop)
            vat = next((s.get(2) for s in loop if s.tag == "REF" and s.get(1) == "VX" and s.get(2)), None)
            found[role] = InvoiceParty(**party.model_dump(), vat_id=vat)
        out: dict[str, InvoiceParty] = {
            k: v for k, v in found.items() if k in ("buyer", "seller", "payee", "ship_to")
        }
        if "bill_to" in found:
            if "buyer" in out:
                out["invoicee"] = found["bill_to"]
            else:
                out["buyer"] = found["bill_to"]
        return out


def map_invoice(ts: TransactionSet, codes_lookup: CodeLookup) -> MapResult[Invoice]:
    return _InvoiceMapper(ts, codes_lookup).run()
