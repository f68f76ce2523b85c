"""Builders for transaction set structures, written as data.

A structure is a tuple of segment rules and loops in standard order. ``seg("BEG", "M", 1)`` is a
segment with its requirement (M mandatory / O optional) and maximum use (None = unbounded, ">1" in
the standard); ``loop("N1", "O", 200, seg("N1", "M", 1), ...)`` is a loop whose first segment is
its trigger. The validator compiles these once (:func:`translators.x12.definitions.load`).
"""

from __future__ import annotations

from typing import NamedTuple


class Seg(NamedTuple):
    tag: str
    requirement: str  # "M" or "O"
    max_use: int | None


class Loop(NamedTuple):
    loop_id: str
    requirement: str
    max_repeat: int | None
    children: tuple[Seg | Loop, ...]

    @property
    def trigger(self) -> str:
        first = self.children[0]
        assert isinstance(first, Seg)
        return first.tag


def seg(tag: str, requirement: str = "O", max_use: int | None = 1) -> Seg:
    return Seg(tag, requirement, max_use)


def loop(loop_id: str, requirement: str, max_repeat: int | None, *children: Seg | Loop) -> Loop:
    return Loop(loop_id, requirement, max_repeat, children)


ANY = None
"""Maximum use ">1": unbounded."""
