"""997: one per functional group, every set answered, AK3/AK4 for every segment and element error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest

from tests.translators.x12.samples import FIXTURES, group, interchange, po_set
from translators.errors import EdiError, Location
from translators.x12.acks.functional import (
    build_997,
    duplicate_group_error,
    duplicate_set_error,
    functional_ack,
)
from translators.x12.acks.writer import write_segments
from translators.x12.model import X12Interchange
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction

NOW = datetime(2024, 1, 16, 8, 30, tzinfo=UTC)

UNEXPECTED = [
    "ST*850*0002",
    "BEG*00*SA*PO-2**20240115",
    "PO1*1*2*EA*3.50**VN*ITEM-1",
    "BEG*00*SA*PO-2**20240115",
    "CTT*1",
    "SE*6*0002",
]
BAD_CODE = [
    "ST*850*0003",
    "BEG*00*SA*PO-3**20240115",
    "PO1*1*2*EA*3.50**VN*ITEM-1",
    "PID*Q****GADGET",
    "CTT*1",
    "SE*6*0003",
]


def _read(text: str) -> X12Interchange:
    return read_x12_interchanges(text)[0]


def _validated(ic: X12Interchange) -> dict[str, list[EdiError]]:
    """What the gateway hands over: the validator's findings per ST02."""
    return {ts.control: validate_transaction(ts, g.version) for g in ic.groups for ts in g.transactions}


def _ack(
    ic: X12Interchange,
    errors: Mapping[str, Sequence[EdiError]] | None = None,
    **options: object,
) -> list[str]:
    """The 997 segments between ST and SE of the first group's acknowledgement, as text."""
    segments = build_997(ic, ic.groups[0], _validated(ic) if errors is None else errors, **options)  # type: ignore[arg-type]
    assert segments[0].tag == "ST" and segments[-1].tag == "SE"
    assert segments[-1].get(1) == str(len(segments))
    text = write_segments(segments, ic.delimiters)  # in the partner's layout: "~" or "~" + line break
    return [line.strip() for line in text.split("~")][1:-2]


def test_accepted_850_gets_ak2_ak5_a_and_ak9_a_1_1_1():
    ic = _read(interchange(*group(po_set("0001"), control="4711"), version="00401"))
    assert _ack(ic) == ["AK1*PO*4711", "AK2*850*0001", "AK5*A", "AK9*A*1*1*1"]


def test_5010_997_carries_ak103_and_ak203():
    ic = _read(interchange(*group(["ST*850*0001*005010X999", *po_set("0001")[1:]], control="9")))
    assert _ack(ic, version="00501")[:2] == ["AK1*PO*9*005010", "AK2*850*0001*005010X999"]


def test_se_count_mismatch_rejects_set_with_ak5_code_4():
    bad = po_set("0001")
    bad[-1] = "SE*9*0001"
    ic = _read(interchange(*group(bad)))
    assert _ack(ic)[1:] == ["AK2*850*0001", "AK5*R*4", "AK9*R*1*1*0"]


def test_unexpected_segment_is_ak3_code_2_and_rejects_the_set():
    ic = _read(interchange(*group(UNEXPECTED)))
    assert _ack(ic)[1:] == ["AK2*850*0002", "AK3*BEG*4**2", "AK5*R*5", "AK9*R*1*1*0"]


def test_unexpected_segment_tolerated_by_the_profile_is_accepted_with_errors():
    ic = _read(interchange(*group(UNEXPECTED)))
    lines = _ack(ic, tolerated=lambda e: e.code == "SEGMENT_UNEXPECTED")
    assert lines[1:] == ["AK2*850*0002", "AK3*BEG*4**2", "AK5*E*5", "AK9*E*1*1*1"]


def test_invalid_code_value_is_ak4_code_7_with_the_bad_value_copied():
    ic = _read(interchange(*group(BAD_CODE)))
    assert _ack(ic)[1:] == ["AK2*850*0003", "AK3*PID*4**8", "AK4*1*349*7*Q", "AK5*R*5", "AK9*R*1*1*0"]


