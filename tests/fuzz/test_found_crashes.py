"""Crashes the fuzzers found, kept as plain tests so they never come back.

Each case was a traceback (``ValueError: invalid literal for int()``): ``str.isdigit`` is true for
superscript digits such as ``²`` (Latin-1 byte 0xB2), so a count, a version or a date written with
one passed the "is it a number?" check and then broke ``int()``. Now each is a located error.
The last case was a hang, not a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partners.loader import demo_directory_path, load_directory
from translators.edifact.reader import read_interchanges
from translators.translate import translate
from translators.x12.reader import read_x12_interchanges

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SUPERSCRIPT_TWO = b"\xb2"  # "²" in Latin-1, the charset UNOC declares


def _edifact(old: bytes, new: bytes) -> bytes:
    data = (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()
    assert old in data
    return data.replace(old, new, 1)


def _codes(data: bytes) -> list[str]:
    return [e.code for e in translate(data, load_directory(demo_directory_path())).all_errors]


def test_superscript_digit_in_unt_count_is_a_count_error() -> None:
    data = _edifact(b"UNT+", b"UNT+2" + SUPERSCRIPT_TWO)
    message = read_interchanges(data)[0].messages[0]
    assert "UNT_COUNT_INVALID" in [e.code for e in message.errors]


def test_superscript_digit_in_unz_count_is_a_count_mismatch() -> None:
    data = _edifact(b"UNZ+1", b"UNZ+1" + SUPERSCRIPT_TWO)
    assert "UNZ_COUNT_MISMATCH" in [e.code for e in read_interchanges(data)[0].errors]


def test_superscript_digit_in_syntax_version_is_an_unsupported_version() -> None:
    codes = _codes(_edifact(b"UNOC:3", b"UNOC:" + SUPERSCRIPT_TWO))
    assert codes, "an unreadable syntax version must be reported"


@pytest.mark.parametrize("field", [b"UNB date", b"UNB time"])
def test_superscript_digit_in_unb_date_or_time_is_an_invalid_date(field: bytes) -> None:
    data = (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()
    head, sep, rest = data.partition(b"UNB+")
    elements = rest.split(b"'", 1)[0].split(b"+")
    date, time = elements[3].split(b":")
    changed = (
        date[:-1] + SUPERSCRIPT_TWO + b":" + time
        if field == b"UNB date"
        else date + b":" + time[:-1] + b"\xb3"
    )
    data = head + sep + rest.replace(elements[3], changed, 1)
    assert "UNB_DATE_INVALID" in [e.code for e in read_interchanges(data)[0].errors]


def _x12() -> bytes:
    return (FIXTURES / "x12" / "umbrella_850_004010.edi").read_bytes()


def test_superscript_digit_in_isa_date_is_an_isa_error_not_a_traceback() -> None:
    data = bytearray(_x12())
    data[70] = 0xB2  # inside ISA09, the interchange date (columns 71-76)
    interchanges = read_x12_interchanges(bytes(data))
    assert interchanges[0].prepared_at is None
    assert interchanges[0].errors


def test_superscript_digit_in_se_count_is_a_count_error() -> None:
    data = _x12()
    head, sep, rest = data.partition(b"\nSE*")
    count, star, tail = rest.partition(b"*")
    codes = _codes(head + sep + count + b"\xb2" + star + tail)
    assert any("COUNT" in code for code in codes), codes


def test_superscript_digit_in_a_transaction_date_is_a_located_error() -> None:
    data = _x12().replace(b"BEG*00*SA*UMB-4500012345**20240115", b"BEG*00*SA*UMB-4500012345**2024011\xb2", 1)
    assert _codes(data)


@settings(max_examples=3, derandomize=True, deadline=2000, database=None)
@given(st.integers(60_000, 100_000), st.sampled_from([b":", b"::+", b":?:"]))
def test_a_long_run_of_component_separators_reads_without_backtracking(length: int, tail: bytes) -> None:
    """The fuzzer's hang: a regex with ``:+`` before ``+`` rescanned a run of ``:`` from every
    position, so 100 000 of them took half a minute. The deadline turns that back into a failure."""
    data = _edifact(b"UNT+", b"FTX+AAI+++" + b":" * length + tail + b"'UNT+")
    message = read_interchanges(data)[0].messages[0]
    assert any(segment.tag == "FTX" for segment in message.segments)


CRASHES = Path(__file__).resolve().parent / "crashes"


def test_as2_envelope_whose_recipient_claims_more_bytes_than_exist_is_decryption_failed() -> None:
    """atheris: asn1crypto parses lazily, so a KeyTransRecipientInfo whose length runs past the end
    raised ValueError only when the recipient was read — a 500 with no MDN. The file is the
    Content-Type line, a line break, then the body, as bench/fuzz_atheris.py feeds the AS2 target."""
    from gateway.channels.as2.inbound import As2Rejection
    from tests.fuzz.test_as2_mime_fuzz import open_received

    crash = (CRASHES / "as2-recipient-length-beyond-the-data.bin").read_bytes()
    content_type, _sep, body = crash.partition(b"\n")
    with pytest.raises(As2Rejection) as rejected:
        open_received(content_type.decode("latin-1"), None, body)
    assert rejected.value.disposition.render() == "processed/error: decryption-failed"
    assert "Insufficient data" in rejected.value.reason
