"""CONTRL in syntax 3 and 4, receipts, every 0085 error class, and what pydifact reads back.

The syntax version of the answer is the one of the interchange answered; the layouts differ in the
UNH S009 (``CONTRL:D:3:UN`` / ``CONTRL:4:1:UN``), the date, and S011, which gains the occurrence of
a repeated element in syntax 4. pydifact is an independent reader: what it reads back from our
CONTRL must be exactly the segments we meant to send.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import pytest

from partners.profile import EdifactIdentity
from translators.edifact.contrl import (
    ElementError,
    build_contrl,
    contrl_action,
    parse_contrl,
    parse_contrls,
    receipt_requested,
    syntax_code,
)
from translators.edifact.model import Interchange
from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message
from translators.errors import EdiError, Location

pydifact_collection = pytest.importorskip("pydifact.segmentcollection")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
US = EdifactIdentity(id="4000001000005", qualifier="14")
PREPARED = datetime(2026, 1, 16, 9, 5)

SYNTAX_4_ORDERS = (
    "UNA:+.?*'UNB+UNOC:4+5412345000013:14+4000001000005:14+20260115:0930+IC4'"
    "UNH+M1+ORDERS:D:96A:UN'BGM+220+PO-1*PO-2+9'DTM+137:20260115:102'NAD+BY+5412345000013::9'"
    "LIN+1++4000001000012:EN'QTY+21:4x8'UNS+S'UNT+8+M1'UNZ+1+IC4'"
)


def received(name: str) -> Interchange:
    return read_interchange((FIXTURES / name).read_bytes())


def contrl(interchange: Interchange, **options) -> str:
    text = build_contrl(interchange, sender=US, control_reference="5001", prepared_at=PREPARED, **options)
    assert text is not None
    return text


def pydifact_segments(text: str) -> list[str]:
    """Our CONTRL as pydifact reads it, each segment rendered back with + and : (no escaping)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns about segments it has no definition for
        interchange = pydifact_collection.Interchange.from_str(text)
    rendered = []
    for segment in interchange.segments:
        parts = [":".join(e) if isinstance(e, list) else e for e in segment.elements]
        rendered.append("+".join([segment.tag, *parts]))
    return rendered


def ours(text: str) -> list[str]:
    """Our CONTRL's message segments as our reader reads them, rendered the same way."""
    interchange = read_interchange(text)
    assert interchange.all_errors == [], [str(e) for e in interchange.all_errors]
    return ["+".join([s.tag, *(":".join(e) for e in s.elements)]) for s in interchange.messages[0].segments]


# -- syntax 3 and syntax 4 -----------------------------------------------------------------------


def test_syntax_3_interchange_gets_contrl_d_3_read_back_identically_by_pydifact() -> None:
    text = contrl(received("contrl_orders_unt_count_wrong.edi"), report_accepted_messages=True)
    expected = [
        "UNH+1+CONTRL:D:3:UN",
        "UCI+ACME000124+5412345000013:14+4000001000005:14+7",
        "UCM+ME000002+ORDERS:D:96A:UN:EAN008+4+29+UNT+1:1",
        "UNT+4+1",
    ]
    assert pydifact_segments(text) == expected
    assert ours(text) == expected


def test_syntax_4_interchange_gets_contrl_4_1_with_an_eight_digit_date() -> None:
    interchange = read_interchange(SYNTAX_4_ORDERS)
    text = contrl(interchange, report_accepted_messages=True)
    assert text.startswith("UNA:+.?*'UNB+UNOC:4+4000001000005:14+5412345000013:14+20260116:0905+5001'")
    expected = [
        "UNH+1+CONTRL:4:1:UN",
        "UCI+IC4+5412345000013:14+4000001000005:14+7",
        "UCM+M1+ORDERS:D:96A:UN+7",
        "UNT+4+1",
    ]
    assert pydifact_segments(text) == expected
    assert ours(text) == expected
    assert parse_contrl(read_interchange(text)).syntax_version == 4