def test_missing_mandatory_element_has_no_copy_of_bad_data():
    bad = po_set("0001")
    bad[1] = "BEG*00**PO-1**20240115"
    ic = _read(interchange(*group(bad)))
    assert _ack(ic)[2:4] == ["AK3*BEG*2**8", "AK4*2*92*1"]


def test_missing_mandatory_segment_is_ak3_code_3_at_the_position_it_was_missed():
    ic = _read(interchange(*group(["ST*850*0001", "PO1*1*2*EA*3.50**VN*ITEM-1", "CTT*1", "SE*4*0001"])))
    assert _ack(ic)[2] == "AK3*BEG*2**3"


def test_multi_set_group_with_some_sets_rejected_is_partially_accepted():
    ic = _read((FIXTURES / "ack_umbrella_850_mixed_004010.edi").read_bytes())
    assert _ack(ic) == [
        "AK1*PO*200",
        "AK2*850*0001",
        "AK5*A",
        "AK2*850*0002",
        "AK3*BEG*4**2",
        "AK5*R*5",
        "AK2*850*0003",
        "AK3*PID*4**8",
        "AK4*1*349*7*Q",
        "AK3*PO1*5**8",
        "AK4*2*330*2",
        "AK5*R*5",
        "AK2*850*0004",
        "AK5*R*4",
        "AK9*P*4*4*1",
    ]


def test_accepted_sets_can_be_left_out_but_the_counts_stay():
    ic = _read((FIXTURES / "ack_umbrella_850_mixed_004010.edi").read_bytes())
    lines = _ack(ic, include_accepted=False)
    assert "AK2*850*0001" not in lines
    assert lines[-1] == "AK9*P*4*4*1"


def test_duplicate_group_control_in_the_interchange_is_ak905_6_in_4010_and_19_in_5010():
    for version, release, code in (("00401", "004010", "6"), ("00501", "005010", "19")):
        text = interchange(
            *group(po_set("0001"), control="5", version=release),
            *group(po_set("0001"), control="5", version=release),
            version=version,
        )
        ic = _read(text)
        lines = write_segments(build_997(ic, ic.groups[1], _validated(ic)), ic.delimiters).split("~")
        assert lines[-3:-1] == [f"AK9*R*1*1*0*{code}", "SE*6*0001"]
        assert "AK5*R" in lines  # the sets of a rejected group are rejected with it


def test_duplicate_group_found_by_the_gateway_across_interchanges():
    ic = _read(interchange(*group(po_set("0001"), control="5", version="004010"), version="00401"))
    error = duplicate_group_error(ic.groups[0])
    assert _ack(ic, group_errors=[error])[-1] == "AK9*R*1*1*0*6"


def test_duplicate_set_control_found_by_the_gateway():
    ic = _read(interchange(*group(po_set("0001"))))
    error = duplicate_set_error(ic.messages[0], ic.groups[0])
    assert _ack(ic, {"0001": [error]})[1:3] == ["AK2*850*0001", "AK5*R*23"]


def test_ge_count_mismatch_rejects_the_group_and_reports_ge01_as_received():
    ic = _read(interchange(*group(po_set("0001"), count=3)))
    assert _ack(ic) == ["AK1*PO*1*005010", "AK2*850*0001", "AK5*R", "AK9*R*3*1*0*5"]


def test_group_errors_carried_with_each_set_are_reported_once_at_ak9():
    ic = _read(interchange(*group(po_set("0001"), po_set("0002"), count=3)))
    outcome_errors = {ts.control: [*ts.errors, *ic.groups[0].errors] for ts in ic.messages}
    assert _ack(ic, outcome_errors)[-1] == "AK9*R*3*2*0*5"


