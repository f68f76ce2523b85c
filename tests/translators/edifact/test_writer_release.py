"""The writer releases service characters exactly as translating every value with the escape table
does, though it only translates elements that hold one (``writer._release_search``)."""

from __future__ import annotations

import random

import pytest

from translators.edifact.model import DEFAULT_SEPARATORS, Segment, Separators
from translators.edifact.writer import escape_table, write_segment, write_segments

SYNTAX_4 = Separators(repetition="*")
ODD = Separators(
    component="\x80", element="\x81", decimal=",", release="\x82", repetition=None, segment="\x83"
)
ALPHABET = "AB1 .,-?+:'*\x80\x81\x82\x83é"


def _reference(segment: Segment, separators: Separators) -> str:
    """write_segment as it was: every value through ``str.translate``."""
    table = escape_table(separators)

    def element(components: list[str]) -> str:
        end = len(components)
        while end and components[end - 1] == "":
            end -= 1
        return separators.component.join(value.translate(table) for value in components[:end])

    parts = [segment.tag]
    reps = segment.repetitions or {}
    for i, components in enumerate(segment.elements):
        if i in reps and separators.repetition:
            parts.append(separators.repetition.join(element(rep) for rep in reps[i]))
        else:
            parts.append(element(components))
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return separators.element.join(parts) + separators.segment


@pytest.mark.parametrize("separators", [DEFAULT_SEPARATORS, SYNTAX_4, ODD], ids=["default", "syntax4", "odd"])
def test_written_values_are_released_as_translate_releases_them(separators: Separators) -> None:
    rng = random.Random(repr(separators))
    segments = []
    for index in range(400):
        elements = [
            ["".join(rng.choices(ALPHABET, k=rng.randint(0, 4))) for _ in range(rng.randint(1, 4))]
            for _ in range(rng.randint(1, 5))
        ]
        repetitions = {0: [elements[0], ["x?", ""]]} if index % 7 == 0 else None
        segments.append(Segment("TAG", elements, index, repetitions))
    for segment in segments:
        assert write_segment(segment, separators) == _reference(segment, separators), segment
    assert write_segments(segments, separators) == "".join(_reference(s, separators) for s in segments)
