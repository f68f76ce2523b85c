"""Validate one transaction set against edigate's X12 definitions.

Checks, with the code a 997/999 reports for each in ``EdiError.syntax_code`` (the scheme of
:mod:`translators.x12.syntax_codes`: ``"AK3:<AK304>"`` for a segment error, ``"AK4:<AK403>"`` for an
element error; a 999 builder writes the same numbers in IK304/IK403):

=======================  ========  ==============================================================
code                     syntax    meaning
=======================  ========  ==============================================================
SEGMENT_UNRECOGNIZED     AK3:1     a tag that is not a segment of this transaction set at all
SEGMENT_UNEXPECTED       AK3:2     a segment of the set, out of place (wrong order or loop)
SEGMENT_MISSING          AK3:3     a mandatory segment (or a mandatory loop's trigger) is missing
LOOP_OVER_MAX            AK3:4     a loop repeats more often than allowed
SEGMENT_OVER_MAX         AK3:5     a segment repeats more often than allowed
ELEMENT_MISSING          AK4:1     a mandatory element is empty
ELEMENT_CONDITION        AK4:2     a syntax note (paired, required-one-of, conditional) is broken
TOO_MANY_ELEMENTS        AK4:3     more elements than the segment has
ELEMENT_TOO_SHORT        AK4:4
ELEMENT_TOO_LONG         AK4:5
ELEMENT_INVALID_CHAR     AK4:6     a number that is not one, a control character in text
ELEMENT_INVALID_CODE     AK4:7     a value outside a closed code list
ELEMENT_INVALID_DATE     AK4:8     DT not CCYYMMDD / YYMMDD, or no such day
ELEMENT_INVALID_TIME     AK4:9     TM not HHMM[SS[d..]]
ELEMENT_EXCLUSION        AK4:10    two elements present of which at most one may be
UNSUPPORTED_TRANSACTION  AK5:1     no definition for this set in this version (one error, nothing else)
=======================  ========  ==============================================================

Element errors carry ``level="element"`` and their element/component position; segment errors
``level="segment"``. A 997 needs an AK3 with AK304 = 8 ("segment has data element errors") above
the AK4s of a segment: the builder derives it from the element errors' location, so it is not
emitted separately.

Numbers: N0-N9 are digits with an optional leading minus and an implied decimal point (their
length counts digits only); R is a decimal with an optional point (length counts digits only).

The structure walk is a loop-aware state machine over the compiled table (:func:`definitions.load`),
one dict lookup per segment; element checks use precompiled rules and a regex per type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from translators import collector
from translators.errors import MAX_ERRORS_PER_MESSAGE, EdiError, Level, Location
from translators.numerals import is_digits
from translators.x12 import syntax_codes
from translators.x12.definitions import ElementRule, Node, SegmentDefinition, SyntaxRule, load, supported
from translators.x12.model import TransactionSet, X12Segment
from translators.x12.segment_patterns import Accepts, Split, segment_patterns

_N = re.compile(r"-?[0-9]+")
_R = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:E-?[0-9]+)?")
_TM = re.compile(r"([01][0-9]|2[0-3])[0-5][0-9](?:[0-5][0-9](?:[0-9]{1,2})?)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _seg_code(value: str) -> str:
    return syntax_codes.code(syntax_codes.SEGMENT, value)


def _el_code(value: str) -> str:
    return syntax_codes.code(syntax_codes.ELEMENT, value)


def validate_transaction(ts: TransactionSet, version: str) -> list[EdiError]:
    """Every structure and element error of ``ts`` against the definitions for ``version`` (GS08)."""
    definition = load(ts.id, version)
    if definition is None:
        sets = ", ".join(supported(version)) or "none"
        st = ts.segments[0] if ts.segments else None
        return [
            EdiError(
                "UNSUPPORTED_TRANSACTION",
                f"edigate has no definition for transaction set {ts.id or '(empty)'} in version "
                f"{version or '(empty)'} (defined in this version: {sets})",
                Location(
                    segment_index=st.index if st else None,
                    segment_tag="ST",
                    element=1,
                    message_ref=ts.control,
                    message_segment=1,
                    group_ref=ts.group_control,
                ),
                "message",
                syntax_codes.code(syntax_codes.TRANSACTION, "1"),
            )
        ]
    with collector.paused():  # splitting every segment allocates a burst of small lists
        return _Validator(ts, definition.root, definition.segments, definition.tags, version).run()


class _Frame:
    """An open loop while walking: which child was matched last and how often in a row."""

    __slots__ = ("count", "node", "pos", "repeats")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.pos = 0  # the trigger is matched when the frame opens
        self.count = 1  # uses of children[pos] in a row
        self.repeats: dict[int, int] = {}  # child loop position → iterations so far


class _Validator:
    def __init__(
        self,
        ts: TransactionSet,
        root: Node,
        segments: dict[str, SegmentDefinition] | object,
        tags: frozenset[str],
        version: str,
    ) -> None:
        self.ts = ts
        self.root = root
        self.defs = segments
        self.tags = tags
        self.version = version
        self.errors: list[EdiError] = []
        self.split: Split | None = None  # the separators ``patterns`` were made for
        self.patterns: Mapping[str, Accepts] = {}

    # -- errors -------------------------------------------------------------------------------

    def _loc(
        self,
        seg: X12Segment,
        position: int,
        element: int | None = None,
        component: int | None = None,
        tag: str | None = None,
    ) -> Location:
        return Location(
            segment_index=seg.index or None,
            segment_tag=tag or seg.tag,
            element=element,
            component=component,
            message_ref=self.ts.control,
            message_segment=position,
            group_ref=self.ts.group_control,
        )

    def _error(self, code: str, text: str, location: Location, level: Level, syntax: str) -> None:
        self.errors.append(EdiError(code, text, location, level, syntax))

    # -- structure ----------------------------------------------------------------------------

    def run(self) -> list[EdiError]:
        """Place every segment in the structure, then check its elements.

        The walk is written out in this loop rather than in helper methods: it runs for every
        segment, and a clean segment needs only a few lookups in the node's precompiled ``follow``
        and ``complete`` tables. Everything that reports an error is a method of its own.
        """
        segments = self.ts.segments
        if not segments:
            return self.errors
        stack = [_Frame(self.root)]
        last = segments[0]
        last_position = 1
        elements, errors = self._elements, self.errors
        for position, seg in enumerate(segments[1:], start=2):
            # place the segment: the innermost open loop that it may continue, closing the ones
            # inside it; a loop trigger at position 0 only repeats the root (ST), not the loop
            tag = seg.tag
            level = len(stack)
            while level:
                level -= 1
                frame = stack[level]
                node = frame.node
                follow = node.follow.get(tag)  # type: ignore[union-attr]  # a frame is always a loop
                if follow is None:
                    continue
                pos = frame.pos
                target = follow[pos]
                if target == 0 and level:
                    target = follow[1]
                if target < 0:
                    continue
                while len(stack) > level + 1:
                    closed = stack.pop()
                    if not closed.node.complete[closed.pos]:
                        self._close(closed, seg, position)
                child = node.children[target]
                if target == pos:
                    frame.count += 1
                else:
                    mandatory = node.mandatory_before
                    if mandatory[target] != mandatory[pos + 1]:  # a mandatory child was skipped
                        self._missing_between(frame, pos + 1, target, seg, position)
                    frame.pos, frame.count = target, 1
                if child.is_loop:
                    repeats = frame.repeats.get(target, 0) + 1  # frames only move forward: no stale counts
                    frame.repeats[target] = repeats
                    if child.max_use is not None and repeats > child.max_use:
                        self._over_max(child, repeats, seg, position)
                    stack.append(_Frame(child))
                elif child.max_use is not None and frame.count > child.max_use:
                    self._over_max(child, frame.count, seg, position)
                break
            else:
                self._unplaced(stack, seg, position)
            # ``seg.unsplit`` read from its slots: a segment keeps its raw text exactly until split
            raw = seg._raw
            if raw is not None:  # still the raw text: one pattern may clear it in a C call
                if seg._split is not self.split:
                    self.split = seg._split
                    self.patterns = segment_patterns(self.ts.id, self.version, seg._split)  # type: ignore[arg-type]
                accepts = self.patterns.get(tag)
                if accepts is None or not accepts(raw):
                    elements(seg, position)
            else:
                elements(seg, position)
            last, last_position = seg, position
            if len(errors) >= MAX_ERRORS_PER_MESSAGE:
                self._error(
                    "TOO_MANY_ERRORS",
                    f"{len(errors)} problems found up to segment {position} ({tag}); validation "
                    f"stops here and the rest of the set ({len(segments) - position} more segments) is "
                    "not checked",
                    self._loc(seg, position),
                    "message",
                    syntax_codes.code(syntax_codes.TRANSACTION, "5"),  # one or more segments in error
                )
                return errors
        while stack:
            self._close(stack.pop(), last, last_position)
        return errors

    def _unplaced(self, stack: list[_Frame], seg: X12Segment, position: int) -> None:
        """No open loop can take ``seg``: a tag of the set out of place, or not of the set at all."""
        tag = seg.tag
        if tag in self.tags:
            self._error(
                "SEGMENT_UNEXPECTED",
                f"segment {tag} is not expected here (after {self._context(stack)}); "
                "it is out of order or outside its loop",
                self._loc(seg, position),
                "segment",
                _seg_code("2"),
            )
        else:
            self._error(
                "SEGMENT_UNRECOGNIZED",
                f"segment {tag!r} is not part of transaction set {self.ts.id}",
                self._loc(seg, position),
                "segment",
                _seg_code("1"),
            )

    def _over_max(self, child: Node, uses: int, seg: X12Segment, position: int) -> None:
        if child.is_loop:
            self._error(
                "LOOP_OVER_MAX",
                f"loop {child.loop_id} occurs {uses} times; at most {child.max_use} allowed",
                self._loc(seg, position),
                "segment",
                _seg_code("4"),
            )
        else:
            self._error(
                "SEGMENT_OVER_MAX",
                f"segment {child.tag} is used {uses} times here; at most {child.max_use} allowed",
                self._loc(seg, position),
                "segment",
                _seg_code("5"),
            )

    def _missing_between(self, frame: _Frame, start: int, stop: int, seg: X12Segment, position: int) -> None:
        mandatory = frame.node.mandatory_before
        if start >= stop or mandatory[stop] == mandatory[start]:
            return
        for child in frame.node.children[start:stop]:
            if child.requirement == "M":
                what = f"loop {child.loop_id} (starting with {child.tag})" if child.is_loop else child.tag
                self._error(
                    "SEGMENT_MISSING",
                    f"mandatory {what} is missing before segment {seg.tag}",
                    self._loc(seg, position, tag=child.tag),
                    "segment",
                    _seg_code("3"),
                )

    def _close(self, frame: _Frame, seg: X12Segment, position: int) -> None:
        """Leaving a loop: mandatory children after the last one matched are missing."""
        children = frame.node.children
        mandatory = frame.node.mandatory_before
        if mandatory[-1] == mandatory[min(frame.pos + 1, len(children))]:
            return
        for child in children[frame.pos + 1 :]:
            if child.requirement == "M":
                what = f"loop {child.loop_id} (starting with {child.tag})" if child.is_loop else child.tag
                inside = "" if frame.node is self.root else f" in loop {frame.node.loop_id}"
                self._error(
                    "SEGMENT_MISSING",
                    f"mandatory {what} is missing{inside}",
                    self._loc(seg, position, tag=child.tag),
                    "segment",
                    _seg_code("3"),
                )

    def _context(self, stack: list[_Frame]) -> str:
        frame = stack[-1]
        child = frame.node.children[frame.pos]
        where = f" in loop {frame.node.loop_id}" if len(stack) > 1 else ""
        return f"{child.tag}{where}"

    # -- elements -----------------------------------------------------------------------------

    def _elements(self, seg: X12Segment, position: int) -> None:
        definition = self.defs.get(seg.tag)  # type: ignore[attr-defined]
        if definition is None:
            return
        elements = seg.elements
        if len(elements) > definition.count:
            extra = elements[definition.count :]
            if any(any(c for c in el) for el in extra):
                self._error(
                    "TOO_MANY_ELEMENTS",
                    f"{seg.tag} has {len(elements)} elements; at most {definition.count}",
                    self._loc(seg, position, definition.count + 1),
                    "element",
                    _el_code("3"),
                )
        for number, rule in enumerate(definition.elements, start=1):
            value = elements[number - 1] if number <= len(elements) else None
            if rule.components is not None:
                self._composite(seg, position, number, rule, value)
                continue
            text = value[0] if value else ""
            if text == "":
                if rule.requirement == "M":
                    self._error(
                        "ELEMENT_MISSING",
                        f"mandatory {seg.tag}{number:02d} ({rule.number}) is empty",
                        self._loc(seg, position, number),
                        "element",
                        _el_code("1"),
                    )
                continue
            if len(value) > 1 and any(value[1:]):  # type: ignore[arg-type]
                self._error(
                    "ELEMENT_INVALID_CHAR",
                    f"{seg.tag}{number:02d} ({rule.number}) is a simple element but contains the "
                    "component separator",
                    self._loc(seg, position, number),
                    "element",
                    _el_code("6"),
                )
                continue
            self._value(seg, position, number, None, rule, text)
        if definition.rules:
            self._syntax_rules(seg, position, definition, elements)

    def _composite(
        self, seg: X12Segment, position: int, number: int, rule: ElementRule, value: list[str] | None
    ) -> None:
        assert rule.components is not None
        if not value or not any(value):
            if rule.requirement == "M":
                self._error(
                    "ELEMENT_MISSING",
                    f"mandatory composite {seg.tag}{number:02d} ({rule.number}) is empty",
                    self._loc(seg, position, number),
                    "element",
                    _el_code("1"),
                )
            return
        for c, component in enumerate(rule.components, start=1):
            text = value[c - 1] if c <= len(value) else ""
            if text == "":
                if component.requirement == "M":
                    self._error(
                        "ELEMENT_MISSING",
                        f"mandatory component {seg.tag}{number:02d}-{c:02d} ({component.number}) is empty",
                        self._loc(seg, position, number, c),
                        "element",
                        _el_code("1"),
                    )
                continue
            self._value(seg, position, number, c, component, text)

    def _value(
        self, seg: X12Segment, position: int, number: int, component: int | None, rule: ElementRule, text: str
    ) -> None:
        """Check one value; the message and location are only built for a value in error."""
        problem = _problem(rule, text)
        if problem is None:
            return
        code, syntax, expected = problem
        name = f"{seg.tag}{number:02d}" + (f"-{component:02d}" if component else "") + f" ({rule.number})"
        self._error(
            code,
            f"{name} is {text!r}: {expected}",
            self._loc(seg, position, number, component),
            "element",
            _el_code(syntax),
        )

    def _syntax_rules(
        self, seg: X12Segment, position: int, definition: SegmentDefinition, elements: list[list[str]]
    ) -> None:
        filled = {n for n, element in enumerate(elements, start=1) if any(element)}
        for rule in definition.rules:
            broken = _broken(rule, filled)
            if broken is None:
                continue
            code, template, element = broken
            names = ", ".join(f"{seg.tag}{p:02d}" for p in rule.positions)
            self._error(
                code,
                template.format(names=names, first=f"{seg.tag}{rule.positions[0]:02d}"),
                self._loc(seg, position, element),
                "element",
                _el_code("10" if code == "ELEMENT_EXCLUSION" else "2"),
            )


def _broken(rule: SyntaxRule, filled: set[int]) -> tuple[str, str, int] | None:
    """(code, text template, element at fault) when the filled positions break ``rule``."""
    positions = rule.positions
    there = [p for p in positions if p in filled]
    kind = rule.kind
    if kind == "P":
        if there and len(there) < len(positions):
            return (
                "ELEMENT_CONDITION",
                "{names} must be used together (paired)",
                _first_missing(positions, filled),
            )
    elif kind == "R":
        if not there:
            return "ELEMENT_CONDITION", "at least one of {names} is required", positions[0]
    elif kind == "C":
        if positions[0] in filled and len(there) < len(positions):
            return (
                "ELEMENT_CONDITION",
                "when {first} is used, {names} are all required",
                _first_missing(positions, filled),
            )
    elif kind == "L":
        if positions[0] in filled and len(there) < 2:
            return (
                "ELEMENT_CONDITION",
                "when {first} is used, one of the others of {names} is required",
                positions[1],
            )
    elif kind == "E" and len(there) > 1:
        return "ELEMENT_EXCLUSION", "only one of {names} may be used", there[1]
    return None


def _first_missing(positions: tuple[int, ...], filled: set[int]) -> int:
    return next(p for p in positions if p not in filled)


def _problem(rule: ElementRule, text: str) -> tuple[str, str, str] | None:
    """(code, AK403 code, what was expected) for a value that breaks ``rule``, else None."""
    kind = rule.type
    if kind[0] == "N" or kind == "R":
        if not (_N if kind[0] == "N" else _R).fullmatch(text):
            if kind[0] == "N":
                return "ELEMENT_INVALID_CHAR", "6", f"expected an integer with {kind[1:]} implied decimals"
            return "ELEMENT_INVALID_CHAR", "6", "expected a decimal number"
        length = len(text) - text.count("-") - text.count(".")
    elif kind == "DT":
        if not _valid_date(text):
            fmt = "CCYYMMDD" if rule.min_length == 8 else "YYMMDD or CCYYMMDD"
            return "ELEMENT_INVALID_DATE", "8", f"expected a date {fmt}"
        length = len(text)
    elif kind == "TM":
        if not _TM.fullmatch(text):
            return "ELEMENT_INVALID_TIME", "9", "expected a time HHMM[SS[dd]]"
        length = len(text)
    else:
        if _CONTROL.search(text):
            return "ELEMENT_INVALID_CHAR", "6", "it contains a control character"
        length = len(text)
    if length < rule.min_length:
        return "ELEMENT_TOO_SHORT", "4", f"{length} characters, at least {rule.min_length} required"
    if length > rule.max_length:
        return "ELEMENT_TOO_LONG", "5", f"{length} characters, at most {rule.max_length} allowed"
    if rule.codes is not None and text not in rule.codes:
        return "ELEMENT_INVALID_CODE", "7", "not one of " + ", ".join(sorted(rule.codes))
    return None


def _valid_date(text: str) -> bool:
    if not is_digits(text) or len(text) not in (6, 8):
        return False
    if len(text) == 6:
        yy = int(text[:2])
        year = (1900 if yy >= 69 else 2000) + yy
        month, day = int(text[2:4]), int(text[4:6])
    else:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