def test_syntax_4_ucd_names_the_occurrence_of_a_repeated_element() -> None:
    interchange = read_interchange(SYNTAX_4_ORDERS)
    errors = validate_message(interchange.messages[0])
    assert {(e.code, e.syntax_code) for e in errors} >= {
        ("TOO_MANY_REPETITIONS", "35"),
        ("INVALID_CHARACTER_TYPE", "37"),
    }
    text = contrl(interchange, message_errors={"M1": errors})
    expected = [
        "UNH+1+CONTRL:4:1:UN",
        "UCI+IC4+5412345000013:14+4000001000005:14+7",
        "UCM+M1+ORDERS:D:96A:UN+4",
        "UCS+2",
        "UCD+35+2::2",
        "UCS+6",
        "UCD+37+1:2",
        "UNT+8+1",
    ]
    assert pydifact_segments(text) == expected
    assert ours(text) == expected
    contrl_message = read_interchange(text).messages[0]
    assert validate_message(contrl_message) == []
    element = parse_contrl(read_interchange(text)).messages[0].segments[0].element_errors[0]
    assert (element.code, element.element, element.component, element.occurrence) == ("35", 2, None, 2)


def test_syntax_3_ucd_never_carries_an_occurrence() -> None:
    interchange = received("acme_orders_d96a.edi")
    error = EdiError(
        "TOO_MANY_REPETITIONS",
        "repeated",
        Location(segment_tag="BGM", element=2, message_ref="ME000001", message_segment=2),
        syntax_code="35",
    )
    assert "UCD+35+2" in pydifact_segments(contrl(interchange, message_errors={"ME000001": [error]}))


def test_syntax_3_uci_keeps_at_most_three_party_components_and_ucm_five_identifier_components() -> None:
    interchange = read_interchange(
        "UNB+UNOC:3+P:ZZ:ROUTE:EXTRA+US:14+260115:0930+R1'"
        "UNH+M1+ORDERS:D:96A:UN:EAN008:X:Y'BGM+220+X'UNT+3+M1'UNZ+1+R1'"
    )
    segments = pydifact_segments(contrl(interchange, report_accepted_messages=True))
    assert segments[1:3] == ["UCI+R1+P:ZZ:ROUTE+US:14+7", "UCM+M1+ORDERS:D:96A:UN:EAN008+7"]


# -- receipts (action 8) -------------------------------------------------------------------------


def test_receipt_only_is_a_uci_with_action_8_and_nothing_below_it() -> None:
    interchange = received("contrl_orders_two_groups.edi")
    text = contrl(interchange, receipt_only=True, report_accepted_messages=True)
    expected = ["UNH+1+CONTRL:D:3:UN", "UCI+ACME000125+5412345000013:14+4000001000005:14+8", "UNT+3+1"]
    assert pydifact_segments(text) == expected
    report = parse_contrl(read_interchange(text))
    assert (report.interchange.action, report.state, report.accepted) == ("8", "received", True)
    assert contrl_action(interchange, receipt_only=True) == "8"


def test_receipt_of_an_interchange_rejected_at_envelope_level_still_says_4() -> None:
    interchange = read_interchange(
        "UNB+UNOA:3+S1:ZZ+R1:ZZ+260115:0930+77++++2'UNH+M1+ORDERS:D:96A:UN'UNT+2+M1'UNZ+2+77'"
    )
    assert receipt_requested(interchange)
    assert pydifact_segments(contrl(interchange, receipt_only=True))[1] == "UCI+77+S1:ZZ+R1:ZZ+4+29+UNZ+1:1"


def test_receipt_is_requested_by_unb_0031_2_only() -> None:
    assert not receipt_requested(received("acme_orders_d96a.edi"))  # 0031 = 1: functional CONTRL


# -- every error class, exactly where ISO 9735 puts it -------------------------------------------

