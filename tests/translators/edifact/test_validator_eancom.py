"""The EANCOM code rule: for a message whose UNH association code starts with EAN, a coded value is
valid when the UN directory list or the EANCOM list has it; plain UN messages use the UN list.

Why: the EANCOM schemas' lists are incomplete (EANCOM97 ORDERS declares 6063 = {1} where real orders
send QTY+21), and GS1 adds codes ending in E (22E, 33E, 37E) that the UN lists lack.
"""

from __future__ import annotations

from translators.edifact.definitions import load_definition
from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message
from translators.errors import EdiError, Location

UNB = "UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345000009:14+240115:1030+IC1'"

ORDER_HEADER = [
    "BGM+220+PO-4711+9",
    "DTM+137:20240115:102",
    "NAD+BY+5412345000013::9",
    "NAD+SU+4012345000009::9",
    "LIN+1++4000862141404:EN",
    "PIA+1+ART-100234:SA",
]
ORDER_TRAILER = ["PRI+AAA:1.25", "UNS+S", "CNT+2:1"]

DESPATCH = [
    "BGM+351+DES-1+9",
    "DTM+137:20240115:102",
    "CPS+1",
    "PAC+1++201",
    "PCI+33E",
    "LIN+1++4000862141404:EN",
]


def errors_of(identifier: str, *body: str) -> list[EdiError]:
    segments = [f"UNH+1+{identifier}", *body]
    segments.append(f"UNT+{len(segments) + 1}+1")
    interchange = read_interchange(UNB + "".join(s + "'" for s in segments) + "UNZ+1+IC1'")
    assert not interchange.all_errors, interchange.all_errors
    return validate_message(interchange.messages[0], interchange.separators.decimal)


def order(identifier: str, quantity: str) -> list[EdiError]:
    return errors_of(identifier, *ORDER_HEADER, quantity, *ORDER_TRAILER)


def test_qty_21_is_valid_in_eancom97_orders() -> None:
    # the EANCOM97 schema types C186 6063 with a list holding only "1"; the UN D96A list has 21
    assert "21" in load_definition("ORDERS", "D", "96A", "EAN008").un_codes["6063"]
    assert order("ORDERS:D:96A:UN:EAN008", "QTY+21:48:PCE") == []


def test_a_un_code_outside_every_eancom_list_is_valid_in_an_eancom_message() -> None:
    definition = load_definition("ORDERS", "D", "96A", "EAN008")
    assert definition is not None and "12" not in definition.ean_codes["6063"]
    assert order("ORDERS:D:96A:UN:EAN008", "QTY+12:48") == []


def test_gs1_code_ending_in_e_is_valid_in_eancom_and_invalid_in_a_plain_un_message() -> None:
    assert order("ORDERS:D:96A:UN:EAN008", "QTY+37E:48") == []
    [error] = order("ORDERS:D:96A:UN", "QTY+37E:48")
    assert (error.code, error.syntax_code) == ("INVALID_CODE", "12")
    assert error.location == Location(
        segment_index=9, segment_tag="QTY", element=1, component=1, message_ref="1", message_segment=8
    )
    assert "QTY element 1.1 (6063 Quantity qualifier) value '37E' is not a code in list 6063 (D96A)" in (
        error.text
    )


def test_a_code_in_neither_list_is_invalid_and_the_text_names_both_lists() -> None:
    [error] = order("ORDERS:D:96A:UN:EAN008", "QTY+ZZZ:48")
    assert (error.code, error.syntax_code, error.location.segment_tag) == ("INVALID_CODE", "12", "QTY")
    assert "value 'ZZZ' is not a code in list 6063 (UN D96A or EANCOM97)" in error.text


def test_supplier_article_number_sa_is_valid_in_eancom97_orders() -> None:
    # PIA+1+…:SA is in the order above; the 7143 list the EANCOM97 PIA references holds only EN, UP
    assert order("ORDERS:D:96A:UN:EAN008", "QTY+21:48") == []


def test_package_identification_33e_is_valid_in_eancom_despatch_advices() -> None:
    assert errors_of("DESADV:D:96A:UN:EAN005", *DESPATCH, "QTY+12:10:PCE") == []
    assert errors_of("DESADV:D:01B:UN:EAN007", *DESPATCH, "QTY+12:10:PCE") == []


def test_pce_is_valid_in_6411_of_both_eancom_editions() -> None:
    # the EANCOM2002 DESADV schema's referenced 6411 list lacks PCE; the UN D01B directory does not
    # code 6411 at all, so only its format (an..3) applies
    for identifier in ("DESADV:D:96A:UN:EAN005", "DESADV:D:01B:UN:EAN007"):
        assert errors_of(identifier, *DESPATCH, "QTY+12:10:PCE") == []
        assert errors_of(identifier, *DESPATCH, "QTY+12:10:KGM") == []


def test_unit_code_longer_than_the_directory_format_is_too_long() -> None:
    [error] = errors_of("DESADV:D:01B:UN:EAN007", *DESPATCH, "QTY+12:10:GBND")
    assert (error.code, error.syntax_code, error.location.element, error.location.component) == (
        "VALUE_TOO_LONG",
        "39",
        1,
        3,
    )


def test_eancom_structure_is_stricter_than_the_un_directory() -> None:
    # EANCOM97 ORDERS leaves out the DOC group of SG2; the UN D96A message allows it
    body = [*ORDER_HEADER[:3], "DOC+220", *ORDER_HEADER[3:], "QTY+21:48", *ORDER_TRAILER]
    assert errors_of("ORDERS:D:96A:UN", *body) == []
    [error] = errors_of("ORDERS:D:96A:UN:EAN008", *body)
    assert (error.code, error.syntax_code, error.location.segment_tag) == ("SEGMENT_UNEXPECTED", "15", "DOC")
    assert "segment DOC is not part of ORDERS EANCOM97 (D96A)" in error.text


def test_ean_association_on_a_directory_without_an_eancom_edition_uses_the_un_message() -> None:
    body = [*ORDER_HEADER, "QTY+21:48", *ORDER_TRAILER]
    assert errors_of("ORDERS:D:93A:UN:EAN007", *body) == []
