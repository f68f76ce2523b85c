"""The canonical PurchaseOrder and its published JSON Schema: what the ERP team builds against."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from translators.documents import (
    DOCUMENT_MODELS,
    Address,
    Party,
    PurchaseOrder,
    PurchaseOrderLine,
    Reference,
    json_schema,
)
from translators.documents.common import DECIMAL_PATTERN


def sample_order() -> PurchaseOrder:
    return PurchaseOrder(
        number="PO-2026-0042",
        document_name_code="220",
        message_function="9",
        issue_date=dt.date(2026, 1, 15),
        currency="EUR",
        buyer=Party(
            gln="5412345000013",
            erp_id="C-1001",
            name="ACME Retail N.V.",
            address=Address(street="Industrieweg 12", city="Antwerpen", postal_code="2030", country="BE"),
        ),
        references=[Reference(qualifier="CT", type="contract", value="K-2025-117", date=dt.date(2025, 3, 1))],
        notes=["Please deliver to ramp 3+4"],
        lines=[
            PurchaseOrderLine(
                line_number="1",
                gtin="4000001000012",
                quantity=Decimal("48"),
                unit="EA",
                unit_price=Decimal("12.50"),
                line_amount=Decimal("600.00"),
            )
        ],
        total_amount=Decimal("600.00"),
        line_count=1,
    )


def test_purchase_order_is_published_under_its_document_type() -> None:
    assert DOCUMENT_MODELS["purchase_order"] is PurchaseOrder
    schema = json_schema("purchase_order")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "PurchaseOrder"
    assert schema["properties"]["document_type"]["const"] == "purchase_order"


def test_document_models_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        DOCUMENT_MODELS["invoice"] = PurchaseOrder  # type: ignore[index]


def test_unknown_document_type_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="purchase_order"):
        json_schema("pizza_order")


@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_money_and_quantities_are_strings_with_a_decimal_pattern_in_the_schema(mode: str) -> None:
    schema = PurchaseOrder.model_json_schema(mode=mode)  # type: ignore[arg-type]
    line = schema["$defs"]["PurchaseOrderLine"]["properties"]
    assert line["quantity"] == {"type": "string", "pattern": DECIMAL_PATTERN, "title": "Quantity"}
    for name in ("unit_price", "line_amount", "price_basis_quantity"):
        assert {"type": "string", "pattern": DECIMAL_PATTERN} in line[name]["anyOf"], name
    assert {"type": "string", "pattern": DECIMAL_PATTERN} in schema["properties"]["total_amount"]["anyOf"]


def test_money_serialises_as_a_json_string_keeping_the_scale_as_sent() -> None:
    data = sample_order().model_dump(mode="json")
    line = data["lines"][0]
    assert (line["quantity"], line["unit_price"], line["line_amount"]) == ("48", "12.50", "600.00")
    assert data["total_amount"] == "600.00"
    assert data["issue_date"] == "2026-01-15"
    assert data["references"][0]["date"] == "2025-03-01"


def test_python_mode_dump_keeps_decimals() -> None:
    assert sample_order().model_dump()["total_amount"] == Decimal("600.00")


def test_exponent_decimals_are_written_in_fixed_point() -> None:
    order = sample_order().model_copy(update={"total_amount": Decimal("1E+3")})
    assert order.model_dump(mode="json")["total_amount"] == "1000"


def test_json_round_trip_gives_the_same_order() -> None:
    order = sample_order()
    assert PurchaseOrder.model_validate_json(order.model_dump_json()) == order


def test_dumped_order_validates_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json.loads(sample_order().model_dump_json()), json_schema("purchase_order"))


def test_unknown_fields_are_rejected_so_typos_do_not_pass_silently() -> None:
    data = sample_order().model_dump(mode="json")
    data["lines"][0]["quantiy"] = "3"
    with pytest.raises(ValidationError, match="quantiy"):
        PurchaseOrder.model_validate(data)


def test_an_order_needs_a_number_and_the_right_document_type() -> None:
    with pytest.raises(ValidationError):
        PurchaseOrder(number="")
    with pytest.raises(ValidationError):
        PurchaseOrder.model_validate({"document_type": "invoice", "number": "1"})


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12))
def test_every_amount_round_trips_through_json_and_matches_the_pattern(value: Decimal) -> None:
    line = PurchaseOrderLine(line_number="1", quantity=value, unit="EA", unit_price=value)
    text = line.model_dump(mode="json")["unit_price"]
    assert isinstance(text, str)
    assert re.fullmatch(DECIMAL_PATTERN, text)
    assert PurchaseOrderLine.model_validate_json(line.model_dump_json()).unit_price == value
