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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from translators.documents.common import Address, Party, Reference
from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.edifact.maps.result import CodeLookup, IdentityCodes, MapResult, ProfileWithCodes
from translators.edifact.model import Interchange, Message, Segment
from translators.errors import EdiError, Location

REFERENCE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "CT": "contract",
        "ON": "buyer_order",
        "VN": "seller_order",
        "BO": "blanket_order",
        "PD": "promotion_deal",
        "PL": "price_list",
        "AAK": "despatch_advice",
        "DQ": "delivery_note",
        "IV": "invoice",
        "UC": "ultimate_customer",
        "LI": "line_item",
    }
)
"""EDIFACT 1153 reference qualifiers edigate gives a readable name; others keep only their code."""

GTIN_TYPES = frozenset({"EN", "SRV", "UP"})  # 7143: EAN/GTIN (D96A), GS1 GTIN (EANCOM 2002), UPC
SELLER_ITEM_TYPES = ("SA",)  # 7143 supplier's article number
BUYER_ITEM_TYPES = ("IN", "BP")  # 7143 buyer's item number, buyer's part number (in preference order)
TOTAL_AMOUNT_QUALIFIERS = ("86", "128", "79")  # 5025: message total, total amount, total line items
DEFAULT_UNIT = "PCE"  # EANCOM: a QTY without 6411 counts pieces
ORDERED_QUANTITY = "21"

# Segments that open a group nested inside a line (SG? NAD/ALC/TDT/PAC/LOC/SCC/TOD/…): an RFF or DTM
# after one of these belongs to that group, not to the line itself.
LINE_SUBGROUP_TAGS = frozenset({"NAD", "ALC", "TDT", "PAC", "LOC", "SCC", "TOD", "RCS", "CTA", "TAX"})

_DATE_FORMATS: Mapping[str, tuple[str, str, int]] = MappingProxyType(
    {
        # 2379 code: (strptime pattern of the part we use, human description, length of that part)
        "101": ("%y%m%d", "YYMMDD", 6),
        "102": ("%Y%m%d", "CCYYMMDD", 8),
        "203": ("%Y%m%d%H%M", "CCYYMMDDHHMM", 12),
        "204": ("%Y%m%d%H%M%S", "CCYYMMDDHHMMSS", 14),
        "718": ("%Y%m%d", "CCYYMMDD-CCYYMMDD", 8),
        "719": ("%Y%m%d%H%M", "CCYYMMDDHHMM-CCYYMMDDHHMM", 12),
    }
)
_RANGE_FORMATS = frozenset({"718", "719"})

Section = Literal["header", "parties", "line", "summary"]


@dataclass(slots=True)
class _LineDraft:
    """A line while its segments are being read; becomes a PurchaseOrderLine when the next LIN comes."""

    segment: Segment
    position: int  # of the LIN within the message (UNH = 1)
    line_number: str
    item_ids: dict[str, str] = field(default_factory=dict)  # 7143 type → first 7140 value of that type
    gtin: str | None = None
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