def test_set_type_not_agreed_with_the_partner_is_ak5_code_1():
    ic = _read(interchange(*group(po_set("0001"))))
    error = EdiError(
        "MESSAGE_TYPE_NOT_AGREED",
        "partner may send 810, not 850",
        Location(segment_tag="ST", element=1, message_ref="0001", message_segment=1),
        "message",
        "17",
    )
    assert _ack(ic, {"0001": [error]})[1:3] == ["AK2*850*0001", "AK5*R*1"]


def test_application_errors_without_an_x12_code_do_not_change_the_997():
    ic = _read(interchange(*group(po_set("0001"))))
    error = EdiError("UNKNOWN_ITEM", "item ITEM-1 is not in the catalogue", Location(message_ref="0001"))
    assert _ack(ic, {"0001": [error]})[1:] == ["AK2*850*0001", "AK5*A", "AK9*A*1*1*1"]


def test_functional_ack_interchange_answers_each_group_in_one_fa_group():
    text = interchange(
        *group(po_set("0001"), control="11", version="004010"),
        *group(BAD_CODE, control="12", version="004010"),
        version="00401",
    )
    ic = _read(text)
    errors = {("12", "0003"): validate_transaction(ic.groups[1].transactions[0], "004010")}
    answer = functional_ack(
        ic, kind="997", control_number=900, group_control_number=31, prepared_at=NOW, errors_by_set=errors
    )
    assert answer is not None
    lines = answer.split("~")
    assert lines[0] == (
        "ISA*00*          *00*          *ZZ*EDIGATEDEMO    *ZZ*UMBRELLA       "
        "*240116*0830*U*00401*000000900*0*P*>"
    )
    assert lines[1:] == [
        "GS*FA*EDIGATEDEMO*UMBRELLA*20240116*0830*31*X*004010",
        "ST*997*0001",
        "AK1*PO*11",
        "AK2*850*0001",
        "AK5*A",
        "AK9*A*1*1*1",
        "SE*6*0001",
        "ST*997*0002",
        "AK1*PO*12",
        "AK2*850*0003",
        "AK3*PID*4**8",
        "AK4*1*349*7*Q",
        "AK5*R*5",
        "AK9*R*1*1*0",
        "SE*8*0002",
        "GE*2*31",
        "IEA*1*000000900",
        "",
    ]


def test_functional_acks_are_never_acknowledged():
    ic = _read(
        interchange(*group(["ST*997*0001", "AK1*PO*1", "AK9*A*0*0*0", "SE*4*0001"])).replace("GS*PO", "GS*FA")
    )
    assert functional_ack(ic, kind="997", control_number=1, group_control_number=1, prepared_at=NOW) is None


def _scenarios() -> list[tuple[str, str]]:
    mixed = (FIXTURES / "ack_umbrella_850_mixed_004010.edi").read_text()
    bad_se = po_set("0001")
    bad_se[-1] = "SE*9*0001"
    return [
        ("mixed 004010", mixed),
        (
            "mixed 005010",
            mixed.replace("00401*", "00501*").replace("*U*", "*^*").replace("*004010~", "*005010~"),
        ),
        ("ge count", interchange(*group(po_set("0001"), count=3))),
        ("se count", interchange(*group(bad_se))),
        (
            "duplicate group",
            interchange(*group(po_set("0001"), control="5"), *group(po_set("0001"), control="5")),
        ),
    ]


@pytest.mark.parametrize(("name", "text"), _scenarios(), ids=[n for n, _ in _scenarios()])
@pytest.mark.parametrize("kind", ["997", "999"])
def test_our_acknowledgement_reads_back_clean_and_validates_against_its_definition(name, text, kind):
    ic = _read(text)
    answer = functional_ack(
        ic,
        kind=kind,
        control_number=55,
        group_control_number=56,
        prepared_at=NOW,
        errors_by_set=_validated(ic),
    )
    assert answer is not None
    back = _read(answer)
    assert back.all_errors == []
    for ack_group in back.groups:
        for ts in ack_group.transactions:
            assert ts.id == kind
            assert validate_transaction(ts, ack_group.version) == []
