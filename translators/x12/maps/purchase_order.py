"""X12 850 Purchase Order (004010, 005010) → canonical PurchaseOrder.

One pass over the set, tracking the section: header, a header N1 loop, a PO1 line (and loops nested
in it: an N1 inside a line is a line-level party and must not overwrite the buyer), the summary
(CTT). What lands where:

- BEG03 number, BEG02 order type → ``document_name_code``, BEG01 purpose → ``message_function``,
  BEG05 issue date; CUR02 currency; REF → references; DTM 002 → requested delivery date;
  MSG / NTE → notes;
- N1 BY buyer, SE/SU/VN seller, ST ship-to, BT invoicee;
- PO1: line number PO101, quantity PO102, unit PO103 (through the profile), unit price PO104,
  product ids PO106…; PID description; DTM 002 per line;
- CTT01 line count (checked against the PO1s), AMT TT total amount.

Any error means no document: the gateway rejects the set rather than hand the ERP an order that
differs from what the customer sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from translators.documents.common import Party, Reference
from translators.documents.purchase_order import PurchaseOrder
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.x12.maps.reading import ROLE_OF_ENTITY, X12Mapper, item_ids_of
from translators.x12.model import TransactionSet, X12Segment

REQUESTED_DELIVERY = ("002", "106")  # DTM01: delivery requested, required by
_ORDER_ROLES = {"buyer": "buyer", "seller": "seller", "ship_to": "ship_to", "bill_to": "invoicee"}
_LINE_SUBLOOPS = frozenset({"N1", "SLN", "SCH", "N9", "LDT", "AMT", "SAC", "QTY"})
_PO1_VALUES = 4  # PO101-PO104 (line number, quantity, unit, price) always there; id pairs as sent


@dataclass(slots=True)
class _Line:
    segment: X12Segment
    position: int
    values: list[str]  # PO101… as ``segment.get`` reads them (``X12Segment.values``), at least 4
    descriptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    requested_delivery_date: dt.date | None = None
    in_subloop: bool = False


class _PurchaseOrderMapper(X12Mapper):
    def __init__(self, ts: TransactionSet, codes_lookup: CodeLookup) -> None:
        super().__init__(ts, codes_lookup)
        self.beg: X12Segment | None = None
        self.issue_date: dt.date | None = None
        self.currency: str | None = None
        self.references: list[Reference] = []
        self.notes: list[str] = []
        self.requested: dt.date | None = None
        self.parties: dict[str, Party] = {}
        self.party_loop: list[X12Segment] | None = None
        self.lines: list[_Line] = []
        self.line: _Line | None = None
        self.summary = False
        self.line_count: tuple[int, X12Segment, int] | None = None
        self.total: Decimal | None = None

    def run(self) -> MapResult[PurchaseOrder]:
        for position, seg in enumerate(self.ts.segments, start=1):
            tag = seg.tag
            if tag in ("ST", "SE"):
                continue
            if tag == "PO1":
                self.close_party()
                self.line = _Line(seg, position, seg.values(_PO1_VALUES))
                self.lines.append(self.line)
            elif tag == "CTT":
                self.close_party()
                self.line, self.summary = None, True
                count = self.integer(seg, position, 1, "line count")
                if count is not None:
                    self.line_count = (count, seg, position)
            elif self.summary:
                if tag == "AMT" and seg.get(1) == "TT":
                    self.total = self.decimal(seg, position, 2, "total amount")
            elif self.line is not None:
                self.line_segment(seg, position, self.line)
            else:
                self.header_segment(seg, position)
        self.close_party()
        if self.beg is None:
            self.missing("no BEG (beginning segment): an order needs its number", "BEG")
        if not self.lines:
            self.missing("the order has no lines (no PO1 segment)", "PO1")
        built = [self.build_line(line) for line in self.lines]
        if self.line_count is not None and self.line_count[0] != len(self.lines):
            count, seg, position = self.line_count
            self.error(
                "LINE_COUNT_MISMATCH",
                f"CTT01 says {count} line(s), the order has {len(self.lines)} PO1",
                seg,
                position,
                1,
            )
        if self.errors or self.beg is None:
            return MapResult(document=None, errors=self.errors)
        beg = self.beg
        # One validation for the order and all its lines: the lines are plain dicts until here,
        # which spares a model __init__ (a Python call into pydantic) per line.
        document = PurchaseOrder.model_validate(
            {
                "number": beg.get(3).strip(),
                "document_name_code": beg.get(2) or None,
                "message_function": beg.get(1) or None,
                "issue_date": self.issue_date,
                "requested_delivery_date": self.requested,
                "currency": self.currency,
                "buyer": self.parties.get("buyer"),
                "seller": self.parties.get("seller"),
                "ship_to": self.parties.get("ship_to"),
                "invoicee": self.parties.get("invoicee"),
                "references": self.references,
                "notes": self.notes,
                "lines": [line for line in built if line is not None],
                "total_amount": self.total,
                "line_count": self.line_count[0] if self.line_count else None,
            }
        )
        return MapResult(document=document, errors=[])

    def header_segment(self, seg: X12Segment, position: int) -> None:
        tag = seg.tag
        if tag == "N1":
            self.close_party()
            self.party_loop = [seg]
            return
        if self.party_loop is not None and tag in ("N2", "N3", "N4", "REF", "PER", "NX2"):
            self.party_loop.append(seg)
            return
        self.close_party()
        if tag == "BEG":
            self.beg = seg
            self.issue_date = self.date(seg, position, 5, "order date")
            if not seg.get(3).strip():
                self.error(
                    "MISSING_VALUE", "BEG03 (purchase order number) is empty", seg, position, 3, "AK4:1"
                )
        elif tag == "CUR" and self.currency is None:
            self.currency = seg.get(2) or None
        elif tag == "REF":
            ref = self.reference(seg)
            if ref is not None:
                self.references.append(ref)
        elif tag == "DTM" and seg.get(1) in REQUESTED_DELIVERY and self.requested is None:
            self.requested = self.date(seg, position, 2, "requested delivery date")
        elif tag in ("MSG", "NTE"):
            text = seg.get(1 if tag == "MSG" else 2).strip()
            if text:
                self.notes.append(text)

    def close_party(self) -> None:
        loop, self.party_loop = self.party_loop, None
        if loop is None:
            return
        role = _ORDER_ROLES.get(ROLE_OF_ENTITY.get(loop[0].get(1), ""))
        if role is not None and role not in self.parties:
            self.parties[role] = self.party(loop)

    def line_segment(self, seg: X12Segment, position: int, line: _Line) -> None:
        tag = seg.tag
        if tag in _LINE_SUBLOOPS:
            line.in_subloop = True  # a loop inside the line: its REF/DTM belong to it
        if tag == "PID":
            text = seg.values(5)[4].strip()  # description(seg), without splitting components
            if text:
                line.descriptions.append(text)
        elif line.in_subloop:
            return
        elif tag == "REF":
            ref = self.reference(seg)
            if ref is not None:
                line.references.append(ref)
        elif tag == "DTM":
            values = seg.values(2)
            if values[0] in REQUESTED_DELIVERY and line.requested_delivery_date is None:
                line.requested_delivery_date = self.date_of(values[1], seg, position, 2, "line delivery date")
        elif tag == "MSG" and seg.get(1).strip():
            line.notes.append(seg.get(1).strip())

    def build_line(self, line: _Line) -> dict[str, Any] | None:
        """The fields of one PurchaseOrderLine, validated with the order (see ``run``)."""
        seg, position, values = line.segment, line.position, line.values
        number = values[0] or str(self.lines.index(line) + 1)
        quantity = self.decimal_of(values[1], seg, position, 2, "quantity ordered")
        price = self.decimal_of(values[3], seg, position, 4, "unit price")
        if values[1] == "":
            self.error(
                "MISSING_VALUE",
                f"line {number}: PO102 (quantity ordered) is empty",
                seg,
                position,
                2,
                "AK4:2",
            )
            return None
        if not values[2]:
            self.error(
                "MISSING_VALUE",
                f"line {number}: PO103 (unit of measure) is empty; a quantity needs its unit",
                seg,
                position,
                3,
                "AK4:2",
            )
            return None
        if quantity is None:
            return None
        gtin, seller, buyer = item_ids_of(values, 6, 10)
        return {
            "line_number": number,
            "gtin": gtin,
            "buyer_item_id": buyer,
            "seller_item_id": seller,
            "erp_item_id": self.erp_item(gtin, seller, buyer),
            "description": " ".join(line.descriptions) or None,
            "quantity": quantity,
            "unit": self.codes.unit(values[2]),
            "notes": line.notes,
            "references": line.references,
            "unit_price": price,
            "requested_delivery_date": line.requested_delivery_date,
        }


def map_purchase_order(ts: TransactionSet, codes_lookup: CodeLookup) -> MapResult[PurchaseOrder]:
    return _PurchaseOrderMapper(ts, codes_lookup).run()
