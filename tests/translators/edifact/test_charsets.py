"""Character sets: the UNB syntax identifier decides how bytes are decoded, and bytes that do not
fit it are reported with their offset instead of being guessed."""

from __future__ import annotations

import pytest

from translators.edifact import charset
from translators.edifact.reader import read_interchange, read_interchanges

from .samples import interchange


@pytest.mark.parametrize(
    ("identifier", "codec"),
    [
        ("UNOA", "ascii"), ("UNOB", "ascii"), ("UNOC", "latin-1"), ("UNOD", "iso8859-2"),
        ("UNOE", "iso8859-5"), ("UNOF", "iso8859-7"), ("UNOG", "iso8859-3"), ("UNOH", "iso8859-4"),
        ("UNOI", "iso8859-6"), ("UNOJ", "iso8859-8"), ("UNOK", "iso8859-9"), ("UNOW", "utf-8"),
        ("UNOY", "utf-8"), ("KECA", "euc-kr"), ("unoc", "latin-1"),
    ],
)
def test_syntax_identifier_maps_to_codec(identifier, codec):
    assert charset.codec_for(identifier) == codec


def _name_in(text: str, encoding: str) -> str:
    message = ["UNH+1+ORDERS:D:96A:UN", f"NAD+BY+5412345000013::9++{text}", "UNT+3+1"]
    cs = {"latin-1": "UNOC", "utf-8": "UNOW", "iso8859-2": "UNOD", "iso8859-5": "UNOE", "euc-kr": "KECA"}
    ic = read_interchange(interchange(*message, charset=f"{cs[encoding]}:3").encode(encoding))
    assert ic.all_errors == []
    return ic.messages[0].segments[1].get(4)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Bäckerei Müller Köln Straße", "latin-1"),
        ("Zakład Łódź Żółć", "iso8859-2"),
        ("ООО Ромашка Москва", "iso8859-5"),
        ("Bäckerei 東京 Ромашка €", "utf-8"),
        ("서울 상사", "euc-kr"),
    ],
)
def test_declared_charset_decodes_names(text, encoding):
    assert _name_in(text, encoding) == text


def test_unoa_with_latin1_bytes_is_a_charset_mismatch_naming_offset_and_segment():
    text = interchange("UNH+1+INVOIC:D:97B:UN", "NAD+SE+005435656::16++BÜTTNER WIDGET", "UNT+3+1",
                       charset="UNOA:3")
    data = text.encode("latin-1")
    ic = read_interchange(data)
    [error] = ic.all_errors
    assert (error.code, error.syntax_code, error.level) == ("CHARSET_MISMATCH", "21", "interchange")
    offset = data.index("Ü".encode("latin-1"))
    assert f"offset {offset}" in error.text and "UNOA" in error.text
    assert (error.location.segment_index, error.location.segment_tag) == (3, "NAD")
    # Still readable: ASCII falls back to Latin-1 so no byte is lost.
    assert ic.messages[0].segments[1].get(4) == "BÜTTNER WIDGET"


def test_unow_with_invalid_utf8_is_a_charset_mismatch():
    text = interchange("UNH+1+ORDERS:D:96A:UN", "FTX+AAI+++Gr\xfc\xdfe", "UNT+3+1", charset="UNOW:3")
    ic = read_interchange(text.encode("latin-1"))
    [error] = ic.all_errors
    assert (error.code, error.syntax_code, error.location.segment_tag) == ("CHARSET_MISMATCH", "21", "FTX")
    assert "\ufffd" in ic.messages[0].segments[1].get(4)


def test_unoc_declared_but_utf8_bytes_cannot_be_detected_and_reads_as_latin1():
    # Every byte is a Latin-1 character, so this is indistinguishable from real Latin-1 text.
    text = interchange("UNH+1+ORDERS:D:96A:UN", "FTX+AAI+++Müller", "UNT+3+1", charset="UNOC:3")
    ic = read_interchange(text.encode("utf-8"))
    assert ic.all_errors == []
    assert ic.messages[0].segments[1].get(4) == "MÃ¼ller"


def test_str_input_outside_the_declared_repertoire_is_a_charset_mismatch():
    text = interchange("UNH+1+ORDERS:D:96A:UN", "FTX+AAI+++Müller", "UNT+3+1", charset="UNOA:3")
    [error] = read_interchange(text).all_errors
    assert error.code == "CHARSET_MISMATCH" and "character" in error.text


def test_unknown_syntax_identifier_is_unsupported_charset_with_syntax_code_46():
    text = interchange("UNH+1+ORDERS:D:96A:UN", "FTX+AAI+++Müller", "UNT+3+1", charset="ANSI:1")
    ic = read_interchange(text.encode("latin-1"))
    [error] = ic.all_errors
    assert (error.code, error.syntax_code, error.level) == ("UNSUPPORTED_CHARSET", "46", "interchange")
    assert (error.location.segment_tag, error.location.element, error.location.component) == ("UNB", 1, 1)
    assert ic.messages[0].segments[1].get(4) == "Müller"


def test_each_interchange_in_a_file_is_decoded_with_its_own_charset():
    first = interchange("UNH+1+ORDERS:D:96A:UN", "FTX+AAI+++Müller", "UNT+3+1", ref="A", charset="UNOC:3")
    second = interchange("UNH+1+ORDERS:D:96A:UN", "FTX+AAI+++Müller", "UNT+3+1", ref="B", charset="UNOW:3")
    ics = read_interchanges(first.encode("latin-1") + second.encode("utf-8"))
    assert [ic.messages[0].segments[1].get(4) for ic in ics] == ["Müller", "Müller"]
    assert all(ic.is_valid for ic in ics)


def test_decode_reports_first_bad_byte():
    decoded = charset.decode(b"ABC\xffDEF", "ascii")
    assert (decoded.text, decoded.bad_offset, decoded.bad_bytes) == ("ABC\xffDEF", 3, b"\xff")
    assert charset.decode(b"ABC", "ascii").bad_offset is None
