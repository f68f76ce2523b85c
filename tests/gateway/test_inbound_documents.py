"""Every business document a supplier sends arrives at the ERP side as its canonical document."""

from __future__ import annotations

import pytest

SUPPLIER_KEY = "demo-supplier-one-key"


@pytest.mark.parametrize(
    ("fixture", "document_type"),
    [
        ("supplier_one_ordrsp_d96a.edi", "order_response"),
        ("supplier_one_desadv_d01b.edi", "delivery_note"),
        ("supplier_one_invoic_d96a.edi", "invoice"),
        ("supplier_one_invoic_credit_note_d01b.edi", "invoice"),
    ],
)
def test_supplier_document_is_processed_into_its_canonical_form(
    gateway, submit, fetch, drain, edifact_fixture, fixture, document_type
):
    from translators.edifact.reader import read_interchange

    body = edifact_fixture(fixture)
    expected_number = read_interchange(body).messages[0].segments[1].get(2)  # BGM 1004
    message_id = submit(body, key=SUPPLIER_KEY).json()["id"]
    drain(gateway)
    result = fetch(message_id, key=SUPPLIER_KEY)
    assert result["status"] == "processed", result["errors"]
    [document] = result["documents"]
    assert document["document_type"] == document_type
    assert document["number"] == expected_number == result["business_number"]
    assert result["partner"] == "supplier-one"
