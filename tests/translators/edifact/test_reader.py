"""Reading EDIFACT interchanges: envelope fields, separators, layout, and input that is not EDIFACT."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from translators.edifact.model import Separators
from translators.edifact.reader import read_interchange, read_interchanges
from translators.errors import EdiSyntaxError

from .samples import ORDERS_UNOC, interchange, orders_message


def _orders() -> bytes:
    return ORDERS_UNOC.encode("latin-1")


def _codes(ic) -> list[str]:
    return [e.code for e in ic.all_errors]


# --- a realistic EANCOM ORDERS ------------------------------------------------------------------


def test_valid_eancom_orders_reads_without_errors():
    ic = read_interchange(_orders())
    assert ic.all_errors == []
    assert ic.is_valid


def test_unb_fields_are_all_filled():
    ic = read_interchange(_orders())
    assert (ic.syntax_identifier, ic.syntax_version) == ("UNOC", 3)
    assert (ic.sender_id, ic.sender_qualifier) == ("5412345000013", "14")
    assert (ic.recipient_id, ic.recipient_qualifier) == ("4012345000009", "14")
    assert ic.control_reference == "ORD0001"
    assert ic.application_reference == "ORDERS"
    assert ic.ack_requested == "1"
    assert ic.test_indicator == "1"
    assert ic.una_present is True
    assert ic.separators == Separators(":", "+", ".", "?", None, "'")
    assert ic.header.tag == "UNB" and ic.trailer is not None and ic.trailer.tag == "UNZ"


def test_prepared_at_yymmdd_is_timezone_aware_utc():
    ic = read_interchange(_orders())
    assert ic.prepared_at == datetime(2024, 1, 15, 10, 30, tzinfo=UTC)


def test_prepared_at_ccyymmdd_in_syntax_version_4():
    text = interchange(*orders_message(), charset="UNOC:4", date="20240229:2359")
    assert read_interchange(text).prepared_at == datetime(2024, 2, 29, 23, 59, tzinfo=UTC)


def test_prepared_at_two_digit_years_pivot_like_posix():
    assert read_interchange(interchange(*orders_message(), date="991231:0000")).prepared_at.year == 1999
    assert read_interchange(interchange(*orders_message(), date="050101:0000")).prepared_at.year == 2005


def test_message_header_fields_come_from_unh_s009():
    message = read_interchange(_orders()).messages[0]
    assert (message.reference, message.type, message.version, message.release, message.agency) == (
        "1", "ORDERS", "D", "96A", "UN",
    )
    assert message.association == "EAN008"
    assert message.identifier == "ORDERS:D:96A:UN:EAN008"
    assert message.group_reference is None
    assert [s.tag for s in message.body][:3] == ["BGM", "DTM", "FTX"]
    assert message.segments[0].tag == "UNH" and message.segments[-1].tag == "UNT"


def test_released_separators_are_data_without_release_character():
    body = read_interchange(_orders()).messages[0].body
    ftx = next(s for s in body if s.tag == "FTX")
    assert ftx.get(4) == "Deliver to gate 3+4, ask for M:Muller ? 100' tall"
    nad = next(s for s in body if s.tag == "NAD")
    assert nad.elements == [["BY"], ["5412345000013", "", "9"], [""], ["Bäckerei Müller's GmbH"],
                            ["Hauptstraße 1"], ["Köln"], [""], ["50667"], ["DE"]]


def test_release_before_an_ordinary_character_keeps_the_character():
    text = interchange(*orders_message(po="Dr?. med?. 12?,5"))
    bgm = read_interchange(text).messages[0].segments[1]
    assert bgm.get(2) == "Dr. med. 12,5"


def test_released_release_character_before_a_separator_ends_the_value():
    # "??" is a data "?", so the "+" after it separates.
    seg = read_interchange(interchange(*orders_message(po="A??+9"))).messages[0].segments[1]
    assert seg.elements == [["220"], ["A?"], ["9"], ["9"]]


def test_segment_index_counts_unb_as_one_and_una_not_at_all():
    ic = read_interchange(_orders())
    assert ic.header.index == 1
    assert [s.index for s in ic.messages[0].segments] == list(range(2, 19))
    assert ic.trailer.index == 19


def test_trailing_empty_components_and_elements_are_dropped():
    seg = read_interchange(interchange("UNH+1+ORDERS:D:96A:UN", "BGM+220+PO-9+9++:", "UNT+3+1"))
    assert seg.messages[0].segments[1].elements == [["220"], ["PO-9"], ["9"]]
    rff = read_interchange(interchange("UNH+1+ORDERS:D:96A:UN", "RFF+VA:382324067:", "UNT+3+1"))
    assert rff.messages[0].segments[1].elements == [["VA", "382324067"]]


def test_segment_get_returns_default_for_absent_or_empty_values():
    nad = read_interchange(_orders()).messages[0].body[3]
    assert nad.get(2, 1) == "5412345000013"
    assert nad.get(2, 2, default="-") == "-"
    assert nad.get(20) == ""


# --- separators ---------------------------------------------------------------------------------


def test_default_separators_apply_without_una():
    ic = read_interchange(interchange(*orders_message(), una=None))
    assert ic.una_present is False
    assert ic.separators == Separators()
    assert ic.is_valid


def test_custom_una_separators_are_used():
    text = (
        "UNA=*,? ~UNB*UNOC=3*SENDER*RECEIVER*240115=1030*R1~UNH*1*ORDERS=D=96A=UN~"
        "PRI*AAA=12,50~FTX*AAI***a?*b?=c~UNT*4*1~UNZ*1*R1~"
    )
    ic = read_interchange(text)
    assert ic.separators == Separators("=", "*", ",", "?", None, "~")
    assert ic.messages[0].segments[1].elements == [["AAA", "12,50"]]
    assert ic.messages[0].segments[2].get(4) == "a*b=c"
    assert ic.is_valid


def test_segment_terminator_newline_declared_in_una():
    text = "UNA:+.? \nUNB+UNOC:3+S+R+240115:1030+R1\r\nUNH+1+ORDERS:D:96A:UN\nUNT+2+1\nUNZ+1+R1\n"
    ic = read_interchange(text)
    assert ic.separators.segment == "\n"
    assert ic.control_reference == "R1"
    assert [s.tag for s in ic.messages[0].segments] == ["UNH", "UNT"]
    assert ic.is_valid


def test_syntax_version_4_uses_star_as_repetition_separator_by_default():
    text = interchange("UNH+1+ORDERS:D:01B:UN", "NAD+BY+1::9+A*B*C", "UNT+3+1", charset="UNOC:4", una=None)
    ic = read_interchange(text)
    assert ic.separators.repetition == "*"
    nad = ic.messages[0].segments[1]
    assert nad.elements[2] == ["A"]
    assert nad.repetitions == {2: [["A"], ["B"], ["C"]]}


def test_syntax_version_4_takes_repetition_separator_from_una():
    text = interchange(
        "UNH+1+ORDERS:D:01B:UN", "NAD+BY+1::9+A^B*C?^", "UNT+3+1", charset="UNOC:4", una="UNA:+.?^'"
    )
    nad = read_interchange(text).messages[0].segments[1]
    assert nad.repetitions == {2: [["A"], ["B*C^"]]}


def test_syntax_version_3_has_no_repetition_separator():
    text = interchange("UNH+1+ORDERS:D:96A:UN", "IMD+F++:::**Marke**", "UNT+3+1", una=None)
    ic = read_interchange(text)
    assert ic.separators.repetition is None
    assert ic.messages[0].segments[1].get(3, 4) == "**Marke**"


def test_backslash_release_character():
    text = interchange("UNH+1+PNRGOV:11:1:IA", "SSR+DOCS\\:HK\\+1", "UNT+3+1", una="UNA:+.\\ '")
    assert read_interchange(text).messages[0].segments[1].elements == [["DOCS:HK+1"]]


# --- layout -------------------------------------------------------------------------------------


def test_crlf_between_segments_is_layout_not_data():
    flat = ORDERS_UNOC.replace("\r\n", "")
    a, b = read_interchange(ORDERS_UNOC), read_interchange(flat)
    assert [(s.tag, s.elements) for s in a.messages[0].segments] == [
        (s.tag, s.elements) for s in b.messages[0].segments
    ]


def test_utf8_bom_is_ignored():
    data = b"\xef\xbb\xbf" + interchange(*orders_message(), charset="UNOW:3").encode("utf-8")
    ic = read_interchange(data)
    assert ic.una_present and ic.is_valid


def test_hard_wrapped_lines_are_joined():
    flat = ORDERS_UNOC.replace("\r\n", "")
    wrapped = "\r\n".join(flat[i : i + 40] for i in range(0, len(flat), 40))
    a, b = read_interchange(flat), read_interchange(wrapped)
    assert b.is_valid
    assert [(s.tag, s.elements) for m in b.messages for s in m.segments] == [
        (s.tag, s.elements) for m in a.messages for s in m.segments
    ]


def test_line_breaks_inside_free_text_are_kept_when_the_file_is_not_wrapped():
    text = interchange("UNH+1+MEDRPT:1:901:UN", "FTX+BFD++Dr. Max\r\nFacharzt", "UNT+3+1")
    assert read_interchange(text).messages[0].segments[1].get(3) == "Dr. Max\r\nFacharzt"


def test_str_and_bytes_input_read_the_same():
    a, b = read_interchange(ORDERS_UNOC), read_interchange(_orders())
    assert [(s.tag, s.elements) for s in a.messages[0].segments] == [
        (s.tag, s.elements) for s in b.messages[0].segments
    ]


# --- several messages and interchanges ----------------------------------------------------------


def test_several_messages_are_cut_at_unh_and_unt():
    ic = read_interchange(interchange(*orders_message("1"), *orders_message("2"), *orders_message("3")))
    assert [m.reference for m in ic.messages] == ["1", "2", "3"]
    assert ic.is_valid


def test_ung_groups_carry_their_messages():
    text = interchange(
        "UNG+ORDERS+SENDER:14+RECEIVER:14+240115:1030+G1+UN+D:96A",
        *orders_message("1"), *orders_message("2"),
        "UNE+2+G1",
        "UNG+ORDERS+SENDER:14+RECEIVER:14+240115:1030+G2+UN+D:96A",
        *orders_message("3"),
        "UNE+1+G2",
    )
    ic = read_interchange(text)
    assert ic.is_valid
    assert [(g.reference, g.message_type, g.sender, g.recipient) for g in ic.groups] == [
        ("G1", "ORDERS", "SENDER", "RECEIVER"), ("G2", "ORDERS", "SENDER", "RECEIVER"),
    ]
    assert [m.group_reference for m in ic.messages] == ["G1", "G1", "G2"]
    assert ic.groups[0].header.tag == "UNG" and ic.groups[0].trailer.tag == "UNE"


def test_read_interchanges_reads_every_interchange_in_a_file():
    tilde = interchange(*orders_message(), ref="A2", una=None)
    tilde = "UNA=*.? ~" + tilde.replace("+", "*").replace(":", "=").replace("'", "~")
    text = (
        interchange(*orders_message(), ref="A1")
        + "\r\n"
        + tilde
        + interchange(*orders_message(), ref="A3", una=None)
    )
    ics = read_interchanges(text)
    assert [ic.control_reference for ic in ics] == ["A1", "A2", "A3"]
    assert [ic.separators.element for ic in ics] == ["+", "*", "+"]
    assert all(ic.is_valid for ic in ics), [ic.all_errors for ic in ics]
    assert [ic.header.index for ic in ics] == [1, 1, 1]


def test_read_interchanges_with_one_thousand_interchanges():
    text = "".join(interchange(*orders_message(), ref=f"R{i}") for i in range(1000))
    ics = read_interchanges(text.encode("latin-1"))
    assert len(ics) == 1000 and all(ic.is_valid for ic in ics)


def test_read_interchange_reports_a_second_interchange_as_trailing_data():
    text = interchange(*orders_message(), ref="A1") + interchange(*orders_message(), ref="A2")
    ic = read_interchange(text)
    assert ic.control_reference == "A1"
    [error] = ic.errors
    assert (error.code, error.syntax_code, error.level) == ("TRAILING_DATA", "33", "interchange")
    assert "read_interchanges" in error.text


def test_garbage_after_unz_is_reported_not_raised():
    ic = read_interchange(interchange(*orders_message()) + "\r\n\x00\x00GARBAGE")
    [error] = ic.errors
    assert error.code == "TRAILING_DATA"
    assert error.location.segment_index == ic.trailer.index + 1


def test_whitespace_after_unz_is_fine():
    assert read_interchange(interchange(*orders_message()) + "\r\n \n\t").is_valid


def test_data_before_the_header_is_reported_and_the_interchange_read():
    ic = read_interchange("DOC+01=routing'" + interchange(*orders_message()))
    assert [e.code for e in ic.errors] == ["LEADING_DATA"]
    assert len(ic.messages) == 1


# --- input that holds no interchange ------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n", ""])
def test_empty_input_raises_empty_input(data):
    with pytest.raises(EdiSyntaxError) as info:
        read_interchange(data)
    assert info.value.error.code == "EMPTY_INPUT"


@pytest.mark.parametrize(
    ("data", "code", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "NOT_EDIFACT", "binary"),
        (bytes(range(256)) * 4, "NOT_EDIFACT", "binary"),
        (b"ISA*00*          *00*          *ZZ*SENDER", "NOT_EDIFACT", "X12"),
        (b"<?xml version='1.0'?><Order/>", "NOT_EDIFACT", "XML"),
        (b"Dear supplier, please send 10 boxes.", "NOT_EDIFACT", "no UNA or UNB"),
        (b"UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+3+1'", "UNB_MISSING", "UNH"),
        (b"UNA:+.? 'UNH+1+ORDERS:D:96A:UN'UNT+2+1'", "UNB_MISSING", "UNH"),
    ],
)
def test_input_without_an_interchange_raises_a_precise_error(data, code, says):
    for reader in (read_interchange, read_interchanges):
        with pytest.raises(EdiSyntaxError) as info:
            reader(data)
        assert info.value.error.code == code
        assert says in info.value.error.text


def test_unb_without_syntax_identifier_raises_unb_invalid():
    with pytest.raises(EdiSyntaxError) as info:
        read_interchange("UNB++S+R+240115:1030+1'UNZ+0+1'")
    assert info.value.error.code == "UNB_INVALID"
    assert info.value.error.location.segment_tag == "UNB"


def test_an_interchange_cut_anywhere_never_raises_anything_but_edisyntaxerror():
    data = _orders()
    for cut in range(len(data) + 1):
        try:
            ics = read_interchanges(data[:cut])
        except EdiSyntaxError:
            continue
        # Anything short of "UNZ+1+ORD0001" is an error; a missing last terminator is tolerated.
        if cut < len(data) - 3:
            assert any(ic.all_errors for ic in ics), cut


def test_truncated_interchange_reports_missing_unt_and_unz():
    data = _orders()
    ic = read_interchange(data[: data.index(b"LIN+2")])
    assert set(_codes(ic)) == {"UNT_MISSING", "UNZ_MISSING"}
    assert ic.trailer is None


def test_reading_leaves_the_garbage_collector_as_it_was():
    import gc

    text = "".join(interchange(*orders_message(), ref=f"R{i}") for i in range(3000))
    assert gc.isenabled()
    read_interchanges(text)
    assert gc.isenabled()
    gc.disable()
    try:
        read_interchange(_orders())
        assert not gc.isenabled()
    finally:
        gc.enable()
