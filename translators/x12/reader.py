"""Read X12 interchanges into the model, reporting every envelope problem as a located value.

Only input that holds no readable interchange at all raises :class:`EdiSyntaxError`: empty input,
input that does not start with ISA, and an ISA that breaks its fixed-width layout (see
:mod:`translators.x12.isa`). Everything wrong inside a readable interchange - counts, control
numbers, missing trailers, segments outside a set - is an :class:`EdiError` on the level it
rejects (:mod:`translators.x12.envelope` lists the codes).

How the text is cut, fast:

* bytes are decoded once for the whole input: ASCII when they are ASCII (the usual case, checked in
  C), else UTF-8, else Latin-1 - except that input holding a BIN segment is read as Latin-1, so that
  BIN01 (a length in bytes) counts characters exactly;
* a file hard-wrapped at a fixed width (80 columns, even through the ISA) is unwrapped first;
* each interchange is located by a regex search for its IEA (or the next ISA, when truncated), and
  its segments are one ``split`` of that span (:mod:`translators.x12.tokenizer`).

Segment numbering: ``X12Segment.index`` is 1-based within the interchange with ISA = 1.
"""

from __future__ import annotations

import re
from functools import cache

from translators import collector
from translators.errors import EdiError, EdiSyntaxError, Location
from translators.x12 import syntax_codes, tokenizer
from translators.x12.envelope import Envelope
from translators.x12.isa import ISA_LENGTH, Header, prepared_at, read_header
from translators.x12.model import X12Interchange

_BOM = "\ufeff"
_UTF8_BOM = b"\xef\xbb\xbf"
_NON_SPACE = re.compile(r"\S")


def read_x12_interchanges(data: bytes | str) -> list[X12Interchange]:
    """Read every interchange in ``data`` (one or more ISA … IEA in sequence).

    A later interchange whose ISA cannot be read, or data that is not an ISA after an IEA, becomes
    an error of the interchange before it, never an exception.
    """
    with collector.paused() as pause:
        result = _read_all(_decode(data))
        pause.allocated = sum(len(ts.segments) for ic in result for ts in ic.messages)
    return result


def _read_all(text: str) -> list[X12Interchange]:
    start = _first_isa(text)
    text = _unwrap_if_wrapped(text, start)
    result: list[X12Interchange] = []
    while True:
        try:
            header = read_header(text, start)
        except EdiSyntaxError as exc:
            if not result:
                raise
            result[-1].errors.append(_following_isa_error(exc.error, result[-1]))
            return result
        end, complete = _locate_end(text, start, header)
        result.append(_read_interchange(text, header, end, complete))
        nxt = _next_non_space(text, end)
        if nxt >= len(text):
            return result
        if not text.startswith("ISA", nxt):
            result[-1].errors.append(_trailing_error(text, nxt, result[-1]))
            found = text.find("ISA", nxt)
            if found < 0:
                return result
            nxt = found
        start = nxt


def read_x12_interchange(data: bytes | str) -> X12Interchange:
    """The first interchange of ``data``; later ones are read (and their errors kept) but dropped."""
    return read_x12_interchanges(data)[0]


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data[1:] if data.startswith(_BOM) else data
    raw = bytes(data)
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    if raw.isascii():
        return raw.decode("ascii")
    if b"BIN" not in raw:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def _fatal(code: str, text: str) -> EdiSyntaxError:
    return EdiSyntaxError(EdiError(code, text, Location(), "interchange", None))


def _first_isa(text: str) -> int:
    """Offset of the ISA that opens the input, or raise saying what was found instead."""
    start = _next_non_space(text, 0)
    if start >= len(text):
        raise _fatal("EMPTY_INPUT", "the input is empty (or only whitespace); expected an X12 interchange")
    if text.startswith("ISA", start):
        return start
    head = text[start : start + 20]
    if "\x00" in text[:4096] or sum(not (c.isprintable() or c in "\r\n\t") for c in head) > 2:
        what = "binary data"
    elif head.startswith(("UNA", "UNB")):
        what = "a UN/EDIFACT interchange"
    elif head.startswith("<"):
        what = "XML or HTML"
    elif head[:3] in ("GS" + head[2:3], "ST" + head[2:3]) and not head[2:3].isalnum():
        what = f"segment {head[:2]} without an ISA interchange header"
    else:
        what = "data that is not X12"
    raise _fatal("NOT_X12", f"the input is {what} (starts with {head!r}); expected an ISA interchange header")


