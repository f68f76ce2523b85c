"""856 Ship Notice/Manifest, 004010 and 005010.

The standard defines one HL loop holding every segment any level may use; which level a loop
iteration is (S shipment, O order, T tare, P pack, I item) is HL03, and the parent is HL02. The
validator checks the segment order inside the loop; the delivery-note map checks the hierarchy.
"""

from __future__ import annotations

from translators.x12.definitions.structure import ANY, Loop, Seg, loop, seg

STRUCTURE: tuple[Seg | Loop, ...] = (
    seg("ST", "M"),
    seg("BSN", "M"),
    seg("DTM", "O", 10),
    loop(
        "HL",
        "M",
        200000,
        seg("HL", "M"),
        seg("LIN"),
        seg("SN1"),
        seg("SLN", "O", 1000),
        seg("PRF"),
        seg("PO4"),
        seg("PID", "O", 200),
        seg("MEA", "O", 40),
        seg("PWK", "O", 25),
        seg("PKG", "O", 25),
        seg("TD1", "O", 20),
        seg("TD5", "O", 12),
        seg("TD3", "O", 12),
        seg("TD4", "O", 5),
        seg("TSD"),
        seg("REF", "O", 200),
        seg("PER", "O", 3),
        loop(
            "LH1",
            "O",
            100,
            seg("LH1", "M"),
            seg("LH2"),
            seg("LH3", "O", 10),
            seg("LFH", "O", 20),
            seg("LEP", "O", 3),
            seg("LH4"),
            seg("LHT", "O", 3),
            seg("LHR", "O", 10),
            seg("PER", "O", 5),
            seg("LHE"),
        ),
        loop("CLD", "O", 200, seg("CLD", "M"), seg("REF", "O", 200), seg("DTP")),
        seg("MAN", "O", ANY),
        seg("DTM", "O", 10),
        seg("FOB"),
        seg("PAL"),
        loop(
            "N1",
            "O",
            200,
            seg("N1", "M"),
            seg("N2", "O", 2),
            seg("N3", "O", 2),
            seg("N4"),
            seg("REF", "O", 12),
            seg("PER", "O", 3),
            seg("FOB"),
        ),
        seg("SDQ", "O", 50),
        seg("ETD"),
        seg("CUR"),
        loop("SAC", "O", ANY, seg("SAC", "M"), seg("CUR")),
        seg("GF"),
        seg("YNQ", "O", 10),
        loop("LM", "O", 10, seg("LM", "M"), loop("LQ", "M", 100, seg("LQ", "M"))),
    ),
    seg("CTT"),
    seg("SE", "M"),
)
