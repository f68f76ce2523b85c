"""What every X12 map needs: located errors, X12 numbers and dates, N1-loop parties, REF references.

A map walks its transaction set once; this base keeps the per-call state (errors, code lookup) so
that no module holds any, and gives every map the same reading of the same segments: an N1 loop is
read the same way in an 850, an 855, an 856 and an 810.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from translators.documents.common import Address, Party, Reference
from translators.edifact.maps.result import CodeLookup
from translators.errors import EdiError, Location
from translators.numerals import is_digits
from translators.x12.definitions import codes
from translators.x12.model import TransactionSet, X12Segment

GTIN_QUALIFIERS = frozenset({"UP", "UK", "EN", "UA", "EO"})  # 235: UPC-A, GTIN-14, EAN-13, case code, EAN-8
SELLER_ITEM_QUALIFIERS = ("VN", "VP", "VA", "SK")  # vendor's item / part number, supplier SKU
BUYER_ITEM_QUALIFIERS = ("BP", "IN", "PI", "CB")  # buyer's part / item number, purchaser's code
GLN_QUALIFIERS = frozenset({"UL"})  # 66: GS1 Global Location Number
_R = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_N = re.compile(r"-?[0-9]+")

ROLE_OF_ENTITY: Mapping[str, str] = MappingProxyType(
    {
        "BY": "buyer",
        "SE": "seller",
        "SU": "seller",
        "VN": "seller",
        "ST": "ship_to",
        "BT": "bill_to",
        "SF": "ship_from",
        "SH": "ship_from",
        "RE": "payee",
        "II": "seller",
        "BS": "ship_to",
        "CA": "carrier",
    }
)
"""N101 entity codes edigate gives a role; other N1 loops are read but not placed."""


class X12Mapper:
    """Per-call state of a map: the transaction set, the code lookup, the errors found so far."""

    def __init__(self, ts: TransactionSet, codes_lookup: CodeLookup) -> None:
        self.ts = ts
        self.codes = codes_lookup
        self.errors: list[EdiError] = []

    # -- errors -------------------------------------------------------------------------------

    def error(
        self,
        code: str,
        text: str,
        seg: X12Segment,
        position: int,
        element: int | None = None,
        syntax_code: str | None = None,
    ) -> None:
        self.errors.append(
            EdiError(
                code,
                text,
                Location(
                    segment_index=seg.index or None,
                    segment_tag=seg.tag,
                    element=element,
                    message_ref=self.ts.control,
                    message_segment=position,
                    group_ref=self.ts.group_control,
                ),
                "message",
                syntax_code,
            )
        )

    def missing(self, what: str, tag: str) -> None:
        """A segment the document needs is absent: located at SE (the last segment processed)."""
        position = len(self.ts.segments)
        seg = self.ts.segments[-1]
        self.errors.append(
            EdiError(
                "MISSING_SEGMENT",
                what,
                Location(
                    segment_index=seg.index or None,
                    segment_tag=tag,
                    message_ref=self.ts.control,
                    message_segment=position,
                    group_ref=self.ts.group_control,
                ),
                "message",
                "AK3:3",
            )
        )

    # -- values -------------------------------------------------------------------------------

    def decimal(self, seg: X12Segment, position: int, element: int, what: str) -> Decimal | None:
        """An R (decimal) element; None when empty, a located INVALID_NUMBER when not a number."""
        return self.decimal_of(seg.get(element), seg, position, element, what)

    def decimal_of(self, raw: str, seg: X12Segment, position: int, element: int, what: str) -> Decimal | None:
        """:meth:`decimal` of ``raw``, the value of ``element`` already read (see ``X12Segment.values``)."""
        if raw == "":
            return None
        if _R.fullmatch(raw):
            return Decimal(raw)
        self.error(
            "INVALID_NUMBER",
            f"{what} {seg.tag}{element:02d} {raw!r} is not a decimal number",
            seg,
            position,
            element,
            "AK4:6",
        )
        return None

    def implied(
        self, seg: X12Segment, position: int, element: int, decimals: int, what: str
    ) -> Decimal | None:
        """An Nn element (implied decimals): ``"255438"`` with N2 is 2554.38."""
        raw = seg.get(element)
        if raw == "":
            return None
        if _N.fullmatch(raw):
            return Decimal(raw).scaleb(-decimals)
        self.error(
            "INVALID_NUMBER",
            f"{what} {seg.tag}{element:02d} {raw!r} is not a whole number (N{decimals}: "
            f"{decimals} implied decimals, no decimal point)",
            seg,
            position,
            element,
            "AK4:6",
        )
        return None

    def integer(self, seg: X12Segment, position: int, element: int, what: str) -> int | None:
        value = self.implied(seg, position, element, 0, what)
        return int(value) if value is not None else None

    def date(self, seg: X12Segment, position: int, element: int, what: str) -> dt.date | None:
        """A DT element, CCYYMMDD (YYMMDD accepted with the 69/68 pivot)."""
        return self.date_of(seg.get(element), seg, position, element, what)

    def date_of(self, raw: str, seg: X12Segment, position: int, element: int, what: str) -> dt.date | None:
        """:meth:`date` of ``raw``, the value of ``element`` already read (see ``X12Segment.values``)."""
        if raw == "":
            return None
        try:
            if not is_digits(raw) or len(raw) not in (6, 8):
                raise ValueError
            if len(raw) == 8:
                return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
            yy = int(raw[:2])  # strptime's %y pivot, without strptime's cost (a third of the map)
            return dt.date((1900 if yy >= 69 else 2000) + yy, int(raw[2:4]), int(raw[4:]))
        except ValueError:
            self.error(
                "INVALID_DATE",
                f"{what} {seg.tag}{element:02d} {raw!r} is not a date CCYYMMDD",
                seg,
                position,
                element,
                "AK4:8",
            )
            return None

    # -- shared segments ----------------------------------------------------------------------

    def reference(self, seg: X12Segment) -> Reference | None:
        """REF (or N9): qualifier REF01, value REF02, else the description REF03."""
        qualifier, value = seg.get(1), seg.get(2) or seg.get(3)
        if not qualifier or not value:
            return None
        return Reference(qualifier=qualifier, type=codes.KNOWN["128"].get(qualifier), value=value)

    def party(self, loop: list[X12Segment]) -> Party:
        """An N1 loop (N1, N2, N3, N4, …) → Party.

        N103 ``UL`` marks a GLN; any other identifier is kept with its N103 qualifier as agency.
        The profile is asked for the ERP number of the GLN, or of the identifier as sent: X12
        partners mostly identify parties by DUNS or by numbers they assigned, and a profile maps
        whatever the partner sends.
        """
        n1 = loop[0]
        party_id, qualifier = n1.get(4), n1.get(3)
        is_gln = bool(party_id) and (
            qualifier in GLN_QUALIFIERS or (not qualifier and len(party_id) == 13 and is_digits(party_id))
        )
        names = [n1.get(2)]
        streets: list[str] = []
        city = postal = country = None
        for seg in loop[1:]:
            if seg.tag == "N2":
                names += [seg.get(1), seg.get(2)]
            elif seg.tag == "N3":
                streets += [seg.get(1), seg.get(2)]
            elif seg.tag == "N4" and city is None:
                city, postal, country = seg.get(1) or None, seg.get(3) or None, seg.get(4) or None
        name = " ".join(n.strip() for n in names if n.strip()) or None
        address = Address(
            street=", ".join(s for s in streets if s) or None, city=city, postal_code=postal, country=country
        )
        return Party(
            gln=party_id if is_gln else None,
            erp_id=self.codes.party(party_id) if party_id else None,
            party_id=None if is_gln or not party_id else party_id,
            party_id_agency=None if is_gln or not party_id else (qualifier or None),
            name=name,
            address=address if any(v is not None for v in address.model_dump().values()) else None,
        )

    def item_ids(self, seg: X12Segment, first: int, pairs: int) -> tuple[str | None, str | None, str | None]:
        """(gtin, seller item id, buyer item id) from qualifier/value pairs starting at ``first``."""
        return item_ids_of(seg.values(), first, pairs)

    def erp_item(self, *candidates: str | None) -> str | None:
        for candidate in candidates:
            if candidate:
                found = self.codes.item(candidate)
                if found is not None:
                    return found
        return None


def item_ids_of(values: list[str], first: int, pairs: int) -> tuple[str | None, str | None, str | None]:
    """:meth:`X12Mapper.item_ids` of a segment's ``values()``: first components, as ``get`` reads them."""
    found: dict[str, str] = {}
    gtin = None
    stop = first - 1 + 2 * pairs
    # a qualifier without its value (an odd count) ends the pairs, as the shorter slice does
    for qualifier, value in zip(values[first - 1 : stop : 2], values[first:stop:2], strict=False):
        if not value:
            continue
        if qualifier in GTIN_QUALIFIERS and gtin is None:
            gtin = value
        else:
            found.setdefault(qualifier, value)
    seller = buyer = None
    if found:
        for qualifier in SELLER_ITEM_QUALIFIERS:
            if qualifier in found:
                seller = found[qualifier]
                break
        for qualifier in BUYER_ITEM_QUALIFIERS:
            if qualifier in found:
                buyer = found[qualifier]
                break
    return gtin, seller, buyer


def description(seg: X12Segment) -> str | None:
    """PID05 free-form description (PID01 F) or the coded description's text."""
    return seg.get(5).strip() or None


def split_loops(
    segments: list[X12Segment], trigger: str, ends: frozenset[str]
) -> list[list[tuple[int, X12Segment]]]:
    """Groups of (position, segment), each starting at ``trigger`` and stopping before any tag in
    ``ends`` or the next trigger. Positions are within the set (ST = 1)."""
    out: list[list[tuple[int, X12Segment]]] = []
    current: list[tuple[int, X12Segment]] | None = None
    for position, seg in enumerate(segments, start=1):
        if seg.tag == trigger:
            current = [(position, seg)]
            out.append(current)
        elif seg.tag in ends:
            current = None
        elif current is not None:
            current.append((position, seg))
    return out
