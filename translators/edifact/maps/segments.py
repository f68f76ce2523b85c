"""Reading the segments every EDIFACT map reads: numbers, dates, parties, references, item numbers.

ORDERS, ORDRSP, DESADV and INVOIC all carry BGM, DTM, RFF, NAD, LIN/PIA and numbers written with the
interchange's decimal mark, and a partner must get the same located error for the same mistake in any
of them. :class:`SegmentReader` is the part of a map that knows how to read those segments and record
what is wrong; each message map subclasses it with the walk that knows where the segments sit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import TypeVar

from translators.documents.common import Address, Party, Reference
from translators.edifact.maps.result import CodeLookup, IdentityCodes, ProfileWithCodes
from translators.edifact.model import Interchange, Message, Segment
from translators.errors import EdiError, Location
from translators.numerals import is_digits

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
        "OI": "previous_invoice",
        "UC": "ultimate_customer",
        "LI": "line_item",
        "CN": "carrier_reference",
        "AAU": "despatch_note",
        "PK": "packing_list",
    }
)
"""EDIFACT 1153 reference qualifiers edigate gives a readable name; others keep only their code."""

GTIN_TYPES = frozenset({"EN", "SRV", "UP"})  # 7143: EAN/GTIN (D96A), GS1 GTIN (EANCOM 2002), UPC
SELLER_ITEM_TYPES = ("SA",)  # 7143 supplier's article number
BUYER_ITEM_TYPES = ("IN", "BP")  # 7143 buyer's item number, buyer's part number (in preference order)
DEFAULT_UNIT = "PCE"  # EANCOM: a QTY without 6411 counts pieces

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

PartyT = TypeVar("PartyT", bound=Party)

OpenReference = tuple[list[Reference], int]
"""The list an RFF was appended to and its index there, so that a following DTM can date it."""


def codes_of(profile: ProfileWithCodes | None) -> CodeLookup:
    """The profile's code maps, or pass-through codes when no partner is resolved yet."""
    return profile.codes if profile is not None else IdentityCodes()


@dataclass(slots=True)
class ItemIds:
    """The identifiers of one line's item as they arrive in LIN C212 and PIA, before resolution."""

    gtin: str | None = None
    by_type: dict[str, str] = field(default_factory=dict)  # 7143 type → first 7140 value of that type

    def add(self, value: str, type_code: str) -> None:
        """Keep the first GTIN and the first number of every other type; untyped 8–14 digits is a GTIN."""
        if not value:
            return
        if type_code in GTIN_TYPES or (not type_code and looks_like_gtin(value)):
            if self.gtin is None:
                self.gtin = value
        elif type_code:
            self.by_type.setdefault(type_code, value)

    def add_lin(self, segment: Segment) -> None:
        """LIN C212 (element 3): item number and type."""
        self.add(segment.get(3, 1), segment.get(3, 2))

    def add_pia(self, segment: Segment) -> None:
        """PIA C212 × 5 (elements 2–6): additional item numbers."""
        for components in segment.elements[1:6]:  # only the elements present: no IndexError per absent one
            self.add(components[0] if components else "", components[1] if len(components) > 1 else "")

    @property
    def seller_item_id(self) -> str | None:
        return first(self.by_type, SELLER_ITEM_TYPES)

    @property
    def buyer_item_id(self) -> str | None:
        return first(self.by_type, BUYER_ITEM_TYPES)

    def erp_item_id(self, codes: CodeLookup) -> str | None:
        """The ERP SKU from the profile: by GTIN first, then the seller's, then the buyer's number."""
        for candidate in (self.gtin, self.seller_item_id, self.buyer_item_id):
            if candidate:
                found = codes.item(candidate)
                if found is not None:
                    return found
        return None

    def fields(self, codes: CodeLookup) -> dict[str, str | None]:
        """The identifier fields of :class:`~translators.documents.common.ItemLine`."""
        return {
            "gtin": self.gtin,
            "buyer_item_id": self.buyer_item_id,
            "seller_item_id": self.seller_item_id,
            "erp_item_id": self.erp_item_id(codes),
        }


