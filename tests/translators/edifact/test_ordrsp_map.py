"""EDIFACT ORDRSP → canonical OrderResponse: the supplier's answer, per order and per line.

Supplier One answers our order PO-2026-0042 (fixtures under tests/fixtures/edifact); single rules are
checked on segments built in the test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from partners.profile import PartnerProfile
from translators.documents.order_response import OrderResponse
from translators.edifact.maps.ordrsp import map_ordrsp
from translators.edifact.maps.result import MapResult
from translators.edifact.model import Segment

from . import map_building as building
from .map_building import only_error, read_fixture, run_message, seg

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"


def supplier_one() -> PartnerProfile:
    return building.supplier_one(units={"PCE": "EA"})


def read(name: str) -> MapResult[OrderResponse]:
    return read_fixture(name, supplier_one())


def run(*body: Segment) -> MapResult[OrderResponse]:
    return run_message(map_ordrsp, ("ORDRSP", "96A", "EAN005"), body, supplier_one())


HEADER = [seg("BGM", "231", "R-1", "4"), seg("RFF", ["ON", "PO-1"])]


def test_supplier_one_response_maps_header_field_by_field() -> None:
    result = read("supplier_one_ordrsp_d96a.edi")
    assert result.errors == []
    response = result.document
    assert isinstance(response, OrderResponse)
    data = response.model_dump(mode="json")
    assert data["document_type"] == "order_response"
    assert data["number"] == "RSP-2026-0007"
    assert data["issue_date"] == "2026-01-20"
    assert (data["order_number"], data["order_date"]) == ("PO-2026-0042", "2026-01-15")
    assert (data["response_type"], data["response_code"]) == ("changed", "4")
    assert data["delivery_date"] == "2026-01-28"
    assert data["currency"] == "EUR"
    assert data["notes"] == ["Line 3 is discontinued; line 2 is partly available"]
    assert data["references"] == [
        {"qualifier": "ON", "type": "buyer_order", "value": "PO-2026-0042", "date": "2026-01-15"}
    ]
    assert (data["buyer"]["gln"], data["buyer"]["erp_id"]) == ("4000001000005", "SELF")
    assert data["seller"] == {
        "gln": "4012345500004",
        "erp_id": "SUPP-2001",
        "party_id": None,
        "party_id_agency": None,
        "name": "Supplier One GmbH",
        "address": {
            "street": "Industriestrasse 1",
            "city": "Hamburg",
            "postal_code": "20095",
            "country": "DE",
        },
    }
    assert (data["ship_to"]["erp_id"], data["ship_to"]["name"]) == ("WH-01", "Main Warehouse")
    assert OrderResponse.model_validate_json(response.model_dump_json()) == response


def test_accepted_changed_and_rejected_lines_keep_both_quantities() -> None:
    result = read("supplier_one_ordrsp_d96a.edi")
    assert result.document is not None
    lines = result.document.model_dump(mode="json")["lines"]
    assert lines[0] == {
        "line_number": "1",
        "gtin": "4012345000016",
        "buyer_item_id": None,
        "seller_item_id": "SO-100",
        "erp_item_id": "SKU-BOLT-M8",
        "description": "Hex bolt M8x40",
        "line_status": "accepted",
        "line_status_code": "5",
        "ordered_quantity": "500",
        "confirmed_quantity": "500",
        "unit": "EA",
        "unit_price": "0.12",
        "price_basis_quantity": None,
        "delivery_date": "2026-01-28",
        "notes": [],
        "references": [],
    }
    changed = lines[1]
    assert (changed["line_status"], changed["line_status_code"]) == ("changed", "3")
    assert (changed["ordered_quantity"], changed["confirmed_quantity"]) == ("1000", "600")
    assert (changed["erp_item_id"], changed["delivery_date"]) == ("SKU-WASHER-M8", "2026-02-04")
    assert changed["notes"] == ["Remaining 400 follow in March"]
    rejected = lines[2]
    assert (rejected["line_status"], rejected["line_status_code"]) == ("rejected", "7")
    assert (rejected["confirmed_quantity"], rejected["erp_item_id"]) == ("0", None)


def test_d01b_whole_order_acceptance_gives_lines_without_action_code_the_accepted_status() -> None:
    result = read("ordrsp_accepted_d01b.edi")
    assert result.errors == []
    assert result.document is not None
    assert (result.document.response_type, result.document.response_code) == ("accepted", "29")
    (line,) = result.document.lines
    assert (line.line_status, line.line_status_code, line.gtin) == ("accepted", None, "4012345000016")


def test_unknown_line_action_code_is_a_located_unknown_code() -> None:
    result = read("ordrsp_unknown_action_code.edi")
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.syntax_code) == ("UNKNOWN_CODE", "12")
    loc = error.location
    assert (loc.segment_tag, loc.message_segment, loc.element, loc.component) == ("LIN", 19, 2, 1)
    assert "'99'" in error.text and "line 2" in error.text


def test_response_without_the_answered_order_number_is_rejected() -> None:
    result = read("ordrsp_without_order_reference.edi")
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.location.segment_tag) == ("MISSING_SEGMENT", "CNT")
    assert "RFF+ON" in error.text


def test_4343_answers_when_1225_is_not_an_answer() -> None:
    result = run(seg("BGM", "231", "R-1", "9", "RE"), seg("RFF", ["ON", "PO-1"]))
    assert result.document is not None
    assert (result.document.response_type, result.document.response_code) == ("rejected", "RE")


def test_bgm_without_a_known_answer_is_unknown_code_at_1225() -> None:
    result = run(seg("BGM", "231", "R-1", "9"), seg("RFF", ["ON", "PO-1"]))
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag, error.location.element) == ("UNKNOWN_CODE", "BGM", 3)


def test_after_a_changed_header_every_line_must_state_its_action() -> None:
    result = run(*HEADER, seg("LIN", "1", "", ["4012345000016", "EN"]), seg("QTY", ["113", "5"]))
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag, error.location.element) == ("MISSING_VALUE", "LIN", 2)


def test_ordered_and_confirmed_quantity_in_different_units_is_a_unit_mismatch() -> None:
    result = run(
        *HEADER,
        seg("LIN", "1", "3", ["4012345000016", "EN"]),
        seg("QTY", ["21", "5", "PCE"]),
        seg("QTY", ["113", "1", "CT"]),
    )
    assert only_error(result.errors).code == "UNIT_MISMATCH"


def test_unreadable_confirmed_quantity_and_date_are_all_reported() -> None:
    result = run(
        seg("BGM", "231", "R-1", "4"),
        seg("DTM", ["137", "20261340", "102"]),
        seg("RFF", ["ON", "PO-1"]),
        seg("LIN", "1", "3", ["4012345000016", "EN"]),
        seg("QTY", ["113", "5,0"]),
        seg("UNS", "S"),
        seg("CNT", ["2", "2"]),
    )
    assert result.document is None
    assert [e.code for e in result.errors] == ["INVALID_DATE", "INVALID_NUMBER", "LINE_COUNT_MISMATCH"]
    assert result.errors[0].location.message_segment == 3


def test_line_order_reference_and_its_date_stay_on_the_line() -> None:
    result = run(
        *HEADER,
        seg("LIN", "1", "5", ["4012345000016", "EN"]),
        seg("RFF", ["LI", "10"]),
        seg("DTM", ["171", "20260115", "102"]),
    )
    assert result.document is not None
    (line,) = result.document.lines
    assert [(r.qualifier, r.value, r.date) for r in line.references] == [("LI", "10", dt.date(2026, 1, 15))]
    assert (line.ordered_quantity, line.confirmed_quantity, line.unit) == (None, None, None)