def _next_non_space(text: str, pos: int) -> int:
    m = _NON_SPACE.search(text, pos)
    return m.start() if m else len(text)


def _unwrap_if_wrapped(text: str, start: int) -> str:
    """Undo hard wrapping at a fixed width, once for the whole input.

    Two signatures: the ISA itself is cut by a line break before its 106th character (wrapping at
    80 columns does that), or - with an intact ISA whose terminator is not a line break - line
    breaks fall elsewhere than after terminators. Either way only lines of one equal width count as
    wrapping; a file with BIN data is never unwrapped (its line breaks may be data).
    """
    first_break = text.find("\n", start)
    if first_break < 0 or "BIN" in text:
        return text
    rest = text[start:] if start else text
    isa_line = rest[: first_break - start].rstrip("\r")
    if len(isa_line) < ISA_LENGTH - 1:
        if tokenizer.equal_width_lines(rest):
            return text[:start] + tokenizer.unwrap(rest)
        return text
    term = rest[ISA_LENGTH - 1] if len(rest) >= ISA_LENGTH else "\n"
    if term not in "\r\n" and tokenizer.is_hard_wrapped(rest, term):
        return text[:start] + tokenizer.unwrap(rest)
    return text


@cache
def _end_pattern(term: str, elem: str) -> re.Pattern[str]:
    """A terminator followed by IEA, or by another ISA (which ends a truncated interchange)."""
    return re.compile(
        re.escape(term)
        + r"[ \t\r\n]*(IEA"
        + re.escape(elem)
        + r"|IEA(?=[ \t\r\n]*"
        + re.escape(term)
        + r")|ISA(?=[^A-Za-z0-9 \t\r\n]))"
    )


def _locate_end(text: str, start: int, header: Header) -> tuple[int, bool]:
    """End offset of the interchange whose ISA is at ``start``, and whether its IEA was found."""
    d = header.delimiters
    term = d.terminator
    search_from = start + ISA_LENGTH - 1
    if term == "\n" and text[search_from] == "\r":
        search_from += 1
    for m in _end_pattern(term, d.element).finditer(text, search_from):
        if m.group(1).startswith("IEA"):
            end = text.find(term, m.end())
            return (len(text) if end < 0 else end + 1), True
        return m.start() + 1, False
    return len(text), False


def _read_interchange(text: str, header: Header, end: int, complete: bool) -> X12Interchange:
    isa = header.segment
    values = [isa.get(n, 1, "") for n in range(1, 17)]
    raw_values = [el[0] for el in isa.elements]
    interchange = X12Interchange(
        sender_qualifier=values[4],
        sender_id=raw_values[5].strip(),
        receiver_qualifier=values[6],
        receiver_id=raw_values[7].strip(),
        date=values[8],
        time=values[9],
        prepared_at=prepared_at(values[8], values[9]),
        repetition_separator=header.delimiters.repetition,
        standards_id=header.standards_id,
        version=values[11],
        control_number=values[12],
        ack_requested=values[13],
        usage=values[14],
        delimiters=header.delimiters,
        header=isa,
        trailer=None,
    )
    interchange.errors.extend(header.errors)
    body = text[header.end : end]
    segments = tokenizer.segments(body, header.delimiters, 2)
    Envelope(interchange, complete).read(segments)
    return interchange


def _following_isa_error(error: EdiError, previous: X12Interchange) -> EdiError:
    """An unreadable later ISA, reported on the interchange before it."""
    last = previous.trailer or previous.header
    return EdiError(
        error.code,
        f"the interchange after this one cannot be read: {error.text}",
        Location(segment_index=last.index + 1, segment_tag="ISA", element=error.location.element),
        "interchange",
        error.syntax_code,
    )


def _trailing_error(text: str, offset: int, interchange: X12Interchange) -> EdiError:
    preview = text[offset : offset + 30]
    last = interchange.trailer or interchange.header
    return EdiError(
        "TRAILING_DATA",
        f"data that is not an X12 interchange follows the IEA at offset {offset} (starting {preview!r})",
        Location(segment_index=last.index + 1, segment_tag=preview[:3] or None),
        "interchange",
        syntax_codes.code(syntax_codes.TA1, "022"),
    )