class SegmentReader:
    """Reads values out of the segments of one message and collects located errors.

    One instance per map call: no module-level state. Subclasses add the walk over the message.
    """

    def __init__(self, message: Message, interchange: Interchange, codes: CodeLookup) -> None:
        self.message = message
        self.decimal = interchange.separators.decimal
        self.codes = codes
        self.errors: list[EdiError] = []

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

    def missing_segment(self, text: str) -> None:
        """A segment the map needs is absent: located at the last segment before UNT, as CONTRL does."""
        position, anchor = last_processed(self.message.segments)
        self.error("MISSING_SEGMENT", text, anchor, position, syntax_code="13")

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
        if _number(mark).fullmatch(raw):
            return Decimal(raw.replace(mark, ".") if mark != "." else raw)
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

    def required_decimal(
        self, segment: Segment, position: int, element: int, component: int, what: str
    ) -> Decimal | None:
        """Like :meth:`decimal_value`, but an empty value is a located MISSING_VALUE too."""
        if segment.get(element, component) == "":
            self.error(
                "MISSING_VALUE",
                f"{what}: {segment.tag} has no value at element {element}.{component}",
                segment,
                position,
                element,
                component,
                syntax_code="13",
            )
            return None
        return self.decimal_value(segment, position, element, component, what)

    def whole_number(
        self, segment: Segment, position: int, element: int, component: int, what: str
    ) -> int | None:
        """A non-negative whole number (a count), None when empty; INVALID_NUMBER otherwise."""
        value = self.decimal_value(segment, position, element, component, what)
        if value is None:
            return None
        if value != value.to_integral_value() or value < 0:
            self.error(
                "INVALID_NUMBER",
                f"{what} {segment.get(element, component)!r} is not a whole number",
                segment,
                position,
                element,
                component,
                syntax_code="12",
            )
            return None
        return int(value)

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
        if fmt == "102" and len(value) == 8 and is_digits(value):
            # CCYYMMDD, nearly every DTM: what parse_datetime would give; a date it refuses takes the
            # general path below, which reports it
            try:
                return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            except ValueError:
                pass
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
            if len(value) != expected_length or not is_digits(value.replace("-", "")):
                raise ValueError
            parsed = parse_datetime(part, pattern).date()
            if fmt in _RANGE_FORMATS:
                parse_datetime(value[length + 1 :], pattern)
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

    # -- segments -------------------------------------------------------------------------------

    def document_number(self, segment: Segment, position: int, what: str) -> str:
        """BGM C106 1004, stripped; a located MISSING_VALUE when empty (no document without a number)."""
        number = segment.get(2, 1).strip()
        if not number:
            self.error(
                "MISSING_VALUE",
                f"BGM has no document number (C106 1004): {what} needs its number",
                segment,
                position,
                2,
                1,
                syntax_code="13",
            )
        return number

    def second_segment(self, segment: Segment, position: int, first_position: int, what: str) -> None:
        """A segment that may occur once occurs again: reject rather than silently choose one."""
        self.error(
            "UNEXPECTED_SEGMENT",
            f"second {what}; the first is message segment {first_position}",
            segment,
            position,
            syntax_code="35",
        )

    def unknown_code(
        self, segment: Segment, position: int, element: int, component: int, what: str, known: str
    ) -> None:
        """A coded value the map must understand to translate faithfully, but does not know."""
        value = segment.get(element, component)
        self.error(
            "UNKNOWN_CODE",
            f"{what} {value or '(empty)'!r} is not one edigate can translate (known: {known})",
            segment,
            position,
            element,
            component,
            syntax_code="12" if value else "13",
        )

    def date_reference(self, segment: Segment, position: int, open_reference: OpenReference) -> None:
        """A DTM right after an RFF dates that reference (RFF + DTM groups, usually qualifier 171)."""
        references, index = open_reference
        date = self.date_value(segment, position)
        if date is not None:
            references[index] = references[index].model_copy(update={"date": date})

    def party(self, segment: Segment, model: type[PartyT]) -> PartyT:
        """NAD → party: C082 id (GLN when 3055 = 9), C080 name (else C058), C059 street, city, postcode.

        The GLN is looked up in the profile's party map for ``erp_id``.
        """
        get = segment.get
        party_id = get(2, 1)
        agency = get(2, 3)
        is_gln = bool(party_id) and (agency == "9" or (agency == "" and looks_like_gln(party_id)))
        name = text(segment, 4, range(1, 6)) or text(segment, 3, range(1, 6))
        elements = segment.elements
        # C059 street lines 1-4 (absent ones would be empty and left out of the join anyway)
        streets = [line.strip() for line in elements[4][:4]] if len(elements) > 4 else []
        lines = (
            ", ".join(s for s in streets if s) or None,
            get(6) or None,
            get(8) or None,
            get(9) or None,
        )
        # A party without a single address line has no address (not one of four None fields).
        address = (
            Address(street=lines[0], city=lines[1], postal_code=lines[2], country=lines[3])
            if any(lines)
            else None
        )
        return model(
            gln=party_id if is_gln else None,
            erp_id=self.codes.party(party_id) if is_gln else None,
            party_id=None if is_gln or not party_id else party_id,
            party_id_agency=None if is_gln or not party_id else (agency or None),
            name=name,
            address=address,
        )

    def unit(self, code: str) -> str:
        """A unit code (6411) after the profile's unit map; an absent unit counts pieces (EANCOM)."""
        return self.codes.unit(code or DEFAULT_UNIT)


