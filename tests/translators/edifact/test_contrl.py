"""CONTRL syntax and service reports: what we answer for each kind of interchange we receive.

Each test reads a real interchange (fixtures under tests/fixtures/edifact), builds the CONTRL and
checks it either as exact text (where the layout is the rule) or by reading it back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from partners.profile import EdifactIdentity
from translators.edifact.contrl import build_contrl, contrl_action, parse_contrl
from translators.edifact.model import Interchange
from translators.edifact.reader import read_interchange
from translators.errors import EdiError, Location

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
US = EdifactIdentity(id="4000001000005", qualifier="14")
PREPARED = datetime(2026, 1, 16, 9, 5)


def received(name: str) -> Interchange:
    return read_interchange((FIXTURES / name).read_bytes())


def contrl(interchange: Interchange, **options) -> str:
    text = build_contrl(interchange, sender=US, control_reference="5001", prepared_at=PREPARED, **options)
    assert text is not None
    return text


def segments_of(text: str) -> list[str]:
    """The CONTRL's segments (without UNA) as text, for the default separators."""
    assert text.startswith("UNA:+.? '")
    return [s for s in text[9:].split("'") if s]


def read_back(text: str) -> Interchange:
    """Our CONTRL must itself be a valid interchange: correct UNT and UNZ counts, proper escaping."""
    interchange = read_interchange(text)
    assert interchange.all_errors == [], [str(e) for e in interchange.all_errors]
    return interchange


# -- accepted interchanges -----------------------------------------------------------------------


def test_clean_interchange_gets_uci_action_7_and_no_ucm() -> None:
    text = contrl(received("acme_orders_d96a.edi"))
    assert text == (
        "UNA:+.? '"
        "UNB+UNOC:3+4000001000005:14+5412345000013:14+260116:0905+5001'"
        "UNH+1+CONTRL:D:3:UN'"
        "UCI+ACME000123+5412345000013:14+4000001000005:14+7'"
        "UNT+3+1'"
        "UNZ+1+5001'"
    )
    read_back(text)


def test_accepted_messages_get_ucm_7_only_when_the_partner_wants_them() -> None:
    interchange = received("acme_orders_d96a.edi")
    text = contrl(interchange, report_accepted_messages=True)
    assert segments_of(text)[3] == "UCM+ME000001+ORDERS:D:96A:UN:EAN008+7"
    assert segments_of(text)[-2] == "UNT+4+1"
    report = parse_contrl(read_back(text))
    assert [(m.reference, m.action, m.identifier) for m in report.messages] == [
        ("ME000001", "7", "ORDERS:D:96A:UN:EAN008")
    ]


def test_message_reference_of_our_contrl_is_the_one_we_are_given() -> None:
    text = contrl(received("acme_orders_d96a.edi"), message_reference="42")
    assert "UNH+42+CONTRL:D:3:UN" in segments_of(text)
    assert "UNT+3+42" in segments_of(text)


def test_contrl_action_is_7_without_interchange_errors() -> None:
    assert contrl_action(received("acme_orders_d96a.edi")) == "7"


# -- rejected messages ---------------------------------------------------------------------------


def test_unt_count_mismatch_rejects_message_with_ucm_code_29() -> None:
    interchange = received("contrl_orders_unt_count_wrong.edi")
    text = contrl(interchange)
    assert segments_of(text)[2:5] == [
        "UCI+ACME000124+5412345000013:14+4000001000005:14+7",
        "UCM+ME000002+ORDERS:D:96A:UN:EAN008+4+29+UNT+1:1",
        "UNT+4+1",
    ]
    assert contrl_action(interchange) == "7"
    report = parse_contrl(read_back(text))
    assert report.interchange.accepted
    assert not report.accepted
    assert (report.messages[0].action, report.messages[0].error, report.messages[0].segment_tag) == (
        "4",
        "29",
        "UNT",
    )


