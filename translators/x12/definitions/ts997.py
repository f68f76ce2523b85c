"""997 Functional Acknowledgment, 004010 and 005010."""

from __future__ import annotations

from translators.x12.definitions.structure import ANY, Loop, Seg, loop, seg

STRUCTURE: tuple[Seg | Loop, ...] = (
    seg("ST", "M"),
    seg("AK1", "M"),
    loop(
        "AK2",
        "O",
        999999,
        seg("AK2", "M"),
        loop("AK3", "O", ANY, seg("AK3", "M"), seg("AK4", "O", 99)),
        seg("AK5", "M"),
    ),
    seg("AK9", "M"),
    seg("SE", "M"),
)