def add_reference(references: list[Reference], segment: Segment) -> OpenReference | None:
    """RFF C506 (1153 qualifier, 1154 value) → a Reference appended to ``references``.

    Returns where it went so a DTM right after can date it; None (nothing added) for an RFF without
    qualifier or value, which carries nothing an ERP could match on.
    """
    qualifier = segment.get(1, 1)
    value = segment.get(1, 2)
    if not qualifier or not value:
        return None
    references.append(Reference(qualifier=qualifier, type=REFERENCE_TYPES.get(qualifier), value=value))
    return references, len(references) - 1


def text(segment: Segment, element: int, components: range | tuple[int, ...]) -> str | None:
    """Free-text components joined by one space: senders split text only because of length limits."""
    values = segment.elements[element - 1] if 0 < element <= len(segment.elements) else []
    parts = [values[c - 1].strip() if c <= len(values) else "" for c in components]
    joined = " ".join(p for p in parts if p)
    return joined or None


def free_text(segment: Segment) -> str | None:
    """FTX C108 (element 4, five 4440 components) as one note."""
    return text(segment, 4, range(1, 6))


_DIGIT_PATTERN_LENGTHS: Mapping[str, int] = MappingProxyType(
    {"%y%m%d": 6, "%Y%m%d": 8, "%Y%m%d%H%M": 12, "%Y%m%d%H%M%S": 14}
)


def parse_datetime(text: str, pattern: str) -> dt.datetime:
    """``datetime.strptime(text, pattern)`` for the patterns of ``_DATE_FORMATS``, same result and
    same ``ValueError``.

    ``strptime`` builds and runs a regular expression per call (a fifth of an ORDERS map's time
    went into three DTMs). For a value of ASCII digits exactly as long as the pattern, its regex can
    only split every field at two digits (four for ``%Y``), and the value is valid exactly when
    ``datetime`` accepts those numbers (``%y``: 69-99 → 19xx, 00-68 → 20xx, as ``strptime``); any
    other value goes to ``strptime`` itself.
    """
    if _DIGIT_PATTERN_LENGTHS.get(pattern) != len(text) or not is_digits(text):
        return dt.datetime.strptime(text, pattern)
    if pattern == "%y%m%d":
        short = int(text[:2])
        year, rest = short + (2000 if short <= 68 else 1900), text[2:]
    else:
        year, rest = int(text[:4]), text[4:]
    return dt.datetime(
        year, int(rest[0:2]), int(rest[2:4]), int(rest[4:6] or 0), int(rest[6:8] or 0), int(rest[8:10] or 0)
    )


@cache
def _number(mark: str) -> re.Pattern[str]:
    """A valid EDIFACT number with decimal ``mark``, compiled once: maps read tens of thousands."""
    return re.compile(r"-?[0-9]+(?:" + re.escape(mark) + r"[0-9]+)?")


def looks_like_gln(value: str) -> bool:
    return len(value) == 13 and is_digits(value)


def looks_like_gtin(value: str) -> bool:
    return len(value) in (8, 12, 13, 14) and is_digits(value)


def gs1_check_digit_ok(value: str) -> bool:
    """GS1 mod-10 check digit (GTIN, GLN, SSCC): weights 3,1,3,… from the right, excluding the check."""
    if not is_digits(value) or len(value) < 2:
        return False
    body, check = value[:-1], int(value[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def first(values: Mapping[str, str], keys: tuple[str, ...]) -> str | None:
    return next((values[k] for k in keys if k in values), None)


def last_processed(segments: list[Segment]) -> tuple[int, Segment]:
    """Position and segment CONTRL names for a missing segment: the last one before UNT."""
    body_end = len(segments) - 1 if segments and segments[-1].tag == "UNT" else len(segments)
    position = max(body_end, 1)
    return position, segments[position - 1]