def test_segment_and_element_errors_become_ucs_and_ucd_in_message_order() -> None:
    interchange = received("acme_orders_d96a.edi")
    ref = "ME000001"
    errors = [
        EdiError(
            "MISSING_SEGMENT",
            "line 2 has no QTY+21",
            Location(segment_index=21, segment_tag="LIN", message_ref=ref, message_segment=20),
            syntax_code="13",
        ),
        EdiError(
            "INVALID_DATE",
            "bad date",
            Location(
                segment_index=4, segment_tag="DTM", element=1, component=2, message_ref=ref, message_segment=3
            ),
            syntax_code="12",
        ),
        EdiError(
            "INVALID_NUMBER",
            "bad price",
            Location(segment_index=20, segment_tag="PRI", element=1, component=2, message_ref=ref),
        ),
    ]
    text = contrl(interchange, message_errors={ref: errors})
    assert segments_of(text)[3:-2] == [
        "UCM+ME000001+ORDERS:D:96A:UN:EAN008+4",
        "UCS+3",
        "UCD+12+1:2",
        "UCS+19",
        "UCD+18+1:2",
        "UCS+20+13",
    ]
    report = parse_contrl(read_back(text))
    assert [(s.position, s.error, s.element_errors) for s in report.messages[0].segments] == [
        (3, None, (("12", "1:2"),)),
        (19, None, (("18", "1:2"),)),
        (20, "13", ()),
    ]


def test_missing_bgm_is_reported_as_a_missing_segment_at_unh_position_not_as_a_unh_error() -> None:
    interchange = received("acme_orders_d96a.edi")
    missing = EdiError(
        "MISSING_SEGMENT",
        "no BGM",
        Location(segment_index=3, segment_tag="UNH", message_ref="ME000001", message_segment=1),
        syntax_code="13",
    )
    text = contrl(interchange, message_errors={"ME000001": [missing]})
    assert segments_of(text)[3:5] == ["UCM+ME000001+ORDERS:D:96A:UN:EAN008+4", "UCS+1+13"]


def test_message_level_extra_error_is_routed_to_its_message() -> None:
    interchange = received("acme_orders_d96a.edi")
    unsupported = EdiError(
        "UNSUPPORTED_MESSAGE_TYPE",
        "no map",
        Location(segment_tag="UNH", element=2, component=1, message_ref="ME000001", message_segment=1),
    )
    text = contrl(interchange, extra_errors=[unsupported])
    assert "UCM+ME000001+ORDERS:D:96A:UN:EAN008+4+18+UNH+2:1" in segments_of(text)
    assert contrl_action(interchange, [unsupported]) == "7"


# -- rejected interchanges -----------------------------------------------------------------------


def test_unz_count_mismatch_rejects_interchange_with_uci_code_29_at_unz() -> None:
    interchange = read_interchange(
        "UNB+UNOA:3+SENDER1:ZZ+RECV1:ZZ+260115:0930+77'UNH+M1+ORDERS:D:96A:UN'BGM+220+X'UNT+3+M1'UNZ+2+77'"
    )
    text = contrl(interchange)
    assert "UCI+77+SENDER1:ZZ+RECV1:ZZ+4+29+UNZ+1:1" in segments_of(text)
    assert contrl_action(interchange) == "4"
    assert not parse_contrl(read_back(text)).interchange.accepted


@pytest.mark.parametrize(("code", "why"), [("23", "unknown interchange sender"), ("26", "duplicate")])
def test_gateway_found_interchange_problem_rejects_uci_with_its_code(code: str, why: str) -> None:
    interchange = received("acme_orders_d96a.edi")
    problem = EdiError(
        "GATEWAY", why, Location(segment_index=1, segment_tag="UNB", element=2), "interchange", code
    )
    text = contrl(interchange, extra_errors=[problem])
    assert f"UCI+ACME000123+5412345000013:14+4000001000005:14+4+{code}+UNB+2" in segments_of(text)
    assert contrl_action(interchange, [problem]) == "4"


def test_interchange_error_without_a_service_segment_tag_names_no_tag() -> None:
    interchange = received("acme_orders_d96a.edi")
    problem = EdiError("SOMETHING", "unplaceable", Location(segment_tag="BGM", element=2), "interchange")
    assert "UCI+ACME000123+5412345000013:14+4000001000005:14+4+18" in segments_of(
        contrl(interchange, extra_errors=[problem])
    )


# -- groups --------------------------------------------------------------------------------------


def test_groups_get_ucf_and_sg4_instead_of_sg1() -> None:
    text = contrl(received("contrl_orders_two_groups.edi"))
    assert segments_of(text)[2:] == [
        "UCI+ACME000125+5412345000013:14+4000001000005:14+7",
        "UCF+G001+5412345000013:14+4000001000005:14+7",
        "UCF+G002+5412345000013:14+4000001000005:14+7",
        "UCM+ME000004+ORDERS:D:96A:UN:EAN008+4+29+UNT+1:1",
        "UNT+6+1",
        "UNZ+1+5001",
    ]
    report = parse_contrl(read_back(text))
    assert [(g.reference, g.action) for g in report.groups] == [("G001", "7"), ("G002", "7")]


