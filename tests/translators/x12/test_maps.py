"""X12 850/855/856/810 → canonical documents, in 004010 and 005010, compared field by field as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from partners.profile import CodeMaps
from tests.translators.x12.samples import FIXTURES, group, interchange, po_set
from translators.edifact.maps.result import MapResult
from translators.x12.maps import map_transaction
from translators.x12.model import TransactionSet, X12Interchange
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction

VERSIONS = ["004010", "005010"]


class _Profile:
    """Anything with ``codes`` will do as a profile (see ProfileWithCodes)."""

    def __init__(self, **maps: dict[str, str]) -> None:
        self.codes = CodeMaps(**maps)


def _read(name: str) -> tuple[X12Interchange, TransactionSet]:
    ic = read_x12_interchanges((FIXTURES / name).read_bytes())[0]
    assert ic.all_errors == []
    group_ = ic.groups[0]
    ts = group_.transactions[0]
    assert validate_transaction(ts, group_.version) == []
    return ic, ts


def _map(name: str, profile: Any = None) -> dict[str, Any]:
    ic, ts = _read(name)
    result = map_transaction(ts, ic.groups[0], ic, profile)
    assert result.errors == [] and result.document is not None
    return json.loads(result.document.model_dump_json(exclude_none=True))


def _map_text(text: str) -> MapResult[Any]:
    ic = read_x12_interchanges(text)[0]
    return map_transaction(ic.messages[0], ic.groups[0], ic, None)


@pytest.mark.parametrize("version", VERSIONS)
def test_850_maps_to_a_purchase_order(version: str):
    doc = _map(f"umbrella_850_{version}.edi")
    assert {
        k: doc[k]
        for k in (
            "document_type",
            "number",
            "document_name_code",
            "message_function",
            "issue_date",
            "requested_delivery_date",
            "currency",
            "total_amount",
            "line_count",
            "notes",
        )
    } == {
        "document_type": "purchase_order",
        "number": "UMB-4500012345",
        "document_name_code": "SA",
        "message_function": "00",
        "issue_date": "2024-01-15",
        "requested_delivery_date": "2024-02-01",
        "currency": "USD",
        "total_amount": "999.97",
        "line_count": 2,
        "notes": ["DELIVER TO DOCK 3 BETWEEN 8AM AND 4PM"],
    }
    assert doc["buyer"] == {
        "gln": "0614141000012",
        "name": "UMBRELLA CORPORATION",
        "address": {
            "street": "1 HIVE ROAD, BUILDING 4",
            "city": "RACCOON CITY",
            "postal_code": "65101",
            "country": "US",
        },
    }
    assert doc["seller"] == {"party_id": "SUP-001", "party_id_agency": "92", "name": "EDIGATE DEMO SUPPLY"}
    assert doc["ship_to"]["gln"] == "0614141000029"
    assert doc["references"] == [
        {"qualifier": "CT", "type": "contract", "value": "CONTRACT-77"},
        {"qualifier": "DP", "type": "department", "value": "038"},
    ]
    assert doc["lines"] == [
        {
            "line_number": "1",
            "gtin": "012345678905",
            "buyer_item_id": "U-100",
            "seller_item_id": "WID-100",
            "description": "BLUE WIDGET 100MM",
            "quantity": "24",
            "unit": "EA",
            "notes": [],
            "references": [],
            "unit_price": "12.50",
            "requested_delivery_date": "2024-02-03",
        },
        {
            "line_number": "2",
            "seller_item_id": "GAD-200",
            "description": "GADGET CASE OF 12",
            "quantity": "3.5",
            "unit": "CA",
            "notes": [],
            "references": [],
            "unit_price": "199.99",
        },
    ]


def test_850_applies_the_profile_code_maps():
    profile = _Profile(
        units={"EA": "PCE", "CA": "CS"},
        parties={"0614141000012": "CUST-UMB"},
        items={"012345678905": "SKU-1", "GAD-200": "SKU-2"},
    )
    doc = _map("umbrella_850_005010.edi", profile)
    assert [(line["unit"], line["erp_item_id"]) for line in doc["lines"]] == [
        ("PCE", "SKU-1"),
        ("CS", "SKU-2"),
    ]
    assert doc["buyer"]["erp_id"] == "CUST-UMB"


def test_850_without_lines_and_with_a_bad_quantity_is_rejected_with_located_errors():
    tset = po_set()
    tset[2] = "PO1*1*lots*EA*3.50"
    result = _map_text(interchange(*group(tset)))
    assert result.document is None
    error = result.errors[0]
    assert (
        error.code,
        error.location.segment_tag,
        error.location.element,
        error.location.message_segment,
    ) == ("INVALID_NUMBER", "PO1", 2, 3)
    no_lines = _map_text(interchange(*group(["ST*850*0001", "BEG*00*SA*PO-1**20240115", "SE*3*0001"])))
    assert [e.code for e in no_lines.errors] == ["MISSING_SEGMENT"]


def test_850_line_count_must_match():
    tset = po_set(lines=2)
    tset[-2] = "CTT*3"
    result = _map_text(interchange(*group(tset)))
    assert [e.code for e in result.errors] == ["LINE_COUNT_MISMATCH"]


@pytest.mark.parametrize("version", VERSIONS)
def test_855_maps_to_an_order_response(version: str):
    doc = _map(f"globex_855_{version}.edi")
    assert {
        k: doc[k]
        for k in (
            "number",
            "order_number",
            "order_date",
            "issue_date",
            "response_type",
            "response_code",
            "delivery_date",
            "currency",
        )
    } == {
        "number": "SO-98765",
        "order_number": "UMB-4500012345",
        "order_date": "2024-01-15",
        "issue_date": "2024-01-16",
        "response_type": "changed",
        "response_code": "AC",
        "delivery_date": "2024-02-05",
        "currency": "USD",
    }
    assert [
        (
            ln["line_number"],
            ln["line_status"],
            ln["line_status_code"],
            ln["ordered_quantity"],
            ln.get("confirmed_quantity"),
            ln["unit"],
            ln.get("delivery_date"),
        )
        for ln in doc["lines"]
    ] == [
        ("1", "accepted", "IA", "24", "24", "EA", "2024-02-05"),
        ("2", "changed", "IC", "3.5", "2", "CA", "2024-02-10"),
        ("3", "rejected", "IR", "10", "0", "EA", None),
    ]
    assert doc["seller"] == {"party_id": "GLOBEX", "party_id_agency": "92", "name": "GLOBEX CORPORATION"}


def test_855_unknown_acknowledgment_type_is_an_error_not_a_guess():
    text = (FIXTURES / "globex_855_004010.edi").read_text().replace("BAK*00*AC*", "BAK*00*ZZ*")
    result = _map_text(text)
    assert result.document is None
    assert (result.errors[0].code, result.errors[0].location.element) == ("UNKNOWN_RESPONSE_CODE", 2)


@pytest.mark.parametrize("version", VERSIONS)
def test_856_maps_to_a_delivery_note_with_its_packing_hierarchy(version: str):
    doc = _map(f"globex_856_{version}.edi")
    assert {
        k: doc[k]
        for k in (
            "number",
            "issue_date",
            "despatch_date",
            "delivery_date",
            "order_numbers",
            "transport_mode",
            "transport_reference",
            "package_count",
        )
    } == {
        "number": "ASN-0001",
        "issue_date": "2024-01-20",
        "despatch_date": "2024-01-20",
        "delivery_date": "2024-01-22",
        "order_numbers": ["UMB-4500012345"],
        "transport_mode": "M",
        "transport_reference": "BOL-555001",
        "package_count": 2,
    }
    assert doc["gross_weight"] == {"value": "412.5", "unit": "LB"}
    assert doc["carrier"] == {"party_id": "GLBX", "party_id_agency": "2", "name": "GLOBEX FREIGHT"}
    assert doc["ship_from"]["address"]["city"] == "CYPRESS CREEK"
    assert doc["packages"] == [
        {"id": "3", "sscc": "00106141410000000017", "package_type": "PLT"},
        {"id": "5", "sscc": "00106141410000000024"},
    ]
    assert [
        (
            ln["line_number"],
            ln.get("gtin"),
            ln["quantity"],
            ln["unit"],
            ln["ordered_quantity"],
            ln["order_number"],
            ln["package_id"],
            ln["sscc"],
            ln.get("batch_number"),
        )
        for ln in doc["lines"]
    ] == [
        ("1", "012345678905", "24", "EA", "24", "UMB-4500012345", "3", "00106141410000000017", "LOT-2024-01"),
        ("2", None, "2", "CA", "3.5", "UMB-4500012345", "5", "00106141410000000024", None),
    ]


def test_856_parent_that_does_not_exist_is_located():
    text = (FIXTURES / "globex_856_004010.edi").read_text().replace("HL*6*5*I", "HL*6*9*I")
    result = _map_text(text)
    assert result.document is None
    error = result.errors[0]
    assert (error.code, error.location.segment_tag, error.location.element) == ("UNKNOWN_HL_PARENT", "HL", 2)


@pytest.mark.parametrize("version", VERSIONS)
def test_810_maps_to_an_invoice(version: str):
    doc = _map(f"globex_810_{version}.edi")
    assert {
        k: doc[k]
        for k in (
            "number",
            "invoice_type",
            "type_code",
            "issue_date",
            "delivery_date",
            "currency",
            "order_number",
            "delivery_note_number",
        )
    } == {
        "number": "INV-2024-0042",
        "invoice_type": "invoice",
        "type_code": "380",
        "issue_date": "2024-01-25",
        "delivery_date": "2024-01-22",
        "currency": "USD",
        "order_number": "UMB-4500012345",
        "delivery_note_number": "ASN-0001",
    }
    assert doc["totals"] == {"tax_total": "24.00", "payable_amount": "727.98"}  # TDS N2: 72798 → 727.98
    assert doc["tax_breakdown"] == [
        {"tax_category": "ST", "tax_rate": "8", "taxable_amount": "300.00", "tax_amount": "24.00"}
    ]
    assert doc["allowances_charges"] == [
        {"is_charge": True, "amount": "15.00", "reason": "FREIGHT", "reason_code": "D240"}
    ]
    assert doc["payment_terms"] == [
        {"description": "2% 10 NET 30", "net_days": 30, "discount_percent": "2", "discount_days": 10}
    ]
    assert doc["buyer"]["gln"] == "0614141000012"
    assert doc["seller"]["vat_id"] == "US-GLOBEX-VAT"
    assert doc["payee"]["party_id"] == "GLOBEX-AR"
    line1, line2 = doc["lines"]
    assert (line1["quantity"], line1["unit_price"], line1["tax_category"], line1["tax_rate"]) == (
        "24",
        "12.50",
        "ST",
        "8",
    )
    assert line2["allowances_charges"] == [
        {"is_charge": False, "amount": "20.00", "reason": "PROMOTIONAL DISCOUNT", "reason_code": "C310"}
    ]


def test_810_credit_memo_is_a_credit_note():
    text = (FIXTURES / "globex_810_004010.edi").read_text().replace("***DI~", "***CR~")
    result = _map_text(text)
    assert result.document is not None
    assert (result.document.invoice_type, result.document.type_code) == ("credit_note", "381")


def test_unsupported_transaction_set_is_a_located_error():
    text = interchange(*group(["ST*204*0001", "B2**SCAC", "SE*3*0001"]))
    result = _map_text(text)
    assert result.document is None
    assert (result.errors[0].code, result.errors[0].location.segment_tag) == (
        "UNSUPPORTED_TRANSACTION_SET",
        "ST",
    )
