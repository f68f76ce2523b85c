"""Serialise X12 segments to text: the inverse of :mod:`translators.x12.reader`, for what we send.

X12 has no release character, so a value that contains one of the delimiters cannot be written at
all: it raises ``ValueError`` instead of producing text the partner would cut in the wrong place.
Trailing empty elements and components are left out (X12 forbids trailing separators).

ISA is the exception in both directions: it is fixed-width, so its elements are written exactly as
given (padding included, never trimmed), and ISA11 / ISA16 *are* delimiters. Use
:func:`translators.x12.acks.envelope.isa_segment` to build one with the padding rules applied.
"""

from __future__ import annotations

from collections.abc import Iterable

from translators.x12.model import X12Delimiters, X12Segment

ISA_ELEMENTS = 16
ISA_LENGTH = 106  # characters up to and including the first character of the terminator
_ISA_DELIMITER_ELEMENTS = (10, 15)  # 0-based: ISA11 repetition separator / ISA16 component separator


def check_delimiters(delimiters: X12Delimiters) -> None:
    """Raise ValueError unless the delimiters can declare an interchange.

    Each must be one character (the terminator may be followed by a line break), none may be a
    letter, digit or space, and no two may be the same: otherwise the partner cannot read us back.
    """
    term = delimiters.segment[:1]
    named = {"element": delimiters.element, "component": delimiters.component, "segment": term}
    if delimiters.repetition is not None:
        named["repetition"] = delimiters.repetition
    for name, char in named.items():
        if len(char) != 1 or char.isalnum() or char == " ":
            raise ValueError(f"{name} delimiter {char!r} must be one special character")
    if len(set(named.values())) != len(named):
        raise ValueError(f"delimiters must differ from one another: {named}")
    if delimiters.segment[1:].strip("\r\n"):
        raise ValueError(f"segment terminator {delimiters.segment!r}: only a line break may follow it")


def _forbidden(delimiters: X12Delimiters) -> frozenset[str]:
    chars = {delimiters.element, delimiters.component, *delimiters.segment}
    if delimiters.repetition is not None:
        chars.add(delimiters.repetition)
    return frozenset(chars)


def _check_value(value: str, forbidden: frozenset[str], tag: str, position: int) -> str:
    if forbidden.intersection(value):
        raise ValueError(
            f"{tag}{position:02d} value {value!r} contains a delimiter; X12 has no release "
            "character, so it cannot be written with these delimiters"
        )
    return value


def _trim(values: list[str]) -> list[str]:
    end = len(values)
    while end and values[end - 1] == "":
        end -= 1
    return values[:end]


def _element(
    components: list[str], delimiters: X12Delimiters, forbidden: frozenset[str], tag: str, n: int
) -> str:
    return delimiters.component.join(_check_value(c, forbidden, tag, n) for c in _trim(list(components)))


def _isa(segment: X12Segment, delimiters: X12Delimiters, forbidden: frozenset[str]) -> str:
    values = [element[0] if element else "" for element in segment.elements]
    if len(values) != ISA_ELEMENTS:
        raise ValueError(f"ISA needs exactly {ISA_ELEMENTS} elements, got {len(values)}")
    for i, value in enumerate(values):
        if i not in _ISA_DELIMITER_ELEMENTS:
            _check_value(value, forbidden, "ISA", i + 1)
    text = "ISA" + delimiters.element + delimiters.element.join(values)
    if len(text) + 1 != ISA_LENGTH:
        raise ValueError(
            f"ISA is {len(text) + 1} characters with its terminator; it must be {ISA_LENGTH} "
            "(fixed-width fields: build it with envelope.isa_segment)"
        )
    return text + delimiters.segment


def write_segment(segment: X12Segment, delimiters: X12Delimiters) -> str:
    """One segment including its terminator (and the line break after it, if the layout has one)."""
    forbidden = _forbidden(delimiters)
    if segment.tag == "ISA":
        return _isa(segment, delimiters, forbidden)
    _check_value(segment.tag, forbidden, segment.tag, 0)
    repetitions = segment.repetitions or {}
    parts: list[str] = []
    for i, components in enumerate(segment.elements):
        if i in repetitions:
            if delimiters.repetition is None:
                raise ValueError(
                    f"{segment.tag}{i + 1:02d} repeats, but the delimiters declare no repetition"
                )
            reps = [_element(r, delimiters, forbidden, segment.tag, i + 1) for r in repetitions[i]]
            parts.append(delimiters.repetition.join(_trim(reps)))
        else:
            parts.append(_element(components, delimiters, forbidden, segment.tag, i + 1))
    return delimiters.element.join([segment.tag, *_trim(parts)]) + delimiters.segment


def write_segments(segments: Iterable[X12Segment], delimiters: X12Delimiters) -> str:
    """Segments one after the other, each with its terminator. Checks the delimiters first."""
    check_delimiters(delimiters)
    return "".join(write_segment(segment, delimiters) for segment in segments)
