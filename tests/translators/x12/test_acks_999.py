"""999 (005010X231A1): the 997 frame with IK3/IK4/IK5, ST03 and AK103, and CTX where context is known."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.translators.x12.samples import group, interchange, po_set
from translators.x12.acks.functional import build_999, business_unit, functional_ack
from translators.x12.acks.writer import write_segments
from translators.x12.model import X12Interchange
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction

NOW = datetime(2024, 1, 16, 8, 30, tzinfo=UTC)

ERRORS = [
    "ST*850*0007",
    "BEG*00*SA*PO-7**20240115",
    "PO1*1*2*EA*3.50**VN*ITEM-1",
    "PID*Q****GADGET",
    "PO1*2**EA*3.50**VN*ITEM-2",
    "BEG*00*SA*PO-7**20240115",
    "CTT*2",
    "SE*8*0007",
]


def _read(text: str) -> X12Interchange:
    return read_x12_interchanges(text)[0]


def _lines(ic: X12Interchange, **options: object) -> list[str]:
    errors = {ts.control: validate_transaction(ts, ic.groups[0].version) for ts in ic.messages}
    segments = build_999(ic, ic.groups[0], errors, **options)  # type: ignore[arg-type]
    return write_segments(segments, ic.delimiters).split("~")[:-1]


def test_accepted_set_in_999_has_st03_ak103_and_ik5_a():
    ic = _read(interchange(*group(po_set("0001"), control="21")))
    assert _lines(ic) == [
        "ST*999*0001*005010X231A1",
        "AK1*PO*21*005010",
        "AK2*850*0001",
        "IK5*A",
        "AK9*A*1*1*1",
        "SE*6*0001",
    ]


def test_segment_and_element_errors_are_ik3_ik4_with_element_context_for_the_conditional_rule():
    ic = _read(interchange(*group(ERRORS)))
    assert _lines(ic)[2:-2] == [
        "AK2*850*0007",
        "IK3*PID*4**8",
        "IK4*1*349*7*Q",
        "IK3*PO1*5**8",
        "IK4*2*330*2",
        "CTX*SITUATIONAL TRIGGER*PO1*5**3",  # PO102 is required because PO103 is there (C0302)
        "IK3*BEG*6**2",
        "IK5*R*5",
    ]


def test_business_unit_context_follows_each_ik3_when_the_caller_names_one():
    ic = _read(interchange(*group(ERRORS)))
    unit = business_unit(ic.messages[0])
    assert unit == ("BEG03", "PO-7")
    lines = _lines(ic, business_units={"0007": unit})
    assert lines[3:6] == ["IK3*PID*4**8", "CTX*BEG03>PO-7", "IK4*1*349*7*Q"]
    assert lines.count("CTX*BEG03>PO-7") == 3


def test_999_for_a_004010_group_is_still_a_005010_acknowledgement():
    ic = _read(interchange(*group(po_set("0001"), version="004010"), version="00401"))
    answer = functional_ack(ic, kind="999", control_number=8, group_control_number=9, prepared_at=NOW)
    assert answer is not None
    back = _read(answer)
    assert back.errors == [] and back.version == "00501" and back.delimiters.repetition == "^"
    assert back.groups[0].version == "005010X231A1"
    assert back.messages[0].segments[1].elements == [["PO"], ["1"], ["004010"]]


def test_999_with_all_details_validates_against_the_999_definition():
    ic = _read(interchange(*group(ERRORS, po_set("0008"))))
    errors = {"0007": validate_transaction(ic.messages[0], "005010")}
    answer = functional_ack(
        ic, kind="999", control_number=8, group_control_number=9, prepared_at=NOW, errors_by_set=errors
    )
    assert answer is not None
    back = _read(answer)
    assert back.all_errors == []
    assert validate_transaction(back.messages[0], back.groups[0].version) == []
    assert "AK9*P*2*2*1" in answer
