"""X12 855 Purchase Order Acknowledgment (004010, 005010) → canonical OrderResponse.

- BAK03 is the buyer's order number (``order_number``), BAK04 its date; the 855 has no number of its
  own, so ``number`` is the seller's order number BAK08 when sent, else BAK03; BAK09 (date of the
  acknowledgment) is ``issue_date``;
- BAK02 → ``response_type`` (AT/AK/AD/AP accepted, AC/AE/RO changed, RD/RF/RJ rejected); any other
  code is an error - an ERP must not act on a guess about a supplier's answer;
- PO1 + ACK per line: ordered quantity PO102 / unit PO103, ACK01 → ``line_status``, ACK02/ACK03
  confirmed quantity and unit, ACK05 delivery date when ACK04 is a delivery date qualifier.
  A line without ACK takes the whole answer when that is accepted or rejected (BAK02 AD says "no
  change"); under a "changed" answer a line without ACK is an error, since it says nothing;
- N1 BY/SE/ST parties, CUR02 currency, REF references, DTM 017/067/002 delivery date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from translators.documents.common import Party, Reference
from translators.documents.order_response import LineStatus, OrderResponse, OrderResponseLine, ResponseType
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.x12.maps.reading import ROLE_OF_ENTITY, X12Mapper, description
from translators.x12.model import TransactionSet, X12Segment

RESPONSE_TYPES: Mapping[str, ResponseType] = MappingProxyType(
    {
        "AT": "accepted",
        "AK": "accepted",
        "AD": "accepted",
        "AP": "accepted",
        "AC": "changed",
        "AE": "changed",
        "RO": "changed",
        "RD": "rejected",
        "RF": "rejected",
        "RJ": "rejected",
    }
)
LINE_STATUSES: Mapping[str, LineStatus] = MappingProxyType(
    {
        "IA": "accepted",
        "AC": "accepted",
        "AR": "accepted",
        "IE": "accepted",
        "IC": "changed",
        "IP": "changed",
        "IQ": "changed",
        "IS": "changed",
        "DR": "changed",
        "IR": "rejected",
        "ID": "rejected",
        "R1": "rejected",
        "R2": "rejected",
        "R3": "rejected",
        "R4": "rejected",
        "R5": "rejected",
        "IB": "backordered",
    }
)
"""ACK01 codes with a canonical status. Hold codes (IH, IF, IW, SP) have none on purpose."""
DELIVERY_DATES = ("017", "067", "002", "069")  # estimated / current scheduled / requested / promised delivery


@dataclass(slots=True)
class _Line:
    po1: X12Segment
    position: int
    ack: tuple[X12Segment, int] | None = None
    descriptions: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


class _OrderResponseMapper(X12Mapper):
    def __init__(self, ts: TransactionSet, codes_lookup: CodeLookup) -> None:
        super().__init__(ts, codes_lookup)
        self.bak: tuple[X12Segment, int] | None = None
        self.currency: str | None = None
        self.references: list[Reference] = []
        self.notes: list[str] = []
        self.delivery: dt.date | None = None
        self.parties: dict[str, Party] = {}
        self.party_loop: list[X12Segment] | None = None
        self.lines: list[_Line] = []

    def run(self) -> MapResult[OrderResponse]:
        line: _Line | None = None
        for position, seg in enumerate(self.ts.segments, start=1):
            tag = seg.tag
            if tag == "PO1":
                self.close_party()
                line = _Line(seg, position)
                self.lines.append(line)
            elif tag in ("CTT", "SE"):
                self.close_party()
                line = None
            elif line is not None:
                if tag == "ACK" and line.ack is None:
                    line.ack = (seg, position)
                elif tag == "PID" and description(seg):
                    line.descriptions.append(description(seg) or "")
                elif tag == "REF" and (ref := self.reference(seg)) is not None:
                    line.references.append(ref)
            else:
                self.header_segment(seg, position)
        if self.bak is None:
            self.missing("no BAK (beginning segment): a response needs the order number it answers", "BAK")
            return MapResult(document=None, errors=self.errors)
        bak, bak_position = self.bak
        code = bak.get(2)
        response_type = RESPONSE_TYPES.get(code)
        if response_type is None:
            self.error(
                "UNKNOWN_RESPONSE_CODE",
                f"BAK02 acknowledgment type {code!r} has no canonical answer "
                f"(known: {', '.join(RESPONSE_TYPES)})",
                bak,
                bak_position,
                2,
                "AK4:7",
            )
        if not bak.get(3).strip():
            self.error(
                "MISSING_VALUE", "BAK03 (purchase order number) is empty", bak, bak_position, 3, "AK4:1"
            )
        order_date = self.date(bak, bak_position, 4, "order date")
        issue_date = self.date(bak, bak_position, 9, "acknowledgment date")
        lines = [self.build_line(line, response_type) for line in self.lines]
        if self.errors or response_type is None:
            return MapResult(document=None, errors=self.errors)
        return MapResult(
            document=OrderResponse(
                number=(bak.get(8) or bak.get(3)).strip(),
                issue_date=issue_date,
                order_number=bak.get(3).strip(),
                order_date=order_date,
                response_type=response_type,
                response_code=code,
                delivery_date=self.delivery,
                currency=self.currency,
                buyer=self.parties.get("buyer"),
                seller=self.parties.get("seller"),
                ship_to=self.parties.get("ship_to"),
                notes=self.notes,
                references=self.references,
                lines=[line for line in lines if line is not None],
            ),
            errors=[],
        )

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
        if tag == "BAK":
            self.bak = (seg, position)
        elif tag == "CUR" and self.currency is None:
            self.currency = seg.get(2) or None
        elif tag == "REF" and (ref := self.reference(seg)) is not None:
            self.references.append(ref)
        elif tag == "DTM" and seg.get(1) in DELIVERY_DATES and self.delivery is None:
            self.delivery = self.date(seg, position, 2, "delivery date")
        elif tag in ("MSG", "NTE"):
            text = seg.get(1 if tag == "MSG" else 2).strip()
            if text:
                self.notes.append(text)

    def close_party(self) -> None:
        loop, self.party_loop = self.party_loop, None
        if loop is None:
            return
        role = ROLE_OF_ENTITY.get(loop[0].get(1))
        if role in ("buyer", "seller", "ship_to") and role not in self.parties:
            self.parties[role] = self.party(loop)

    def build_line(self, line: _Line, response_type: ResponseType | None) -> OrderResponseLine | None:
        po1, position = line.po1, line.position
        number = po1.get(1) or str(self.lines.index(line) + 1)
        ordered = self.decimal(po1, position, 2, "quantity ordered")
        price = self.decimal(po1, position, 4, "unit price")
        gtin, seller, buyer = self.item_ids(po1, 6, 10)
        unit = po1.get(3)
        confirmed = None
        delivery = None
        if line.ack is not None:
            ack, ack_position = line.ack
            status_code = ack.get(1)
            status = LINE_STATUSES.get(status_code)
            if status is None:
                self.error(
                    "UNKNOWN_LINE_STATUS",
                    f"line {number}: ACK01 line item status {status_code!r} has no canonical status "
                    f"(known: {', '.join(LINE_STATUSES)})",
                    ack,
                    ack_position,
                    1,
                    "AK4:7",
                )
                return None
            confirmed = self.decimal(ack, ack_position, 2, "confirmed quantity")
            unit = ack.get(3) or unit
            if ack.get(4) in DELIVERY_DATES:
                delivery = self.date(ack, ack_position, 5, "line delivery date")
        elif response_type in ("accepted", "rejected"):
            status, status_code = response_type, None
        else:
            self.error(
                "MISSING_SEGMENT",
                f"line {number} has no ACK, so its answer is unknown "
                "(the response as a whole says the order was changed)",
                po1,
                position,
                None,
                "AK3:3",
            )
            return None
        return OrderResponseLine(
            line_number=number,
            gtin=gtin,
            buyer_item_id=buyer,
            seller_item_id=seller,
            erp_item_id=self.erp_item(gtin, seller, buyer),
            description=" ".join(line.descriptions) or None,
            line_status=status,
            line_status_code=status_code,
            ordered_quantity=ordered,
            confirmed_quantity=confirmed,
            unit=self.codes.unit(unit) if unit else None,
            unit_price=price,
            delivery_date=delivery,
            references=line.references,
        )


def map_order_response(ts: TransactionSet, codes_lookup: CodeLookup) -> MapResult[OrderResponse]:
    return _OrderResponseMapper(ts, codes_lookup).run()
