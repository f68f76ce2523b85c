"""Reading partners' TA1/997/999 into reports, and reading back our own with the same statuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.translators.x12.samples import FIXTURES, group, interchange, po_set
from translators.x12.acks.functional import functional_ack
from translators.x12.acks.parse import ContextNote, ElementNote, parse_acks, parse_functional_ack, parse_ta1
from translators.x12.acks.ta1 import ta1_interchange
from translators.x12.model import TransactionSet, X12Interchange, X12Segment
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction

NOW = datetime(2024, 1, 16, 8, 30, tzinfo=UTC)


def _read(data: str | bytes) -> X12Interchange:
    return read_x12_interchanges(data)[0]


def test_partner_997_reports_group_sets_and_every_note():
    (report,) = parse_acks(_read((FIXTURES / "ack_partner_997_004010.edi").read_bytes()))
    assert (report.kind, report.functional_id, report.group_control, report.ack_control) == (
        "997",
        "PR",
        "52",
        "0001",
    )
    assert (report.status, report.code, report.included, report.received, report.accepted) == (
        "partially_accepted",
        "P",
        3,
        3,
        2,
    )
    assert [(s.control, s.status, s.errors) for s in report.sets] == [
        ("0001", "accepted", ()),
        ("0002", "accepted_with_errors", ("5",)),
        ("0003", "rejected", ("5",)),
    ]
    n1, bak = report.sets[1].segments
    assert (n1.segment_tag, n1.position, n1.code, n1.elements) == ("N1", 3, "", ())  # AK304 is optional
    assert bak.elements == (
        ElementNote(2, None, None, "587", "7", "XX"),
        ElementNote(4, 1, None, "", "8", ""),
    )
    assert report.sets[2].segments[0].loop_id == "PO1"


def test_partner_999_with_contexts_and_security_rejection_code():
    (report,) = parse_acks(_read((FIXTURES / "ack_partner_999_005010.edi").read_bytes()))
    assert (report.kind, report.functional_id, report.version, report.status, report.errors) == (
        "999",
        "IN",
        "005010",
        "rejected",
        ("2",),
    )
    first, second = report.sets
    assert first.implementation_reference == "005010"
    (it1,) = first.segments
    assert it1.context == (ContextNote("BIG02", "INV-77"),)
    assert [e.code for e in it1.elements] == ["5", "7"]
    assert it1.elements[1].context == (ContextNote("SITUATIONAL TRIGGER", "", "IT1", 5, "", 2),)
    assert (second.code, second.status) == ("W", "rejected")


def test_partner_ta1_reports_the_interchange_and_its_note_code():
    (report,) = parse_acks(_read((FIXTURES / "ack_partner_ta1_00501.edi").read_bytes()))
    assert (report.kind, report.interchange_control, report.date, report.time) == (
        "TA1",
        "000000051",
        "240116",
        "2210",
    )
    assert (report.status, report.code, report.errors) == ("rejected", "R", ("025",))


@pytest.mark.parametrize(
    ("code", "status"), [("A", "accepted"), ("E", "accepted_with_errors"), ("R", "rejected")]
)
def test_every_ta104_value_is_understood(code, status):
    segment = X12Segment("TA1", [["000000001"], ["240101"], ["1200"], [code], ["000"]])
    assert parse_ta1(segment).status == status


@pytest.mark.parametrize("code", ["M", "W", "X"])
def test_security_rejections_in_ak501_and_ak901_are_rejections(code):
    ts = TransactionSet(
        "997",
        "0001",
        "",
        [
            X12Segment("ST", [["997"], ["0001"]]),
            X12Segment("AK1", [["IN"], ["7"]]),
            X12Segment("AK2", [["810"], ["0001"]]),
            X12Segment("AK5", [[code]]),
            X12Segment("AK9", [[code], ["1"], ["1"], ["0"]]),
            X12Segment("SE", [["6"], ["0001"]]),
        ],
    )
    report = parse_functional_ack(ts)
    assert report.status == "rejected" and report.sets[0].status == "rejected"


def test_an_unknown_status_code_is_refused_with_its_name_not_guessed():
    segment = X12Segment("TA1", [["000000001"], ["240101"], ["1200"], ["Q"], ["000"]])
    with pytest.raises(ValueError, match=r"TA104 .* is 'Q'"):
        parse_ta1(segment)


def _mixed() -> X12Interchange:
    return _read((FIXTURES / "ack_umbrella_850_mixed_004010.edi").read_bytes())


@pytest.mark.parametrize("kind", ["997", "999"])
def test_round_trip_gives_back_the_statuses_we_built(kind):
    ic = _mixed()
    errors = {ts.control: validate_transaction(ts, "004010") for ts in ic.messages}
    answer = functional_ack(
        ic, kind=kind, control_number=3, group_control_number=4, prepared_at=NOW, errors_by_set=errors
    )
    assert answer is not None
    (report,) = parse_acks(_read(answer))
    assert (report.kind, report.functional_id, report.group_control) == (kind, "PO", "200")
    assert (report.status, report.included, report.received, report.accepted) == (
        "partially_accepted",
        4,
        4,
        1,
    )
    assert [(s.control, s.status, s.errors) for s in report.sets] == [
        ("0001", "accepted", ()),
        ("0002", "rejected", ("5",)),
        ("0003", "rejected", ("5",)),
        ("0004", "rejected", ("4",)),
    ]
    bad_code = report.sets[2].segments[0]
    assert (bad_code.segment_tag, bad_code.position, bad_code.code) == ("PID", 4, "8")
    assert bad_code.elements[0] == ElementNote(1, None, None, "349", "7", "Q")


def test_round_trip_of_a_ta1():
    ic = _read(interchange(*group(po_set()), groups=2, control=77))
    (report,) = parse_acks(_read(ta1_interchange(ic, control_number=5, prepared_at=NOW)))
    assert (report.interchange_control, report.status, report.errors) == ("000000077", "rejected", ("021",))
