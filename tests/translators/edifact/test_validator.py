"""Validating a message against its definition: one test per error class, with exact locations.

Messages are small realistic orders, invoices and despatch advices read with the real reader.
Positions: UNB is interchange segment 1, so UNH is segment_index 2 and message_segment 1, and a
body segment's segment_index is its message_segment + 1.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from partners.profile import EdifactIdentity
from translators.edifact.contrl import build_contrl
from translators.edifact.model import Interchange, Message
from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message
from translators.errors import EdiError, Location

UNB = "UNB+UNOC:3+5412345000013:14+4012345000009:14+240115:1030+IC1'"

# A plain UN ORDERS D96A: everything mandatory present, every value valid.
ORDERS_BODY = [
    "BGM+220+PO-4711+9",
    "DTM+137:20240115:102",
    "NAD+BY+5412345000013::9",
    "NAD+SU+4012345000009::9",
    "LIN+1++4000862141404:EN",
    "QTY+21:48:PCE",
    "PRI+AAA:1.25",
    "UNS+S",
    "CNT+2:1",
]


def interchange_of(
    *body: str, identifier: str = "ORDERS:D:96A:UN", una: str = ":+.? '", syntax: int = 3
) -> Interchange:
    """UNA, UNB, UNH ``identifier``, ``body``, UNT with the right count, UNZ."""
    term = una[-1]
    unb = UNB if syntax < 4 else UNB.replace("UNOC:3", "UNOC:4").replace("+240115:", "+20240115:")
    segments = [f"UNH+1+{identifier}", *body]
    segments.append(f"UNT+{len(segments) + 1}+1")
    text = f"UNA{una}" + unb.replace("'", term) + "".join(s + term for s in segments) + f"UNZ+1+IC1{term}"
    interchange = read_interchange(text)
    assert not interchange.all_errors, interchange.all_errors
    return interchange


def message_of(*body: str, identifier: str = "ORDERS:D:96A:UN") -> Message:
    return interchange_of(*body, identifier=identifier).messages[0]


def errors_of(*body: str, identifier: str = "ORDERS:D:96A:UN") -> list[EdiError]:
    return validate_message(message_of(*body, identifier=identifier))


def at(position: int, tag: str, element: int | None = None, component: int | None = None) -> Location:
    """Location of message segment ``position`` (UNH = 1) of the test interchange."""
    return Location(
        segment_index=position + 1,
        segment_tag=tag,
        element=element,
        component=component,
        message_ref="1",
        message_segment=position,
    )


def only(errors: list[EdiError]) -> EdiError:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def with_body(replace: dict[int, str] | None = None, insert: dict[int, list[str]] | None = None) -> list[str]:
    """ORDERS_BODY with segments replaced or inserted before a 0-based body index."""
    body = list(ORDERS_BODY)
    for index, segment in (replace or {}).items():
        body[index] = segment
    for index, segments in sorted((insert or {}).items(), reverse=True):
        body[index:index] = segments
    return body


# -- valid messages ----------------------------------------------------------------------------------


def test_complete_un_orders_d96a_has_no_errors() -> None:
    assert errors_of(*ORDERS_BODY) == []


def test_complete_un_orders_d01b_and_d93a_have_no_errors() -> None:
    assert errors_of(*ORDERS_BODY, identifier="ORDERS:D:01B:UN") == []
    assert errors_of(*ORDERS_BODY, identifier="ORDERS:D:93A:UN") == []


def test_trailing_empty_elements_and_components_are_tolerated() -> None:
    assert errors_of(*with_body({0: "BGM+220+PO-4711+9++", 5: "QTY+21:48:PCE::"})) == []


def test_signed_decimal_quantity_counts_digits_only_for_its_length() -> None:
    # 6060 is n..15: 15 digits plus a minus and a decimal mark is 17 characters and still valid
    assert errors_of(*with_body({5: "QTY+21:-1234567890.12345"})) == []


def test_decimal_comma_is_valid_when_the_una_declares_it() -> None:
    interchange = interchange_of(*with_body({5: "QTY+21:2,5:KGM", 6: "PRI+AAA:1,25"}), una=":+,? '")
    assert validate_message(interchange.messages[0], interchange.separators.decimal) == []


# -- structure ---------------------------------------------------------------------------------------


def test_unknown_segment_tag_is_unexpected_with_code_15() -> None:
    error = only(errors_of(*with_body(insert={2: ["XYZ+1"]})))
    assert (error.code, error.syntax_code, error.level) == ("SEGMENT_UNEXPECTED", "15", "segment")
    assert error.location == at(4, "XYZ")
    assert "segment XYZ is not part of ORDERS D96A" in error.text


def test_known_segment_out_of_order_is_unexpected_and_names_what_is_allowed() -> None:
    # a BGM among the lines: the state stays in the line, so the lines after it are fine
    error = only(errors_of(*with_body(insert={6: ["BGM+220+PO-4712+9"]})))
    assert (error.code, error.syntax_code, error.location) == ("SEGMENT_UNEXPECTED", "15", at(8, "BGM"))
    assert "ORDERS 1, segment 8 (BGM): segment BGM is not expected here, after QTY (segment 7)" in error.text
    assert "ORDERS D96A allows at this point: QTY, PCD, ALI, DTM," in error.text


def test_missing_mandatory_segment_is_reported_at_the_last_segment_processed() -> None:
    # no BGM: CONTRL reports a missing segment at the position of the last segment processed (UNH)
    error = only(errors_of(*ORDERS_BODY[1:]))
    assert (error.code, error.syntax_code, error.level) == ("MISSING_SEGMENT", "13", "segment")
    assert error.location == at(1, "UNH")
    assert error.text == (
        "ORDERS 1: mandatory segment BGM (Beginning of message) is missing after segment 1 (UNH); ORDERS D96A"
    )


def test_missing_section_control_at_the_end_is_reported_after_the_last_line_segment() -> None:
    error = only(errors_of(*[s for s in ORDERS_BODY if not s.startswith("UNS")]))
    assert (error.code, error.location) == ("MISSING_SEGMENT", at(8, "PRI"))
    assert "mandatory segment UNS (Section control)" in error.text


def test_missing_mandatory_segment_group_is_reported_by_its_trigger() -> None:
    # INVOIC D96A SG48 (MOA) is mandatory in the summary section
    invoice = [
        "BGM+380+INV-1+9",
        "DTM+137:20240115:102",
        "NAD+BY+5412345000013::9",
        "LIN+1++4000862141404:EN",
        "QTY+47:48",
        "UNS+S",
        "CNT+2:1",
    ]
    # detected at UNT, so reported after the last segment processed (CNT)
    error = only(errors_of(*invoice, identifier="INVOIC:D:96A:UN"))
    assert (error.code, error.syntax_code, error.location) == ("MISSING_SEGMENT", "13", at(8, "CNT"))
    assert "mandatory segment group SG48 (starting with MOA) is missing after segment 8 (CNT)" in error.text
    assert errors_of(*invoice, "MOA+77:60.00", identifier="INVOIC:D:96A:UN") == []


def test_segment_repeated_beyond_its_maximum_is_code_35() -> None:
    # ORDERS D96A allows DTM at most 35 times after BGM
    errors = errors_of(*with_body(insert={2: ["DTM+2:20240120:102"] * 35}))
    error = only(errors)
    assert (error.code, error.syntax_code, error.level) == ("SEGMENT_TOO_MANY", "35", "segment")
    assert error.location == at(38, "DTM")
    assert "occurs 36 times" in error.text and "at most 35 allowed" in error.text


def test_segment_group_repeated_beyond_its_maximum_is_code_36() -> None:
    # SG1 (RFF) of ORDERS D96A repeats at most 10 times
    references = [f"RFF+ON:REF-{n}" for n in range(1, 12)]
    error = only(errors_of(*with_body(insert={2: references})))
    assert (error.code, error.syntax_code, error.level) == ("GROUP_TOO_MANY", "36", "segment")
    assert error.location == at(14, "RFF")
    assert "segment group SG1 (starting with RFF) occurs 11 times; at most 10 allowed" in error.text


def test_mandatory_segment_inside_a_group_is_missing_when_the_group_closes() -> None:
    # SG2 of ORDERS D96A opens with NAD; its CTA group SG5 needs its CTA before COM
    error = only(errors_of(*with_body(insert={3: ["COM+0221123456:TE"]})))
    assert (error.code, error.location) == ("SEGMENT_UNEXPECTED", at(5, "COM"))


# -- elements ----------------------------------------------------------------------------------------


def test_missing_mandatory_simple_element_is_code_13_at_its_position() -> None:
    error = only(errors_of(*with_body({2: "NAD++5412345000013::9"})))
    assert (error.code, error.syntax_code, error.level) == ("ELEMENT_MISSING", "13", "element")
    assert error.location == at(4, "NAD", 1)
    assert error.text == (
        "ORDERS 1, segment 4 (NAD): NAD element 1 (3035 Party qualifier) is mandatory but missing"
    )


def test_missing_mandatory_composite_is_element_missing() -> None:
    error = only(errors_of(*with_body({5: "QTY"})))
    assert (error.code, error.location) == ("ELEMENT_MISSING", at(7, "QTY", 1))
    assert "QTY element 1 (C186 Quantity details) is mandatory but missing" in error.text


def test_missing_mandatory_component_is_code_13_with_component_position() -> None:
    error = only(errors_of(*with_body({1: "DTM+:20240115:102"})))
    assert (error.code, error.syntax_code, error.level) == ("COMPONENT_MISSING", "13", "element")
    assert error.location == at(3, "DTM", 1, 1)
    assert "DTM element 1.1 (2005 Date/time/period qualifier) is mandatory but missing" in error.text


def test_data_beyond_the_last_defined_element_is_too_many_elements_code_16() -> None:
    # BGM has four elements in D96A
    error = only(errors_of(*with_body({0: "BGM+220+PO-4711+9+AB+EXTRA"})))
    assert (error.code, error.syntax_code, error.level) == ("TOO_MANY_ELEMENTS", "16", "element")
    assert error.location == at(2, "BGM", 5)


def test_data_beyond_the_last_defined_component_is_too_many_components_code_16() -> None:
    error = only(errors_of(*with_body({5: "QTY+21:48:PCE:EXTRA"})))
    assert (error.code, error.syntax_code, error.location) == (
        "TOO_MANY_COMPONENTS",
        "16",
        at(7, "QTY", 1, 4),
    )
    assert (
        "QTY element 1 (C186 Quantity details) has data in component 4; the composite defines 3" in error.text
    )


def test_components_in_a_simple_element_are_too_many_components() -> None:
    error = only(errors_of(*with_body({0: "BGM+220+PO-4711:X+9"})))
    assert (error.code, error.syntax_code, error.location) == (
        "TOO_MANY_COMPONENTS",
        "16",
        at(2, "BGM", 2, 2),
    )
    assert (
        "BGM element 2 (1004 Document/message number) is a simple data element but has data in" in error.text
    )


def test_letters_in_a_numeric_element_are_invalid_character_type_code_37() -> None:
    error = only(errors_of(*with_body({5: "QTY+21:4x8"})))
    assert (error.code, error.syntax_code, error.level) == ("INVALID_CHARACTER_TYPE", "37", "element")
    assert error.location == at(7, "QTY", 1, 2)
    assert "QTY element 1.2 (6060 Quantity) value '4x8' is not numeric" in error.text


def test_decimal_mark_other_than_the_interchanges_is_invalid_character_type() -> None:
    error = only(errors_of(*with_body({5: "QTY+21:2,5"})))
    assert (error.code, error.location) == ("INVALID_CHARACTER_TYPE", at(7, "QTY", 1, 2))


def test_digits_in_an_alphabetic_element_are_invalid_character_type() -> None:
    # UNS 0081 is a1 in the D96A directory
    error = only(errors_of(*with_body({7: "UNS+1"})))
    assert (error.code, error.syntax_code, error.location) == (
        "INVALID_CHARACTER_TYPE",
        "37",
        at(9, "UNS", 1),
    )
    assert "is not alphabetic" in error.text


def test_value_longer_than_its_maximum_is_code_39() -> None:
    error = only(errors_of(*with_body({0: "BGM+220+" + "P" * 36 + "+9"})))
    assert (error.code, error.syntax_code, error.level) == ("VALUE_TOO_LONG", "39", "element")
    assert error.location == at(2, "BGM", 2)
    assert "has 36 characters; at most 35 allowed (an..35)" in error.text


def test_numeric_length_excludes_sign_and_decimal_mark() -> None:
    error = only(errors_of(*with_body({5: "QTY+21:-1234567890.123456"})))
    assert (error.code, error.location) == ("VALUE_TOO_LONG", at(7, "QTY", 1, 2))
    assert "has 16 digits; at most 15 allowed" in error.text


def test_value_shorter_than_its_fixed_length_is_code_40() -> None:
    # DESADV D96A DGS: 7124 UNDG number is n4
    despatch = [
        "BGM+351+DES-1+9",
        "CPS+1",
        "LIN+1++4000862141404:EN",
        "QTY+12:10",
        "DGS+ADR++123",
    ]
    error = only(errors_of(*despatch, identifier="DESADV:D:96A:UN"))
    assert (error.code, error.syntax_code, error.location) == ("VALUE_TOO_SHORT", "40", at(6, "DGS", 3, 1))
    assert (
        "DGS element 3.1 (7124 UNDG number) value '123' has 3 digits; at least 4 allowed (n4)" in error.text
    )
    assert errors_of(*despatch[:-1], "DGS+ADR++1234", identifier="DESADV:D:96A:UN") == []


def test_value_not_in_the_code_list_is_invalid_code_12() -> None:
    error = only(errors_of(*with_body({1: "DTM+137:20240115:999"})))
    assert (error.code, error.syntax_code, error.level) == ("INVALID_CODE", "12", "element")
    assert error.location == at(3, "DTM", 1, 3)
    assert error.text.startswith(
        "ORDERS 1, segment 3 (DTM): DTM element 1.3 (2379 Date/time/period format qualifier) value '999'"
        " is not a code in list 2379 (D96A); expected one of 101, 102,"
    )


def test_every_error_of_one_segment_is_reported_in_element_order() -> None:
    errors = errors_of(*with_body({5: "QTY+ZZZ:4x8:PCE"}))
    assert [(e.code, e.location.element, e.location.component) for e in errors] == [
        ("INVALID_CODE", 1, 1),
        ("INVALID_CHARACTER_TYPE", 1, 2),
    ]


def test_repeated_element_in_syntax_4_is_too_many_repetitions_code_35() -> None:
    interchange = interchange_of(*with_body({2: "NAD+BY*SU+5412345000013::9"}), una=":+.?*'", syntax=4)
    error = only(validate_message(interchange.messages[0]))
    assert (error.code, error.syntax_code, error.location) == ("TOO_MANY_REPETITIONS", "35", at(4, "NAD", 1))


# -- envelope and unknown messages -------------------------------------------------------------------


def test_envelope_presence_and_counts_stay_the_readers_errors() -> None:
    # UNT without its count: the reader's UNT_ELEMENT_MISSING, never reported twice by the validator
    message = read_interchange(UNB + "UNH+1+ORDERS:D:96A:UN'" + "'".join(ORDERS_BODY) + "'UNT++1'UNZ+1+IC1'")
    assert [e.code for e in message.messages[0].errors] == ["UNT_ELEMENT_MISSING"]
    assert validate_message(message.messages[0]) == []


def test_unknown_message_version_is_one_clear_error_without_a_syntax_verdict() -> None:
    error = only(errors_of(*ORDERS_BODY, identifier="ORDERS:D:97A:UN"))
    assert (error.code, error.syntax_code, error.level) == ("UNKNOWN_MESSAGE_DEFINITION", None, "message")
    assert error.location == at(1, "UNH", 2)
    assert "no definition for message ORDERS:D:97A:UN" in error.text


def test_contrl_built_from_validation_errors_reports_ucs_and_ucd_and_is_itself_valid() -> None:
    interchange = interchange_of(*with_body({1: "DTM+137:20240115:999"}, insert={7: ["BGM+220+X+9"]}))
    errors = validate_message(interchange.messages[0])
    assert [e.code for e in errors] == ["INVALID_CODE", "SEGMENT_UNEXPECTED"]
    text = build_contrl(
        interchange,
        sender=EdifactIdentity(id="4012345000009", qualifier="14"),
        control_reference="5001",
        prepared_at=datetime(2024, 1, 15, 11, 0),
        message_errors={"1": errors},
    )
    assert text is not None
    assert "UCS+3'UCD+12+1:3'UCS+9+15'" in text
    contrl = read_interchange(text)
    assert validate_message(contrl.messages[0]) == []


@pytest.mark.parametrize("identifier", ["CONTRL:D:3:UN", "CONTRL:4:1:UN"])
def test_contrl_messages_are_checked_against_the_service_definition(identifier: str) -> None:
    body = ["UCI+IC1+5412345000013:14+4012345000009:14+4", "UCM+1+ORDERS:D:96A:UN+4", "UCS+3", "UCD+12+1:3"]
    assert errors_of(*body, identifier=identifier) == []
    error = only(errors_of(*body[1:], identifier=identifier))
    assert (error.code, error.location) == ("MISSING_SEGMENT", at(1, "UNH"))
    assert "mandatory segment UCI" in error.text
