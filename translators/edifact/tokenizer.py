"""From text to segments with whole-string operations.

Python spends ~50 ns per interpreted step, so a reader that looks at every character (as pydifact
does) is two orders of magnitude slower than one that lets ``str.split``/``str.replace``/``re`` walk
the text in C. Everything here works that way:

* the release character is handled up front: every released pair (``?+``, ``?:``, ``?'``, ``??``,
  ``?*``) is replaced by a private-use character that does not occur in the text, so the plain
  ``split`` calls that follow cannot cut inside data; the placeholders are translated back in the
  few segments that contain one. Text without a release character skips this entirely;
* segments, elements and components are then ``str.split`` results.

Interchange boundaries are found by the same means (regex searches for a terminator followed by
``UNZ``/``UNB``), so that a file holding several interchanges - possibly with different
separators or character sets - can be cut into byte ranges before anything is decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress, count, repeat
from operator import not_

from translators.edifact.model import DEFAULT_SEPARATORS, Segment, Separators

UNA_LENGTH = 9  # "UNA" + six service characters
_WHITESPACE = " \t\r\n"
_PRIVATE_USE_RANGES = ((0xE000, 0xF900), (0xF0000, 0xFFFFE), (0x100000, 0x10FFFE))
_ASCII_MAX = 0x7F
# Segments built at a time. The temporaries of one chunk (element strings, split lists) are freed
# before the next chunk reuses their memory, instead of a large body's being held all at once:
# fewer fresh pages for the allocator to fault in, and the data stays in cache.
_CHUNK = 2048
# Above one release character in 2**6 characters of text, one replace per special character is
# cheaper than jumping from one release character to the next.
_DENSE_RELEASE_SHIFT = 6
# Stand-ins tried before the private-use characters. Latin-1 control characters keep a Latin-1
# text at one byte per character (a single private-use character widens the whole text, which
# makes every later split and search slower). The C1 controls come first: being outside ASCII,
# they let ``str.isascii`` rule out most segments when looking for stand-ins. Controls that count
# as whitespace (NEL, the FS/GS/RS/US separators) are left out: layout handling strips whitespace.
_CONTROL_STAND_INS = "".join(
    chr(cp) for cp in (*range(0x80, 0x85), *range(0x86, 0xA0), *range(0x01, 0x09), *range(0x0E, 0x1C), 0x7F)
)


def parse_una(text: str, pos: int = 0) -> Separators | None:
    """Separators declared by a UNA at ``pos``, or None when there is no complete UNA there.

    A space in the release or repetition position means "not used". The repetition character is
    kept as written here; whether it applies depends on the syntax version in UNB (see
    :func:`for_version`).
    """
    if text[pos : pos + 3] != "UNA" or len(text) < pos + UNA_LENGTH:
        return None
    comp, elem, dec, rel, rep, term = text[pos + 3 : pos + UNA_LENGTH]
    return Separators(
        component=comp,
        element=elem,
        decimal=dec,
        release=None if rel == " " else rel,
        repetition=None if rep == " " else rep,
        segment=term,
    )


def for_version(separators: Separators, version: int, una_present: bool) -> Separators:
    """Apply the syntax version's rule for the repetition separator.

    Versions 1-3 reserve UNA position 5 (no repetition); version 4 takes it from UNA, or ``*``
    when there is no UNA.
    """
    if version != 4:
        rep = None
    elif una_present:
        rep = separators.repetition
    else:
        rep = "*"
    if rep is not None and rep in (separators.component, separators.element, separators.segment):
        rep = None
    if rep == separators.repetition:
        return separators
    return Separators(
        separators.component, separators.element, separators.decimal, separators.release, rep,
        separators.segment,
    )


def find_unreleased(text: str, char: str, release: str | None, start: int, end: int | None = None) -> int:
    """Index of the first ``char`` at or after ``start`` that is not released, or -1.

    A character is released when an odd number of release characters immediately precede it.
    """
    stop = len(text) if end is None else end
    while True:
        i = text.find(char, start, stop)
        if i < 0 or release is None or not is_released(text, i, release):
            return i
        start = i + 1


def is_released(text: str, i: int, release: str) -> bool:
    run = 0
    j = i - 1
    while j >= 0 and text[j] == release:
        run += 1
        j -= 1
    return run % 2 == 1


def _free_characters(text: str, count: int, taken: str) -> str:
    """``count`` characters absent from ``text`` and ``taken``, to stand in for released pairs."""
    found: list[str] = []
    for ch in _stand_in_candidates():
        if ch not in text and ch not in taken:
            found.append(ch)
            if len(found) == count:
                return "".join(found)
    raise ValueError("text uses every private-use character; cannot tokenize")  # pragma: no cover


def _stand_in_candidates() -> Iterator[str]:
    yield from _CONTROL_STAND_INS
    for lo, hi in _PRIVATE_USE_RANGES:
        yield from map(chr, range(lo, hi))


def protect_released(text: str, separators: Separators) -> tuple[str, dict[int, str] | None]:
    """Replace released characters by placeholders; return the text and the table to undo it.

    Pairs are replaced left to right with the release pair first, which is exactly the standard's
    reading: in ``???'`` the first two form a released ``?`` and the third releases the ``'``.
    A release character before an ordinary character is dropped and the character kept, as
    partners write ``Dr?. med?.`` and every reader accepts it.
    """
    rel = separators.release
    if rel is None:
        return text, None
    at = text.find(rel)
    if at < 0:
        return text, None
    specials = [rel]
    for ch in (separators.element, separators.component, separators.segment, separators.repetition):
        if ch is not None and ch not in specials:
            specials.append(ch)
    marks = _free_characters(text, len(specials), "".join(specials) + separators.decimal)
    table = {ord(mark): ch for ch, mark in zip(specials, marks, strict=True)}
    if text.count(rel) > len(text) >> _DENSE_RELEASE_SHIFT:
        for ch, mark in zip(specials, marks, strict=True):
            text = text.replace(rel + ch, mark)
        return text.replace(rel, ""), table
    # Few release characters, as usual: a jump from one to the next, where a replace per special
    # character would copy or at least search the whole text each time.
    mark_for = dict(zip(specials, marks, strict=True))
    pieces: list[str] = []
    start = 0
    while at >= 0:
        pieces.append(text[start:at])
        released = text[at + 1 : at + 2]  # "" for a release character that ends the text
        pieces.append(mark_for.get(released, released))
        start = at + 2
        at = text.find(rel, start)
    pieces.append(text[start:])
    return "".join(pieces), table


def is_hard_wrapped(text: str, terminator: str) -> bool:
    """True when line breaks were inserted at a fixed width, cutting through segments.

    Line breaks right after a terminator are layout and are dropped anyway. Other line breaks are
    only removed when every line but the last has the same length - the signature of a file
    wrapped at 80 (or any) columns by a mainframe or mail gateway. A free-text element that
    contains real line breaks (a medical report in FTX) does not look like that and keeps them.
    """
    if terminator in "\r\n" or "\n" not in text:
        return False
    breaks = text.count("\n")
    after_terminator = text.count(terminator + "\n")
    if "\r" in text:  # one search more of the whole text, only where it can find something
        after_terminator += text.count(terminator + "\r\n")
    if breaks == after_terminator:
        return False
    lines = text.rstrip(_WHITESPACE).split("\n")
    if len(lines) < 3:  # two full-width lines before the remainder, or a single break proves nothing
        return False
    width = len(lines[0])
    return width > 0 and all(len(line) == width for line in lines[:-1])


def unwrap(text: str) -> str:
    return text.replace("\r", "").replace("\n", "")


def split_raw_segments(body: str, separators: Separators) -> list[str]:
    """Raw segment strings of protected text, without layout whitespace and empty pieces.

    Line breaks after terminators are removed from the whole text first (one C-level replace
    instead of an ``lstrip`` per segment); only if other whitespace starts a segment does the
    per-segment cleanup run.
    """
    term = separators.segment
    if term not in "\r\n" and "\n" in body:
        body = body.replace(term + "\r\n", term).replace(term + "\n", term)
    raws = body.split(term)
    if term == "\n" and "\r" in body:
        raws = [raw[:-1] if raw.endswith("\r") else raw for raw in raws]
    if _leading_space_pattern(term).search(body) or (raws and raws[0][:1] in _WHITESPACE):
        raws = [raw.lstrip(_WHITESPACE) for raw in raws]
    if raws and not raws[-1]:  # what follows the last terminator: nearly always, and no copy for it
        raws.pop()
    if "" in raws:
        raws = [raw for raw in raws if raw]
    return raws


@cache
def _leading_space_pattern(term: str) -> re.Pattern[str]:
    return re.compile(re.escape(term) + "[ \t\r\n]")


def tokenize(body: str, separators: Separators, first_index: int = 1) -> list[Segment]:
    """Segments of ``body`` (text after any UNA), numbered from ``first_index``.

    Trailing empty components and trailing empty data elements are dropped (``RFF+VA:123:'`` reads
    as ``RFF+VA:123'``): ISO 9735 forbids writing them and they carry no value, and dropping them
    makes the writer's output read back to the same model.

    Every segment is first built the plain way (:func:`plain_segments`); the few that hold a
    released character, a repetition or a trailing separator are then rebuilt one by one on the
    careful path (:func:`careful_segment`), which gives the same result for every other segment.
    Both run on ``_CHUNK`` segments at a time.
    """
    protected, table = protect_released(body, separators)
    elem = separators.element
    comp = separators.component
    rep = separators.repetition
    raws = split_raw_segments(protected, separators)
    if rep is not None and rep not in protected:
        rep = None
    trailing = _has_trailing(protected, separators)
    careful = table is not None or rep is not None or trailing
    segments: list[Segment] = []
    for start in range(0, len(raws), _CHUNK):
        chunk = raws if len(raws) <= _CHUNK else raws[start : start + _CHUNK]
        built = plain_segments(chunk, elem, comp, first_index + start)
        if careful:
            for position in _careful_positions(chunk, table, rep, comp, elem, trailing):
                index = first_index + start + position
                built[position] = careful_segment(chunk[position], index, elem, comp, rep, table)
        if chunk is raws:  # the whole body in one chunk, as for most interchanges: no copy
            return built
        segments += built
    return segments


def plain_segments(raws: list[str], elem: str, comp: str, first_index: int) -> list[Segment]:
    """Segments of raw strings that need no careful handling, built without a per-segment loop.

    Reading cost is dominated by building the segment lists, and a Python loop over the segments
    spends more on interpreting its own steps than on the splits. Here every stage is a ``map``
    that runs in C: split each segment into elements, take the tags off, and split each element
    into components (an inner ``map`` per segment, turned into that segment's element list).
    """
    parts = list(map(str.split, raws, repeat(elem)))
    tags = list(map(list.pop, parts, repeat(0)))
    elements = map(list, map(map, repeat(str.split), parts, repeat(repeat(comp))))
    return list(map(Segment, tags, elements, count(first_index)))


def _careful_positions(
    raws: list[str], table: dict[int, str] | None, rep: str | None, comp: str, elem: str, trailing: bool
) -> list[int]:
    """Positions (0-based, ascending) of the raw segments the plain build gets wrong."""
    slow = _slow_path_re("".join(map(chr, table)) if table else "", rep, comp, elem, trailing)
    if table is not None and rep is None and not trailing and min(table) > _ASCII_MAX:
        # Only placeholders to find, and none is ASCII: a pure-ASCII segment cannot hold one, and
        # ``str.isascii`` is a flag lookup, so the regex runs on the few other segments only.
        maybe = compress(count(), map(not_, map(str.isascii, raws)))
        return [position for position in maybe if slow.search(raws[position])]
    flagged = set(compress(count(), map(slow.search, raws)))
    if trailing:
        flagged.update(compress(count(), map(str.endswith, raws, repeat((comp, elem)))))
    return sorted(flagged)


@lru_cache(maxsize=64)  # stand-ins differ only for texts that use the usual ones: a few entries
def _slow_path_re(stand_ins: str, rep: str | None, comp: str, elem: str, trailing: bool) -> re.Pattern[str]:
    """Matches a raw segment that needs the careful path: placeholders (``stand_ins``), repetitions,
    or an empty component/element before the next element. Made once per combination."""
    alternatives = ["[" + "".join(map(re.escape, stand_ins)) + "]"] if stand_ins else []
    if rep is not None:
        alternatives.append(re.escape(rep))
    if trailing:
        # One component separator right before an element separator is the same test as a run of
        # them, and stays linear: "+" here made a long run of ":" a quadratic search.
        alternatives.append(re.escape(comp + elem))
    return re.compile("|".join(alternatives) or "(?!)")


def _has_trailing(text: str, separators: Separators) -> bool:
    """Whether any segment may end in an empty component or element (a cheap over-estimate)."""
    comp, elem, term = separators.component, separators.element, separators.segment
    if comp + elem in text or comp + term in text or elem + term in text:
        return True
    # The last character that is not layout, found from the end: rstrip would copy the whole text.
    end = len(text)
    while end and text[end - 1] in _WHITESPACE:
        end -= 1
    return end > 0 and text[end - 1] in (comp, elem)


def careful_segment(
    raw: str, index: int, elem: str, comp: str, rep: str | None, table: dict[int, str] | None
) -> Segment:
    """One segment on the slow path: released characters, repetitions or trailing separators."""
    parts = raw.split(elem)
    stand_ins = _stand_ins_in(raw, table)
    tag = _restore(parts[0], stand_ins) if stand_ins else parts[0]
    end = len(parts)
    while end > 1 and not parts[end - 1].strip(comp):
        end -= 1
    elements: list[list[str]] = []
    repetitions: dict[int, list[list[str]]] | None = None
    for i, part in enumerate(parts[1:end]):
        if rep is not None and rep in part:
            reps = [_components(r, comp, stand_ins) for r in part.split(rep)]
            if repetitions is None:
                repetitions = {}
            repetitions[i] = reps
            elements.append(reps[0])
            continue
        # _components, inline: a careful segment has a dozen elements, and the call cost more than the work
        values = part.split(comp)
        if len(values) > 1 and not values[-1]:
            last = len(values) - 1
            while last > 1 and not values[last - 1]:
                last -= 1
            del values[last:]
        for mark, char in stand_ins:
            if mark in part:
                values = [value.replace(mark, char) for value in values]
        elements.append(values)
    return Segment(tag, elements, index, repetitions)


StandIns = tuple[tuple[str, str], ...]
"""(stand-in, released character) pairs of the stand-ins a raw segment holds."""


def _stand_ins_in(raw: str, table: dict[int, str] | None) -> StandIns:
    """The pairs of ``table`` whose stand-in occurs in ``raw``; () when none does.

    Values get their released characters back by one ``str.replace`` per stand-in they hold:
    ``str.translate`` with a dict looks every character of a non-ASCII value up in the table (a NAD
    with an umlaut took 9 µs). The stand-ins are absent from the text and differ from the characters
    they stand for, so replacing them one after another is the same as translating them at once.
    """
    if table is None:
        return ()
    return tuple((mark, char) for mark, char in ((chr(k), v) for k, v in table.items()) if mark in raw)


def _restore(value: str, stand_ins: StandIns) -> str:
    for mark, char in stand_ins:
        value = value.replace(mark, char)
    return value


def _components(part: str, comp: str, stand_ins: StandIns) -> list[str]:
    values = part.split(comp)
    end = len(values)
    while end > 1 and not values[end - 1]:
        end -= 1
    if end < len(values):
        del values[end:]
    for mark, char in stand_ins:
        if mark in part:
            values = [value.replace(mark, char) for value in values]
    return values


def first_segment(text: str, start: int, separators: Separators) -> tuple[Segment, int]:
    """The segment starting at ``start`` and the index just past its terminator.

    Used to read UNB before the interchange is decoded: it says which charset to decode with.
    """
    end = find_unreleased(text, separators.segment, separators.release, start)
    stop = len(text) if end < 0 else end
    # One segment: straight to the careful path, which reads any segment as tokenize does
    # (tests/translators/edifact/test_tokenizer_paths.py), without tokenize's set-up for a body.
    protected, table = protect_released(text[start:stop], separators)
    if protected[:1] not in _WHITESPACE and "\n" not in protected and "\r" not in protected:
        raws = [protected]  # no layout to strip: what split_raw_segments would give
    else:
        raws = split_raw_segments(protected, separators)
    if not raws:
        return Segment("", [], 1), (len(text) if end < 0 else end + 1)
    rep = separators.repetition
    raw, elem, comp = raws[0], separators.element, separators.component
    if table is None and (rep is None or rep not in raw) and not _has_trailing(raw, separators):
        seg = plain_segments(raws[:1], elem, comp, 1)[0]  # what the careful path gives, with less work
    else:
        seg = careful_segment(raw, 1, elem, comp, rep, table)
    return seg, (len(text) if end < 0 else end + 1)


@dataclass(frozen=True, slots=True)
class Span:
    """Where one interchange sits in the input: ``start``/``end`` are character offsets (equal to
    byte offsets when the input was bytes, because scanning happens on a Latin-1 reading)."""

    start: int  # UNA or UNB
    unb: int  # first character of UNB
    end: int  # just past the UNZ terminator, or where the next interchange or the input begins/ends
    separators: Separators
    una_present: bool
    header: Segment  # UNB as read before decoding (for S001)
    complete: bool  # False when no UNZ was found


_HEADER_RE = re.compile(r"UNA|UNB")
_NON_SPACE_RE = re.compile(r"\S")


def header_at(text: str, at: int) -> tuple[Separators, bool] | None:
    """(separators, una_present) when an interchange header begins exactly at ``at``.

    A UNA counts only when a UNB using its element separator follows; a bare UNB only when the
    default element separator follows it. This keeps "UNA" or "UNB" inside free text from being
    taken for a header.
    """
    if text.startswith("UNA", at):
        seps = parse_una(text, at)
        after = _skip_whitespace(text, at + UNA_LENGTH)
        if seps is not None and text.startswith("UNB" + seps.element, after):
            return seps, True
        return None
    if text.startswith("UNB" + DEFAULT_SEPARATORS.element, at):
        return DEFAULT_SEPARATORS, False
    return None


def find_header(text: str, pos: int) -> tuple[int, Separators, bool] | None:
    """First interchange header at or after ``pos``: (offset, separators, una_present).

    The caller vouches that ``pos`` itself is a segment boundary (input start, or just after an
    interchange, whatever its terminator was).
    """
    for m in _HEADER_RE.finditer(text, pos):
        found = header_at(text, m.start())
        if found is not None and (found[1] or m.start() == pos or _at_segment_start(text, m.start())):
            return m.start(), found[0], found[1]
    return None


def _at_segment_start(text: str, at: int) -> bool:
    """True when only whitespace separates ``at`` from the input start or a default terminator."""
    j = at - 1
    while j >= 0 and text[j] in _WHITESPACE:
        j -= 1
    return j < 0 or text[j] == DEFAULT_SEPARATORS.segment


def _skip_whitespace(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def next_non_space(text: str, pos: int) -> int:
    """Offset of the first non-whitespace character at or after ``pos`` (len(text) when none)."""
    m = _NON_SPACE_RE.search(text, pos)
    return m.start() if m else len(text)


@cache
def _boundary(term: str) -> re.Pattern[str]:
    """A terminator, then the service segment after it that may end an interchange."""
    return re.compile(re.escape(term) + r"[ \t\r\n]*(UNZ|UNB|UNA)")


def locate_interchange(text: str, start: int, separators: Separators, una_present: bool) -> Span:
    """Span of the interchange whose header begins at ``start``.

    The end is the terminator of the first unreleased UNZ; if another interchange header comes
    first, this interchange is truncated and ends before it.
    """
    unb = _skip_whitespace(text, start + UNA_LENGTH) if una_present else start
    header, pos = first_segment(text, unb, separators)
    term = separators.segment
    release = separators.release
    for m in _boundary(term).finditer(text, pos - 1):
        if release is not None and is_released(text, m.start(), release):
            continue
        if m.group(1) == "UNZ":
            end = find_unreleased(text, term, release, m.end())
            if end < 0:
                return Span(start, unb, len(text), separators, una_present, header, True)
            return Span(start, unb, end + 1, separators, una_present, header, True)
        if header_at(text, m.start(1)) is not None:
            return Span(start, unb, m.start() + 1, separators, una_present, header, False)
    return Span(start, unb, len(text), separators, una_present, header, False)
