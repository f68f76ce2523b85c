"""EDIFACT DESADV → canonical DeliveryNote: what arrives, on which pallet, and how bad data is reported.

Supplier One despatches part of our order PO-2026-0042 on two SSCC-labelled pallets (fixtures under
tests/fixtures/edifact). A package hierarchy goods receipt cannot trust is rejected, never guessed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from partners.profile import PartnerProfile
from translators.documents.delivery_note import DeliveryNote
from translators.edifact.maps import map_message
from translators.edifact.maps.desadv import map_desadv
from translators.edifact.maps.result import MapResult
from translators.edifact.model import Segment
from translators.edifact.reader import read_interchange

from . import map_building as building
from .map_building import only_error, read_fixture, run_message, seg

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "edifact"


def supplier_one() -> PartnerProfile:
    return building.supplier_one(units={"PCE": "EA", "KGM": "KG"})


def read(name: str) -> MapResult[DeliveryNote]:
    return read_fixture(name, supplier_one())


def run(*body: Segment) -> MapResult[DeliveryNote]:
    return run_message(map_desadv, ("DESADV", "01B", "EAN007"), body, supplier_one())


def pallet(cps: str, parent: str, sscc: str) -> list[Segment]:
    return [seg("CPS", cps, parent), seg("PAC", "1", "", "201"), seg("PCI", "33E"), seg("GIN", "BJ", sscc)]


ITEM = [seg("LIN", "1", "", ["4012345000016", "SRV"]), seg("QTY", ["12", "5"])]


def test_supplier_one_despatch_header_field_by_field() -> None:
    result = read("supplier_one_desadv_d01b.edi")
    assert result.errors == []
    note = result.document
    assert isinstance(note, DeliveryNote)
    data = note.model_dump(mode="json")
    assert data["document_type"] == "delivery_note"
    assert data["number"] == "DES-2026-0031"
    assert (data["issue_date"], data["despatch_date"], data["delivery_date"]) == (
        "2026-01-27",
        "2026-01-27",
        "2026-01-28",
    )
    assert data["order_numbers"] == ["PO-2026-0042"]
    assert data["references"] == [
        {"qualifier": "ON", "type": "buyer_order", "value": "PO-2026-0042", "date": "2026-01-15"}
    ]
    assert (data["seller"]["erp_id"], data["buyer"]["erp_id"], data["ship_to"]["erp_id"]) == (
        "SUPP-2001",
        "SELF",
        "WH-01",
    )
    assert data["ship_to"]["address"] == {
        "street": "Lagerweg 4",
        "city": "Bremen",
        "postal_code": "28197",
        "country": "DE",
    }
    assert (data["ship_from"]["gln"], data["ship_from"]["erp_id"]) == ("4012345500011", None)
    assert (data["carrier"]["gln"], data["carrier"]["name"]) == ("4099999000007", "Fast Freight AG")
    assert (data["transport_mode"], data["transport_reference"]) == ("30", "FF-778812")
    assert data["gross_weight"] == {"value": "612.5", "unit": "KG"}
    assert DeliveryNote.model_validate_json(note.model_dump_json()) == note


def test_cps_hierarchy_becomes_packages_with_parents_and_ssccs() -> None:
    result = read("supplier_one_desadv_d01b.edi")
    assert result.document is not None
    packages = result.document.model_dump(mode="json")["packages"]
    assert packages == [
        {
            "id": "1",
            "parent_id": None,
            "sscc": None,
            "package_type": None,
            "package_count": None,
            "gross_weight": None,
        },
        {
            "id": "2",
            "parent_id": "1",
            "sscc": "340123450000000017",
            "package_type": "201",
            "package_count": 1,
            "gross_weight": {"value": "310", "unit": "KG"},
        },
        {
            "id": "3",
            "parent_id": "1",
            "sscc": "340123450000000024",
            "package_type": "201",
            "package_count": 1,
            "gross_weight": {"value": "302.5", "unit": "KG"},
        },
    ]


def test_each_line_names_its_package_order_line_batch_and_best_before_date() -> None:
    result = read("supplier_one_desadv_d01b.edi")
    assert result.document is not None
    lines = result.document.model_dump(mode="json")["lines"]
    assert lines[0] == {
        "line_number": "1",
        "gtin": "4012345000016",
        "buyer_item_id": None,
        "seller_item_id": "SO-100",
        "erp_item_id": "SKU-BOLT-M8",
        "description": "Hex bolt M8x40",
        "quantity": "500",
        "unit": "EA",
        "notes": [],
        "references": [{"qualifier": "ON", "type": "buyer_order", "value": "PO-2026-0042", "date": None}],
        "ordered_quantity": "500",
        "order_number": "PO-2026-0042",
        "order_line_number": "1",
        "batch_number": "B2026-0117",
        "best_before_date": "2029-01-31",
        "package_id": "2",
        "sscc": "340123450000000017",
    }
    summary = [
        (
            ln["line_number"],
            ln["erp_item_id"],
            ln["quantity"],
            ln["order_line_number"],
            ln["package_id"],
            ln["sscc"],
        )
        for ln in lines
    ]
    assert summary == [
        ("1", "SKU-BOLT-M8", "500", "1", "2", "340123450000000017"),
        ("2", "SKU-WASHER-M8", "300", "2", "2", "340123450000000017"),
        ("3", "SKU-WASHER-M8", "300", "2", "3", "340123450000000024"),
    ]


def test_d96a_despatch_with_one_pallet_and_unitless_quantity() -> None:
    result = read("supplier_one_desadv_d96a.edi")
    assert result.errors == []
    assert result.document is not None
    (line,) = result.document.lines
    assert (line.quantity, line.unit, line.order_number, line.sscc) == (
        400,
        "EA",
        "PO-2026-0042",
        "340123450000000031",
    )


def test_sscc_with_a_wrong_check_digit_is_invalid_sscc_at_gin() -> None:
    result = read("desadv_sscc_bad_check_digit.edi")
    error = only_error(result.errors)
    assert result.document is None
    loc = error.location
    assert (error.code, loc.segment_tag, loc.element, loc.component) == ("INVALID_SSCC", "GIN", 2, 1)
    assert "340123450000000025" in error.text


def test_cps_whose_parent_is_not_an_earlier_cps_is_unknown_parent() -> None:
    result = read("desadv_unknown_parent_package.edi")
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag, error.location.element) == ("UNKNOWN_PARENT", "CPS", 2)


def test_line_without_despatched_quantity_is_missing_segment_at_its_lin() -> None:
    result = read("desadv_line_without_despatched_quantity.edi")
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag) == ("MISSING_SEGMENT", "LIN")
    assert "line 3" in error.text and "QTY+12" in error.text


def test_duplicate_cps_id_is_rejected() -> None:
    result = run(
        seg("BGM", "351", "D-1", "9"),
        *pallet("1", "", "340123450000000017"),
        *pallet("1", "", "340123450000000024"),
        *ITEM,
    )
    assert only_error(result.errors).code == "DUPLICATE_PACKAGE"


def test_a_cps_with_two_ssccs_is_unsupported_structure() -> None:
    result = run(
        seg("BGM", "351", "D-1", "9"),
        seg("CPS", "1"),
        seg("PAC", "2", "", "201"),
        seg("PCI", "33E"),
        seg("GIN", "BJ", "340123450000000017", "340123450000000024"),
        *ITEM,
    )
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag, error.location.element) == (
        "UNSUPPORTED_STRUCTURE",
        "GIN",
        3,
    )


def test_despatch_advice_without_lines_or_number_reports_both() -> None:
    result = run(seg("BGM", "351", "", "9"), *pallet("1", "", "340123450000000017"))
    assert [e.code for e in result.errors] == ["MISSING_VALUE", "MISSING_SEGMENT"]


def test_despatched_and_ordered_quantities_in_different_units_is_unit_mismatch() -> None:
    result = run(
        seg("BGM", "351", "D-1", "9"),
        seg("LIN", "1", "", ["4012345000016", "SRV"]),
        seg("QTY", ["12", "5", "CT"]),
        seg("QTY", ["21", "60", "PCE"]),
    )
    assert only_error(result.errors).code == "UNIT_MISMATCH"


def test_carrier_comes_from_tdt_when_there_is_no_nad_ca() -> None:
    result = run(
        seg("BGM", "351", "D-1", "9"),
        seg("TDT", "20", "TRK-1", "30", "", ["", "", "", "Road Runner Ltd"]),
        *ITEM,
    )
    assert result.document is not None and result.document.carrier is not None
    assert (result.document.carrier.name, result.document.transport_reference) == ("Road Runner Ltd", "TRK-1")


@pytest.mark.parametrize(
    "name", ["phpedifact__desadv_d96a.edi", "phpedifact__desadv_unoc_declared_utf8_bytes.edi"]
)
def test_public_sample_despatch_advices_map(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    interchange = read_interchange(path.read_bytes())
    result = map_message(interchange.messages[0], interchange, None)
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.document is not None and result.document.lines
