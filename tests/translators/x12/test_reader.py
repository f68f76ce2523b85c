"""Reading X12: delimiters from the ISA, layouts real senders use, several interchanges, BIN, ISB."""

from __future__ import annotations

import pytest

from tests.translators.x12.samples import group, interchange, isa, po_set
from translators.errors import EdiSyntaxError
from translators.x12.model import X12Delimiters, X12Segment
from translators.x12.reader import read_x12_interchanges


def _one(text: str | bytes):
    result = read_x12_interchanges(text)
    assert len(result) == 1
    return result[0]


def test_header_fields_are_read_and_stripped_of_padding():
    ic = _one(interchange(*group(po_set())))
    assert (ic.sender_qualifier, ic.sender_id, ic.receiver_qualifier, ic.receiver_id) == (
        "ZZ",
        "UMBRELLA",
        "ZZ",
        "EDIGATEDEMO",
    )
    assert (ic.version, ic.control_number, ic.usage, ic.ack_requested) == ("00501", "000000001", "P", "0")
    assert ic.prepared_at is not None and ic.prepared_at.isoformat() == "2024-01-15T10:30:00+00:00"
    assert (ic.control_reference, ic.syntax_identifier, ic.syntax_version) == ("000000001", "X12", 501)
    assert (ic.recipient_id, ic.recipient_qualifier) == ("EDIGATEDEMO", "ZZ")
    assert ic.all_errors == []


def test_groups_and_transaction_sets_carry_their_envelope_data():
    ic = _one(interchange(*group(po_set("0001"), po_set("0002"), control="77")))
    grp = ic.groups[0]
    assert (grp.functional_id, grp.sender, grp.receiver, grp.control, grp.agency, grp.version) == (
        "PO",
        "UMBRELLA",
        "EDIGATEDEMO",
        "77",
        "X",
        "005010",
    )
    assert [(ts.id, ts.control, ts.group_control) for ts in ic.messages] == [
        ("850", "0001", "77"),
        ("850", "0002", "77"),
    ]
    ts = ic.messages[0]
    assert [s.tag for s in ts.segments] == ["ST", "BEG", "PO1", "CTT", "SE"]
    assert [s.index for s in ts.segments] == [3, 4, 5, 6, 7]  # ISA = 1, GS = 2


def test_segment_get_reads_components_and_defaults():
    ic = _one(interchange(*group(["ST*850*0001", "REF*ZZ*A>B>C", "SE*3*0001"])))
    ref = ic.messages[0].segments[1]
    assert ref.elements == [["ZZ"], ["A", "B", "C"]]
    assert (ref.get(2), ref.get(2, 3), ref.get(2, 4, "none"), ref.get(9, default="x")) == (
        "A",
        "C",
        "none",
        "x",
    )


@pytest.mark.parametrize(
    ("elem", "comp", "rep", "term"),
    [("*", ">", "^", "~"), ("|", ":", "!", "'"), ("^", "\\", "{", "\x1c"), ("\x1d", "\x1f", "\x1e", "\x1c")],
)
def test_delimiters_come_from_the_isa(elem: str, comp: str, rep: str, term: str):
    segs = [
        isa(elem=elem, comp=comp, rep=rep),
        f"GS{elem}PO{elem}A{elem}B{elem}20240115{elem}1030{elem}1{elem}X{elem}005010",
        f"ST{elem}850{elem}0001",
        f"REF{elem}ZZ{elem}A{comp}B{rep}C{comp}D",
        f"SE{elem}3{elem}0001",
        f"GE{elem}1{elem}1",
        f"IEA{elem}1{elem}000000001",
    ]
    ic = _one(term.join(segs) + term)
    assert ic.delimiters == X12Delimiters(elem, comp, rep, term)
    ref = ic.messages[0].segments[1]
    assert ref.elements == [["ZZ"], ["A", "B"]]
    assert ref.repetitions == {1: [["A", "B"], ["C", "D"]]}
    assert ic.all_errors == []


@pytest.mark.parametrize(
    ("term", "segment"),
    [("\n", "\n"), ("\r\n", "\r\n"), ("~\r\n", "~\r\n"), ("~\n", "~\n"), ("\u2026\n", "\u2026\n")],
)
def test_newline_and_multi_character_terminators(term: str, segment: str):
    text = interchange(*group(po_set()), term=term)
    ic = _one(text.encode("utf-8"))
    assert ic.delimiters.segment == segment
    assert [s.tag for s in ic.messages[0].segments] == ["ST", "BEG", "PO1", "CTT", "SE"]
    assert ic.all_errors == []


