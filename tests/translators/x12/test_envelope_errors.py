"""Envelope checks: each broken trailer or control number is a located error with its ack code."""

from __future__ import annotations

from tests.translators.x12.samples import group, interchange, po_set
from translators.errors import EdiError
from translators.x12.reader import read_x12_interchanges


def _errors(text: str) -> list[EdiError]:
    return read_x12_interchanges(text)[0].all_errors


def _only(errors: list[EdiError]) -> EdiError:
    assert len(errors) == 1, errors
    return errors[0]


def test_iea_count_mismatch_is_ta1_021_at_iea01():
    error = _only(_errors(interchange(*group(po_set()), groups=2)))
    assert (error.code, error.syntax_code, error.level) == ("IEA_COUNT_MISMATCH", "TA1:021", "interchange")
    assert (error.location.segment_tag, error.location.segment_index, error.location.element) == ("IEA", 9, 1)


def test_iea_control_mismatch_is_ta1_001_at_iea02():
    text = interchange(*group(po_set())).replace("IEA*1*000000001", "IEA*1*000000009")
    error = _only(_errors(text))
    assert (error.code, error.syntax_code) == ("IEA_CONTROL_MISMATCH", "TA1:001")
    assert (error.location.segment_tag, error.location.element) == ("IEA", 2)


def test_missing_iea_is_ta1_023():
    error = _only(_errors(interchange(*group(po_set()), iea=False)))
    assert (error.code, error.syntax_code, error.location.segment_tag) == ("IEA_MISSING", "TA1:023", "IEA")


def test_ge_count_mismatch_is_ak9_5_with_group_ref():
    error = _only(_errors(interchange(*group(po_set(), count=3, control="42"))))
    assert (error.code, error.syntax_code, error.level) == ("GE_COUNT_MISMATCH", "AK9:5", "group")
    assert (error.location.segment_tag, error.location.element, error.location.group_ref) == ("GE", 1, "42")


def test_ge_control_mismatch_is_ak9_4():
    segs = group(po_set(), control="42")
    segs[-1] = "GE*1*43"
    error = _only(_errors(interchange(*segs)))
    assert (error.code, error.syntax_code, error.location.element) == ("GE_CONTROL_MISMATCH", "AK9:4", 2)


def test_missing_ge_is_ak9_3():
    error = _only(_errors(interchange(*group(po_set())[:-1])))
    assert (error.code, error.syntax_code, error.level) == ("GE_MISSING", "AK9:3", "group")


def test_se_count_mismatch_is_ak5_4_located_in_the_set():
    tset = po_set("0007")
    tset[-1] = "SE*9*0007"
    error = _only(_errors(interchange(*group(tset, control="5"))))
    assert (error.code, error.syntax_code, error.level) == ("SE_COUNT_MISMATCH", "AK5:4", "message")
    loc = error.location
    assert (
        loc.segment_tag,
        loc.segment_index,
        loc.element,
        loc.message_ref,
        loc.message_segment,
        loc.group_ref,
    ) == ("SE", 7, 1, "0007", 5, "5")


def test_se_control_mismatch_is_ak5_3():
    tset = po_set("0007")
    tset[-1] = "SE*5*0008"
    error = _only(_errors(interchange(*group(tset))))
    assert (error.code, error.syntax_code, error.location.element) == ("SE_CONTROL_MISMATCH", "AK5:3", 2)


def test_missing_se_is_ak5_2_at_the_last_segment_of_the_set():
    error = _only(_errors(interchange(*group(po_set()[:-1]))))
    assert (error.code, error.syntax_code) == ("SE_MISSING", "AK5:2")
    assert (error.location.segment_index, error.location.message_segment) == (6, 4)


def test_duplicate_st_control_in_a_group_is_ak5_23_in_5010_and_7_before():
    error = _only(_errors(interchange(*group(po_set("0001"), po_set("0001")))))
    assert (error.code, error.syntax_code, error.location.element) == ("DUPLICATE_ST_CONTROL", "AK5:23", 2)
    old = _only(
        _errors(interchange(*group(po_set("0001"), po_set("0001"), version="004010"), version="00401"))
    )
    assert old.syntax_code == "AK5:7"


def test_duplicate_gs_control_in_an_interchange():
    error = _only(_errors(interchange(*group(po_set()), *group(po_set()))))
    assert (error.code, error.syntax_code, error.level) == ("DUPLICATE_GS_CONTROL", "AK9:19", "group")


def test_segments_outside_a_transaction_set_are_reported_once():
    segs = group(po_set())
    segs.insert(1, "REF*ZZ*STRAY")
    error = _only(_errors(interchange(*segs)))
    assert (error.code, error.syntax_code, error.location.segment_tag) == (
        "SEGMENT_OUTSIDE_TRANSACTION",
        "TA1:024",
        "REF",
    )


def test_a_set_outside_any_group_is_reported_and_not_read():
    ic = read_x12_interchanges(interchange(*po_set(), groups=0))[0]
    error = _only(ic.all_errors)
    assert (error.code, error.location.segment_tag) == ("ST_OUTSIDE_GROUP", "ST")
    assert ic.messages == []


def test_truncated_interchange_reports_every_missing_trailer():
    codes = {e.code for e in _errors(interchange(*group(po_set())[:4], iea=False))}
    assert codes == {"SE_MISSING", "GE_MISSING", "IEA_MISSING"}


def test_data_after_iea_is_trailing_data():
    error = _only(_errors(interchange(*group(po_set())) + "garbage"))
    assert (error.code, error.syntax_code) == ("TRAILING_DATA", "TA1:022")


def test_errors_round_trip_through_dicts():
    error = _only(_errors(interchange(*group(po_set()), groups=2)))
    assert EdiError.from_dict(error.to_dict()) == error
