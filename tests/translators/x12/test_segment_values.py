"""``X12Segment.values`` (the maps' fast read of a segment) must read exactly what ``get`` reads.

A segment read from text answers ``values`` with one ``split`` while it holds no component or
repetition separator; otherwise, and for segments built from lists or already split, it reads the
split elements. Both ways are checked against ``get`` here, and every business map is run on mutated
fixture sets twice - once on the segments as read (the fast ``values``) and once with every segment
split beforehand (``values`` from the elements, as ``get`` reads them) - with identical documents
and errors required.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from partners.profile import CodeMaps
from tests.translators.x12.samples import FIXTURES
from translators.x12.maps import map_transaction
from translators.x12.maps.reading import item_ids_of
from translators.x12.model import X12Segment
from translators.x12.reader import read_x12_interchanges

SETS = sorted(p.name for p in FIXTURES.glob("*.edi") if p.name.split("_")[1] in {"810", "850", "855", "856"})

RAW = [
    "PO1*1*24*EA*12.50*PE*UP*012345678905*VN*WID-100*BP*U-100",
    "PO1*1*24*EA*12.50*PE*UP*012345678905*VN*WID-100*BP",  # an odd count: a qualifier alone
    "PO1**24",
    "PO1",
    "PO1*",
    "PO1***",
    "PID*F****BLUE>WIDGET",
    "PID*F****>WIDGET",
    "REF*ZZ*A^B*C>D^E",
    "REF*^X",
    "DTM*002*20240203*1200",
]


class _Profile:
    def __init__(self) -> None:
        self.codes = CodeMaps(
            units={"EA": "PCE"},
            parties={"0614141000012": "C-1"},
            items={"WID-100": "SKU-1", "U-100": "SKU-2"},
        )


def _lazy(raw: str) -> X12Segment:
    return X12Segment.lazy(raw.partition("*")[0], raw, 3, ("*", ">", "^"))


@pytest.mark.parametrize("raw", RAW)
@pytest.mark.parametrize("split_first", [False, True])
def test_values_read_what_get_reads(raw: str, split_first: bool):
    seg = _lazy(raw)
    if split_first:
        seg.elements  # noqa: B018 - the careful path: values from the split elements
    for count in (0, 1, 4, 30):
        values = seg.values(count)
        assert len(values) >= count
        for n in range(1, len(values) + 3):
            assert (values[n - 1] if n <= len(values) else "") == seg.get(n)
    assert seg.unsplit is (None if split_first else seg.unsplit)  # values never splits the segment


def test_values_of_a_segment_built_from_lists():
    seg = X12Segment("PO1", [["1"], [], ["", "X"], ["EA", "Y"]])
    assert seg.values(6) == ["1", "", "", "EA", "", ""]
    assert [seg.get(n) for n in range(1, 7)] == seg.values(6)


def _item_ids_by_elements(seg: X12Segment, first: int, pairs: int) -> tuple[str | None, ...]:
    """The item id reading as it was written before ``values``: over the split elements."""
    found: dict[str, str] = {}
    gtin = None
    elements = seg.elements
    for i in range(first - 1, min(len(elements), first - 1 + 2 * pairs) - 1, 2):
        components = elements[i + 1]
        if not components or not components[0]:
            continue
        qualifier = elements[i][0] if elements[i] else ""
        if qualifier in {"UP", "UK", "EN", "UA", "EO"} and gtin is None:
            gtin = components[0]
        else:
            found.setdefault(qualifier, components[0])
    seller = next((found[q] for q in ("VN", "VP", "VA", "SK") if q in found), None)
    buyer = next((found[q] for q in ("BP", "IN", "PI", "CB") if q in found), None)
    return gtin, seller, buyer


@pytest.mark.parametrize(
    "raw",
    [
        *RAW,
        "PO1*1*1*EA*1*PE*VN*A*VN*B*UP*G1*EN*G2*IN*X*SK*Y",
        "PO1*1*1*EA*1*PE*ZZ*A*BP**VP*V>W*UP*",
        "LIN**UP*1*VP*2*BP*3*PI*4*CB*5*UA*6*IN*7*VA*8",
    ],
)
def test_item_ids_read_from_values_as_from_elements(raw: str):
    for first, pairs in ((6, 10), (2, 15), (7, 1)):
        assert item_ids_of(_lazy(raw).values(), first, pairs) == _item_ids_by_elements(
            _lazy(raw), first, pairs
        )


VALUES = [
    "",
    "X",
    "0",
    "-1",
    "12.5",
    "1.2.3",
    "20240229",
    "20230229",
    "240203",
    "A>B",
    ">B",
    "A^B",
    " ",
    "UP",
]


def _mapped(text: str, *, split: bool) -> list[Any]:
    out = []
    for ic in read_x12_interchanges(text):
        for group in ic.groups:
            for ts in group.transactions:
                if split:
                    for seg in ts.segments:
                        seg.elements  # noqa: B018 - the careful path
                try:  # unvalidated input (the gateway maps only valid sets) may break a model
                    result = map_transaction(ts, group, ic, _Profile())
                except ValueError as exc:
                    out.append(("raised", str(exc)))
                    continue
                document = result.document
                out.append(
                    (
                        json.dumps(document.model_dump(mode="json")) if document is not None else None,
                        [e.to_dict() for e in result.errors],
                    )
                )
    return out


@pytest.mark.parametrize("name", SETS)
def test_maps_agree_on_lazy_and_split_segments_under_mutation(name: str):
    segments = [s.strip() for s in (FIXTURES / name).read_text().split("~") if s.strip()]
    rng = random.Random(name)
    checked = 0
    for index, segment in enumerate(segments):
        if segment.startswith(("ISA", "GS", "GE", "IEA", "ST", "SE")):
            continue
        tag, *elements = segment.split("*")
        for position in range(len(elements) + 2):
            for value in rng.sample(VALUES, 5):
                changed = list(elements) + [""] * max(0, position + 1 - len(elements))
                changed[position] = value
                mutated = "*".join([tag, *changed])
                variant = "~\n".join([*segments[:index], mutated, *segments[index + 1 :]]) + "~\n"
                assert _mapped(variant, split=False) == _mapped(variant, split=True), mutated
                checked += 1
    assert checked > 100
