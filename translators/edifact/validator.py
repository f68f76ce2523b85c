"""Validate an EDIFACT message against its definition: structure, elements, types, lengths, codes.

Every problem is an :class:`EdiError` with the CONTRL 0085 syntax error code, so the gateway can put
it straight into a CONTRL UCS/UCD, and a text that an operator understands without the standard at
hand (message, segment position, tag, element position *and* data element id, what was expected).

How it works. Each :class:`MessageDefinition` is compiled once (cached per definition) into a tree
of groups; for every group and every position in it, a dictionary says where each tag may come
next. Validation is then one pass over the segments with a stack of open groups, the way EDIFACT
defines segment order: a segment is looked for from the current position forward in the innermost
open group, then in the groups around it (closing the inner ones); a group's trigger segment opens
a new instance of the group. Whatever is passed over and was mandatory is missing; whatever is
found nowhere is unexpected and leaves the state unchanged, so one stray segment costs one error.
When a segment at the current position has reached its maximum and the same tag is defined later
in the same group, the later position is taken (a repeat beyond the limit is only reported when
nothing else fits).

Error codes (``EdiError.code`` → CONTRL 0085 ``syntax_code``, ``level``):

    SEGMENT_UNEXPECTED → 15 segment    a segment not allowed at this point (or not in the message)
    MISSING_SEGMENT    → 13 segment    a mandatory segment or group absent; located, the CONTRL way,
                                       at the last segment processed (the name the EDIFACT maps and
                                       contrl.py already use for a missing segment)
    SEGMENT_TOO_MANY   → 35 segment    a segment repeated beyond its maximum
    GROUP_TOO_MANY     → 36 segment    a segment group repeated beyond its maximum
    ELEMENT_MISSING    → 13 element    a mandatory simple or composite element absent
    COMPONENT_MISSING  → 13 element    a mandatory component of a present composite absent
    TOO_MANY_ELEMENTS  → 16 element    data beyond the last defined element
    TOO_MANY_COMPONENTS→ 16 element    data beyond the last defined component
    TOO_MANY_REPETITIONS → 35 element  a repeated element (syntax 4) where none is defined
    INVALID_CHARACTER_TYPE → 37 element  digits in a, non-numeric n
    VALUE_TOO_LONG     → 39 element    VALUE_TOO_SHORT → 40 element
    INVALID_CODE       → 12 element    a coded value in no applicable code list
    UNKNOWN_MESSAGE_DEFINITION → none, message level (see the end of this docstring)

Element rules:

- a = no digits; n = digits with an optional leading minus and at most one decimal mark (the
  interchange's, ``separators_decimal``), at least one digit; an = anything. The length of an n
  value counts digits only (ISO 9735: sign and decimal mark are not counted).
- An empty element/component is absent. Empty elements or components beyond the definition
  (trailing separators, at most a presentation fault, ISO 9735 code 45) are tolerated; data beyond
  the definition is code 16.
- Codes: plain UN messages use the UN directory list. For a message whose UNH association code
  (S009 0057) starts with ``EAN``, a code is valid when the UN directory list *or* the EANCOM
  list has it: the EANCOM schemas' lists are incomplete (QTY+21 in EANCOM97 ORDERS) and GS1 adds
  its own codes ending in E (33E, 22E) that the UN lists lack. The EANCOM list of an element is
  the union of every list the edition's schema declares for it in that message (the schemas bind
  most positions to the wrong one; see scripts/generate_edifact_definitions.py). Where the EANCOM
  edition codes an element that its UN directory leaves uncoded (6411 in D96A and D01B), the UN
  directory does not restrict the value, so only its format is checked. A value in a code list is
  not length-checked; a value in no list is reported once, as an invalid code.
- UNH and UNT are checked for position and value format only: their presence, the segment count
  and the reference are the reader's (UNH_ELEMENT_MISSING, UNT_COUNT_MISMATCH …), which must not be
  reported twice.

Not implemented: dependency notes (D1 … D7 conditions between elements, 0085 code 48), and element
repetition limits beyond "no repetition" (the directories used here define no repeating elements).

A message type or version edigate has no definition for yields one UNKNOWN_MESSAGE_DEFINITION
error at UNH S009 with no syntax code: the message is not proven wrong, edigate just cannot check
it, and whether to accept it unchecked is the partner profile's decision, not a syntax verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from translators.edifact.definitions import (
    CompositeElement,
    GroupUse,
    MessageDefinition,
    SegmentDefinition,
    SegmentUse,
    SimpleElement,
    load_definition,
)
from translators.edifact.model import Message, Segment
from translators.errors import MAX_ERRORS_PER_MESSAGE, EdiError, Level, Location

# CONTRL 0085 syntax error codes
INVALID_VALUE = "12"
MISSING = "13"
NOT_SUPPORTED_IN_POSITION = "15"
TOO_MANY_CONSTITUENTS = "16"
TOO_MANY_REPETITIONS = "35"
TOO_MANY_GROUP_REPETITIONS = "36"
INVALID_CHARACTER_TYPE = "37"
TOO_LONG = "39"
UNSPECIFIED = "18"
TOO_SHORT = "40"

ENVELOPE_TAGS = frozenset({"UNH", "UNT"})
_KIND_AN, _KIND_A, _KIND_N = 0, 1, 2
_KINDS = {"an": _KIND_AN, "a": _KIND_A, "n": _KIND_N}
_HAS_DIGIT = re.compile(r"[0-9]").search
_MAX_LISTED_CODES = 12


def validate_message(message: Message, separators_decimal: str = ".") -> list[EdiError]:
    """Every structural and element error of ``message``, in segment order; [] when it is valid.

    ``separators_decimal`` is the interchange's decimal mark (UNA, ``Separators.decimal``).
    """
    if not message.segments:
        return []
    definition = load_definition(message.type, message.version, message.release, message.association)
    if definition is None:
        return [_unknown_definition(message)]
    return _Walk(_compile(definition), message, separators_decimal or ".").run()


# -- compiled form ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Value:
    """Checks for one simple data element (standalone or component), flattened for speed."""

    required: bool
    kind: int
    min_length: int
    max_length: int | None
    codes: frozenset[str] | None  # None: not coded, or no list restricts it
    code_lists: str  # "list 2379 (D96A)" / "list 2379 (UN D96A or EANCOM97)": for error texts
    definition: SimpleElement


@dataclass(frozen=True, slots=True)
class _Element:
    composite: bool
    required: bool
    values: tuple[_Value, ...]
    definition: SimpleElement | CompositeElement
    # required_from[i]: whether any of values[i:] is mandatory, so that absent trailing components
    # cost one lookup (len(values) + 1 entries; the last is False)
    required_from: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class _Segment:
    definition: SegmentDefinition
    elements: tuple[_Element, ...]
    # required_from[i]: whether any of elements[i:] is mandatory (len(elements) + 1 entries)
    required_from: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class _Entry:
    """One position of a group: a segment, or a nested group whose trigger has ``tag``."""

    tag: str
    min_occurs: int
    max_occurs: int | None
    segment: _Segment | None
    group: _Group | None
    label: str  # "segment BGM (Beginning of message)" / "segment group SG2 (NAD …)"


@dataclass(frozen=True, slots=True)
class _Group:
    name: str
    entries: tuple[_Entry, ...]
    # next_at[i][tag] = first entry index j >= max(i, 1) with that tag. Index 0 is the trigger
    # (UNH for the message): meeting it again opens a new instance, decided one level up.
    next_at: tuple[dict[str, int], ...]
    # required_before[i]: how many of entries[:i] must occur (min_occurs > 0, envelope tags aside),
    # so that passing over entries costs one subtraction when none of them is required
    required_before: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Program:
    definition: MessageDefinition
    root: _Group
    tags: frozenset[str]


@cache
def _compile(definition: MessageDefinition) -> _Program:
    segments: dict[str, _Segment] = {}

    def segment(use: SegmentUse) -> _Segment:
        key = use.segment.key
        if key not in segments:
            segments[key] = _compile_segment(definition, use.segment)
        return segments[key]

    def group(name: str, children: tuple[SegmentUse | GroupUse, ...]) -> _Group:
        entries: list[_Entry] = []
        for child in children:
            if isinstance(child, GroupUse):
                inner = group(child.name, child.children)
                label = f"segment group {child.name} (starting with {child.tag})"
                entries.append(_Entry(child.tag, child.min_occurs, child.max_occurs, None, inner, label))
            else:
                name = child.segment.name
                label = f"segment {child.tag} ({name})" if name else f"segment {child.tag}"
                entries.append(
                    _Entry(child.tag, child.min_occurs, child.max_occurs, segment(child), None, label)
                )
        next_at: list[dict[str, int]] = []
        for start in range(len(entries) + 1):
            table: dict[str, int] = {}
            for index in range(max(start, 1), len(entries)):
                table.setdefault(entries[index].tag, index)
            next_at.append(table)
        required = (e.min_occurs > 0 and e.tag not in ENVELOPE_TAGS for e in entries)
        return _Group(name, tuple(entries), tuple(next_at), tuple(accumulate(required, initial=0)))

    root = group("message", definition.structure)
    tags = frozenset(s.tag for s in definition.segments.values())
    return _Program(definition, root, tags)


def _compile_segment(definition: MessageDefinition, segment: SegmentDefinition) -> _Segment:
    envelope = segment.tag in ENVELOPE_TAGS
    elements: list[_Element] = []
    for element in segment.elements:
        if isinstance(element, CompositeElement):
            values = tuple(_compile_value(definition, c, envelope) for c in element.components)
            elements.append(
                _Element(True, element.required and not envelope, values, element, _required_from(values))
            )
        else:
            value = _compile_value(definition, element, envelope)
            elements.append(_Element(False, value.required, (value,), element, _required_from((value,))))
    return _Segment(segment, tuple(elements), _required_from(elements))


def _required_from(items: tuple[_Value, ...] | list[_Element]) -> tuple[bool, ...]:
    return (*(any(item.required for item in items[i:]) for i in range(len(items))), False)


def _compile_value(definition: MessageDefinition, element: SimpleElement, envelope: bool) -> _Value:
    codes: frozenset[str] | None = None
    code_lists = ""
    if element.code_list is not None:
        un = definition.un_codes.get(element.code_list)
        if definition.is_eancom:
            ean = definition.ean_codes.get(element.code_list)
            # no UN list: the UN directory leaves the element uncoded, so it does not restrict it
            codes = un | (ean or frozenset()) if un is not None else None
            code_lists = f"list {element.code_list} (UN {definition.directory} or {definition.variant})"
        else:
            codes = un
            code_lists = f"list {element.code_list} ({definition.variant})"
    kind = _KINDS[element.type]
    if envelope and element.id == "0074":
        kind = _KIND_AN  # a non-numeric UNT count is the reader's UNT_COUNT_INVALID
    return _Value(
        required=element.required and not envelope,
        kind=kind,
        min_length=element.min_length or 0,
        max_length=element.max_length,
        codes=codes,
        code_lists=code_lists,
        definition=element,
    )


@cache
def _number_pattern(decimal: str) -> re.Pattern[str]:
    mark = re.escape(decimal or ".")
    return re.compile(rf"-?(?:[0-9]+(?:{mark}[0-9]*)?|{mark}[0-9]+)")


def elements_valid(
    elements: list[list[str]], compiled: _Segment, is_number: Callable[[str], object], decimal: str
) -> bool:
    """True when :meth:`_Walk.check_elements` would find nothing wrong with ``elements``.

    Most segments are valid, and finding that out needs none of the error reporting's arguments
    (segment, position, which element): one loop with the checks inlined saves most of the calls
    through ``check_composite`` and ``check_value``. Any doubt returns False and the segment is
    checked the careful way, which reports exactly what it always did. (A segment with repetitions
    always goes the careful way.)
    """
    specs = compiled.elements
    required_from = compiled.required_from
    defined = len(specs)
    count = len(elements)
    if count > defined:
        for extra in elements[defined:]:
            for component in extra:
                if component:
                    return False
    elif required_from[count]:
        return False  # a mandatory element after the last one given
    for components, spec in zip(elements, specs, strict=False):  # stops at the shorter
        if spec.composite:
            if not any(components):
                if spec.required:
                    return False
                continue
            values = spec.values
            given = len(components)
            if given > len(values):
                for component in components[len(values) :]:
                    if component:
                        return False
            elif spec.required_from[given]:
                return False  # a mandatory component after the last one given
            for value, value_spec in zip(components, values, strict=False):
                if value:
                    if not _value_valid(value, value_spec, is_number, decimal):
                        return False
                elif value_spec.required:
                    return False
            continue
        value = components[0]
        if len(components) > 1:
            for component in components[1:]:
                if component:
                    return False
        if value:
            if not _value_valid(value, spec.values[0], is_number, decimal):
                return False
        elif spec.required:
            return False
    return True


def _value_valid(value: str, spec: _Value, is_number: Callable[[str], object], decimal: str) -> bool:
    """:meth:`_Walk.check_value` as a yes/no answer for a value that is given."""
    codes = spec.codes
    if codes is not None:
        return value in codes
    kind = spec.kind
    length = len(value)
    if kind == _KIND_N:
        if is_number(value) is None:
            return False
        length -= (value[0] == "-") + (decimal in value)
    elif kind == _KIND_A and _HAS_DIGIT(value) is not None:
        return False
    maximum = spec.max_length
    return (maximum is None or length <= maximum) and length >= spec.min_length


# -- the walk -----------------------------------------------------------------------------------------


class _Frame:
    """An open group instance: where we are in it and how often each entry occurred."""

    __slots__ = ("counts", "group", "position")

    def __init__(self, group: _Group, position: int, counts: list[int]) -> None:
        self.group = group
        self.position = position
        self.counts = counts


class _Walk:
    """One validation run over one message; holds the state the segment loop shares."""

    def __init__(self, program: _Program, message: Message, decimal: str) -> None:
        self.program = program
        self.message = message
        self.decimal = decimal
        self.is_number = _number_pattern(decimal).fullmatch
        self.errors: list[EdiError] = []
        self.name = f"{message.type} {message.reference}"
        self.last_segment: Segment = message.segments[0]
        self.last_position = 1

    def run(self) -> list[EdiError]:
        root = self.program.root
        counts = [0] * len(root.entries)
        counts[0] = 1
        stack = [_Frame(root, 0, counts)]
        segments = self.message.segments
        first = segments[0]
        if root.entries[0].segment is not None and first.tag == root.entries[0].tag:
            self.check_elements(first, 1, root.entries[0].segment)
        saw_unt = False
        place, errors, is_number, decimal = self.place, self.errors, self.is_number, self.decimal
        for position, segment in enumerate(segments[1:], start=2):
            entry = place(stack, segment, position)
            if entry is not None:
                compiled = entry.segment
                if compiled is not None and (
                    segment.repetitions or not elements_valid(segment.elements, compiled, is_number, decimal)
                ):
                    self.check_elements(segment, position, compiled)
            if segment.tag == "UNT":
                saw_unt = True
            self.last_segment = segment
            self.last_position = position
            if len(errors) >= MAX_ERRORS_PER_MESSAGE:
                self.stop(segment, position)
                return self.errors
        if not saw_unt:  # truncated message: the reader reports UNT_MISSING; close what is open
            while stack:
                frame = stack.pop()
                self.report_missing(frame, frame.position, len(frame.group.entries))
        return self.errors

    def stop(self, segment: Segment, position: int) -> None:
        self.segment_error(
            "TOO_MANY_ERRORS",
            f"{self.where(segment, position)}: {len(self.errors)} problems found so far; validation "
            f"stops here and the rest of the message ({len(self.message.segments) - position} more "
            "segments) is not checked",
            segment,
            position,
            UNSPECIFIED,
        )

    # structure ---------------------------------------------------------------------------------

    def place(self, stack: list[_Frame], segment: Segment, position: int) -> _Entry | None:
        """Move the state machine over one segment; the entry it matched, None when unexpected."""
        tag = segment.tag
        level = len(stack) - 1
        while level >= 0:
            frame = stack[level]
            index = frame.group.next_at[frame.position].get(tag)
            if index is not None:
                break
            level -= 1
        else:
            self.unexpected(stack, segment, position)
            return None
        while len(stack) - 1 > level:  # close the inner groups passed over
            inner = stack.pop()
            self.report_missing(inner, inner.position, len(inner.group.entries))
        group = frame.group
        entries = group.entries
        counts = frame.counts
        entry = entries[index]
        if index == frame.position and entry.max_occurs is not None and counts[index] >= entry.max_occurs:
            later = group.next_at[index + 1].get(tag)
            if later is not None:
                index, entry = later, entries[later]
        start = frame.position
        if index > start:
            # report_missing's own test for "nothing to report", inline: moving forward in a group is
            # what most segments do, and nearly always passes over nothing mandatory
            required = group.required_before
            if required[index] != required[start + 1] or (
                counts[start] < entries[start].min_occurs and entries[start].tag not in ENVELOPE_TAGS
            ):
                self.report_missing(frame, start, index)
        frame.position = index
        counts[index] += 1
        occurrences = counts[index]
        if entry.group is None:
            if entry.max_occurs is not None and occurrences > entry.max_occurs:
                self.too_many(segment, position, entry, occurrences)
            return entry
        if entry.max_occurs is not None and occurrences > entry.max_occurs:
            self.too_many(segment, position, entry, occurrences)
        inner_group = entry.group
        inner_counts = [0] * len(inner_group.entries)
        inner_counts[0] = 1
        stack.append(_Frame(inner_group, 0, inner_counts))
        return inner_group.entries[0]

    def report_missing(self, frame: _Frame, start: int, stop: int) -> None:
        entries = frame.group.entries
        counts = frame.counts
        required = frame.group.required_before
        if start >= stop or (
            required[stop] == required[start + 1]  # nothing required after the current entry
            and (counts[start] >= entries[start].min_occurs or entries[start].tag in ENVELOPE_TAGS)
        ):
            return
        for index in range(start, stop):
            entry = entries[index]
            if counts[index] < entry.min_occurs and entry.tag not in ENVELOPE_TAGS:
                need = "" if entry.min_occurs == 1 else f" (at least {entry.min_occurs} expected)"
                self.segment_error(
                    "MISSING_SEGMENT",
                    f"{self.name}: mandatory {entry.label} is missing after segment {self.last_position}"
                    f" ({self.last_segment.tag}){need}; {self.program.definition.title}",
                    self.last_segment,
                    self.last_position,
                    MISSING,
                )

    def unexpected(self, stack: list[_Frame], segment: Segment, position: int) -> None:
        definition = self.program.definition
        where = self.where(segment, position)
        if segment.tag not in self.program.tags:
            text = f"{where}: segment {segment.tag} is not part of {definition.title}"
        else:
            allowed: list[str] = []
            for frame in reversed(stack):
                for tag in frame.group.next_at[frame.position]:
                    if tag not in allowed:
                        allowed.append(tag)
            shown = _listing(allowed)
            text = (
                f"{where}: segment {segment.tag} is not expected here, after"
                f" {self.last_segment.tag} (segment {self.last_position}); {definition.title}"
                f" allows at this point: {shown or 'nothing'}"
            )
        self.segment_error("SEGMENT_UNEXPECTED", text, segment, position, NOT_SUPPORTED_IN_POSITION)

    def too_many(self, segment: Segment, position: int, entry: _Entry, occurrences: int) -> None:
        where = self.where(segment, position)
        if entry.group is None:
            code, syntax = "SEGMENT_TOO_MANY", TOO_MANY_REPETITIONS
            what = f"{entry.label} occurs {occurrences} times in a row at this position"
        else:
            code, syntax = "GROUP_TOO_MANY", TOO_MANY_GROUP_REPETITIONS
            what = f"{entry.label} occurs {occurrences} times"
        self.segment_error(
            code,
            f"{where}: {what}; at most {entry.max_occurs} allowed ({self.program.definition.title})",
            segment,
            position,
            syntax,
        )

    # elements ----------------------------------------------------------------------------------

    def check_elements(self, segment: Segment, position: int, compiled: _Segment) -> None:
        specs = compiled.elements
        elements = segment.elements
        defined = len(specs)
        for index, components in enumerate(elements):
            if index >= defined:
                if any(any(c for c in extra) for extra in elements[index:]):
                    first = next(i for i, e in enumerate(elements) if i >= defined and any(e))
                    self.element_error(
                        "TOO_MANY_ELEMENTS",
                        f"{segment.tag} has data in element {first + 1}; {compiled.definition.key}"
                        f" defines {defined} element{'s' if defined != 1 else ''}",
                        segment,
                        position,
                        first + 1,
                        None,
                        TOO_MANY_CONSTITUENTS,
                    )
                break
            spec = specs[index]
            if spec.composite:
                self.check_composite(segment, position, index + 1, components, spec)
                continue
            value = components[0]
            if len(components) > 1 and any(components[1:]):
                extra = next(i for i, c in enumerate(components) if i and c)
                self.element_error(
                    "TOO_MANY_COMPONENTS",
                    f"{segment.tag} element {index + 1} ({spec.definition.label}) is a simple data"
                    f" element but has data in component {extra + 1}",
                    segment,
                    position,
                    index + 1,
                    extra + 1,
                    TOO_MANY_CONSTITUENTS,
                )
            if value:
                self.check_value(segment, position, index + 1, None, value, spec.values[0])
            elif spec.required:
                self.missing_element(segment, position, index + 1, None, spec.definition)
        for index in range(len(elements), defined):
            spec = specs[index]
            if spec.required:
                self.missing_element(segment, position, index + 1, None, spec.definition)
        if segment.repetitions:
            self.repetitions(segment, position)

    def check_composite(
        self, segment: Segment, position: int, element: int, components: list[str], spec: _Element
    ) -> None:
        values = spec.values
        if not any(components):
            if spec.required:
                self.missing_element(segment, position, element, None, spec.definition)
            return
        defined = len(values)
        if len(components) > defined and any(components[defined:]):
            first = next(i for i, c in enumerate(components) if i >= defined and c)
            self.element_error(
                "TOO_MANY_COMPONENTS",
                f"{segment.tag} element {element} ({spec.definition.label}) has data in component"
                f" {first + 1}; the composite defines {defined}",
                segment,
                position,
                element,
                first + 1,
                TOO_MANY_CONSTITUENTS,
            )
        count = len(components)
        for number, value_spec in enumerate(values, start=1):
            value = components[number - 1] if number <= count else ""
            if value:
                self.check_value(segment, position, element, number, value, value_spec)
            elif value_spec.required:
                self.missing_element(segment, position, element, number, value_spec.definition)

    def check_value(
        self, segment: Segment, position: int, element: int, component: int | None, value: str, spec: _Value
    ) -> None:
        codes = spec.codes
        if codes is not None:
            if value not in codes:
                self.invalid_code(segment, position, element, component, value, spec)
            return
        kind = spec.kind
        length = len(value)
        if kind == _KIND_N:
            if self.is_number(value) is None:
                self.bad_type(segment, position, element, component, value, spec)
                return
            length -= (value[0] == "-") + (self.decimal in value)
        elif kind == _KIND_A and _HAS_DIGIT(value) is not None:
            self.bad_type(segment, position, element, component, value, spec)
            return
        maximum = spec.max_length
        if maximum is not None and length > maximum:
            self.bad_length(segment, position, element, component, value, spec, length, "VALUE_TOO_LONG")
        elif length < spec.min_length:
            self.bad_length(segment, position, element, component, value, spec, length, "VALUE_TOO_SHORT")

    def repetitions(self, segment: Segment, position: int) -> None:
        for index, repeats in sorted((segment.repetitions or {}).items()):
            if len(repeats) > 1:
                self.element_error(
                    "TOO_MANY_REPETITIONS",
                    f"{segment.tag} element {index + 1} is repeated {len(repeats)} times; this"
                    " message defines no repetition for it",
                    segment,
                    position,
                    index + 1,
                    None,
                    TOO_MANY_REPETITIONS,
                )

    # error values ------------------------------------------------------------------------------

    def where(self, segment: Segment, position: int) -> str:
        return f"{self.name}, segment {position} ({segment.tag})"

    @staticmethod
    def describe(
        segment: Segment, element: int, component: int | None, definition: SimpleElement | CompositeElement
    ) -> str:
        """``DTM element 1.3 (2379 Date or time or period format code)``."""
        place = f"{element}.{component}" if component is not None else f"{element}"
        label = definition.label
        return f"{segment.tag} element {place}" + (f" ({label})" if label else "")

    def missing_element(
        self,
        segment: Segment,
        position: int,
        element: int,
        component: int | None,
        definition: SimpleElement | CompositeElement,
    ) -> None:
        code = "ELEMENT_MISSING" if component is None else "COMPONENT_MISSING"
        self.element_error(
            code,
            f"{self.describe(segment, element, component, definition)} is mandatory but missing",
            segment,
            position,
            element,
            component,
            MISSING,
        )

    def invalid_code(
        self, segment: Segment, position: int, element: int, component: int | None, value: str, spec: _Value
    ) -> None:
        listed = _listing(sorted(spec.codes or ()))
        self.element_error(
            "INVALID_CODE",
            f"{self.describe(segment, element, component, spec.definition)} value {value!r} is not a"
            f" code in {spec.code_lists}; expected one of {listed}",
            segment,
            position,
            element,
            component,
            INVALID_VALUE,
        )

    def bad_type(
        self, segment: Segment, position: int, element: int, component: int | None, value: str, spec: _Value
    ) -> None:
        if spec.kind == _KIND_N:
            expected = "numeric (n: digits, an optional leading minus and one decimal mark)"
        else:
            expected = "alphabetic (a: no digits)"
        self.element_error(
            "INVALID_CHARACTER_TYPE",
            f"{self.describe(segment, element, component, spec.definition)} value {value!r}"
            f" is not {expected}",
            segment,
            position,
            element,
            component,
            INVALID_CHARACTER_TYPE,
        )

    def bad_length(
        self,
        segment: Segment,
        position: int,
        element: int,
        component: int | None,
        value: str,
        spec: _Value,
        length: int,
        code: str,
    ) -> None:
        unit = "digits" if spec.kind == _KIND_N else "characters"
        definition = spec.definition
        kind = definition.type
        if definition.min_length == definition.max_length:
            fmt = f"{kind}{definition.max_length}"
        else:
            fmt = f"{kind}..{definition.max_length}" if definition.max_length is not None else kind
        if code == "VALUE_TOO_LONG":
            limit, syntax = f"at most {spec.max_length}", TOO_LONG
        else:
            limit, syntax = f"at least {spec.min_length}", TOO_SHORT
        self.element_error(
            code,
            f"{self.describe(segment, element, component, definition)} value {value!r} has {length}"
            f" {unit}; {limit} allowed ({fmt})",
            segment,
            position,
            element,
            component,
            syntax,
        )

    def element_error(
        self,
        code: str,
        text: str,
        segment: Segment,
        position: int,
        element: int,
        component: int | None,
        syntax_code: str,
    ) -> None:
        self.add(
            code,
            f"{self.where(segment, position)}: {text}",
            segment,
            position,
            "element",
            syntax_code,
            element,
            component,
        )

    def segment_error(self, code: str, text: str, segment: Segment, position: int, syntax_code: str) -> None:
        self.add(code, text, segment, position, "segment", syntax_code, None, None)

    def add(
        self,
        code: str,
        text: str,
        segment: Segment,
        position: int,
        level: Level,
        syntax_code: str,
        element: int | None,
        component: int | None,
    ) -> None:
        location = Location(
            segment_index=segment.index,
            segment_tag=segment.tag,
            element=element,
            component=component,
            message_ref=self.message.reference,
            message_segment=position,
            group_ref=self.message.group_reference,
        )
        self.errors.append(EdiError(code, text, location, level, syntax_code))


def _listing(items: list[str]) -> str:
    """The first few items, and how many there are when that is not all of them."""
    if len(items) <= _MAX_LISTED_CODES:
        return ", ".join(items)
    return ", ".join(items[:_MAX_LISTED_CODES]) + f", … ({len(items)} in all)"


def _unknown_definition(message: Message) -> EdiError:
    unh = message.segments[0]
    return EdiError(
        "UNKNOWN_MESSAGE_DEFINITION",
        f"{message.type} {message.reference}: edigate has no definition for message"
        f" {message.identifier} (known: ORDERS, ORDRSP, DESADV, INVOIC, APERAK in D96A, D01B and their"
        " EANCOM editions, ORDERS and INVOIC in D93A, CONTRL); its structure and values were not checked",
        Location(
            segment_index=unh.index,
            segment_tag=unh.tag,
            element=2,
            message_ref=message.reference,
            message_segment=1,
            group_ref=message.group_reference,
        ),
        "message",
        None,
    )
