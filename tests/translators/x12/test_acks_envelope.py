"""Writing what we send: ISA fixed widths, GS/ST wrapping with counted trailers, no unwritable data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from translators.x12.acks.envelope import (
    ack_release,
    answer_delimiters,
    isa_segment,
    wrap_group,
    wrap_interchange,
    wrap_transaction,
)
from translators.x12.acks.writer import write_segment, write_segments
from translators.x12.model import X12Delimiters, X12Segment
from translators.x12.reader import read_x12_interchanges

NOW = datetime(2024, 1, 16, 8, 30, tzinfo=UTC)
D5 = X12Delimiters("*", ">", "^", "~")
D4 = X12Delimiters("*", ">", None, "~")


def _isa(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "sender": ("ZZ", "EDIGATEDEMO"),
        "receiver": ("01", "123456789"),
        "control_number": 42,
        "version": "00501",
        "usage": "P",
        "delimiters": D5,
        "prepared_at": NOW,
    }
    arguments.update(overrides)
    return write_segment(isa_segment(**arguments), arguments["delimiters"])  # type: ignore[arg-type]


def test_isa_is_106_characters_with_ids_padded_to_15_and_control_number_to_9_digits():
    text = _isa()
    assert len(text) == 106
    assert text == (
        "ISA*00*          *00*          *ZZ*EDIGATEDEMO    *01*123456789      "
        "*240116*0830*^*00501*000000042*0*P*>~"
    )


def test_isa11_is_the_repetition_separator_in_00501_and_u_in_00401():
    assert _isa().split("*")[11] == "^"
    assert _isa(version="00401", delimiters=D4).split("*")[11] == "U"


def test_isa_dates_are_written_in_utc_from_an_aware_datetime():
    eastern = NOW.astimezone(timezone(timedelta(hours=-5)))
    assert _isa(prepared_at=eastern).split("*")[9:11] == ["240116", "0830"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"control_number": 0}, "ISA13"),
        ({"control_number": 1_000_000_000}, "ISA13"),
        ({"sender": ("ZZ", "X" * 16)}, "ISA06"),
        ({"receiver": ("1", "ACME")}, "ISA07"),
        ({"usage": "I"}, "usage"),
        ({"version": "00501", "delimiters": D4}, "repetition"),
    ],
)
def test_isa_refuses_values_that_do_not_fit_its_fixed_fields(override, message):
    with pytest.raises(ValueError, match=message):
        _isa(**override)


def test_trailing_empty_elements_and_components_are_left_out():
    segment = X12Segment("AK4", [["1", ""], [""], ["7"], [""]])
    assert write_segment(segment, D5) == "AK4*1**7~"


def test_data_containing_a_delimiter_cannot_be_written():
    with pytest.raises(ValueError, match="no release"):
        write_segment(X12Segment("N1", [["BY"], ["A*B"]]), D5)


def test_delimiters_must_be_distinct_special_characters():
    with pytest.raises(ValueError, match="differ"):
        write_segments([X12Segment("TA1", [["1"]])], X12Delimiters("*", "*", None, "~"))
    with pytest.raises(ValueError, match="special"):
        write_segments([X12Segment("TA1", [["1"]])], X12Delimiters("A", ">", None, "~"))


def test_se01_counts_st_to_se_inclusive():
    body = [X12Segment("AK1", [["PO"], ["1"]]), X12Segment("AK9", [["A"], ["0"], ["0"], ["0"]])]
    segments = wrap_transaction(body, transaction_id="997", control_number="0001")
    assert [s.tag for s in segments] == ["ST", "AK1", "AK9", "SE"]
    assert segments[-1].elements == [["4"], ["0001"]]


def test_gs_carries_functional_id_application_codes_control_number_and_version():
    ts = wrap_transaction([], transaction_id="997", control_number="0001")
    segments = wrap_group(
        [ts],
        functional_id="FA",
        application_sender="EDIGATE",
        application_receiver="UMBRELLA",
        control_number=77,
        version="005010X231A1",
        prepared_at=NOW,
    )
    text = write_segments(segments, D5)
    assert text.startswith("GS*FA*EDIGATE*UMBRELLA*20240116*0830*77*X*005010X231A1~")
    assert text.endswith("GE*1*77~")


@pytest.mark.parametrize(
    ("kind", "version", "gs08"),
    [("997", "00401", "004010"), ("997", "00501", "005010"), ("999", "00501", "005010X231A1")],
)
def test_ack_group_version(kind, version, gs08):
    assert ack_release(kind, version) == gs08


def test_ta1_only_interchange_has_no_group_and_iea01_zero():
    ta1 = X12Segment("TA1", [["000000001"], ["240115"], ["1030"], ["A"], ["000"]])
    text = wrap_interchange(
        [],
        sender=("ZZ", "EDIGATEDEMO"),
        receiver=("ZZ", "UMBRELLA"),
        control_number=3,
        version="00401",
        usage="T",
        delimiters=D4,
        prepared_at=NOW,
        ta1=[ta1],
    )
    assert text.split("~")[1:] == ["TA1*000000001*240115*1030*A*000", "IEA*0*000000003", ""]
    interchange = read_x12_interchanges(text)[0]
    assert interchange.errors == []
    assert interchange.usage == "T"
    assert len(interchange.ta1) == 1


def test_the_partners_line_layout_is_kept():
    delimiters = answer_delimiters(X12Delimiters("|", ":", None, "~\r\n"), "00501")
    assert delimiters == X12Delimiters("|", ":", "^", "~\r\n")
    text = wrap_interchange(
        [],
        sender=("ZZ", "A"),
        receiver=("ZZ", "B"),
        control_number=1,
        version="00501",
        usage="P",
        delimiters=delimiters,
        prepared_at=NOW,
        ta1=[X12Segment("TA1", [["000000001"], ["240115"], ["1030"], ["A"], ["000"]])],
    )
    assert text.count("~\r\n") == 3
    assert read_x12_interchanges(text)[0].errors == []
