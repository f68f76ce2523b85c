"""EDIFACT ORDERS (EANCOM D96A and the UN directories it is built on) → canonical PurchaseOrder.

The map walks the message once, in segment order, and keeps track of which part of the message it is
in — header, the party groups (NAD …), a line (LIN …) or the summary (after UNS) — because the same
tag means different things in different places: an RFF right after BGM/DTM is a document reference,
an RFF after a NAD is that party's VAT number, and a NAD after a LIN is a line-level party that must
not overwrite the buyer.

Segments are read positionally and missing optional elements are tolerated. Anything the map needs
but cannot use — an unreadable date, a quantity that is not a number, a line without an ordered
quantity — becomes a located :class:`EdiError` (segment index and tag, element, component, what was
expected). Any error means the document is not produced: the gateway rejects the message rather than
hand the ERP an order that differs from what the customer sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from translators.documents.common import Party, Reference
from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.edifact.maps.result import CodeLookup, MapResult, ProfileWithCodes
from translators.edifact.maps.segments import (
    DEFAULT_UNIT,
    LINE_SUBGROUP_TAGS,
    REFERENCE_TYPES,
    ItemIds,
    OpenReference,
    SegmentReader,
    add_reference,
    codes_of,
    free_text,
    text,
)
from translators.edifact.model import Interchange, Message, Segment

TOTAL_AMOUNT_QUALIFIERS = ("86", "128", "79")  # 5025: message total, total amount, total line items
ORDERED_QUANTITY = "21"
_PARTY_ROLES: Mapping[str, str] = MappingProxyType(
    {"BY": "buyer", "SU": "seller", "DP": "ship_to", "IV": "invoicee"}
)  # NAD 3035 → the order's party

__all__ = ["REFERENCE_TYPES", "map_orders"]

Section = Literal["header", "parties", "line", "summary"]


@dataclass(slots=True)
class _LineDraft:
    """A line while its segments are being read; becomes a PurchaseOrderLine when the next LIN comes."""

    segment: Segment
    position: int  # of the LIN within the message (UNH = 1)
    line_number: str
    items: ItemIds = field(default_factory=ItemIds)
    descriptions: list[str] = field(default_factory=list)
    quantity: Decimal | None = None
    unit: str | None = None
    has_ordered_quantity: bool = False
    prices: dict[str, tuple[Decimal, Decimal | None]] = field(default_factory=dict)  # 5125 → price, basis
    line_amount: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    requested_delivery_date: dt.date | None = None
    in_subgroup: bool = False


class _OrdersMapper(SegmentReader):
    """State of one map_orders call. Lives only as long as the call: no module-level state."""

    def __init__(self, message: Message, interchange: Interchange, codes: CodeLookup) -> None:
        super().__init__(message, interchange, codes)
        self.section: Section = "header"
        self.open_reference: OpenReference | None = None

        self.bgm: tuple[Segment, int] | None = None
        self.number = ""
        self.document_name_code: str | None = None
        self.message_function: str | None = None
        self.issue_date: dt.date | None = None
        self.requested_delivery_date: dt.date | None = None
        self.currency: str | None = None
        self.parties: dict[str, Party] = {}
        self.references: list[Reference] = []
        self.notes: list[str] = []
        self.lines: list[PurchaseOrderLine] = []
        self.line: _LineDraft | None = None
        self.line_drafts: list[_LineDraft] = []
        self.totals: dict[str, Decimal] = {}
        self.line_count: tuple[int, Segment, int] | None = None

    # -- walking --------------------------------------------------------------------------------

    def run(self) -> MapResult[PurchaseOrder]:
        segments = self.message.segments
        for position, segment in enumerate(segments, start=1):
            tag = segment.tag
            if tag in ("UNH", "UNT"):
                continue
            previous_open_reference = self.open_reference
            self.open_reference = None
            if tag == "UNS":
                self.finish_line()
                self.section = "summary"
            elif tag == "LIN":
                self.finish_line()
                self.start_line(segment, position)
            elif self.section == "line":
                self.line_segment(segment, position, previous_open_reference)
            elif self.section == "summary":
                self.summary_segment(segment, position)
            else:
                self.header_segment(segment, position, previous_open_reference)
        self.finish_line()
        self.check_required()
        if self.errors or self.bgm is None:
            return MapResult(document=None, errors=self.errors)
        return MapResult(document=self.build(), errors=self.errors)

    def header_segment(self, segment: Segment, position: int, open_reference: OpenReference | None) -> None:
        tag = segment.tag
        if tag == "BGM":
            self.read_bgm(segment, position)
        elif tag == "DTM":
            if open_reference is not None:
                self.date_reference(segment, position, open_reference)
            elif self.section == "header":
                qualifier = segment.get(1, 1)
                if qualifier == "137":
                    self.issue_date = self.date_value(segment, position)
                elif qualifier == "2":
                    self.requested_delivery_date = self.date_value(segment, position)
        elif tag == "FTX":
            note = free_text(segment)
            if note is not None:
                self.notes.append(note)
        elif tag == "RFF" and self.section == "header":
            self.open_reference = add_reference(self.references, segment)
        elif tag == "NAD":
            self.section = "parties"
            self.read_nad(segment, position)
        elif tag == "CUX" and self.currency is None:
            self.currency = segment.get(1, 2) or None

    def line_segment(self, segment: Segment, position: int, open_reference: OpenReference | None) -> None:
        line = self.line
        assert line is not None  # section "line" is only entered by start_line
        tag = segment.tag
        if tag in LINE_SUBGROUP_TAGS:
            line.in_subgroup = True
        if tag == "PIA":
            line.items.add_pia(segment)
        elif tag == "IMD":
            description = text(segment, 3, (4, 5))
            if description is not None:
                line.descriptions.append(description)
        elif tag == "QTY" and segment.get(1, 1) == ORDERED_QUANTITY and not line.has_ordered_quantity:
            line.has_ordered_quantity = True
            if segment.get(1, 2) == "":
                self.error(
                    "MISSING_VALUE",
                    f"line {line.line_number}: QTY+21 has no quantity (C186 6060)",
                    segment,
                    position,
                    1,
                    2,
                    syntax_code="13",
                )
            line.quantity = self.decimal_value(segment, position, 1, 2, "ordered quantity")
            line.unit = segment.get(1, 3) or DEFAULT_UNIT
        elif tag == "PRI":
            qualifier = segment.get(1, 1)
            if qualifier in ("AAA", "AAB") and qualifier not in line.prices:
                price = self.decimal_value(segment, position, 1, 2, f"price {qualifier}")
                basis = self.decimal_value(segment, position, 1, 5, "unit price basis")
                if price is not None:
                    line.prices[qualifier] = (price, basis)
        elif tag == "MOA" and segment.get(1, 1) == "203" and not line.in_subgroup:
            line.line_amount = self.decimal_value(segment, position, 1, 2, "line amount MOA 203")
        elif tag == "FTX" and not line.in_subgroup:
            note = free_text(segment)
            if note is not None:
                line.notes.append(note)
        elif tag == "RFF" and not line.in_subgroup:
            self.open_reference = add_reference(line.references, segment)
        elif tag == "DTM":
            if open_reference is not None:
                self.date_reference(segment, position, open_reference)
            elif not line.in_subgroup and segment.get(1, 1) == "2":
                line.requested_delivery_date = self.date_value(segment, position)

    def summary_segment(self, segment: Segment, position: int) -> None:
        if segment.tag == "MOA":
            qualifier = segment.get(1, 1)
            if qualifier in TOTAL_AMOUNT_QUALIFIERS and qualifier not in self.totals:
                amount = self.decimal_value(segment, position, 1, 2, f"total amount MOA {qualifier}")
                if amount is not None:
                    self.totals[qualifier] = amount
        elif segment.tag == "CNT" and segment.get(1, 1) == "2":
            count = self.whole_number(segment, position, 1, 2, "line count CNT 2")
            if count is not None:
                self.line_count = (count, segment, position)

    # -- segment readers ------------------------------------------------------------------------

    def read_bgm(self, segment: Segment, position: int) -> None:
        if self.bgm is not None:
            self.second_segment(segment, position, self.bgm[1], "BGM")
            return
        self.bgm = (segment, position)
        self.document_name_code = segment.get(1, 1) or None
        self.number = self.document_number(segment, position, "an order")
        self.message_function = segment.get(3, 1) or None

    def read_nad(self, segment: Segment, position: int) -> None:
        role = _PARTY_ROLES.get(segment.get(1, 1))
        if role is None:
            return
        if role in self.parties:
            self.error(
                "UNEXPECTED_SEGMENT",
                f"second NAD+{segment.get(1, 1)}: the {role.replace('_', '-')} is already given",
                segment,
                position,
                1,
                1,
                syntax_code="35",
            )
            return
        self.parties[role] = self.party(segment, Party)

    def start_line(self, segment: Segment, position: int) -> None:
        self.section = "line"
        line_number = segment.get(1, 1) or str(len(self.line_drafts) + 1)
        self.line = _LineDraft(segment=segment, position=position, line_number=line_number)
        self.line.items.add_lin(segment)

    def finish_line(self) -> None:
        line = self.line
        if line is None:
            return
        self.line = None
        self.line_drafts.append(line)
        if not line.has_ordered_quantity:
            self.error(
                "MISSING_SEGMENT",
                f"line {line.line_number} has no ordered quantity (QTY+21 expected after this LIN)",
                line.segment,
                line.position,
                syntax_code="13",
            )
            return
        if line.quantity is None:
            return  # the QTY error is already recorded
        price, basis = line.prices.get("AAA") or line.prices.get("AAB") or (None, None)
        self.lines.append(
            PurchaseOrderLine(
                line_number=line.line_number,
                **line.items.fields(self.codes),
                description=" ".join(line.descriptions) or None,
                quantity=line.quantity,
                unit=self.unit(line.unit or DEFAULT_UNIT),
                notes=line.notes,
                references=line.references,
                unit_price=price,
                price_basis_quantity=basis,
                line_amount=line.line_amount,
                requested_delivery_date=line.requested_delivery_date,
            )
        )

    def check_required(self) -> None:
        segments = self.message.segments
        if self.bgm is None:
            anchor = segments[0]
            self.error(
                "MISSING_SEGMENT",
                "no BGM (beginning of message): an order needs its number; expected right after UNH",
                anchor,
                1,
                syntax_code="13",
            )
        if not self.line_drafts:
            self.missing_segment("the order has no lines (no LIN segment before the summary section)")
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

    def build(self) -> PurchaseOrder:
        total = next((self.totals[q] for q in TOTAL_AMOUNT_QUALIFIERS if q in self.totals), None)
        return PurchaseOrder(
            number=self.number,
            document_name_code=self.document_name_code,
            message_function=self.message_function,
            issue_date=self.issue_date,
            requested_delivery_date=self.requested_delivery_date,
            currency=self.currency,
            buyer=self.parties.get("buyer"),
            seller=self.parties.get("seller"),
            ship_to=self.parties.get("ship_to"),
            invoicee=self.parties.get("invoicee"),
            references=self.references,
            notes=self.notes,
            lines=self.lines,
            total_amount=total,
            line_count=self.line_count[0] if self.line_count else None,
        )


def map_orders(
    message: Message, interchange: Interchange, profile: ProfileWithCodes | None
) -> MapResult[PurchaseOrder]:
    """Translate one ORDERS message into a PurchaseOrder using the partner's code mappings.

    ``profile`` may be None (no partner resolved yet): units then pass through and no ERP ids are
    found. Returns the document with no errors, or no document with every located error found —
    the whole message is read even after the first error, so the partner can fix everything at once.
    """
    return _OrdersMapper(message, interchange, codes_of(profile)).run()
