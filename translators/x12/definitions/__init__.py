"""edigate's own X12 definitions, compiled once into lookup tables for the validator.

Written as readable data (:mod:`.structure` builders for the tables, :mod:`.elements` one line per
segment, :mod:`.codes` code lists) and compiled on first use by :func:`load`, which is cached: the
compiled tables are immutable and shared, and nothing is built at import time.

Supported: 850, 855, 856, 810, 997 in 004010 and 005010; 999 in 005010 (it does not exist before).
A GS08 like ``004010VICS`` or ``005010X231A1`` is read by its first six characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from types import MappingProxyType

from translators.x12.definitions import codes, elements, ts810, ts850, ts855, ts856, ts997, ts999
from translators.x12.definitions.structure import Loop, Seg

VERSIONS = ("004010", "005010")

_STRUCTURES: Mapping[str, Mapping[str, tuple[Seg | Loop, ...]]] = MappingProxyType(
    {
        "004010": MappingProxyType(
            {
                "850": ts850.STRUCTURE,
                "855": ts855.STRUCTURE,
                "856": ts856.STRUCTURE,
                "810": ts810.STRUCTURE,
                "997": ts997.STRUCTURE,
            }
        ),
        "005010": MappingProxyType(
            {
                "850": ts850.STRUCTURE,
                "855": ts855.STRUCTURE,
                "856": ts856.STRUCTURE,
                "810": ts810.STRUCTURE,
                "997": ts997.STRUCTURE,
                "999": ts999.STRUCTURE,
            }
        ),
    }
)

_SEGMENTS = MappingProxyType({"004010": elements.SEGMENTS_004010, "005010": elements.SEGMENTS_005010})


@dataclass(frozen=True, slots=True)
class ElementRule:
    """One simple element (or a composite when ``components`` is set)."""

    number: str  # data element number, e.g. "353" (composite: "C040")
    requirement: str  # M / O / X
    type: str  # AN, ID, DT, TM, R, N0..N9; "" for a composite
    min_length: int
    max_length: int
    codes: frozenset[str] | None  # a closed code list to check against, or None
    components: tuple[ElementRule, ...] | None = None


@dataclass(frozen=True, slots=True)
class SyntaxRule:
    """A segment syntax note: ``kind`` P/R/C/L/E over 1-based ``positions``."""

    kind: str
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SegmentDefinition:
    tag: str
    elements: tuple[ElementRule, ...]  # the described leading elements
    count: int  # how many elements the segment may have at all
    rules: tuple[SyntaxRule, ...]


@dataclass(frozen=True, slots=True)
class Node:
    """A compiled segment rule or loop. For a loop, ``tag`` is its trigger segment and ``index``
    maps each tag that may start a child (segment tag or child loop trigger) to child positions."""

    is_loop: bool
    tag: str
    requirement: str
    max_use: int | None
    loop_id: str | None = None
    children: tuple[Node, ...] = ()
    index: Mapping[str, tuple[int, ...]] | None = None
    # mandatory_before[i]: how many of children[:i] are mandatory, so the validator knows in one
    # subtraction whether a stretch of skipped children holds anything missing
    mandatory_before: tuple[int, ...] = (0,)
    # follow[tag][pos]: the first child position >= pos that ``tag`` may start (-1: none); one tuple
    # index instead of scanning ``index[tag]`` for every segment of every set
    follow: Mapping[str, tuple[int, ...]] | None = None
    # complete[pos]: no mandatory child after children[pos], so leaving the loop there misses nothing
    complete: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class TransactionDefinition:
    id: str
    version: str
    root: Node  # a pseudo-loop whose children are the whole table, ST first, SE last
    segments: Mapping[str, SegmentDefinition]
    tags: frozenset[str]  # every tag the structure uses anywhere


def release_of(version: str) -> str:
    """``004010VICS`` → ``004010``."""
    return version[:6]


@cache
def load(transaction_set: str, version: str) -> TransactionDefinition | None:
    """The compiled definition of ``transaction_set`` in ``version`` (GS08), or None if edigate has none."""
    release = release_of(version)
    structure = _STRUCTURES.get(release, {}).get(transaction_set)
    if structure is None:
        return None
    root = _compile_node(Loop("ST", "M", 1, structure))
    segs = segment_definitions(release)
    tags: set[str] = set()
    _collect_tags(root, tags)
    return TransactionDefinition(
        id=transaction_set,
        version=release,
        root=root,
        segments=MappingProxyType({t: segs[t] for t in sorted(tags) if t in segs}),
        tags=frozenset(tags),
    )


def supported(version: str) -> tuple[str, ...]:
    """Transaction sets edigate has definitions for in ``version``."""
    return tuple(sorted(_STRUCTURES.get(release_of(version), {})))


@cache
def segment_definitions(release: str) -> Mapping[str, SegmentDefinition]:
    source = _SEGMENTS.get(release, {})
    return MappingProxyType({tag: _compile_segment(tag, *spec) for tag, spec in source.items()})


def _compile_node(item: Seg | Loop) -> Node:
    if isinstance(item, Seg):
        return Node(False, item.tag, item.requirement, item.max_use)
    children = tuple(_compile_node(child) for child in item.children)
    index: dict[str, list[int]] = {}
    for position, child in enumerate(children):
        index.setdefault(child.tag, []).append(position)
    mandatory_before = tuple(accumulate((child.requirement == "M" for child in children), initial=0))
    follow = {
        tag: tuple(next((p for p in positions if p >= pos), -1) for pos in range(len(children) + 1))
        for tag, positions in index.items()
    }
    return Node(
        True,
        item.trigger,
        item.requirement,
        item.max_repeat,
        item.loop_id,
        children,
        MappingProxyType({tag: tuple(p) for tag, p in index.items()}),
        mandatory_before,
        MappingProxyType(follow),
        tuple(mandatory_before[-1] == mandatory_before[pos + 1] for pos in range(len(children))),
    )


def _collect_tags(node: Node, tags: set[str]) -> None:
    tags.add(node.tag)
    for child in node.children:
        _collect_tags(child, tags)


def _compile_segment(tag: str, text: str, notes: str) -> SegmentDefinition:
    parts = [p.strip() for p in text.split("|")]
    count = None
    if parts and parts[-1].startswith("..."):
        count = int(parts.pop().split()[1])
    rules = tuple(
        SyntaxRule(note[0], tuple(int(note[i : i + 2]) for i in range(1, len(note), 2)))
        for note in notes.split()
    )
    described = tuple(_compile_element(p) for p in parts)
    return SegmentDefinition(tag, described, count or len(described), rules)


def _compile_element(text: str) -> ElementRule:
    if "[" in text:
        head, _, inner = text.partition("[")
        number, requirement = head.split()
        components = tuple(_compile_element(c) for c in inner.rstrip("]").split(","))
        return ElementRule(number, requirement, "", 0, 0, None, components)
    number, requirement, type_, lengths = text.split()
    low, high = lengths.split("/")
    closed = codes.CLOSED.get(number) if type_ == "ID" else None
    return ElementRule(number, requirement, type_, int(low), int(high), closed)
