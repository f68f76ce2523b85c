"""EDIFACT INVOIC → canonical Invoice: amounts as stated, checked but never corrected.

Supplier One invoices our order PO-2026-0042 with two VAT rates and a volume discount, and credits part
of it (fixtures under tests/fixtures/edifact). Totals that do not add up are a located TOTALS_MISMATCH.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from partners.profile import PartnerProfile
from translators.documents.invoice import Invoice
from translators.edifact.maps.invoic import map_invoic
from translators.edifact.maps.result import MapResult
from translators.edifact.model import Segment

from . import map_building as building
from .map_building import only_error, read_fixture, run_message, seg

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"


def supplier_one() -> PartnerProfile:
    return building.supplier_one(units={"PCE": "EA"})


def read(name: str) -> MapResult[Invoice]:
    return read_fixture(name, supplier_one())


def run(*body: Segment) -> MapResult[Invoice]:
    return run_message(map_invoic, ("INVOIC", "96A", "EAN008"), body, supplier_one())


def simple_invoice(*summary: Segment, line_amount: str = "10.00") -> list[Segment]:
    return [
        seg("BGM", "380", "I-1", "9"),
        seg("LIN", "1", "", ["4012345000016", "EN"]),
        seg("QTY", ["47", "1"]),
        seg("MOA", ["203", line_amount]),
        seg("UNS", "S"),
        *summary,
    ]


def test_supplier_one_invoice_header_parties_and_references_field_by_field() -> None:
    result = read("supplier_one_invoic_d96a.edi")
    assert result.errors == []
    invoice = result.document
    assert isinstance(invoice, Invoice)
    data = invoice.model_dump(mode="json")
    assert data["document_type"] == "invoice"
    assert (data["number"], data["invoice_type"], data["type_code"]) == ("INV-2026-0100", "invoice", "380")
    assert (data["issue_date"], data["tax_point_date"], data["delivery_date"], data["due_date"]) == (
        "2026-01-31",
        "2026-01-28",
        "2026-01-28",
        "2026-03-02",
    )
    assert data["currency"] == "EUR"
    assert (data["order_number"], data["delivery_note_number"], data["contract_number"]) == (
        "PO-2026-0042",
        "DES-2026-0031",
        "K-SO-2025-3",
    )
    assert data["preceding_invoice_number"] is None
    assert [r["qualifier"] for r in data["references"]] == ["ON", "DQ", "CT"]
    assert data["references"][0]["date"] == "2026-01-15"
    assert data["notes"] == ["Thank you for your order"]
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
        "vat_id": "DE123456789",
    }
    assert (data["buyer"]["erp_id"], data["buyer"]["vat_id"]) == ("SELF", "DE811111111")
    assert (data["ship_to"]["erp_id"], data["payee"], data["invoicee"]) == ("WH-01", None, None)
    assert Invoice.model_validate_json(invoice.model_dump_json()) == invoice


def test_payment_terms_net_and_cash_discount() -> None:
    result = read("supplier_one_invoic_d96a.edi")
    assert result.document is not None
    assert result.document.model_dump(mode="json")["payment_terms"] == [
        {
            "description": None,
            "due_date": "2026-03-02",
            "net_days": 30,
            "discount_percent": None,
            "discount_days": None,
            "discount_due_date": None,
            "discount_amount": None,
        },
        {
            "description": None,
            "due_date": None,
            "net_days": None,
            "discount_percent": "2",
            "discount_days": 10,
            "discount_due_date": "2026-02-10",
            "discount_amount": None,
        },
    ]


def test_lines_carry_price_basis_line_net_amount_and_vat() -> None:
    result = read("supplier_one_invoic_d96a.edi")
    assert result.document is not None
    lines = result.document.model_dump(mode="json")["lines"]
    assert lines[1] == {
        "line_number": "2",
        "gtin": "4012345000023",
        "buyer_item_id": None,
        "seller_item_id": "SO-200",
        "erp_item_id": "SKU-WASHER-M8",
        "description": "Washer M8",
        "quantity": "600",
        "unit": "EA",
        "notes": [],
        "references": [{"qualifier": "ON", "type": "buyer_order", "value": "PO-2026-0042", "date": None}],
        "unit_price": "3.00",
        "price_basis_quantity": "100",
        "gross_price": None,
        "line_net_amount": "18.00",
        "tax_category": "S",
        "tax_rate": "19",
        "order_line_number": "2",
        "allowances_charges": [],
    }
    assert [(ln["line_net_amount"], ln["tax_rate"]) for ln in lines] == [
        ("60.00", "19"),
        ("18.00", "19"),
        ("30.00", "7"),
    ]


def test_allowance_vat_breakdown_and_totals_are_as_stated() -> None:
    result = read("supplier_one_invoic_d96a.edi")
    assert result.document is not None
    data = result.document.model_dump(mode="json")
    assert data["allowances_charges"] == [
        {
            "is_charge": False,
            "amount": "5.00",
            "reason": "Volume discount",
            "reason_code": "DI",
            "base_amount": None,
            "percent": None,
            "tax_category": "S",
            "tax_rate": "19",
        }
    ]
    assert data["tax_breakdown"] == [
        {
            "tax_category": "S",
            "tax_rate": "19",
            "taxable_amount": "73.00",
            "tax_amount": "13.87",
            "exemption_reason": None,
        },
        {
            "tax_category": "S",
            "tax_rate": "7",
            "taxable_amount": "30.00",
            "tax_amount": "2.10",
            "exemption_reason": None,
        },
    ]
    assert data["totals"] == {
        "line_net_total": "108.00",
        "allowance_total": "5.00",
        "charge_total": None,
        "tax_exclusive_amount": "103.00",
        "tax_total": "15.97",
        "tax_inclusive_amount": "118.97",
        "prepaid_amount": None,
        "rounding_amount": None,
        "payable_amount": "118.97",
    }


def test_credit_note_381_names_the_invoice_it_corrects() -> None:
    result = read("supplier_one_invoic_credit_note_d01b.edi")
    assert result.errors == []
    credit = result.document
    assert credit is not None
    assert (credit.invoice_type, credit.type_code, credit.number) == ("credit_note", "381", "CN-2026-0005")
    assert credit.preceding_invoice_number == "INV-2026-0100"
    assert (credit.totals.payable_amount, credit.totals.tax_total) == (Decimal("3.57"), Decimal("0.57"))
    assert credit.seller is not None and credit.seller.vat_id == "DE123456789"


def test_d93a_invoice_with_decimal_comma_and_seller_as_se() -> None:
    result = read("invoic_d93a_decimal_comma.edi")
    assert result.errors == []
    invoice = result.document
    assert invoice is not None
    assert invoice.issue_date is not None and invoice.issue_date.isoformat() == "2026-02-10"
    assert invoice.seller is not None and invoice.seller.name == "Supplier One GmbH"
    assert [ln.line_net_amount for ln in invoice.lines] == [Decimal("750"), Decimal("19.9"), Decimal("7.5")]
    assert (invoice.totals.tax_inclusive_amount, invoice.totals.payable_amount) == (
        Decimal("901.78"),
        Decimal("901.78"),
    )


def test_totals_that_do_not_add_up_are_a_located_totals_mismatch_and_not_corrected() -> None:
    result = read("invoic_totals_mismatch.edi")
    error = only_error(result.errors)
    assert error.code == "TOTALS_MISMATCH"
    loc = error.location
    assert (loc.segment_tag, loc.message_segment, loc.element, loc.component) == ("MOA", 54, 1, 2)
    assert "119.97" in error.text and "118.97" in error.text
    # The document comes back next to its error, with the amounts as the supplier stated them, for the
    # dashboard; the result is not ok, and a message with errors hands the ERP no document.
    assert result.document is not None
    assert result.document.totals.tax_inclusive_amount == Decimal("119.97")
    assert not result.ok


def test_pro_forma_invoice_is_not_booked() -> None:
    result = read("invoic_proforma_rejected.edi")
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.location.segment_tag, error.location.element) == ("UNKNOWN_CODE", "BGM", 1)


def test_line_without_invoiced_quantity_is_missing_segment() -> None:
    result = read("invoic_line_without_invoiced_quantity.edi")
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.location.segment_tag) == ("MISSING_SEGMENT", "LIN")
    assert "QTY+47" in error.text


def test_line_sum_differing_from_moa_79_is_reported_at_moa_79() -> None:
    result = run(*simple_invoice(seg("MOA", ["79", "10.50"]), seg("MOA", ["77", "10.50"])))
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag) == ("TOTALS_MISMATCH", "MOA")
    assert "MOA 79" in error.text


def test_one_cent_of_rounding_is_tolerated() -> None:
    result = run(
        *simple_invoice(
            seg("MOA", ["125", "10.00"]),
            seg("MOA", ["176", "0.71"]),
            seg("MOA", ["77", "10.71"]),
            seg("TAX", "7", "VAT", "", "", ["", "", "", "7"], "S"),
            seg("MOA", ["124", "0.71"]),
            seg("MOA", ["125", "10.00"]),
        )
    )
    assert result.errors == []


def test_vat_row_whose_tax_is_not_rate_times_base_is_a_mismatch() -> None:
    result = run(
        *simple_invoice(
            seg("MOA", ["77", "11.90"]),
            seg("TAX", "7", "VAT", "", "", ["", "", "", "19"], "S"),
            seg("MOA", ["124", "1.00"]),
            seg("MOA", ["125", "10.00"]),
        )
    )
    error = only_error(result.errors)
    assert error.code == "TOTALS_MISMATCH"
    assert error.location.message_segment == 9  # the MOA 124 of that row


def test_invoice_without_an_amount_due_is_rejected() -> None:
    result = run(*simple_invoice(seg("MOA", ["79", "10.00"])))
    error = only_error(result.errors)
    assert result.document is None
    assert error.code == "MISSING_SEGMENT" and "amount due" in error.text


def test_vat_row_without_amounts_is_missing_segment_at_tax() -> None:
    result = run(*simple_invoice(seg("MOA", ["77", "10.00"]), seg("TAX", "7", "VAT")))
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag) == ("MISSING_SEGMENT", "TAX")


def test_line_allowance_stays_on_the_line_and_does_not_replace_the_line_amount() -> None:
    result = run(
        seg("BGM", "380", "I-1", "9"),
        seg("LIN", "1", "", ["4012345000016", "EN"]),
        seg("QTY", ["47", "10"]),
        seg("MOA", ["203", "90.00"]),
        seg("PRI", ["AAA", "9.00"]),
        seg("PRI", ["AAB", "10.00"]),
        seg("ALC", "A", "", "", "", ["DI"]),
        seg("PCD", ["1", "10"]),
        seg("MOA", ["204", "10.00"]),
        seg("UNS", "S"),
        seg("MOA", ["77", "90.00"]),
    )
    assert result.errors == []
    assert result.document is not None
    (line,) = result.document.lines
    assert (line.line_net_amount, line.unit_price, line.gross_price) == (
        Decimal("90.00"),
        Decimal("9.00"),
        Decimal("10.00"),
    )
    (allowance,) = line.allowances_charges
    assert (allowance.is_charge, allowance.amount, allowance.percent, allowance.reason_code) == (
        False,
        Decimal("10.00"),
        Decimal("10"),
        "DI",
    )


def test_allowance_without_amount_is_missing_segment_at_alc() -> None:
    result = run(
        seg("BGM", "380", "I-1", "9"),
        seg("ALC", "C", "", "", "", ["FC"]),
        *simple_invoice(seg("MOA", ["77", "10.00"]))[1:],
    )
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag) == ("MISSING_SEGMENT", "ALC")


def test_prepaid_amount_is_subtracted_only_when_the_supplier_states_the_amount_due() -> None:
    result = run(
        *simple_invoice(seg("MOA", ["77", "10.00"]), seg("MOA", ["113", "4.00"]), seg("MOA", ["9", "6.00"]))
    )
    assert result.errors == []
    assert result.document is not None
    assert (result.document.totals.prepaid_amount, result.document.totals.payable_amount) == (
        Decimal("4.00"),
        Decimal("6.00"),
    )
