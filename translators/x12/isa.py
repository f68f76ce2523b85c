"""The ISA interchange header: fixed-width, and the only place the delimiters are declared.

ISA is the one segment X12 defines by column: sixteen fields of fixed width, so the element
separator is character 4, the component separator is ISA16 at character 105 and the segment
terminator is character 106. Nothing else in an interchange can be read before ISA is, so a header
that breaks the fixed layout is reported precisely (which field, at which column, what was found,
what was expected) and raised: guessing delimiters from a broken header turns one clear error into a
page of misleading ones.

Values that are wrong but readable (an unknown usage indicator, an impossible date) do not stop
reading; they come back as interchange errors with their TA1 note code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from translators.errors import EdiError, EdiSyntaxError, Location
from translators.numerals import is_digits
from translators.x12 import syntax_codes
from translators.x12.model import X12Delimiters, X12Segment

ISA_LENGTH = 106
"""Characters of an ISA including its one-character terminator."""

REPETITION_FROM_VERSION = "00402"
"""ISA11 became the repetition separator in interchange control version 00402; before, it is the
standards identifier (``U``)."""


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    width: int
    kind: str  # "ID" code, "AN" text, "N" digits, "DL" delimiter
    description: str
    ta1: str  # TA105 note code for an invalid value


FIELDS: tuple[_Field, ...] = (
    _Field("ISA01", 2, "ID", "authorization information qualifier", "010"),
    _Field("ISA02", 10, "AN", "authorization information", "011"),
    _Field("ISA03", 2, "ID", "security information qualifier", "012"),
    _Field("ISA04", 10, "AN", "security information", "013"),
    _Field("ISA05", 2, "ID", "interchange sender id qualifier", "005"),
    _Field("ISA06", 15, "AN", "interchange sender id", "006"),
    _Field("ISA07", 2, "ID", "interchange receiver id qualifier", "007"),
    _Field("ISA08", 15, "AN", "interchange receiver id", "008"),
    _Field("ISA09", 6, "N", "interchange date (YYMMDD)", "014"),
    _Field("ISA10", 4, "N", "interchange time (HHMM)", "015"),
    _Field("ISA11", 1, "DL", "repetition separator / standards identifier", "016"),
    _Field("ISA12", 5, "N", "interchange control version number", "017"),
    _Field("ISA13", 9, "N", "interchange control number", "018"),
    _Field("ISA14", 1, "ID", "acknowledgment requested", "019"),
    _Field("ISA15", 1, "ID", "usage indicator", "020"),
    _Field("ISA16", 1, "DL", "component element separator", "027"),
)

_AUTH_QUALIFIERS = frozenset({"00", "01", "02", "03", "04", "05", "06"})
_SECURITY_QUALIFIERS = frozenset({"00", "01"})
_ACK_REQUESTED = frozenset({"0", "1"})
_USAGE = frozenset({"P", "T", "I"})


def _starts() -> tuple[int, ...]:
    """0-based offset of each field's first character (after "ISA" and its separator)."""
    out, pos = [], 4
    for f in FIELDS:
        out.append(pos)
        pos += f.width + 1
    return tuple(out)


STARTS = _starts()


@dataclass(frozen=True, slots=True)
class Header:
    """An ISA read from the text: its segment, the delimiters, and where the text after it begins."""

    segment: X12Segment
    delimiters: X12Delimiters
    end: int  # offset just past the terminator and any line break after it
    standards_id: str | None
    errors: tuple[EdiError, ...]


def _fail(text: str, field: int | None, ta1: str, code: str = "ISA_INVALID") -> EdiSyntaxError:
    return EdiSyntaxError(
        EdiError(
            code,
            text,
            Location(segment_index=1, segment_tag="ISA", element=field),
            "interchange",
            syntax_codes.code(syntax_codes.TA1, ta1),
        )
    )


