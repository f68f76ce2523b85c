"""The writer is the exact inverse of the reader: any segments, with any text in their values
(separators and release characters included), under any separator set, read back unchanged."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translators.edifact.model import Segment, Separators
from translators.edifact.reader import read_interchange
from translators.edifact.writer import write_interchange, write_segments

from .samples import ORDERS_UNOC, interchange, orders_message

SERVICE_TAGS = {"UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"}
SERVICE_CHARS = "+:'?*=~\\^!|#"

# Line breaks are layout in EDIFACT (skipped between segments, joined in wrapped files), so they are
# not data the writer can promise to carry; every other character is, including the separators.
values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=8)
texts_with_separators = st.one_of(values, st.text(st.sampled_from(SERVICE_CHARS + "ab "), max_size=8))
components = st.lists(texts_with_separators, min_size=1, max_size=4)
tags = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=3, max_size=3).filter(
    lambda t: t not in SERVICE_TAGS
)


@st.composite
def separator_sets(draw) -> Separators:
    fixed = st.sampled_from(
        [
            Separators(),
            Separators("=", "*", ".", "?", None, "~"),
            Separators(":", "+", ",", "\\", None, "'"),
            Separators(":", "+", ".", "?", "*", "'"),
            Separators(":", "+", ".", "?", "^", "'"),
        ]
    )
    chosen = st.lists(st.sampled_from(SERVICE_CHARS), min_size=5, max_size=5, unique=True).map(
        lambda c: Separators(c[0], c[1], ".", c[2], c[3], c[4])
    )
    return draw(st.one_of(fixed, chosen))


@st.composite
def segments_for(draw, separators: Separators) -> list[Segment]:
    out = []
    for _ in range(draw(st.integers(0, 6))):
        elements = draw(st.lists(components, max_size=5))
        repetitions: dict[int, list[list[str]]] = {}
        if separators.repetition:
            for i in range(len(elements)):
                if draw(st.booleans()):
                    reps = draw(st.lists(components, min_size=2, max_size=3))
                    repetitions[i] = reps
        out.append(_normalised(Segment(draw(tags), elements, 0, repetitions or None)))
    return out


def _trim(values: list[str]) -> list[str]:
    end = len(values)
    while end > 1 and values[end - 1] == "":
        end -= 1
    return values[:end] or [""]


def _normalised(seg: Segment) -> Segment:
    """The model as the reader produces it: no trailing empty components or data elements."""
    reps = {i: [_trim(r) for r in rs] for i, rs in (seg.repetitions or {}).items()}
    elements = [reps[i][0] if i in reps else _trim(e) for i, e in enumerate(seg.elements)]
    while elements and elements[-1] == [""] and len(elements) - 1 not in reps:
        elements.pop()
    return Segment(seg.tag, elements, seg.index, reps or None)


def _envelope(separators: Separators, body: list[Segment]) -> str:
    version = "4" if separators.repetition else "3"
    unb = Segment("UNB", [["UNOW", version], ["SENDER"], ["RECEIVER"], ["20240115", "1030"], ["R1"]])
    unh = Segment("UNH", [["1"], ["ORDERS", "D", "96A", "UN"]])
    unt = Segment("UNT", [[str(len(body) + 2)], ["1"]])
    unz = Segment("UNZ", [["1"], ["R1"]])
    return separators.una() + write_segments([unb, unh, *body, unt, unz], separators)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_written_segments_read_back_equal(data):
    separators = data.draw(separator_sets())
    body = data.draw(segments_for(separators))
    ic = read_interchange(_envelope(separators, body))
    assert ic.all_errors == []
    assert ic.separators == separators
    got = ic.messages[0].body
    assert [(s.tag, s.elements, s.repetitions) for s in got] == [
        (s.tag, s.elements, s.repetitions) for s in body
    ]


@settings(max_examples=200)
@given(st.data())
def test_written_segments_read_back_equal_with_line_breaks_between_segments(data):
    separators = data.draw(separator_sets())
    body = data.draw(segments_for(separators))
    text = _envelope(separators, body).replace(separators.una(), separators.una() + "\r\n", 1)
    text = text.replace(separators.segment, separators.segment + "\r\n")
    # Released terminators are data, not segment ends: undo the line break after them.
    if separators.release:
        text = text.replace(separators.release + separators.segment + "\r\n",
                            separators.release + separators.segment)
    ic = read_interchange(text)
    assert [(s.tag, s.elements, s.repetitions) for s in ic.messages[0].body] == [
        (s.tag, s.elements, s.repetitions) for s in body
    ]


def test_reading_then_writing_reproduces_a_canonical_interchange():
    flat = ORDERS_UNOC.replace("\r\n", "")
    assert write_interchange(read_interchange(flat)) == flat
    assert write_interchange(read_interchange(ORDERS_UNOC), newline=True) == ORDERS_UNOC.replace("\r\n", "\n")


def test_writer_releases_every_service_character_in_data():
    seg = Segment("FTX", [["AAI"], [""], [""], ["3+4 M:M ?? it's"]])
    assert write_segments([seg], Separators()) == "FTX+AAI+++3?+4 M?:M ???? it?'s'"


def test_writer_omits_trailing_empty_components_and_elements():
    seg = Segment("NAD", [["BY"], ["5412345000013", "", "9", ""], [""], ["", ""]])
    assert write_segments([seg], Separators()) == "NAD+BY+5412345000013::9'"


def test_writer_uses_the_repetition_separator_in_syntax_4():
    seg = Segment("NAD", [["BY"], ["A"]], repetitions={1: [["A"], ["B", "1"]]})
    assert write_segments([seg], Separators(repetition="*")) == "NAD+BY+A*B:1'"


def test_write_interchange_keeps_groups_in_order():
    text = interchange(
        "UNG+ORDERS+SENDER:14+RECEIVER:14+240115:1030+G1+UN+D:96A", *orders_message("1"), "UNE+1+G1",
        "UNG+ORDERS+SENDER:14+RECEIVER:14+240115:1030+G2+UN+D:96A", *orders_message("2"), "UNE+1+G2",
    )
    assert write_interchange(read_interchange(text)) == text


def test_write_interchange_adds_una_for_non_default_separators():
    text = "UNB*UNOC=3*S*R*240115=1030*R1~UNH*1*ORDERS=D=96A=UN~UNT*2*1~UNZ*1*R1~"
    ic = read_interchange("UNA=*.? ~" + text)
    ic.una_present = False
    assert write_interchange(ic) == "UNA=*.? ~" + text
