"""APERAK: the application acknowledgement we send for a business message, and reading a partner's.

Each answer is checked three ways: as exact segments, read back by our reader and validated against
edigate's own APERAK definition of its directory or EANCOM edition, and read back by pydifact.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import pytest

from partners.profile import EdifactIdentity
from translators.edifact.aperak import build_aperak, error_code, parse_aperak
from translators.edifact.definitions import definition_name
from translators.edifact.model import Interchange
from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message
from translators.errors import EdiError, Location

pydifact_collection = pytest.importorskip("pydifact.segmentcollection")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
US = EdifactIdentity(id="4000001000005", qualifier="14")
PREPARED = datetime(2026, 1, 16, 9, 5)


def received(name: str) -> Interchange:
    return read_interchange((FIXTURES / name).read_bytes())


def aperak(interchange: Interchange, errors: list[EdiError], **options) -> str:
    options.setdefault("document_number", None)
    return build_aperak(
        interchange=interchange,
        message=interchange.messages[0],
        errors=errors,
        sender=US,
        control_reference="7001",
        prepared_at=PREPARED,
        **options,
    )


def checked(text: str) -> list[str]:
    """The APERAK's segments (UNH … UNT) after proving it a clean interchange and a valid message."""
    interchange = read_interchange(text)
    assert interchange.all_errors == [], [str(e) for e in interchange.all_errors]
    message = interchange.messages[0]
    assert validate_message(message) == [], [str(e) for e in validate_message(message)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pydifact_collection.Interchange.from_str(text)
    rendered = ["+".join([s.tag, *(":".join(e) for e in s.elements)]) for s in message.segments]
    assert rendered == [
        "+".join([s.tag, *(":".join(e) if isinstance(e, list) else e for e in s.elements)])
        for s in theirs.segments
    ]
    return rendered


def unknown_item(message_segment: int) -> EdiError:
    return EdiError(
        "UNKNOWN_ITEM",
        "GTIN 4000001000029 is not in our catalogue",
        Location(
            segment_index=message_segment + 2,
            segment_tag="LIN",
            message_ref="ME000001",
            message_segment=message_segment,
        ),
    )


DUPLICATE = EdiError("DUPLICATE_ORDER_NUMBER", "order PO-2026-0042 was already received on 2026-01-10")


# -- UN D.96A ------------------------------------------------------------------------------------


def test_positive_aperak_d96a_acknowledges_the_order_by_number_date_and_message_reference() -> None:
    text = aperak(received("acme_orders_d96a.edi"), [])
    assert text.startswith("UNA:+.? 'UNB+UNOC:3+4000001000005:14+5412345000013:14+260116:0905+7001'")
    assert text.endswith("UNZ+1+7001'")
    assert checked(text) == [
        "UNH+1+APERAK:D:96A:UN",
        "BGM++7001+29",
        "DTM+137:202601160905:203",
        "RFF+ON:PO-2026-0042",
        "DTM+171:20260115:102",
        "RFF+ACW:ME000001",
        "NAD+MS+4000001000005::9",
        "NAD+MR+5412345000013::9",
        "UNT+9+1",
    ]


def test_negative_aperak_d96a_has_one_erc_and_ftx_per_error_and_points_at_the_line() -> None:
    text = aperak(received("acme_orders_d96a.edi"), [unknown_item(22), DUPLICATE], number="APK-9")
    assert checked(text)[1:] == [
        "BGM++APK-9+27",
        "DTM+137:202601160905:203",
        "RFF+ON:PO-2026-0042",
        "DTM+171:20260115:102",
        "RFF+ACW:ME000001",
        "NAD+MS+4000001000005::9",
        "NAD+MR+5412345000013::9",
        "ERC+UNKITEM:ZZZ:91",
        "FTX+AAO+++GTIN 4000001000029 is not in our catalogue",
        "RFF+LI:2",
        "ERC+DUPORDER:ZZZ:91",
        "FTX+AAO+++order PO-2026-0042 was already received on 2026-01-10",
        "UNT+14+1",
    ]


def test_errors_in_the_header_get_no_line_reference() -> None:
    header_error = EdiError(
        "UNKNOWN_PARTY", "buyer GLN unknown", Location(message_ref="ME000001", message_segment=10)
    )
    segments = checked(aperak(received("acme_orders_d96a.edi"), [header_error]))
    assert "RFF+LI" not in " ".join(segments)
    assert "ERC+UNKPARTY:ZZZ:91" in segments


def test_invoice_is_referenced_as_iv_and_errors_are_assigned_by_the_buyer() -> None:
    price = EdiError("PRICE_MISMATCH", "line 1: price 1.30 differs from the agreed 1.25")
    segments = checked(aperak(received("supplier_one_invoic_d96a.edi"), [price]))
    assert segments[3:5] == ["RFF+IV:INV-2026-0100", "DTM+171:20260131:102"]
    assert "ERC+PRICEDIF:ZZZ:92" in segments


def test_given_document_number_wins_over_the_bgm() -> None:
    segments = checked(aperak(received("acme_orders_d96a.edi"), [], document_number="ERP-42"))
    assert segments[3] == "RFF+ON:ERP-42"


def test_long_reasons_are_wrapped_into_70_character_components_and_released() -> None:
    reason = "Item 'A+B:C?' " + "is not listed in the agreed assortment for this ship-to location " * 2
    text = aperak(received("acme_orders_d96a.edi"), [EdiError("NOT_IN_ASSORTMENT", reason)])
    released = "FTX+AAO+++Item ?'A?+B?:C???' is not listed in the agreed assortment for this ship-to:location"
    assert released in text
    ftx = next(s for s in read_interchange(text).messages[0].segments if s.tag == "FTX")
    assert all(len(c) <= 70 for c in ftx.elements[3])
    assert " ".join(ftx.elements[3]) == " ".join(reason.split())
    assert checked(text)


def test_a_reason_longer_than_five_components_is_cut_with_an_ellipsis() -> None:
    text = aperak(received("acme_orders_d96a.edi"), [EdiError("X", "word " * 200)])
    ftx = next(s for s in read_interchange(text).messages[0].segments if s.tag == "FTX")
    assert len(ftx.elements[3]) == 5 and ftx.elements[3][-1].endswith("...")
    assert checked(text)


def test_d01b_allows_512_characters_per_component() -> None:
    text = aperak(received("acme_orders_d96a.edi"), [EdiError("X", "word " * 100)], version="D01B")
    segments = checked(text)
    assert segments[:2] == ["UNH+1+APERAK:D:01B:UN", "BGM+305+7001+27"]
    ftx = next(s for s in read_interchange(text).messages[0].segments if s.tag == "FTX")
    assert len(ftx.elements[3]) == 1


def test_unoa_interchange_gets_upper_case_text_without_accents() -> None:
    interchange = read_interchange(
        "UNB+UNOA:3+PARTNER:ZZ+US:14+260115:0930+R1'UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'"
        "DTM+137:20260115:102'UNT+4+M1'UNZ+1+R1'"
    )
    segments = checked(aperak(interchange, [EdiError("PRICE_MISMATCH", "Preis für Müller_1 € falsch")]))
    assert "FTX+AAO+++PREIS FUR MULLER?1 ? FALSCH" in segments
    assert "NAD+MR+PARTNER::ZZZ" in segments


# -- EANCOM --------------------------------------------------------------------------------------


def test_eancom97_negative_aperak_uses_the_eancom_subset() -> None:
    text = aperak(received("acme_orders_d96a.edi"), [unknown_item(22)], version="EANCOM97")
    message = read_interchange(text).messages[0]
    assert (
        definition_name("APERAK", message.version, message.release, message.association) == "EANCOM97-APERAK"
    )
    assert checked(text) == [
        "UNH+1+APERAK:D:96A:UN:EAN000",
        "BGM+12E::9+7001+27",
        "DTM+137:202601160905:203",
        "RFF+ON:PO-2026-0042",
        "DTM+171:20260115:102",
        "NAD+BY+5412345000013::9",
        "NAD+SU+4000001000005::9",
        "ERC+UNKITEM:ZZZ:91",
        "FTX+AAO+++GTIN 4000001000029 is not in our catalogue",
        "UNT+10+1",
    ]


def test_eancom97_positive_aperak_confirms_with_function_6() -> None:
    segments = checked(aperak(received("acme_orders_d96a.edi"), [], version="EANCOM97"))
    assert segments[1] == "BGM+12E::9+7001+6"
    assert not any(s.startswith("ERC") for s in segments)


def test_eancom2002_keeps_line_references_and_an_agreed_association_can_be_set() -> None:
    segments = checked(
        aperak(
            received("acme_orders_d96a.edi"), [unknown_item(22)], version="EANCOM2002", association="EAN004"
        )
    )
    assert segments[0] == "UNH+1+APERAK:D:01B:UN:EAN004"
    assert segments[1] == "BGM+305+7001+27"
    assert segments[-2] == "RFF+LI:2"


# -- error codes ---------------------------------------------------------------------------------


def test_error_codes_are_short_stable_and_overridable() -> None:
    assert error_code("UNKNOWN_ITEM") == "UNKITEM"
    assert error_code("CLOSED") == "CLOSED"
    assert error_code("QUANTITY_INVALID") == "QUANINVA"
    assert error_code("UNKNOWN_ITEM", {"UNKNOWN_ITEM": "186"}) == "186"
    assert all(len(error_code(c)) <= 8 for c in ("A_VERY_LONG_CODE_WITH_MANY_WORDS_IN_IT", "X" * 20))


def test_partner_agreed_codes_and_agency_are_used() -> None:
    segments = checked(
        aperak(
            received("acme_orders_d96a.edi"),
            [DUPLICATE],
            error_codes={"DUPLICATE_ORDER_NUMBER": "186"},
            error_code_agency="92",
        )
    )
    assert "ERC+186:ZZZ:92" in segments


# -- reading a partner's APERAK --------------------------------------------------------------------


def test_parse_partner_eancom2002_rejection() -> None:
    report = parse_aperak(received("aperak_incoming_eancom2002_rejected.edi").messages[0])
    assert (report.reference, report.number, report.document_code, report.function) == (
        "ME00001",
        "10015",
        "305",
        "27",
    )
    assert report.document_reference is not None
    assert (report.document_reference.qualifier, report.document_reference.value) == ("IV", "INV-2744")
    assert report.document_reference.date == "20260116"
    assert report.parties == (("BY", "5412345000013"), ("SU", "4000001000005"))
    assert not report.accepted and report.state == "rejected"
    [error] = report.errors
    assert (error.code, error.list_qualifier, error.agency) == ("186", None, "92")
    assert error.text == "Invoice number already received please send a credit note instead"
    assert [(r.qualifier, r.value) for r in error.references] == [("LI", "2")]


def test_our_aperak_reads_back_to_what_we_said() -> None:
    interchange = read_interchange(aperak(received("acme_orders_d96a.edi"), [unknown_item(22), DUPLICATE]))
    report = parse_aperak(interchange.messages[0])
    assert (report.state, report.message_reference, report.issued) == ("rejected", "ME000001", "202601160905")
    assert [(e.code, e.text) for e in report.errors] == [
        ("UNKITEM", "GTIN 4000001000029 is not in our catalogue"),
        ("DUPORDER", "order PO-2026-0042 was already received on 2026-01-10"),
    ]


def test_positive_aperak_reads_back_as_accepted() -> None:
    interchange = read_interchange(aperak(received("acme_orders_d96a.edi"), [], version="EANCOM97"))
    assert parse_aperak(interchange.messages[0]).state == "accepted"


def test_parse_aperak_refuses_other_messages() -> None:
    with pytest.raises(ValueError, match="not APERAK"):
        parse_aperak(received("acme_orders_d96a.edi").messages[0])