LEVEL_CASES = [
    # (edigate code, 0085, element, component, expected UCS/UCD lines)
    ("INVALID_CODE", "12", 1, 1, ["UCS+4", "UCD+12+1:1"]),
    ("ELEMENT_MISSING", "13", 2, None, ["UCS+4", "UCD+13+2"]),
    ("MISSING_SEGMENT", "13", None, None, ["UCS+4+13"]),
    ("SEGMENT_UNEXPECTED", "15", None, None, ["UCS+4+15"]),
    ("TOO_MANY_COMPONENTS", "16", 1, 4, ["UCS+4", "UCD+16+1:4"]),
    ("TOO_MANY_ELEMENTS", "16", 3, None, ["UCS+4", "UCD+16+3"]),
    ("SEGMENT_TOO_MANY", "35", None, None, ["UCS+4+35"]),
    ("GROUP_TOO_MANY", "36", None, None, ["UCS+4+36"]),
    ("INVALID_CHARACTER_TYPE", "37", 1, 2, ["UCS+4", "UCD+37+1:2"]),
    ("VALUE_TOO_LONG", "39", 2, None, ["UCS+4", "UCD+39+2"]),
    ("VALUE_TOO_SHORT", "40", 1, 2, ["UCS+4", "UCD+40+1:2"]),
]


@pytest.mark.parametrize(("code", "syntax", "element", "component", "lines"), LEVEL_CASES)
def test_segment_and_element_errors_carry_their_0085_code_at_their_position(
    code: str, syntax: str, element: int | None, component: int | None, lines: list[str]
) -> None:
    error = EdiError(
        code,
        "x",
        Location(
            segment_tag="DTM", element=element, component=component, message_ref="ME000001", message_segment=4
        ),
        syntax_code=syntax,
    )
    segments = pydifact_segments(
        contrl(received("acme_orders_d96a.edi"), message_errors={"ME000001": [error]})
    )
    assert segments[2:-1] == ["UCM+ME000001+ORDERS:D:96A:UN:EAN008+4", *lines]


@pytest.mark.parametrize(("code", "syntax"), [(code, syntax) for code, syntax, *_ in LEVEL_CASES])
def test_an_error_that_lost_its_syntax_code_still_gets_the_right_one(code: str, syntax: str) -> None:
    assert syntax_code(EdiError(code, "restored from an old store")) == syntax


def test_an_unknown_error_without_a_syntax_code_is_18_unspecified() -> None:
    assert syntax_code(EdiError("SOMETHING_NEW", "?")) == "18"


def test_duplicate_interchange_rejects_uci_with_26() -> None:
    duplicate = EdiError(
        "DUPLICATE_INTERCHANGE",
        "ACME000123 was already received with other content",
        Location(segment_index=1, segment_tag="UNB", element=5),
        "interchange",
        "26",
    )
    segments = pydifact_segments(contrl(received("acme_orders_d96a.edi"), extra_errors=[duplicate]))
    assert segments[1] == "UCI+ACME000123+5412345000013:14+4000001000005:14+4+26+UNB+5"


def test_duplicate_message_rejects_its_ucm_with_26_and_keeps_the_group_acknowledged() -> None:
    duplicate = EdiError(
        "DUPLICATE_MESSAGE",
        "UNH ME000003 repeats",
        Location(segment_tag="UNH", element=1, message_ref="ME000003", message_segment=1, group_ref="G001"),
        "message",
    )
    segments = pydifact_segments(contrl(received("contrl_orders_two_groups.edi"), extra_errors=[duplicate]))
    assert segments[1:5] == [
        "UCI+ACME000125+5412345000013:14+4000001000005:14+7",
        "UCF+G001+5412345000013:14+4000001000005:14+7",
        "UCM+ME000003+ORDERS:D:96A:UN:EAN008+4+26+UNH+1",
        "UCF+G002+5412345000013:14+4000001000005:14+7",
    ]


