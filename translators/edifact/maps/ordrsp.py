"""EDIFACT ORDRSP (EANCOM D96A / D01B and the UN directories) → canonical OrderResponse.

A supplier answers one of our purchase orders. What the ERP acts on is the answer — for the whole
order (BGM 1225, else 4343) and per line (LIN 1229) — so an answer the map cannot read is a located
error, never a guess: a misread "rejected" as "accepted" would have the ERP wait for goods that never
come. A LIN without an action code takes the whole-order answer when that answer is "accepted" or
"rejected" (it says so for every line); after a "changed" header each line must say what changed.

The walk is the one ORDERS uses: header (BGM, DTM, FTX, RFF + DTM, NAD, CUX), lines (LIN …), summary
(UNS, CNT). Any error means no document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from translators.documents.common import Party, Reference
from translators.documents.order_response import (
    LineStatus,
    OrderResponse,
    OrderResponseLine,
    ResponseType,
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

RESPONSE_BY_FUNCTION: Mapping[str, ResponseType] = MappingProxyType(
    {"29": "accepted", "27": "rejected", "4": "changed"}
)
"""BGM 1225 (message function): 29 accepted without amendment, 27 not accepted, 4 change."""

RESPONSE_BY_TYPE: Mapping[str, ResponseType] = MappingProxyType(
    {"AP": "accepted", "RE": "rejected", "CA": "changed"}
)
"""BGM 4343 (response type) when 1225 does not answer: accepted, rejected, conditionally accepted."""

LINE_STATUS_BY_ACTION: Mapping[str, LineStatus] = MappingProxyType(
    {
        "1": "added",  # added: a line we did not order (a substitute, a free item)
        "2": "rejected",  # deleted by the supplier
        "3": "changed",  # changed
        "4": "accepted",  # no action: stays as ordered
        "5": "accepted",  # accepted without amendment
        "6": "changed",  # accepted with amendment
        "7": "rejected",  # not accepted
        "10": "rejected",  # not found: the supplier does not know the item
    }
)
"""UN 1229 (action request/notification) → line status; EANCOM ORDRSP uses 1, 3, 4, 5, 7."""

ORDERED_QUANTITY = "21"
CONFIRMED_QUANTITIES = ("113", "12")  # 6063: quantity to be delivered; despatch quantity
DELIVERY_DATES = ("69", "2", "17")  # 2005: promised for, requested, estimated delivery date

Section = Literal["header", "parties", "line", "summary"]


@dataclass(slots=True)
class _LineDraft:
    """A line while its segments are read; becomes an OrderResponseLine at the next LIN or UNS."""

    segment: Segment
    position: int
    line_number: str
    action: str
    items: ItemIds = field(default_factory=ItemIds)
    descriptions: list[str] = field(default_factory=list)
    quantities: dict[str, tuple[Decimal | None, str]] = field(default_factory=dict)  # 6063 → qty, unit
    prices: dict[str, tuple[Decimal, Decimal | None]] = field(default_factory=dict)  # 5125 → price, basis
    dates: dict[str, dt.date | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    in_subgroup: bool = False


class _OrdrspMapper(SegmentReader):
    """State of one map_ordrsp call. Lives only as long as the call."""

    def __init__(self, message: Message, interchange: Interchange, codes: CodeLookup) -> None:
        super().__init__(message, interchange, codes)
        self.section: Section = "header"
        self.open_reference: OpenReference | None = None
        self.bgm: tuple[Segment, int] | None = None
        self.number = ""
        self.response_type: ResponseType | None = None
        self.response_code: str | None = None
        self.dates: dict[str, dt.date | None] = {}
        self.currency: str | None = None
        self.parties: dict[str, tuple[Party, int]] = {}
        self.references: list[Reference] = []
        self.notes: list[str] = []
        self.line: _LineDraft | None = None
        self.line_drafts: list[_LineDraft] = []
        self.lines: list[OrderResponseLine] = []
        self.line_count: tuple[int, Segment, int] | None = None

    def run(self) -> MapResult[OrderResponse]:
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
                if tag == "CNT" and segment.get(1, 1) == "2":
                    count = self.whole_number(segment, position, 1, 2, "line count CNT 2")
                    if count is not None:
                        self.line_count = (count, segment, position)
            else:
                self.header_segment(segment, position, open_reference)
        self.finish_line()
        order_reference = self.check_required()
        if self.errors or self.response_type is None or order_reference is None:
            return MapResult(document=None, errors=self.errors)
        return MapResult(document=self.build(order_reference), errors=self.errors)

    # -- header ---------------------------------------------------------------------------------

    def header_segment(self, segment: Segment, position: int, open_reference: OpenReference | None) -> None:
        tag = segment.tag
        if tag == "BGM":
            self.read_bgm(segment, position)
        elif tag == "DTM":
            if open_reference is not None:
                self.date_reference(segment, position, open_reference)
            elif self.section == "header":
                qualifier = segment.get(1, 1)
                if qualifier in ("137", *DELIVERY_DATES) and qualifier not in self.dates:
                    self.dates[qualifier] = self.date_value(segment, position)
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

    def read_bgm(self, segment: Segment, position: int) -> None:
        if self.bgm is not None:
            self.second_segment(segment, position, self.bgm[1], "BGM")
            return
        self.bgm = (segment, position)
        self.number = self.document_number(segment, position, "an order response")
        function, response = segment.get(3, 1), segment.get(4, 1)
        if function in RESPONSE_BY_FUNCTION:
            self.response_type, self.response_code = RESPONSE_BY_FUNCTION[function], function
        elif response in RESPONSE_BY_TYPE:
            self.response_type, self.response_code = RESPONSE_BY_TYPE[response], response
        else:
            self.unknown_code(
                segment,
                position,
                3,
                1,
                f"order response answer (BGM 1225 {function or '-'}, 4343 {response or '-'}): 1225",
                "1225 29 accepted, 27 not accepted, 4 changed; or 4343 AP, RE, CA",
            )

    def read_nad(self, segment: Segment, position: int) -> None:
        qualifier = segment.get(1, 1)
        role = {"BY": "buyer", "SU": "seller", "DP": "ship_to", "ST": "ship_to"}.get(qualifier)
        if role is None:
            return
        if role in self.parties:
            self.second_segment(segment, position, self.parties[role][1], f"NAD for the {role}")
            return
        self.parties[role] = (self.party(segment, Party), position)

    # -- lines ----------------------------------------------------------------------------------

    def start_line(self, segment: Segment, position: int) -> None:
        self.section = "line"
        line_number = segment.get(1, 1) or str(len(self.line_drafts) + 1)
        self.line = _LineDraft(segment, position, line_number, action=segment.get(2, 1))
        self.line.items.add_lin(segment)

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
        elif tag == "QTY":
            qualifier = segment.get(1, 1)
            if qualifier in (ORDERED_QUANTITY, *CONFIRMED_QUANTITIES) and qualifier not in line.quantities:
                quantity = self.required_decimal(
                    segment, position, 1, 2, f"line {line.line_number} QTY {qualifier}"
                )
                line.quantities[qualifier] = (quantity, segment.get(1, 3))
        elif tag == "PRI":
            qualifier = segment.get(1, 1)
            if qualifier in ("AAA", "AAB") and qualifier not in line.prices:
                price = self.decimal_value(segment, position, 1, 2, f"price {qualifier}")
                basis = self.decimal_value(segment, position, 1, 5, "unit price basis")
                if price is not None:
                    line.prices[qualifier] = (price, basis)
        elif tag == "FTX" and not line.in_subgroup:
            note = free_text(segment)
            if note is not None:
                line.notes.append(note)
        elif tag == "RFF" and not line.in_subgroup:
            self.open_reference = add_reference(line.references, segment)
        elif tag == "DTM":
            if open_reference is not None:
                self.date_reference(segment, position, open_reference)
            elif not line.in_subgroup:
                qualifier = segment.get(1, 1)
                if qualifier in DELIVERY_DATES and qualifier not in line.dates:
                    line.dates[qualifier] = self.date_value(segment, position)

    def finish_line(self) -> None:
        line, self.line = self.line, None
        if line is None:
            return
        self.line_drafts.append(line)
        status = self.line_status(line)
        ordered, ordered_unit = line.quantities.get(ORDERED_QUANTITY, (None, ""))
        confirmed, confirmed_unit = next(
            (line.quantities[q] for q in CONFIRMED_QUANTITIES if q in line.quantities), (None, "")
        )
        if status is None or any(q is None for q, _ in line.quantities.values()):
            return  # the errors are recorded
        both = ordered is not None and confirmed is not None
        if both and self.unit(ordered_unit) != self.unit(confirmed_unit):
            self.error(
                "UNIT_MISMATCH",
                f"line {line.line_number}: ordered quantity is in {ordered_unit or 'PCE'}, confirmed in "
                f"{confirmed_unit or 'PCE'}; one line has one unit",
                line.segment,
                line.position,
            )
            return
        unit_code = confirmed_unit or ordered_unit
        price, basis = line.prices.get("AAA") or line.prices.get("AAB") or (None, None)
        has_quantity = ordered is not None or confirmed is not None
        self.lines.append(
            OrderResponseLine(
                line_number=line.line_number,
                **line.items.fields(self.codes),
                description=" ".join(line.descriptions) or None,
                line_status=status,
                line_status_code=line.action or None,
                ordered_quantity=ordered,
                confirmed_quantity=confirmed,
                unit=self.unit(unit_code) if has_quantity else None,
                unit_price=price,
                price_basis_quantity=basis,
                delivery_date=_first_date(line.dates),
                notes=line.notes,
                references=line.references,
            )
        )

    def line_status(self, line: _LineDraft) -> LineStatus | None:
        """LIN 1229 → status; without a code, the whole-order answer when it speaks for every line."""
        if line.action in LINE_STATUS_BY_ACTION:
            return LINE_STATUS_BY_ACTION[line.action]
        if line.action == "" and self.response_type == "accepted":
            return "accepted"
        if line.action == "" and self.response_type == "rejected":
            return "rejected"
        if line.action == "" and self.response_type is None:
            return None  # the BGM error already says why nothing can be decided
        known = ", ".join(f"{code} {status}" for code, status in LINE_STATUS_BY_ACTION.items())
        if line.action:
            self.unknown_code(
                line.segment, line.position, 2, 1, f"line {line.line_number} action (1229)", known
            )
        else:
            self.error(
                "MISSING_VALUE",
                f"line {line.line_number} has no action code (LIN 1229) and the order response is "
                f"'{self.response_type}': say per line what changed ({known})",
                line.segment,
                line.position,
                2,
                1,
                syntax_code="13",
            )
        return None

    # -- end ------------------------------------------------------------------------------------

    def check_required(self) -> Reference | None:
        """BGM and the answered order's number are required; CNT 2 must count the lines."""
        segments = self.message.segments
        if self.bgm is None:
            self.error(
                "MISSING_SEGMENT",
                "no BGM (beginning of message): an order response needs its number and its answer; "
                "expected right after UNH",
                segments[0],
                1,
                syntax_code="13",
            )
        order_reference = next((r for r in self.references if r.qualifier == "ON"), None)
        if order_reference is None:
            self.missing_segment(
                "no RFF+ON in the header: an order response must name the purchase order it answers"
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
        return order_reference

    def build(self, order_reference: Reference) -> OrderResponse:
        assert self.response_type is not None
        return OrderResponse(
            number=self.number,
            issue_date=self.dates.get("137"),
            order_number=order_reference.value,
            order_date=order_reference.date,
            response_type=self.response_type,
            response_code=self.response_code,
            delivery_date=_first_date(self.dates),
            currency=self.currency,
            buyer=self.role("buyer"),
            seller=self.role("seller"),
            ship_to=self.role("ship_to"),
            notes=self.notes,
            references=self.references,
            lines=self.lines,
        )

    def role(self, role: str) -> Party | None:
        found = self.parties.get(role)
        return found[0] if found else None


def _first_date(dates: dict[str, dt.date | None]) -> dt.date | None:
    """The delivery date by preference: promised (69), else requested (2), else estimated (17)."""
    return next((dates[q] for q in DELIVERY_DATES if dates.get(q) is not None), None)


def map_ordrsp(
    message: Message, interchange: Interchange, profile: ProfileWithCodes | None
) -> MapResult[OrderResponse]:
    """Translate one ORDRSP message into an OrderResponse using the partner's code mappings.

    Returns the document with no errors, or no document with every located error found.
    """
    return _OrdrspMapper(message, interchange, codes_of(profile)).run()