def read_header(text: str, start: int) -> Header:
    """Read the ISA that begins at ``start`` (``text[start:start+3] == "ISA"``).

    Raises :class:`EdiSyntaxError` (code ``ISA_INVALID``) naming the first field that breaks the
    fixed-width layout.
    """
    isa = text[start : start + ISA_LENGTH]
    if len(isa) < 4:
        raise _fail(f"the input ends {len(isa)} characters into the ISA header; expected 106", None, "023")
    elem = isa[3]
    if elem.isalnum() or elem in " \r\n":
        raise _fail(
            f"character 4 of ISA is {elem!r}; expected the element separator (a special character "
            "such as '*')",
            None,
            "026",
        )
    for number, (f, pos) in enumerate(zip(FIELDS, STARTS, strict=True), start=1):
        column = start_column = pos + 1
        end = pos + f.width
        if len(isa) < end + (1 if number < 16 else 0):
            found = isa[pos:].rstrip("\r\n")
            raise _fail(
                f"the ISA header is cut short: element {f.name} at column {column} is {found!r}, "
                f"expected {f.width} characters ({f.description}); ISA must be 106 characters "
                "including the segment terminator",
                number,
                "023",
            )
        if number < 16 and isa[end] != elem:
            nxt = isa.find(elem, pos)
            actual = (nxt if nxt >= 0 else len(isa)) - pos
            value = isa[pos : pos + actual]
            raise _fail(
                f"element {f.name} ({f.description}) at column {start_column} is {value!r} "
                f"({actual} characters), expected exactly {f.width}: ISA fields are fixed-width "
                f"(pad with spaces), so the separator must be at column {end + 1}",
                number,
                f.ta1,
            )
    values = [isa[pos : pos + f.width] for f, pos in zip(FIELDS, STARTS, strict=True)]
    comp = values[15]
    if len(isa) < ISA_LENGTH:
        raise _fail(
            "the ISA header has no segment terminator after ISA16: the input ends at column "
            f"{len(isa)}; ISA must be 106 characters including the segment terminator",
            16,
            "023",
        )
    term = isa[105]
    _check_delimiters(elem, comp, term)
    for number in (12, 13):
        f, value = FIELDS[number - 1], values[number - 1]
        if not is_digits(value):
            raise _fail(
                f"element {f.name} ({f.description}) at column {STARTS[number - 1] + 1} is {value!r}, "
                f"expected {f.width} digits",
                number,
                f.ta1,
            )
    version = values[11]
    isa11 = values[10]
    errors: list[EdiError] = []
    repetition: str | None = None
    standards_id: str | None = None
    if version >= REPETITION_FROM_VERSION and not isa11.isalnum() and isa11 not in (elem, comp, term, " "):
        repetition = isa11
    else:
        standards_id = isa11
        if (version >= REPETITION_FROM_VERSION) or isa11 != "U":
            expected = (
                "a repetition separator distinct from the other delimiters"
                if version >= REPETITION_FROM_VERSION
                else "'U' (standards identifier)"
            )
            errors.append(_value_error(11, isa11, f"expected {expected} for version {version}"))
    _check_values(values, errors)
    segment = X12Segment("ISA", [[v] for v in values], 1)
    suffix_end = start + ISA_LENGTH
    while suffix_end < len(text) and text[suffix_end] in "\r\n" and term not in "\r\n":
        suffix_end += 1
    if term == "\r" and text.startswith("\n", suffix_end):
        suffix_end += 1
    delimiters = X12Delimiters(elem, comp, repetition, text[start + 105 : suffix_end])
    return Header(segment, delimiters, suffix_end, standards_id, tuple(errors))


def _check_delimiters(elem: str, comp: str, term: str) -> None:
    if comp.isalnum() or comp in (" ", elem):
        raise _fail(
            f"ISA16 (component element separator) at column 105 is {comp!r}; expected a special "
            "character different from the element separator",
            16,
            "027",
        )
    if term.isalnum() or term in (" ", elem, comp):
        raise _fail(
            f"character 106 after ISA16 is {term!r}; expected the segment terminator (a special "
            "character or a line break, different from the other delimiters) - is the ISA "
            "106 characters long?",
            16,
            "004",
        )


def _value_error(number: int, value: str, expected: str) -> EdiError:
    f = FIELDS[number - 1]
    return EdiError(
        "ISA_VALUE_INVALID",
        f"element {f.name} ({f.description}) at column {STARTS[number - 1] + 1} is {value!r}; {expected}",
        Location(segment_index=1, segment_tag="ISA", element=number),
        "interchange",
        syntax_codes.code(syntax_codes.TA1, f.ta1),
    )


def _check_values(values: list[str], errors: list[EdiError]) -> None:
    checks = (
        (1, _AUTH_QUALIFIERS, "expected one of 00-06"),
        (3, _SECURITY_QUALIFIERS, "expected 00 or 01"),
        (14, _ACK_REQUESTED, "expected 0 (no TA1) or 1 (TA1 requested)"),
        (15, _USAGE, "expected P (production), T (test) or I (information)"),
    )
    for number, allowed, expected in checks:
        if values[number - 1] not in allowed:
            errors.append(_value_error(number, values[number - 1], expected))
    for number in (5, 7):
        if not values[number - 1].isalnum():
            errors.append(_value_error(number, values[number - 1], "expected a two-character qualifier"))
    for number in (6, 8):
        if not values[number - 1].strip():
            errors.append(_value_error(number, values[number - 1], "expected an identifier, found blanks"))
    if prepared_at(values[8], values[9]) is None:
        bad = 9 if not _valid_date(values[8]) else 10
        errors.append(_value_error(bad, values[bad - 1], "expected a valid YYMMDD date and HHMM time"))


def _valid_date(value: str) -> bool:
    return prepared_at(value, "0000") is not None


def prepared_at(date: str, time: str) -> datetime | None:
    """ISA09/ISA10 (YYMMDD, HHMM) as UTC; years 00-68 are 20xx, 69-99 19xx (the POSIX pivot).

    X12 carries no time zone; UTC is the convention edigate stores, not a claim about the sender's clock.
    """
    if not (len(date) == 6 and is_digits(date) and len(time) == 4 and is_digits(time)):
        return None
    yy = int(date[:2])
    try:
        return datetime(
            (1900 if yy >= 69 else 2000) + yy,
            int(date[2:4]),
            int(date[4:6]),
            int(time[:2]),
            int(time[2:4]),
            tzinfo=UTC,
        )
    except ValueError:
        return None