def test_isa11_is_the_standards_id_before_00402():
    ic = _one(interchange(*group(po_set(), version="004010"), version="00401"))
    assert (ic.standards_id, ic.repetition_separator, ic.delimiters.repetition) == ("U", None, None)
    assert ic.all_errors == []


def test_several_interchanges_in_one_file_each_with_its_own_delimiters():
    first = interchange(*group(po_set()), control=1)
    second = interchange(*group(po_set()), control=2, term="\n").replace("*", "|")
    result = read_x12_interchanges(first + "\r\n" + second)
    assert [ic.control_number for ic in result] == ["000000001", "000000002"]
    assert [ic.delimiters.element for ic in result] == ["*", "|"]
    assert all(ic.all_errors == [] for ic in result)


def test_utf8_bom_is_skipped():
    ic = _one(b"\xef\xbb\xbf" + interchange(*group(po_set())).encode())
    assert ic.all_errors == []


def test_text_with_a_bom_is_read_too():
    assert _one("\ufeff" + interchange(*group(po_set()))).all_errors == []


def test_file_hard_wrapped_at_80_columns_even_through_the_isa_is_unwrapped():
    flat = interchange(*group(po_set(lines=3)))
    wrapped = "\r\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    assert "\n" in wrapped[:106]
    ic = _one(wrapped)
    assert ic.all_errors == []
    assert [s.tag for s in ic.messages[0].segments][:3] == ["ST", "BEG", "PO1"]


def test_wrapping_after_an_intact_isa_is_unwrapped():
    flat = interchange(*group(po_set(lines=4)))
    head, rest = flat[:106], flat[106:]
    wrapped = head + "\n".join(rest[i : i + 120] for i in range(0, len(rest), 120))
    assert _one(wrapped).all_errors == []


def test_pretty_printed_segments_with_indentation_are_read():
    text = interchange(*group(po_set()), term="\n")
    indented = "\n".join(
        ("  " + line if line.startswith(("ST", "BEG", "PO1")) else line) for line in text.split("\n")
    )
    assert _one(indented).all_errors == []


def test_bin_segment_data_is_taken_by_length_even_when_it_holds_delimiters():
    data = "AB*C~D\nEF>"
    body = ["ST*850*0001", f"BIN*{len(data)}*{data}", "BIN*3*x~y", "SE*4*0001"]
    ic = _one(interchange(*group(body)).encode("latin-1"))
    segments = ic.messages[0].segments
    assert [s.tag for s in segments] == ["ST", "BIN", "BIN", "SE"]
    assert segments[1].elements == [[str(len(data))], [data]]
    assert segments[2].get(2) == "x~y"
    assert ic.all_errors == []


def test_isb_and_ise_security_segments_are_kept_on_the_interchange():
    ic = _one(interchange("ISB*1", "ISE*200601*0515*04", *group(po_set())))
    assert [s.tag for s in ic.security] == ["ISB", "ISE"]
    assert ic.all_errors == []


def test_ta1_only_interchange():
    ic = _one(interchange("TA1*000000050*240115*1200*A*000", groups=0))
    assert [s.get(4) for s in ic.ta1] == ["A"]
    assert ic.groups == [] and ic.all_errors == []


def test_segments_built_in_code_compare_equal_to_read_ones():
    ic = _one(interchange(*group(po_set())))
    assert ic.messages[0].segments[1] == X12Segment("BEG", [["00"], ["SA"], ["PO-1"], [""], ["20240115"]], 4)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "EMPTY_INPUT"),
        (b" \r\n ", "EMPTY_INPUT"),
        (b"UNB+UNOC:3+X+Y'", "NOT_X12"),
        (b"<Invoice/>", "NOT_X12"),
        (b"GS*PO*A*B~", "NOT_X12"),
        (b"\x00\x01\x02\x03", "NOT_X12"),
    ],
)
def test_input_without_an_interchange_raises(data: bytes, code: str):
    with pytest.raises(EdiSyntaxError) as info:
        read_x12_interchanges(data)
    assert info.value.error.code == code
    assert info.value.error.level == "interchange"
