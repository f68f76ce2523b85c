"""The structure walk, written out in ``_Validator.run`` over precompiled tables, must report exactly
what the walk it replaced reported.

``_ReferenceValidator`` below is that earlier walk, kept as the careful reading of the rules: for
each segment it scans the loop's ``index`` for the first child position the tag may take and
advances, closes and counts in separate methods. Both run on the fixture and corpus sets with their
segments deleted, duplicated, moved, swapped, repeated past their maximum, replaced by unknown tags
and shuffled at random; the two error lists (codes, texts, locations) must be identical.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.translators.x12.samples import CORPUS, FIXTURES
from translators.errors import MAX_ERRORS_PER_MESSAGE, EdiError
from translators.x12 import syntax_codes
from translators.x12.definitions import load
from translators.x12.model import TransactionSet, X12Segment
from translators.x12.reader import read_x12_interchanges
from translators.x12.segment_patterns import segment_patterns
from translators.x12.validator import _Frame, _Validator


class _ReferenceValidator(_Validator):
    """The walk as it was before the ``follow``/``complete`` tables (see the module docstring)."""

    def run(self) -> list[EdiError]:
        segments = self.ts.segments
        if not segments:
            return self.errors
        stack = [_Frame(self.root)]
        last, last_position = segments[0], 1
        for position, seg in enumerate(segments[1:], start=2):
            self._place_reference(stack, seg, position)
            unsplit = seg.unsplit
            if unsplit is not None:
                if unsplit[1] is not self.split:
                    self.split = unsplit[1]
                    self.patterns = segment_patterns(self.ts.id, self.version, unsplit[1])
                accepts = self.patterns.get(seg.tag)
                if accepts is None or not accepts(unsplit[0]):
                    self._elements(seg, position)
            else:
                self._elements(seg, position)
            last, last_position = seg, position
            if len(self.errors) >= MAX_ERRORS_PER_MESSAGE:
                self._error(
                    "TOO_MANY_ERRORS",
                    f"{len(self.errors)} problems found up to segment {position} ({seg.tag}); validation "
                    f"stops here and the rest of the set ({len(segments) - position} more segments) is "
                    "not checked",
                    self._loc(seg, position),
                    "message",
                    syntax_codes.code(syntax_codes.TRANSACTION, "5"),
                )
                return self.errors
        while stack:
            self._close(stack.pop(), last, last_position)
        return self.errors

    def _place_reference(self, stack: list[_Frame], seg: X12Segment, position: int) -> None:
        tag = seg.tag
        level = len(stack)
        while level:
            level -= 1
            frame = stack[level]
            node = frame.node
            candidates = node.index.get(tag)  # type: ignore[union-attr]
            if not candidates:
                continue
            pos = frame.pos
            for target in candidates:
                if target >= pos and (target > 0 or level == 0):
                    break
            else:
                continue
            while len(stack) > level + 1:
                self._close(stack.pop(), seg, position)
            self._advance_reference(frame, target, seg, position)
            child = node.children[target]
            if child.is_loop:
                stack.append(_Frame(child))
            return
        self._unplaced(stack, seg, position)

    def _advance_reference(self, frame: _Frame, target: int, seg: X12Segment, position: int) -> None:
        child = frame.node.children[target]
        if target == frame.pos:
            frame.count += 1
        else:
            self._missing_between(frame, frame.pos + 1, target, seg, position)
            frame.pos, frame.count = target, 1
        if child.is_loop:
            repeats = frame.repeats.get(target, 0) + 1
            frame.repeats[target] = repeats
            if child.max_use is not None and repeats > child.max_use:
                self._over_max(child, repeats, seg, position)
        elif child.max_use is not None and frame.count > child.max_use:
            self._over_max(child, frame.count, seg, position)


def _files() -> list[Path]:
    files = sorted(FIXTURES.glob("*.edi"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.glob("*.edi") if p.stat().st_size < 65536)
    return files


def _sets(path: Path) -> list[tuple[TransactionSet, str]]:
    try:
        interchanges = read_x12_interchanges(path.read_bytes())
    except Exception:
        return []
    return [
        (ts, group.version)
        for ic in interchanges
        for group in ic.groups
        for ts in group.transactions
        if load(ts.id, group.version) is not None
    ]


def _variants(segments: list[X12Segment], rng: random.Random) -> list[list[X12Segment]]:
    st, body, se = segments[0], segments[1:-1], segments[-1:]
    unknown = X12Segment("ZZZ", [["1"]], 0)
    out = []
    for i, seg in enumerate(body):
        out.append(body[:i] + body[i + 1 :])  # deleted
        out.append([*body[: i + 1], seg, *body[i + 1 :]])  # duplicated
        out.append(body[:i] + body[i + 1 :] + [seg])  # moved to the end
        out.append([seg, *body[:i], *body[i + 1 :]])  # moved to the front
        out.append(body[:i] + body[i + 1 : i + 2] + [seg] + body[i + 2 :])  # swapped with the next
        out.append([*body[:i], unknown, *body[i + 1 :]])  # replaced by a tag of no set
        out.append(body[: i + 1] + [seg] * 1001 + body[i + 1 :])  # past any maximum
    out.append(body + body)  # the whole set twice
    for _ in range(60):
        out.append(rng.sample(body, len(body)))  # shuffled
        out.append([rng.choice(body) for _ in range(rng.randint(0, 2 * len(body)))])  # drawn at random
    out += [[st, *body], body[:-1], []]  # a second ST; no last segment; empty
    return [[st, *variant, *se] for variant in out]


CASES = [(path, n) for path in _files() for n in range(len(_sets(path)))]


@pytest.mark.parametrize(("path", "number"), CASES, ids=[f"{p.name}-{n}" for p, n in CASES])
def test_the_compiled_walk_reports_what_the_reference_walk_reports(path: Path, number: int):
    ts, version = _sets(path)[number]
    definition = load(ts.id, version)
    assert definition is not None
    rng = random.Random(f"{path.name}-{number}")
    variants = _variants(ts.segments, rng)
    for segments in variants:
        for seg in segments:
            seg.elements  # noqa: B018 - split once, so that both walks check elements the same way
        errors = []
        for walker in (_Validator, _ReferenceValidator):
            variant = TransactionSet(ts.id, ts.control, "", list(segments), group_control=ts.group_control)
            validator = walker(variant, definition.root, definition.segments, definition.tags, version)
            errors.append([e.to_dict() for e in validator.run()])
        assert errors[0] == errors[1], [s.tag for s in segments]
    assert len(variants) > 100
