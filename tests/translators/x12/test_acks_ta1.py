"""TA1: when it is due, and TA104/TA105 telling the partner what happened to its interchange."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.translators.x12.samples import group, interchange, po_set
from translators.errors import EdiError, Location
from translators.x12.acks.functional import functional_ack
from translators.x12.acks.ta1 import build_ta1, interchange_rejected, ta1_interchange, ta1_needed
from translators.x12.model import X12Interchange
from translators.x12.reader import read_x12_interchanges

NOW = datetime(2024, 1, 16, 8, 30, tzinfo=UTC)


def _read(text: str) -> X12Interchange:
    return read_x12_interchanges(text)[0]


def _requested(text: str) -> str:
    """Set ISA14 (acknowledgment requested) to 1."""
    return text.replace("*0*P*>~", "*1*P*>~", 1)


def _duplicate(ic: X12Interchange) -> EdiError:
    return EdiError(
        "DUPLICATE_INTERCHANGE",
        f"ISA13 {ic.control_number} was already received from this sender",
        Location(segment_index=1, segment_tag="ISA", element=13),
        "interchange",
        "TA1:025",
    )


def test_ack_requested_and_clean_interchange_gets_ta1_accepted_000():
    ic = _read(_requested(interchange(*group(po_set()), control=123)))
    assert ta1_needed(ic, [], "on_request")
    segment = build_ta1(ic, [])
    assert segment.elements == [["000000123"], ["240115"], ["1030"], ["A"], ["000"]]


def test_iea_count_mismatch_gets_ta1_rejected_021():
    ic = _read(interchange(*group(po_set()), groups=2))
    assert ta1_needed(ic, [], "on_request")  # a bad envelope is answered even when not requested
    assert build_ta1(ic).elements[3:] == [["R"], ["021"]]


def test_ta1_is_accepted_with_errors_when_the_caller_processed_the_interchange_anyway():
    ic = _read(interchange(*group(po_set()), groups=2))
    assert build_ta1(ic, processed=True).elements[3:] == [["E"], ["021"]]


def test_duplicate_interchange_found_by_the_gateway_is_rejected_025():
    ic = _read(interchange(*group(po_set())))
    assert build_ta1(ic, [_duplicate(ic)]).elements[3:] == [["R"], ["025"]]
    assert interchange_rejected(ic, [_duplicate(ic)])


def test_the_first_problem_names_the_note_code_and_reader_errors_passed_again_count_once():
    ic = _read(interchange(*group(po_set()), groups=2).replace("IEA*2*000000001", "IEA*2*000000009"))
    assert [e.syntax_code for e in ic.errors] == ["TA1:021", "TA1:001"]
    assert build_ta1(ic, ic.errors).elements[3:] == [["R"], ["021"]]


@pytest.mark.parametrize(
    ("policy", "requested", "broken", "expected"),
    [
        ("always", False, False, True),
        ("on_request", False, False, False),
        ("on_request", True, False, True),
        ("on_request", False, True, True),
        ("on_error", True, False, False),
        ("on_error", False, True, True),
        ("never", True, True, False),
    ],
)
def test_ta1_policy(policy, requested, broken, expected):
    text = interchange(*group(po_set()), groups=2 if broken else None)
    ic = _read(_requested(text) if requested else text)
    assert ta1_needed(ic, [], policy) is expected


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="policy"):
        ta1_needed(_read(interchange(*group(po_set()))), [], "sometimes")  # type: ignore[arg-type]


def test_ta1_interchange_is_isa_ta1_iea_addressed_back_to_the_sender():
    ic = _read(interchange(*group(po_set()), groups=2, version="00401"))
    text = ta1_interchange(ic, control_number=17, prepared_at=NOW)
    lines = text.split("~")
    assert lines[0][:3] == "ISA"
    assert lines[1:] == ["TA1*000000001*240115*1030*R*021", "IEA*0*000000017", ""]
    answer = _read(text)
    assert answer.errors == []
    assert (answer.sender_id, answer.receiver_id, answer.version) == ("EDIGATEDEMO", "UMBRELLA", "00401")


def test_no_functional_ack_for_an_interchange_whose_envelope_is_rejected():
    ic = _read(interchange(*group(po_set()), groups=2))
    answer = functional_ack(ic, kind="997", control_number=1, group_control_number=1, prepared_at=NOW)
    assert answer is None
