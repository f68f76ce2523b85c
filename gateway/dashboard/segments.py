"""The raw interchange as an operator reads it: segment by segment, numbered, errors in place.

Segments are cut from the archived bytes as written (release characters kept), numbered the way
edigate's errors count them - UNB or ISA is 1, a UNA is not counted, numbering starts again at each
interchange - so an error's ``segment_index`` points at its row, and its element/component at the
piece of that row that is highlighted. XML is shown line by line with the error's line marked.

This is display code, not a second parser: it never decides whether anything is valid; it only
puts the errors the pipeline stored next to the text they are about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from translators.edifact.charset import codec_for
from translators.edifact.model import Separators
from translators.edifact.tokenizer import parse_una

MAX_ROWS = 3000
"""Rows shown per message; an operator needs the place of an error, not 100,000 lines in a browser."""

_UNB_CHARSET = re.compile(rb"UNB.(UNO[A-Z])")
_ISA_LENGTH = 106

Error = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Piece:
    separator: str  # written before the text: element or component separator, "" for the tag
    text: str
    failing: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    number: int | None  # segment position (EDI) or line number (XML); None for UNA
    tag: str
    pieces: tuple[Piece, ...]
    terminator: str
    errors: tuple[Error, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """One interchange (or the whole text, for XML and unreadable input)."""

    position: int
    rows: tuple[Row, ...]
    unplaced: tuple[Error, ...] = ()  # errors of this interchange with no segment or line to point at


@dataclass(frozen=True, slots=True)
class RawView:
    kind: Literal["segments", "lines"]
    blocks: tuple[Block, ...]
    truncated: bool = False
    unplaced: tuple[Error, ...] = field(default=())  # errors not tied to any interchange

    @property
    def failing_rows(self) -> int:
        return sum(1 for block in self.blocks for row in block.rows if row.errors)


def raw_view(
    data: bytes,
    syntax: str | None,
    errors_by_interchange: Mapping[int, Sequence[Error]],
    general_errors: Sequence[Error] = (),
    *,
    max_rows: int = MAX_ROWS,
) -> RawView:
    """``errors_by_interchange`` maps the 1-based interchange position to its errors;
    ``general_errors`` belong to no stored interchange (an unreadable file): they are shown against
    the first interchange when they carry a position, above the text otherwise."""
    if syntax == "edifact":
        return _edi_view(_edifact_segments(data), errors_by_interchange, general_errors, max_rows)
    if syntax == "x12":
        return _edi_view(_x12_segments(data), errors_by_interchange, general_errors, max_rows)
    errors = [*general_errors, *(e for errs in errors_by_interchange.values() for e in errs)]
    return _line_view(data, errors, max_rows)


# --- EDIFACT and X12 -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cut:
    """One raw segment with the separators that apply to it."""

    interchange: int
    number: int | None
    text: str
    element: str
    component: str
    release: str | None
    terminator: str


def _edifact_segments(data: bytes) -> list[_Cut]:
    found = _UNB_CHARSET.search(data[:4096])
    codec = (codec_for(found.group(1).decode("ascii")) if found else None) or "latin-1"
    text = data.decode(codec, errors="replace").lstrip("\ufeff")
    separators = Separators()
    cuts: list[_Cut] = []
    interchange, number, pos = 0, 0, 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            break
        una = parse_una(text, pos) if text.startswith("UNA", pos) else None
        if una is not None:
            separators = una
            cuts.append(_Cut(interchange + 1, None, text[pos : pos + 9], "", "", None, ""))
            pos += 9
            continue
        end = _unreleased(text, separators.segment, separators.release, pos)
        raw = text[pos : end if end >= 0 else len(text)]
        if raw.startswith("UNB"):
            interchange, number = interchange + 1, 0
        number += 1
        cuts.append(
            _Cut(
                max(interchange, 1),
                number,
                raw,
                separators.element,
                separators.component,
                separators.release,
                separators.segment if end >= 0 else "",
            )
        )
        pos = end + 1 if end >= 0 else len(text)
    return cuts


def _x12_segments(data: bytes) -> list[_Cut]:
    try:
        text = data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    start = text.find("ISA")
    if start < 0 or len(text) < start + _ISA_LENGTH:
        return [_Cut(1, n, line, "", "", None, "") for n, line in enumerate(text.splitlines(), 1)]
    element, component, terminator = text[start + 3], text[start + 104], text[start + 105]
    cuts: list[_Cut] = []
    interchange, number = 0, 0
    for raw in text[start:].split(terminator):
        raw = raw.strip(" \t\r\n")
        if not raw:
            continue
        if raw.startswith("ISA"):
            interchange, number = interchange + 1, 0
        number += 1
        cuts.append(_Cut(max(interchange, 1), number, raw, element, component, None, terminator))
    return cuts


def _edi_view(
    cuts: list[_Cut],
    errors_by_interchange: Mapping[int, Sequence[Error]],
    general_errors: Sequence[Error],
    max_rows: int,
) -> RawView:
    errors = {position: list(errs) for position, errs in errors_by_interchange.items()}
    unplaced_general: list[Error] = []
    for error in general_errors:
        if _location(error).get("segment_index") is not None:
            errors.setdefault(1, []).append(error)
        else:
            unplaced_general.append(error)
    positions = sorted({c.interchange for c in cuts} | set(errors))
    blocks: list[Block] = []
    shown = 0
    for position in positions:
        own = [c for c in cuts if c.interchange == position]
        pending = list(errors.get(position, []))
        rows: list[Row] = []
        for cut in own:
            if shown >= max_rows:
                break
            mine = [e for e in pending if _belongs(e, cut)]
            pending = [e for e in pending if e not in mine]
            rows.append(_row(cut, mine))
            shown += 1
        blocks.append(Block(position, tuple(rows), tuple(pending)))
    return RawView("segments", tuple(blocks), truncated=len(cuts) > shown, unplaced=tuple(unplaced_general))


def _belongs(error: Error, cut: _Cut) -> bool:
    location = _location(error)
    index = location.get("segment_index")
    if index is not None:
        return cut.number == index
    # Errors about a whole message (a mapping problem) sit at its header segment.
    reference = location.get("message_ref")
    if reference and cut.number is not None and cut.text[:3] in ("UNH", "ST" + cut.element):
        first = _split(cut.text, cut.element, cut.release)
        return len(first) > 1 and _split(first[1], cut.component, cut.release)[0] == reference
    return False


def _row(cut: _Cut, errors: list[Error]) -> Row:
    if cut.number is None:  # UNA: service string advice, shown as written
        return Row(None, "UNA", (Piece("", cut.text),), "", ())
    elements = _split(cut.text, cut.element, cut.release)
    marks = [_location(e) for e in errors]
    pieces: list[Piece] = []
    for e_index, element in enumerate(elements):
        components = _split(element, cut.component, cut.release) if e_index else [element]
        for c_index, value in enumerate(components):
            separator = (cut.element if c_index == 0 else cut.component) if e_index else ""
            failing = any(
                m.get("element") == e_index and m.get("component") in (None, c_index + 1) for m in marks
            )
            pieces.append(Piece(separator, value, failing))
    # An error about an element the segment does not have (a missing mandatory value): mark the tag.
    if any(m.get("element") is not None and m["element"] >= len(elements) for m in marks) or (
        errors and not any(p.failing for p in pieces)
    ):
        pieces[0] = Piece("", pieces[0].text, True)
    return Row(cut.number, elements[0][:3], tuple(pieces), cut.terminator, tuple(errors))


def _split(text: str, separator: str, release: str | None) -> list[str]:
    if not separator:
        return [text]
    if not release or release not in text:
        return text.split(separator)
    parts: list[str] = []
    start, i = 0, 0
    while i < len(text):
        if text[i] == release:
            i += 2
            continue
        if text[i] == separator:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _unreleased(text: str, char: str, release: str | None, start: int) -> int:
    i = start
    while True:
        found = text.find(char, i)
        if found < 0 or not release:
            return found
        backslashes = 0
        j = found - 1
        while j >= start and text[j] == release:
            backslashes += 1
            j -= 1
        if backslashes % 2 == 0:
            return found
        i = found + 1


def _location(error: Error) -> Mapping[str, Any]:
    location = error.get("location") or {}
    return location if isinstance(location, Mapping) else {}


# --- XML and anything else ----------------------------------------------------------------------


def _line_view(data: bytes, errors: Sequence[Error], max_rows: int) -> RawView:
    try:
        text = data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    lines = text.splitlines()
    by_line: dict[int, list[Error]] = {}
    unplaced: list[Error] = []
    for error in errors:
        line = _location(error).get("line")
        if isinstance(line, int) and 1 <= line <= min(len(lines), max_rows):
            by_line.setdefault(line, []).append(error)
        else:
            unplaced.append(error)
    rows = tuple(
        Row(n, "", (Piece("", line, n in by_line),), "", tuple(by_line.get(n, ())))
        for n, line in enumerate(lines[:max_rows], start=1)
    )
    return RawView("lines", (Block(1, rows),), truncated=len(lines) > max_rows, unplaced=tuple(unplaced))
