"""Validation against edigate's definitions: one test per error class, with its 997 code."""

from __future__ import annotations

import pytest

from translators.errors import EdiError
from translators.x12 import syntax_codes
from translators.x12.definitions import load
from translators.x12.model import TransactionSet, X12Segment
from translators.x12.validator import validate_transaction


def _ts(*segments: str, ts_id: str = "850") -> TransactionSet:
    body = [f"ST*{ts_id}*0001", *segments]
    body.append(f"SE*{len(body) + 1}*0001")
    out = []
    for index, text in enumerate(body, start=3):
        tag, *elements = text.split("*")
        out.append(X12Segment(tag, [e.split(">") for e in elements], index))
    return TransactionSet(ts_id, "0001", "", out, group_control="1")


BEG = "BEG*00*SA*PO-1**20240115"
PO1 = "PO1*1*2*EA*3.50**VN*X"


def _codes(errors: list[EdiError]) -> list[tuple[str, str | None]]:
    return [(e.code, e.syntax_code) for e in errors]


@pytest.mark.parametrize("version", ["004010", "005010", "004010VICS"])
def test_a_valid_order_has_no_errors(version: str):
    assert (
        validate_transaction(_ts(BEG, "REF*DP*038", "N1*BY*ACME*92*12", PO1, "PID*F****W", "CTT*1"), version)
        == []
    )


def test_unrecognized_segment_is_ak3_1():
    errors = validate_transaction(_ts(BEG, "ZZZ*1", PO1), "004010")
    assert _codes(errors) == [("SEGMENT_UNRECOGNIZED", "AK3:1")]
    loc = errors[0].location
    assert (loc.segment_tag, loc.message_segment, loc.segment_index, loc.message_ref) == ("ZZZ", 3, 5, "0001")
    assert errors[0].level == "segment"


def test_segment_out_of_order_is_ak3_2():
    errors = validate_transaction(_ts(BEG, "N1*BY*ACME*92*12", "CUR*BY*USD", PO1), "004010")
    assert _codes(errors) == [("SEGMENT_UNEXPECTED", "AK3:2")]
    assert errors[0].location.segment_tag == "CUR"


def test_missing_mandatory_segment_is_ak3_3():
    assert _codes(validate_transaction(_ts(PO1), "004010")) == [("SEGMENT_MISSING", "AK3:3")]
    errors = validate_transaction(_ts(BEG, "CTT*0"), "004010")
    assert _codes(errors) == [("SEGMENT_MISSING", "AK3:3")]
    assert "PO1" in errors[0].text


def test_loop_over_its_maximum_is_ak3_4():
    errors = validate_transaction(_ts(BEG, PO1, "CTT*1", "CTT*1"), "004010")
    assert ("LOOP_OVER_MAX", "AK3:4") in _codes(errors)


def test_segment_over_its_maximum_use_is_ak3_5():
    errors = validate_transaction(_ts(BEG, "CUR*BY*USD", "CUR*BY*USD", PO1), "004010")
    assert _codes(errors) == [("SEGMENT_OVER_MAX", "AK3:5")]


def test_mandatory_element_missing_is_ak4_1_with_position():
    errors = validate_transaction(_ts("BEG*00**PO-1**20240115", PO1), "004010")
    assert _codes(errors) == [("ELEMENT_MISSING", "AK4:1")]
    assert (errors[0].location.element, errors[0].level) == (2, "element")


def test_broken_syntax_note_is_ak4_2():
    errors = validate_transaction(_ts(BEG, "N1*BY", PO1), "004010")
    assert _codes(errors) == [("ELEMENT_CONDITION", "AK4:2")]


def test_too_many_elements_is_ak4_3():
    assert _codes(validate_transaction(_ts(BEG, "REF*DP*12*x*DP>12*z", PO1), "004010")) == [
        ("TOO_MANY_ELEMENTS", "AK4:3")
    ]


