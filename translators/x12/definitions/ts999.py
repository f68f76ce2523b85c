"""999 Implementation Acknowledgment (005010X231A1). There is no 004010 999: it came with 005010."""

from __future__ import annotations

from translators.x12.definitions.structure import ANY, Loop, Seg, loop, seg

STRUCTURE: tuple[Seg | Loop, ...] = (
    seg("ST", "M"),
    seg("AK1", "M"),
    loop(
        "2000",
        "O",
        ANY,
        seg("AK2", "M"),
        loop(
            "2100",
            "O",
            ANY,
            seg("IK3", "M"),
            seg("CTX", "O", 10),
            loop("2110", "O", ANY, seg("IK4", "M"), seg("CTX", "O", 10)),
        ),
        seg("IK5", "M"),
    ),
    seg("AK9", "M"),
    seg("SE", "M"),
)
