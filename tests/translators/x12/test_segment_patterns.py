"""The validator's fast path (one regex per segment) must never accept what the full checks reject.

Every segment of the fixture sets is mutated in ways that break (or nearly break) each kind of
element check; each mutated set is validated twice - once as read (lazy segments: the patterns
answer first) and once with every segment split beforehand (only the full checks run) - and the
two error lists must be identical, texts and locations included.
"""

from __future__ import annotations

import random

import pytest

from tests.translators.x12.samples import FIXTURES
from translators.x12.definitions import ElementRule, SegmentDefinition, load
from translators.x12.model import TransactionSet
from translators.x12.reader import read_x12_interchanges
from translators.x12.segment_patterns import segment_patterns
from translators.x12.validator import validate_transaction

# every business set fixture: <partner>_<set>_<version>.edi
SETS = sorted(p.name for p in FIXTURES.glob("*.edi") if p.name.split("_")[1] in {"810", "850", "855", "856"})

# Values chosen to sit on the edges of the element checks: empty, lengths, numbers written oddly,
# dates and times that do not exist, separators and control characters inside a value.
VALUES = [
    "",
    "X",
    "XX",
    "X" * 9,
    "X" * 31,
    "X" * 81,
    "0",
    "-1",
    "12",
    "1.",
    ".5",
    ".",
    "-.5",
    "1.2.3",
    "1E5",
    "12345678901234567890",
    "AB",
    "ZZ",
    "92",
    "UL",
    "EA",
    "20240229",
    "20230229",
    "20241301",
    "19990431",
    "20240131",
    "20240631",
    "00000101",
    "240229",
    "690101",
    "2359",
    "2400",
    "1260",
    "235959",
    "2359591",
    "23595912",
    "235960",
    "A>B",
    ">B",
    "A>",
    ">",
    "A^B",
    "^",
    "A\x01B",
    "A\tB",
    "Ä",
    "  ",
]


def _segments(name: str) -> list[str]:
    """The fixture's segments as written (terminator and line breaks removed)."""
    return [s.strip() for s in (FIXTURES / name).read_text().split("~") if s.strip()]


def _both_ways(text: str) -> list[tuple[list[dict], list[dict]]]:
    out = []
    for lazy, split in zip(read_x12_interchanges(text), read_x12_interchanges(text), strict=True):
        for group_lazy, group_split in zip(lazy.groups, split.groups, strict=True):
            for ts_lazy, ts_split in zip(group_lazy.transactions, group_split.transactions, strict=True):
                for seg in ts_split.segments:
                    seg.elements  # noqa: B018 - split now: the full checks only
                fast = validate_transaction(ts_lazy, group_lazy.version)
                full = validate_transaction(ts_split, group_split.version)
                out.append(([e.to_dict() for e in fast], [e.to_dict() for e in full]))
    return out


def _edges(rule: ElementRule | None) -> list[str]:
    """Values one character inside and outside the lengths of ``rule`` (or of its components)."""
    if rule is None:
        return []
    if rule.components is not None:
        return [">".join([v] * 2) for c in rule.components for v in _edges(c)[:4]]
    out = []
    for length in {rule.min_length - 1, rule.min_length, rule.max_length, rule.max_length + 1} - {-1, 0}:
        out += ["9" * length, "X" * length, "-" + "9" * length, "9" * (length - 1) + ".9"[: min(2, length)]]
    return out


def _mutations(segment: str, rng: random.Random, definition: SegmentDefinition | None) -> list[str]:
    tag, *elements = segment.split("*")
    rules = list(definition.elements) if definition is not None else []
    out = []
    count = definition.count if definition is not None else 0
    for position in range(max(len(elements) + 2, count)):  # every position a syntax note may name
        rule = rules[position] if position < len(rules) else None
        for value in rng.sample(VALUES, 12) + _edges(rule):
            changed = list(elements) + [""] * max(0, position + 1 - len(elements))
            changed[position] = value
            out.append("*".join([tag, *changed]))
    if elements:
        out.append("*".join([tag, *elements[:-1]]))  # last element dropped
        out.append("*".join([tag, *elements, ""]))  # a trailing empty element
    return out


@pytest.mark.parametrize("name", SETS)
def test_the_fast_path_agrees_with_the_full_checks_on_every_mutation(name: str):
    segments = _segments(name)
    rng = random.Random(name)
    version = segments[1].split("*")[8]
    definitions = load(name.split("_")[1], version).segments  # type: ignore[union-attr]
    checked = differing = 0
    for index, segment in enumerate(segments):
        if segment.startswith(("ISA", "GS", "GE", "IEA", "ST", "SE")):
            continue
        for mutated in _mutations(segment, rng, definitions.get(segment.split("*")[0])):
            variant = "~\n".join([*segments[:index], mutated, *segments[index + 1 :]]) + "~\n"
            for fast, full in _both_ways(variant):
                checked += 1
                differing += fast != full
                assert fast == full, mutated
    assert checked > 500 and differing == 0


@pytest.mark.parametrize("name", SETS)
def test_clean_fixture_segments_take_the_fast_path(name: str):
    """Otherwise the patterns would be sound but useless: every body segment of a clean set matches."""
    ic = read_x12_interchanges((FIXTURES / name).read_bytes())[0]
    for group in ic.groups:
        for ts in group.transactions:
            assert validate_transaction(ts, group.version) == []
            for seg in _body(ts):
                unsplit = seg.unsplit
                assert unsplit is not None
                patterns = segment_patterns(ts.id, group.version, unsplit[1])
                if load(ts.id, group.version).segments.get(seg.tag) is not None:  # type: ignore[union-attr]
                    assert patterns[seg.tag](unsplit[0]), unsplit[0]


def _body(ts: TransactionSet) -> list:
    return [s for s in ts.segments if s.tag not in ("ST", "SE")]