def test_too_short_and_too_long_are_ak4_4_and_ak4_5():
    assert _codes(validate_transaction(_ts(BEG, "CUR*BY*US", PO1), "004010")) == [
        ("ELEMENT_TOO_SHORT", "AK4:4")
    ]
    long_ref = "REF*DP*" + "X" * 31
    assert _codes(validate_transaction(_ts(BEG, long_ref, PO1), "004010")) == [("ELEMENT_TOO_LONG", "AK4:5")]
    assert validate_transaction(_ts(BEG, long_ref, PO1), "005010") == []  # REF02 is 1/50 in 005010


def test_not_a_number_is_ak4_6():
    errors = validate_transaction(_ts(BEG, "PO1*1*two*EA", "CTT*1"), "004010")
    assert _codes(errors) == [("ELEMENT_INVALID_CHAR", "AK4:6")]
    assert errors[0].location.element == 2


def test_implied_decimal_number_counts_digits_only():
    assert (
        validate_transaction(_ts("BIG*20240101*1", "IT1*1*1*EA*1", "TDS*-12345", ts_id="810"), "004010") == []
    )
    errors = validate_transaction(_ts("BIG*20240101*1", "IT1*1*1*EA*1", "TDS*12.5", ts_id="810"), "004010")
    assert _codes(errors) == [("ELEMENT_INVALID_CHAR", "AK4:6")]


def test_code_outside_a_closed_list_is_ak4_7():
    errors = validate_transaction(_ts("BAK*00*XX*PO-1*20240115", ts_id="855"), "004010")
    assert _codes(errors) == [("ELEMENT_INVALID_CODE", "AK4:7")]


def test_invalid_date_is_ak4_8_and_invalid_time_ak4_9():
    assert _codes(validate_transaction(_ts("BEG*00*SA*PO-1**20240230", PO1), "004010")) == [
        ("ELEMENT_INVALID_DATE", "AK4:8")
    ]
    assert _codes(validate_transaction(_ts(BEG, "DTM*002*20240101*2561", PO1), "004010")) == [
        ("ELEMENT_INVALID_TIME", "AK4:9")
    ]


def test_exclusion_is_ak4_10():
    errors = validate_transaction(_ts(BEG, "N1*ST*X*92*12", "N4*CITY*MO**US***ZZ", PO1), "005010")
    assert _codes(errors) == [("ELEMENT_EXCLUSION", "AK4:10")]


def test_unknown_transaction_set_or_version_is_one_clear_error():
    errors = validate_transaction(_ts(BEG, ts_id="204"), "004010")
    assert _codes(errors) == [("UNSUPPORTED_TRANSACTION", "AK5:1")]
    assert "204" in errors[0].text and "850" in errors[0].text
    assert _codes(validate_transaction(_ts(BEG, PO1), "003010")) == [("UNSUPPORTED_TRANSACTION", "AK5:1")]


def test_856_hl_loop_accepts_a_shipment_order_item_hierarchy():
    ts = _ts(
        "BSN*00*A1*20240120*1530",
        "HL*1**S",
        "TD1*PLT*1",
        "REF*BM*1",
        "DTM*011*20240120",
        "N1*ST*X*92*12",
        "HL*2*1*O",
        "PRF*PO-1",
        "HL*3*2*I",
        "LIN*1*VN*X",
        "SN1**1*EA",
        "CTT*3",
        ts_id="856",
    )
    assert validate_transaction(ts, "004010") == []


def test_997_and_999_definitions_exist_where_the_standard_has_them():
    assert load("997", "004010") is not None and load("997", "005010X230") is not None
    assert load("999", "005010X231A1") is not None and load("999", "004010") is None


def test_syntax_code_scheme_tells_segment_from_element_errors():
    assert syntax_codes.split("AK3:3") == ("AK3", "3")
    assert syntax_codes.split("AK4:7") == ("AK4", "7")
    assert syntax_codes.split(None) is None