def test_group_level_error_rejects_its_ucf() -> None:
    interchange = received("contrl_orders_two_groups.edi")
    problem = EdiError(
        "UNE_COUNT_MISMATCH", "wrong", Location(segment_tag="UNE", element=1, group_ref="G001"), "group", "29"
    )
    text = contrl(interchange, extra_errors=[problem], report_accepted_messages=True)
    assert segments_of(text)[3:5] == [
        "UCF+G001+5412345000013:14+4000001000005:14+4+29+UNE+1",
        "UCM+ME000003+ORDERS:D:96A:UN:EAN008+7",
    ]


# -- separators, syntax versions, escaping -------------------------------------------------------


def test_syntax_4_with_custom_una_is_answered_in_kind() -> None:
    interchange = received("contrl_orders_syntax4_custom_una.edi")
    text = contrl(interchange)
    assert text == (
        "UNA|^,\\*~"
        "UNB^UNOC|4^4000001000005|14^ACME\\^RETAIL|ZZZ^20260116|0905^5001^^^^^^1~"
        "UNH^1^CONTRL|4|1|UN~"
        "UCI^ACME4711^ACME\\^RETAIL|ZZZ^4000001000005|14^7~"
        "UNT^3^1~"
        "UNZ^1^5001~"
    )
    answer = read_back(text)
    assert (answer.syntax_version, answer.recipient_id, answer.test_indicator) == (4, "ACME^RETAIL", "1")


def test_released_characters_in_received_values_are_released_again() -> None:
    interchange = read_interchange(
        "UNA:+.? 'UNB+UNOC:3+ACME?+CO:ZZZ+US:14+260115:0930+R?'1'"
        "UNH+M?:1+ORDERS:D:96A:UN'BGM+220+X'UNT+3+M?:1'UNZ+1+R?'1'"
    )
    text = contrl(interchange, report_accepted_messages=True)
    assert "UCI+R?'1+ACME?+CO:ZZZ+US:14+7'UCM+M?:1+ORDERS:D:96A:UN+7'" in text
    report = parse_contrl(read_back(text))
    assert (report.interchange.reference, report.messages[0].reference) == ("R'1", "M:1")


# -- CONTRL never answers CONTRL -----------------------------------------------------------------


def test_interchange_of_only_contrls_gets_no_contrl() -> None:
    interchange = received("contrl_incoming_contrl.edi")
    assert build_contrl(interchange, sender=US, control_reference="5001", prepared_at=PREPARED) is None


def test_contrl_messages_beside_data_messages_are_not_acknowledged() -> None:
    interchange = read_interchange(
        "UNB+UNOC:3+5412345000013:14+4000001000005:14+260116:1200+9'"
        "UNH+1+CONTRL:D:3:UN'UCI+5001+4000001000005:14+5412345000013:14+7'UNT+3+1'"
        "UNH+2+ORDERS:D:96A:UN'BGM+220+X'UNT+3+2'"
        "UNZ+2+9'"
    )
    text = contrl(interchange, report_accepted_messages=True)
    assert [s for s in segments_of(text) if s.startswith("UCM")] == ["UCM+2+ORDERS:D:96A:UN+7"]


def test_unb_too_broken_to_address_gets_no_contrl() -> None:
    interchange = read_interchange(b"UNB+garbage")
    assert interchange.errors  # the reader reports it; a CONTRL could not say to whom or about what
    assert build_contrl(interchange, sender=US, control_reference="5001", prepared_at=PREPARED) is None


# -- reading a partner's CONTRL ------------------------------------------------------------------


def test_parse_contrl_reads_the_partners_acknowledgement() -> None:
    report = parse_contrl(received("contrl_incoming_contrl.edi"))
    assert (report.interchange.reference, report.interchange.action, report.accepted) == ("5001", "7", True)


@pytest.mark.parametrize(("action", "accepted"), [("1", True), ("5", True), ("3", False), ("4", False)])
def test_parse_contrl_tolerates_withdrawn_action_codes(action: str, accepted: bool) -> None:
    interchange = read_interchange(
        "UNB+UNOC:3+P:14+US:14+260116:1200+9'"
        f"UNH+1+CONTRL:D:3:UN'UCI+5001+US:14+P:14+{action}'UNT+3+1'UNZ+1+9'"
    )
    assert parse_contrl(interchange).accepted is accepted


def test_parse_contrl_without_a_contrl_message_says_so() -> None:
    with pytest.raises(ValueError, match="no CONTRL"):
        parse_contrl(received("acme_orders_d96a.edi"))