class _OrdersMapper:
    """State of one map_orders call. Lives only as long as the call: no module-level state."""

    def __init__(self, message: Message, interchange: Interchange, codes: CodeLookup) -> None:
        self.message = message
        self.decimal = interchange.separators.decimal
        self.codes = codes
        self.errors: list[EdiError] = []
        self.section: Section = "header"
        self.open_reference: tuple[list[Reference], int] | None = None  # refs list, index of last RFF

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

    # -- errors ---------------------------------------------------------------------------------

    def location(
        self, segment: Segment, position: int, element: int | None = None, component: int | None = None
    ) -> Location:
        return Location(
            segment_index=segment.index or None,
            segment_tag=segment.tag,
            element=element,
            component=component,
            message_ref=self.message.reference,
            message_segment=position,
            group_ref=self.message.group_reference,
        )

    def error(
        self,
        code: str,
        text: str,
        segment: Segment,
        position: int,
        element: int | None = None,
        component: int | None = None,
        syntax_code: str | None = None,
    ) -> None:
        self.errors.append(
            EdiError(
                code=code,
                text=text,
                location=self.location(segment, position, element, component),
                level="message",
                syntax_code=syntax_code,
            )
        )

    # -- values ---------------------------------------------------------------------------------

    def decimal_value(
        self, segment: Segment, position: int, element: int, component: int, what: str
    ) -> Decimal | None:
        """The number at element/component, None when empty; a located INVALID_NUMBER when not numeric.

        EDIFACT numbers are digits with an optional leading minus and the decimal mark the interchange
        declared (UNA, default "."); a digit must precede the mark, and there is no exponent or sign.
        """
        raw = segment.get(element, component)
        if raw == "":
            return None
        mark = self.decimal
        if re.fullmatch(r"-?[0-9]+(?:" + re.escape(mark) + r"[0-9]+)?", raw):
            return Decimal(raw.replace(mark, "."))
        other = "," if mark == "." else "."
        if re.fullmatch(r"-?[0-9]+" + re.escape(other) + r"[0-9]+", raw):
            text = f"{what} {raw!r} uses {other!r} as decimal mark, but the interchange declares {mark!r}"
            syntax_code = "19"  # invalid decimal notation
        elif re.fullmatch(r"-?" + re.escape(mark) + r"[0-9]+", raw):
            text = f"{what} {raw!r} has no digit before the decimal mark (write 0{mark}…)"
            syntax_code = "38"  # missing digit in front of decimal sign
        else:
            text = f"{what} {raw!r} is not a number (expected digits, optional '-', decimal mark {mark!r})"
            syntax_code = "37"  # invalid type of character(s)
        self.error("INVALID_NUMBER", text, segment, position, element, component, syntax_code=syntax_code)
        return None

    def date_value(self, segment: Segment, position: int) -> dt.date | None:
        """DTM C507 (2005 qualifier, 2380 value, 2379 format) → a date; ranges give their start.

        A missing format code is accepted for 8 and 12 digit values (102 and 203, the only formats
        of that length), because many senders omit it; anything else unreadable is INVALID_DATE.
        """
        qualifier = segment.get(1, 1)
        value = segment.get(1, 2)
        fmt = segment.get(1, 3)
        if value == "":
            self.error(
                "INVALID_DATE",
                f"DTM {qualifier} has no date value (C507 2380)",
                segment,
                position,
                1,
                2,
                syntax_code="13",
            )
            return None
        if fmt == "":
            fmt = {8: "102", 12: "203"}.get(len(value), "")
        if fmt not in _DATE_FORMATS:
            supported = ", ".join(_DATE_FORMATS)
            self.error(
                "INVALID_DATE",
                f"DTM {qualifier} date format {segment.get(1, 3) or '(none)'!r} is not supported "
                f"for {value!r} (supported: {supported})",
                segment,
                position,
                1,
                3,
                syntax_code="14" if segment.get(1, 3) else "13",
            )
            return None
        pattern, description, length = _DATE_FORMATS[fmt]
        part = value[:length]
        expected_length = length * 2 + 1 if fmt in _RANGE_FORMATS else length
        try:
            if len(value) != expected_length or not value.replace("-", "").isdigit():
                raise ValueError
            parsed = dt.datetime.strptime(part, pattern).date()
            if fmt in _RANGE_FORMATS:
                dt.datetime.strptime(value[length + 1 :], pattern)
                if value[length] != "-":
                    raise ValueError
        except ValueError:
            self.error(
                "INVALID_DATE",
                f"DTM {qualifier} value {value!r} is not a valid date in format {fmt} ({description})",
                segment,
                position,
                1,
                2,
                syntax_code="12",
            )
            return None
        return parsed

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

    def header_segment(
        self, segment: Segment, position: int, open_reference: tuple[list[Reference], int] | None
    ) -> None:
        tag = segment.tag
        if tag == "BGM":
            self.read_bgm(segment, position)
        elif tag == "DTM":
            if open_reference is not None:
                self.date_of_reference(segment, position, open_reference)
            elif self.section == "header":
                qualifier = segment.get(1, 1)
                if qualifier == "137":
                    self.issue_date = self.date_value(segment, position)
                elif qualifier == "2":
                    self.requested_delivery_date = self.date_value(segment, position)
        elif tag == "FTX":
            note = _text(segment, 4, range(1, 6))
            if note is not None:
                self.notes.append(note)
        elif tag == "RFF" and self.section == "header":
            self.open_reference = self.add_reference(self.references, segment)
        elif tag == "NAD":
            self.section = "parties"
            self.read_nad(segment, position)
        elif tag == "CUX" and self.currency is None:
            self.currency = segment.get(1, 2) or None

    def line_segment(
        self, segment: Segment, position: int, open_reference: tuple[list[Reference], int] | None
    ) -> None:
        line = self.line
        assert line is not None  # section "line" is only entered by start_line
        tag = segment.tag
        if tag in LINE_SUBGROUP_TAGS:
            line.in_subgroup = True
        if tag == "PIA":
            for element in range(2, 7):
                self.add_item_id(line, segment.get(element, 1), segment.get(element, 2))
        elif tag == "IMD":
            text = _text(segment, 3, (4, 5))
            if text is not None:
                line.descriptions.append(text)
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
            note = _text(segment, 4, range(1, 6))
            if note is not None:
                line.notes.append(note)
        elif tag == "RFF" and not line.in_subgroup:
            self.open_reference = self.add_reference(line.references, segment)
        elif tag == "DTM":
            if open_reference is not None:
                self.date_of_reference(segment, position, open_reference)
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
            count = self.decimal_value(segment, position, 1, 2, "line count CNT 2")
            if count is not None:
                if count != count.to_integral_value() or count < 0:
                    self.error(
                        "INVALID_NUMBER",
                        f"line count CNT 2 {segment.get(1, 2)!r} is not a whole number",
                        segment,
                        position,
                        1,
                        2,
                        syntax_code="12",
                    )
                else:
                    self.line_count = (int(count), segment, position)

    # -- segment readers ------------------------------------------------------------------------

    def read_bgm(self, segment: Segment, position: int) -> None:
        if self.bgm is not None:
            self.error(
                "UNEXPECTED_SEGMENT",
                f"second BGM; the first is message segment {self.bgm[1]}",
                segment,
                position,
                syntax_code="35",
            )
            return
        self.bgm = (segment, position)
        self.document_name_code = segment.get(1, 1) or None
        self.number = segment.get(2, 1).strip()
        self.message_function = segment.get(3, 1) or None
        if not self.number:
            self.error(
                "MISSING_VALUE",
                "BGM has no document number (C106 1004): an order needs its number",
                segment,
                position,
                2,
                1,
                syntax_code="13",
            )

    def read_nad(self, segment: Segment, position: int) -> None:
        role = {"BY": "buyer", "SU": "seller", "DP": "ship_to", "IV": "invoicee"}.get(segment.get(1, 1))
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
        self.parties[role] = _party(segment, self.codes)

    def add_reference(
        self, references: list[Reference], segment: Segment
    ) -> tuple[list[Reference], int] | None:
        qualifier = segment.get(1, 1)
        value = segment.get(1, 2)
        if not qualifier or not value:
            return None
        references.append(Reference(qualifier=qualifier, type=REFERENCE_TYPES.get(qualifier), value=value))
        return references, len(references) - 1

    def date_of_reference(
        self, segment: Segment, position: int, open_reference: tuple[list[Reference], int]
    ) -> None:
        """A DTM right after an RFF dates that reference (SG1 RFF + DTM, usually qualifier 171)."""
        references, index = open_reference
        date = self.date_value(segment, position)
        if date is not None:
            references[index] = references[index].model_copy(update={"date": date})

    def start_line(self, segment: Segment, position: int) -> None:
        self.section = "line"
        line_number = segment.get(1, 1) or str(len(self.line_drafts) + 1)
        self.line = _LineDraft(segment=segment, position=position, line_number=line_number)
        self.add_item_id(self.line, segment.get(3, 1), segment.get(3, 2))

    def add_item_id(self, line: _LineDraft, value: str, type_code: str) -> None:
        if not value:
            return
        if type_code in GTIN_TYPES or (not type_code and _looks_like_gtin(value)):
            if line.gtin is None:
                line.gtin = value
        elif type_code:
            line.item_ids.setdefault(type_code, value)

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
        seller_item_id = _first(line.item_ids, SELLER_ITEM_TYPES)
        buyer_item_id = _first(line.item_ids, BUYER_ITEM_TYPES)
        erp_item_id = None
        for candidate in (line.gtin, seller_item_id, buyer_item_id):
            if candidate and erp_item_id is None:
                erp_item_id = self.codes.item(candidate)
        price, basis = line.prices.get("AAA") or line.prices.get("AAB") or (None, None)
        self.lines.append(
            PurchaseOrderLine(
                line_number=line.line_number,
                gtin=line.gtin,
                buyer_item_id=buyer_item_id,
                seller_item_id=seller_item_id,
                erp_item_id=erp_item_id,
                description=" ".join(line.descriptions) or None,
                quantity=line.quantity,
                unit=self.codes.unit(line.unit or DEFAULT_UNIT),
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
            position, anchor = _last_processed(segments)
            self.error(
                "MISSING_SEGMENT",
                "the order has no lines (no LIN segment before the summary section)",
                anchor,
                position,
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


def _text(segment: Segment, element: int, components: range | tuple[int, ...]) -> str | None:
    """Free-text components joined by one space: senders split text only because of length limits."""
    parts = [segment.get(element, c).strip() for c in components]
    joined = " ".join(p for p in parts if p)
    return joined or None


def _party(segment: Segment, codes: CodeLookup) -> Party:
    """NAD → Party: C082 id (GLN when 3055 = 9), C080 name (else C058), C059 street, city, postcode."""
    party_id = segment.get(2, 1)
    agency = segment.get(2, 3)
    is_gln = bool(party_id) and (agency == "9" or (agency == "" and _looks_like_gln(party_id)))
    name = _text(segment, 4, range(1, 6)) or _text(segment, 3, range(1, 6))
    streets = [segment.get(5, c).strip() for c in range(1, 5)]
    address = Address(
        street=", ".join(s for s in streets if s) or None,
        city=segment.get(6) or None,
        postal_code=segment.get(8) or None,
        country=segment.get(9) or None,
    )
    return Party(
        gln=party_id if is_gln else None,
        erp_id=codes.party(party_id) if is_gln else None,
        party_id=None if is_gln or not party_id else party_id,
        party_id_agency=None if is_gln or not party_id else (agency or None),
        name=name,
        address=address if any(address.model_dump().values()) else None,
    )


def _looks_like_gln(value: str) -> bool:
    return len(value) == 13 and value.isdigit()


def _looks_like_gtin(value: str) -> bool:
    return len(value) in (8, 12, 13, 14) and value.isdigit()


def _first(values: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((values[k] for k in keys if k in values), None)


def _last_processed(segments: list[Segment]) -> tuple[int, Segment]:
    """Position and segment CONTRL names for a missing segment: the last one before UNT."""
    body_end = len(segments) - 1 if segments and segments[-1].tag == "UNT" else len(segments)
    position = max(body_end, 1)
    return position, segments[position - 1]


def map_orders(
    message: Message, interchange: Interchange, profile: ProfileWithCodes | None
) -> MapResult[PurchaseOrder]:
    """Translate one ORDERS message into a PurchaseOrder using the partner's code mappings.

    ``profile`` may be None (no partner resolved yet): units then pass through and no ERP ids are
    found. Returns the document with no errors, or no document with every located error found —
    the whole message is read even after the first error, so the partner can fix everything at once.
    """
    codes: CodeLookup = profile.codes if profile is not None else IdentityCodes()
    return _OrdersMapper(message, interchange, codes).run()
