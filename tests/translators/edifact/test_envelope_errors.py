"""Envelope checks: each problem is an EdiError value with its code, CONTRL 0085 code and location."""

from __future__ import annotations

import pytest

from translators.edifact.reader import read_interchange
from translators.errors import EdiError

from .samples import interchange, orders_message

GROUP_HEADER = "UNG+ORDERS+SENDER:14+RECEIVER:14+240115:1030+G1+UN+D:96A"


def _only(errors: list[EdiError]) -> EdiError:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_a_correct_envelope_has_no_errors():
    assert read_interchange(interchange(*orders_message("1"), *orders_message("2"))).all_errors == []


def test_unt_count_mismatch_is_reported_with_syntax_code_29():
    segments = orders_message("M1")
    segments[-1] = "UNT+7+M1"  # the message has 9 segments
    ic = read_interchange(interchange(*segments))
    error = _only(ic.all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNT_COUNT_MISMATCH", "29", "message")
    loc = error.location
    assert (loc.segment_index, loc.segment_tag, loc.element, loc.component) == (10, "UNT", 1, 1)
    assert (loc.message_ref, loc.message_segment) == ("M1", 9)
    assert error in ic.messages[0].errors


def test_unt_reference_mismatch_is_reported_with_syntax_code_28():
    segments = orders_message("M1")
    segments[-1] = "UNT+9+M2"
    error = _only(read_interchange(interchange(*segments)).all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNT_REFERENCE_MISMATCH", "28", "message")
    loc = error.location
    assert (loc.segment_tag, loc.element, loc.message_ref) == ("UNT", 2, "M1")


def test_unt_count_that_is_not_a_number_is_reported_with_syntax_code_12():
    segments = orders_message("M1")
    segments[-1] = "UNT+X+M1"
    error = _only(read_interchange(interchange(*segments)).all_errors)
    assert (error.code, error.syntax_code) == ("UNT_COUNT_INVALID", "12")


def test_unt_missing_before_next_unh_is_reported_with_syntax_code_13():
    first = orders_message("M1")[:-1]  # no UNT
    ic = read_interchange(interchange(*first, *orders_message("M2")))
    error = _only(ic.all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNT_MISSING", "13", "message")
    # CONTRL reports a missing segment at the last segment processed.
    assert (error.location.segment_index, error.location.segment_tag) == (9, "UNT")
    assert (error.location.message_ref, error.location.message_segment) == ("M1", 8)
    assert [m.reference for m in ic.messages] == ["M1", "M2"]
    assert error in ic.messages[0].errors


def test_truncated_interchange_reports_unt_missing_and_unz_missing():
    ic = read_interchange(interchange(*orders_message("M1")[:5], unz=False))
    codes = {(e.code, e.syntax_code, e.level) for e in ic.all_errors}
    assert codes == {("UNT_MISSING", "13", "message"), ("UNZ_MISSING", "13", "interchange")}
    assert ic.trailer is None


def test_unz_missing_is_reported_with_syntax_code_13():
    ic = read_interchange(interchange(*orders_message(), unz=False))
    error = _only(ic.all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNZ_MISSING", "13", "interchange")
    assert (error.location.segment_tag, error.location.segment_index) == ("UNZ", 10)


def test_unz_count_mismatch_counts_messages_with_syntax_code_29():
    ic = read_interchange(interchange(*orders_message("1"), *orders_message("2"), count=3))
    error = _only(ic.all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNZ_COUNT_MISMATCH", "29", "interchange")
    loc = error.location
    assert (loc.segment_index, loc.segment_tag, loc.element) == (20, "UNZ", 1)
    assert error in ic.errors


def test_unz_count_counts_groups_when_groups_are_used():
    group = [GROUP_HEADER, *orders_message("1"), *orders_message("2"), "UNE+2+G1"]
    assert read_interchange(interchange(*group, count=1)).all_errors == []
    error = _only(read_interchange(interchange(*group, count=2)).all_errors)
    assert (error.code, error.syntax_code) == ("UNZ_COUNT_MISMATCH", "29")
    assert "groups" in error.text


def test_unz_reference_mismatch_is_reported_with_syntax_code_28():
    text = interchange(*orders_message()).replace("UNZ+1+IC1", "UNZ+1+IC2")
    error = _only(read_interchange(text).all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNZ_REFERENCE_MISMATCH", "28", "interchange")
    assert (error.location.segment_tag, error.location.element) == ("UNZ", 2)


def test_une_count_mismatch_is_reported_with_syntax_code_29():
    ic = read_interchange(interchange(GROUP_HEADER, *orders_message("1"), "UNE+2+G1"))
    error = _only(ic.all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNE_COUNT_MISMATCH", "29", "group")
    assert (error.location.segment_tag, error.location.element, error.location.group_ref) == ("UNE", 1, "G1")
    assert error in ic.groups[0].errors


def test_une_reference_mismatch_is_reported_with_syntax_code_28():
    error = _only(read_interchange(interchange(GROUP_HEADER, *orders_message("1"), "UNE+1+G9")).all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNE_REFERENCE_MISMATCH", "28", "group")
    assert (error.location.segment_tag, error.location.element) == ("UNE", 2)


def test_une_missing_is_reported_with_syntax_code_13():
    error = _only(read_interchange(interchange(GROUP_HEADER, *orders_message("1"))).all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNE_MISSING", "13", "group")


def test_groups_mixed_with_ungrouped_messages_are_reported_with_syntax_code_30():
    text = interchange(*orders_message("1"), GROUP_HEADER, *orders_message("2"), "UNE+1+G1", count=1)
    error = _only(read_interchange(text).all_errors)
    assert (error.code, error.syntax_code, error.level) == ("GROUPS_AND_MESSAGES_MIXED", "30", "interchange")
    assert error.location.segment_tag == "UNG"


def test_segments_outside_a_message_are_reported_once_per_run_with_syntax_code_33():
    text = interchange("BGM+220+X+9", "DTM+137:20240115:102", *orders_message("1"), "FTX+AAI+++stray")
    ic = read_interchange(text)
    errors = ic.all_errors
    assert [(e.code, e.syntax_code, e.location.segment_index, e.location.segment_tag) for e in errors] == [
        ("SEGMENT_OUTSIDE_MESSAGE", "33", 2, "BGM"),
        ("SEGMENT_OUTSIDE_MESSAGE", "33", 13, "FTX"),
    ]
    assert "2 segments" in errors[0].text


def test_unt_without_unh_is_a_segment_outside_a_message():
    error = _only(read_interchange(interchange(*orders_message("1"), "UNT+2+9")).all_errors)
    assert (error.code, error.location.segment_tag) == ("SEGMENT_OUTSIDE_MESSAGE", "UNT")


@pytest.mark.parametrize("version", ["0", "5", "X"])
def test_unsupported_syntax_version_is_reported_with_syntax_code_2(version):
    error = _only(read_interchange(interchange(*orders_message(), charset=f"UNOC:{version}")).all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNSUPPORTED_SYNTAX_VERSION", "2", "interchange")
    assert (error.location.segment_tag, error.location.element, error.location.component) == ("UNB", 1, 2)


@pytest.mark.parametrize(
    ("unb", "element", "component"),
    [
        ("UNB+UNOC:3++RECEIVER:14+240115:1030+IC1", 2, 1),
        ("UNB+UNOC:3+SENDER:14++240115:1030+IC1", 3, 1),
        ("UNB+UNOC:3+SENDER:14+RECEIVER:14+:1030+IC1", 4, 1),
        ("UNB+UNOC:3+SENDER:14+RECEIVER:14+240115+IC1", 4, 2),
        ("UNB+UNOC:3+SENDER:14+RECEIVER:14+240115:1030", 5, 1),
    ],
)
def test_unb_missing_mandatory_element_is_reported_with_syntax_code_13(unb, element, component):
    ref = "IC1" if element != 5 else ""
    text = unb + "'" + "".join(s + "'" for s in orders_message()) + f"UNZ+1+{ref}'"
    error = _only(read_interchange(text).all_errors)
    assert (error.code, error.syntax_code, error.level) == ("UNB_ELEMENT_MISSING", "13", "interchange")
    loc = error.location
    assert (loc.segment_index, loc.segment_tag, loc.element, loc.component) == (1, "UNB", element, component)


def test_invalid_preparation_date_is_reported_with_syntax_code_12():
    ic = read_interchange(interchange(*orders_message(), date="241315:2500"))
    error = _only(ic.all_errors)
    assert (error.code, error.syntax_code, error.location.element) == ("UNB_DATE_INVALID", "12", 4)
    assert ic.prepared_at is None


def test_unh_without_message_type_is_reported_with_syntax_code_13():
    ic = read_interchange(interchange("UNH+1+:D:96A:UN", "BGM+220+1+9", "UNT+3+1"))
    error = _only(ic.all_errors)
    assert (error.code, error.syntax_code) == ("UNH_ELEMENT_MISSING", "13")
    loc = error.location
    assert (loc.segment_tag, loc.element, loc.component, loc.message_ref, loc.message_segment) == (
        "UNH", 2, 1, "1", 1,
    )


def test_interchange_without_messages_is_reported_with_syntax_code_32():
    error = _only(read_interchange(interchange(count=0)).all_errors)
    assert (error.code, error.syntax_code) == ("INTERCHANGE_EMPTY", "32")


def test_errors_serialise_with_their_location():
    segments = orders_message("M1")
    segments[-1] = "UNT+7+M1"
    error = read_interchange(interchange(*segments)).all_errors[0]
    assert EdiError.from_dict(error.to_dict()) == error
    assert "message M1" in str(error) and "UNT #10" in str(error)
