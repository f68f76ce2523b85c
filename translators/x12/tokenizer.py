"""From interchange text to segments with whole-string operations.

Everything here lets ``str.split``/``str.replace``/``re`` walk the text in C: layout whitespace after
terminators goes in one ``re.sub``, segments are one ``split``, tags one list comprehension. Elements
are not split here at all (see :class:`translators.x12.model.X12Segment`): a segment keeps its raw
text and splits it the first time someone looks inside.

BIN segments are the exception X12 makes to "a delimiter ends a token": BIN02 is binary data of
BIN01 bytes and may contain any delimiter, so text holding a BIN is cut around each BIN by length
first, and only the pieces between them go through the fast path.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import repeat
from operator import itemgetter

from translators.x12.model import X12Delimiters, X12Segment

WHITESPACE = " \t\r\n"
_first = itemgetter(0)


class _RawSegment(X12Segment):
    """A segment read from text: tag now, elements on first access."""

    __slots__ = ()

    def __init__(self, tag: str, raw: str, index: int, split: tuple[str, str, str | None]) -> None:
        self.tag = tag
        self.index = index
        self._raw = raw
        self._split = split
        self._elements = None  # type: ignore[assignment]
        self._repetitions = None


@cache
def _layout_pattern(term: str) -> re.Pattern[str]:
    """Whitespace after a terminator: line breaks senders add, indentation of pretty-printed files."""
    return re.compile(re.escape(term) + "[ \t\r\n]+")


@cache
def _bin_pattern(term: str, elem: str) -> re.Pattern[str]:
    return re.compile(
        "(?:^|" + re.escape(term) + ")[ \t\r\n]*BIN" + re.escape(elem) + "([0-9]*)" + re.escape(elem)
    )


def has_bin(body: str, delimiters: X12Delimiters) -> bool:
    return (
        "BIN" + delimiters.element in body
        and _bin_pattern(delimiters.terminator, delimiters.element).search(body) is not None
    )


def split_raw(body: str, term: str) -> list[str]:
    """Raw segment strings of ``body`` without layout whitespace or empty pieces.

    The usual layouts (a line break after each terminator) go with two C-level ``replace`` calls;
    only whitespace beyond that (indentation, blank lines) costs a regex pass.
    """
    if term == "\n":
        if "\r" in body:
            body = body.replace("\r\n", "\n").replace("\r", "\n")
    elif "\n" in body:
        body = body.replace(term + "\r\n", term).replace(term + "\n", term)
    layout = _layout_pattern(term)
    if layout.search(body) is not None:
        body = layout.sub(term, body)
    raws = body.lstrip(WHITESPACE).split(term)
    if raws and not raws[-1].strip(WHITESPACE):
        raws.pop()
    if "" in raws:
        raws = [raw for raw in raws if raw]
    return raws


def segments(body: str, delimiters: X12Delimiters, first_index: int) -> list[X12Segment]:
    """Segments of ``body`` (the text after ISA), numbered from ``first_index``."""
    if has_bin(body, delimiters):
        return _segments_with_bin(body, delimiters, first_index)
    return _lazy_segments(split_raw(body, delimiters.terminator), delimiters, first_index)


def _lazy_segments(raws: list[str], delimiters: X12Delimiters, first_index: int) -> list[X12Segment]:
    elem = delimiters.element
    split = (elem, delimiters.component, delimiters.repetition)
    # partition + itemgetter keep the per-segment work in C; a segment without any element
    # ("IEA" alone) gets its whole text as tag, which is what partition gives.
    tags = list(map(_first, map(str.partition, raws, repeat(elem))))
    return list(map(_RawSegment, tags, raws, range(first_index, first_index + len(raws)), repeat(split)))


def _segments_with_bin(body: str, delimiters: X12Delimiters, first_index: int) -> list[X12Segment]:
    """Cut ``body`` at each BIN segment, taking BIN02 by the length BIN01 declares."""
    term, elem = delimiters.terminator, delimiters.element
    pattern = _bin_pattern(term, elem)
    out: list[X12Segment] = []
    pos = 0
    while True:
        m = pattern.search(body, max(pos - 1, 0))  # from the terminator that ended the last piece
        if m is None:
            break
        before = body[pos : m.start()] + term
        out.extend(_lazy_segments(split_raw(before, term), delimiters, first_index + len(out)))
        length_text = m.group(1)
        length = int(length_text) if length_text else 0
        data_start = m.end()
        data = body[data_start : data_start + length]
        after = data_start + length
        end = body.find(term, after)
        extra = body[after : end if end >= 0 else len(body)]
        elements = [[length_text], [data]] + ([[x] for x in extra.split(elem)[1:]] if extra else [])
        out.append(X12Segment("BIN", elements, first_index + len(out)))
        if end < 0:
            return out
        pos = end + 1
    out.extend(_lazy_segments(split_raw(body[pos:], term), delimiters, first_index + len(out)))
    return out


def is_hard_wrapped(text: str, terminator: str) -> bool:
    """True when line breaks were inserted at a fixed width, cutting through segments.

    Line breaks right after a terminator are layout and are dropped anyway. Other line breaks are
    only removed when every line but the last has the same length - the signature of a file
    wrapped at 80 (or any) columns by a mainframe or mail gateway.
    """
    if terminator == "\n" or "\n" not in text:
        return False
    breaks = text.count("\n")
    if breaks == text.count(terminator + "\n") + text.count(terminator + "\r\n"):
        return False
    return equal_width_lines(text)


def equal_width_lines(text: str) -> bool:
    """Every line but the last has the same, non-zero length (and there are at least two)."""
    lines = text.rstrip(WHITESPACE).split("\n")
    if len(lines) < 2:
        return False
    width = len(lines[0].rstrip("\r"))
    return width > 0 and all(len(line.rstrip("\r")) == width for line in lines[:-1])


def unwrap(text: str) -> str:
    return text.replace("\r", "").replace("\n", "")
