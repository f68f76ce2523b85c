"""The canonical OrderResponse, DeliveryNote and Invoice and their published JSON Schemas.

The ERP team and the X12 / UBL / cXML maps build against these shapes, so the tests pin what is
shared (parties, lines, amounts as strings) and what each document requires.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from translators.documents.common import (
    DECIMAL_PATTERN,
    AllowanceCharge,
    CanonicalModel,
    DocumentLine,
    InvoiceParty,
    ItemLine,
    Measure,
    Party,
)
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.documents.invoice import Invoice, InvoiceLine, InvoiceTotals, PaymentTerms, TaxBreakdown
from translators.documents.order_response import OrderResponse, OrderResponseLine
from translators.documents.purchase_order import PurchaseOrderLine
from translators.documents.schema import DOCUMENT_MODELS, json_schema

DECIMAL_SCHEMA = {"type": "string", "pattern": DECIMAL_PATTERN}


def sample_response() -> OrderResponse:
    return OrderResponse(
        number="RSP-1",
        order_number="PO-2026-0042",
        order_date=dt.date(2026, 1, 15),
        response_type="changed",
        response_code="4",
        seller=Party(gln="4012345500004", erp_id="SUPP-2001"),
        lines=[
            OrderResponseLine(
                line_number="1",
                gtin="4012345000023",
                line_status="changed",
                line_status_code="3",
                ordered_quantity=Decimal("1000"),
                confirmed_quantity=Decimal("600"),
                unit="EA",
                unit_price=Decimal("0.030"),
                delivery_date=dt.date(2026, 2, 4),
            )
        ],
    )


def sample_note() -> DeliveryNote:
    return DeliveryNote(
        number="DES-1",
        despatch_date=dt.date(2026, 1, 27),
        order_numbers=["PO-2026-0042"],
        gross_weight=Measure(value=Decimal("612.5"), unit="KG"),
        packages=[
            Package(id="1"),
            Package(id="2", parent_id="1", sscc="340123450000000017", package_type="201", package_count=1),
        ],
        lines=[
            DeliveryNoteLine(
                line_number="1",
                gtin="4012345000016",
                quantity=Decimal("500"),
                unit="EA",
                order_number="PO-2026-0042",
                order_line_number="1",
                batch_number="B1",
                best_before_date=dt.date(2029, 1, 31),
                package_id="2",
                sscc="340123450000000017",
            )
        ],
    )


def sample_invoice() -> Invoice:
    return Invoice(
        number="INV-1",
        invoice_type="invoice",
        type_code="380",
        issue_date=dt.date(2026, 1, 31),
        currency="EUR",
        seller=InvoiceParty(gln="4012345500004", vat_id="DE123456789"),
        payment_terms=[PaymentTerms(net_days=30, due_date=dt.date(2026, 3, 2))],
        lines=[
            InvoiceLine(
                line_number="1",
                quantity=Decimal("600"),
                unit="EA",
                unit_price=Decimal("3.00"),
                price_basis_quantity=Decimal("100"),
                line_net_amount=Decimal("18.00"),
                tax_category="S",
                tax_rate=Decimal("19"),
            )
        ],
        allowances_charges=[
            AllowanceCharge(is_charge=False, amount=Decimal("5.00"), reason="Volume discount")
        ],
        tax_breakdown=[
            TaxBreakdown(
                tax_category="S",
                tax_rate=Decimal("19"),
                taxable_amount=Decimal("13.00"),
                tax_amount=Decimal("2.47"),
            )
        ],
        totals=InvoiceTotals(
            line_net_total=Decimal("18.00"),
            allowance_total=Decimal("5.00"),
            tax_exclusive_amount=Decimal("13.00"),
            tax_total=Decimal("2.47"),
            tax_inclusive_amount=Decimal("15.47"),
            payable_amount=Decimal("15.47"),
        ),
    )


SAMPLES: dict[str, Any] = {
    "order_response": sample_response,
    "delivery_note": sample_note,
    "invoice": sample_invoice,
}


@pytest.mark.parametrize(
    ("name", "model"),
    [("order_response", OrderResponse), ("delivery_note", DeliveryNote), ("invoice", Invoice)],
)
def test_each_document_is_published_under_its_document_type(name: str, model: type[CanonicalModel]) -> None:
    assert DOCUMENT_MODELS[name] is model
    schema = json_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == model.__name__
    assert schema["properties"]["document_type"]["const"] == name


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_dumped_document_validates_against_its_published_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = SAMPLES[name]()
    jsonschema.validate(json.loads(document.model_dump_json()), json_schema(name))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_json_round_trip_gives_the_same_document(name: str) -> None:
    document = SAMPLES[name]()
    assert type(document).model_validate_json(document.model_dump_json()) == document


def test_every_line_shares_the_item_identifiers_of_item_line() -> None:
    identifiers = ["line_number", "gtin", "buyer_item_id", "seller_item_id", "erp_item_id", "description"]
    for line in (PurchaseOrderLine, OrderResponseLine, DeliveryNoteLine, InvoiceLine):
        assert issubclass(line, ItemLine)
        assert list(line.model_fields)[:6] == identifiers, line.__name__
    for line in (PurchaseOrderLine, DeliveryNoteLine, InvoiceLine):
        assert issubclass(line, DocumentLine)


def test_purchase_order_line_json_keeps_its_field_order() -> None:
    assert list(PurchaseOrderLine.model_fields)[:10] == [
        "line_number",
        "gtin",
        "buyer_item_id",
        "seller_item_id",
        "erp_item_id",
        "description",
        "quantity",
        "unit",
        "notes",
        "references",
    ]


def test_amounts_quantities_and_rates_are_decimal_strings_in_the_schemas() -> None:
    invoice = json_schema("invoice")["$defs"]
    assert invoice["InvoiceTotals"]["properties"]["payable_amount"] == {
        **DECIMAL_SCHEMA,
        "title": "Payable Amount",
    }
    assert DECIMAL_SCHEMA in invoice["InvoiceLine"]["properties"]["tax_rate"]["anyOf"]
    assert DECIMAL_SCHEMA in invoice["AllowanceCharge"]["properties"]["percent"]["anyOf"]
    response = json_schema("order_response")["$defs"]["OrderResponseLine"]["properties"]
    assert DECIMAL_SCHEMA in response["confirmed_quantity"]["anyOf"]
    note = json_schema("delivery_note")["$defs"]["Measure"]["properties"]
    assert note["value"] == {**DECIMAL_SCHEMA, "title": "Value"}


def test_money_is_a_json_string_keeping_the_scale_as_sent() -> None:
    data = sample_invoice().model_dump(mode="json")
    assert data["totals"]["payable_amount"] == "15.47"
    assert data["lines"][0]["price_basis_quantity"] == "100"
    assert sample_response().model_dump(mode="json")["lines"][0]["unit_price"] == "0.030"


def test_invoice_parties_carry_a_vat_id_but_order_parties_do_not() -> None:
    assert "vat_id" in InvoiceParty.model_fields
    assert "vat_id" not in Party.model_fields
    assert sample_invoice().model_dump(mode="json")["seller"]["vat_id"] == "DE123456789"


def test_status_literals_are_closed_lists() -> None:
    with pytest.raises(ValidationError):
        OrderResponseLine(line_number="1", line_status="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        OrderResponse(number="R", order_number="PO", response_type="pending")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Invoice.model_validate({**sample_invoice().model_dump(), "invoice_type": "proforma"})


def test_required_fields_each_document_cannot_do_without() -> None:
    with pytest.raises(ValidationError, match="order_number"):
        OrderResponse.model_validate({"number": "R", "response_type": "accepted"})
    with pytest.raises(ValidationError, match="totals"):
        Invoice.model_validate({"number": "I", "invoice_type": "invoice"})
    with pytest.raises(ValidationError, match="payable_amount"):
        InvoiceTotals.model_validate({})
    with pytest.raises(ValidationError, match="id"):
        Package.model_validate({"sscc": "340123450000000017"})
    with pytest.raises(ValidationError):
        DeliveryNote(number="")


def test_unknown_fields_are_rejected_so_typos_do_not_pass_silently() -> None:
    data = sample_note().model_dump(mode="json")
    data["packages"][1]["ssc"] = "x"
    with pytest.raises(ValidationError, match="ssc"):
        DeliveryNote.model_validate(data)


def test_document_type_cannot_be_swapped() -> None:
    data = sample_invoice().model_dump(mode="json")
    data["document_type"] = "delivery_note"
    with pytest.raises(ValidationError):
        Invoice.model_validate(data)