def test_groups_in_syntax_4_read_back_with_pydifact() -> None:
    interchange = read_interchange(
        "UNA:+.?*'UNB+UNOC:4+P:14+US:14+20260115:0930+IC9'"
        "UNG+ORDERS+P:14+US:14+20260115:0930+G1+UN+D:96A'UNH+M1+ORDERS:D:96A:UN'BGM+220+X'UNT+3+M1'UNE+1+G1'"
        "UNZ+1+IC9'"
    )
    text = contrl(interchange, report_accepted_messages=True)
    assert pydifact_segments(text) == [
        "UNH+1+CONTRL:4:1:UN",
        "UCI+IC9+P:14+US:14+7",
        "UCF+G1+P:14+US:14+7",
        "UCM+M1+ORDERS:D:96A:UN+7",
        "UNT+5+1",
    ]


# -- partners' CONTRLs ---------------------------------------------------------------------------


def test_partner_syntax_4_contrl_with_groups_reports_each_level_and_element_detail() -> None:
    report = parse_contrl(received("contrl_incoming_syntax4_groups.edi"))
    assert (report.syntax_version, report.contrl_reference, report.interchange.reference) == (4, "C1", "5001")
    assert (report.interchange.sender, report.interchange.recipient) == (
        "4000001000005:14",
        "5412345000013:14",
    )
    assert report.group_references == ("G01", "G02")
    assert report.message_references == ("M2",)
    message = report.messages[0]
    assert (message.group_reference, message.identifier, message.state) == (
        "G01",
        "INVOIC:D:96A:UN:EAN008",
        "rejected",
    )
    assert [(s.position, s.error, s.element_errors) for s in message.segments] == [
        (7, None, (ElementError("12", "2:1"), ElementError("35", "3::2"))),
        (12, "13", ()),
    ]
    g02 = report.groups[1]
    assert (g02.action, g02.error, g02.segment_tag, g02.position, g02.state) == (
        "4",
        "29",
        "UNE",
        "1",
        "rejected",
    )
    assert report.state == "accepted_with_errors"
    assert not report.accepted


def test_messages_the_partner_does_not_list_take_their_group_or_interchange_state() -> None:
    report = parse_contrl(received("contrl_incoming_syntax4_groups.edi"))
    assert report.message_state("M2", "G01") == "rejected"
    assert report.message_state("M1", "G01") == "accepted"  # 7: acknowledged unless explicitly rejected
    assert report.message_state("M9", "G02") == "rejected"  # its group was rejected


def test_withdrawn_action_codes_keep_their_pre_2001_meanings() -> None:
    report = parse_contrl(received("contrl_incoming_withdrawn_codes.edi"))
    assert report.interchange.state == "accepted_with_errors"  # 2: acknowledged, errors detected
    assert [(m.reference, m.action, m.state, m.accepted) for m in report.messages] == [
        ("M1", "1", "accepted", True),
        ("M2", "6", "rejected", False),  # 6 was "UNB/UNZ rejected", never an acceptance
    ]
    assert report.state == "accepted_with_errors"


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("1", "accepted"),
        ("2", "accepted_with_errors"),
        ("3", "accepted_with_errors"),
        ("4", "rejected"),
        ("5", "accepted"),
        ("6", "rejected"),
        ("7", "accepted"),
        ("8", "received"),
    ],
)
def test_every_action_code_has_a_state(action: str, state: str) -> None:
    interchange = read_interchange(
        f"UNB+UNOC:3+P:14+US:14+260116:1200+9'UNH+1+CONTRL:D:3:UN'UCI+5001+US:14+P:14+{action}'UNT+3+1'UNZ+1+9'"
    )
    assert parse_contrl(interchange).interchange.state == state


def test_several_contrls_in_one_interchange_are_all_read() -> None:
    interchange = read_interchange(
        "UNB+UNOC:3+P:14+US:14+260116:1200+9'"
        "UNH+1+CONTRL:D:3:UN'UCI+5001+US:14+P:14+7'UNT+3+1'"
        "UNH+2+CONTRL:D:3:UN'UCI+5002+US:14+P:14+4+23'UNT+3+2'UNZ+2+9'"
    )
    assert [(r.interchange.reference, r.state) for r in parse_contrls(interchange)] == [
        ("5001", "accepted"),
        ("5002", "rejected"),
    ]
