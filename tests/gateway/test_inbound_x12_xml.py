"""X12 and XML partners go through the same intake and pipeline as EDIFACT ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.database.models import Interchange

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("fixture", "key", "partner", "document_type", "syntax"),
    [
        ("x12/umbrella_850_005010.edi", "demo-umbrella-key", "umbrella", "purchase_order", "x12"),
        ("x12/umbrella_850_004010.edi", "demo-umbrella-key", "umbrella", "purchase_order", "x12"),
        ("x12/globex_855_004010.edi", "demo-globex-key", "globex", "order_response", "x12"),
        ("x12/globex_856_004010.edi", "demo-globex-key", "globex", "delivery_note", "x12"),
        ("x12/globex_810_004010.edi", "demo-globex-key", "globex", "invoice", "x12"),
        ("xml/initech_invoice_ubl.xml", "demo-initech-key", "initech", "invoice", "xml"),
        ("xml/initech_credit_note_ubl.xml", "demo-initech-key", "initech", "invoice", "xml"),
        ("xml/initech_despatch_advice_ubl.xml", "demo-initech-key", "initech", "delivery_note", "xml"),
        ("xml/contoso_bestellung.xml", "demo-contoso-key", "contoso", "purchase_order", "xml"),
    ],
)
def test_document_from_x12_or_xml_partner_is_processed(
    gateway, submit, fetch, drain, fixture, key, partner, document_type, syntax
):
    message_id = submit((FIXTURES / fixture).read_bytes(), key=key).json()["id"]
    drain(gateway)
    result = fetch(message_id, key=key)
    assert result["status"] == "processed", result["errors"]
    assert result["syntax"] == syntax and result["partner"] == partner
    [document] = result["documents"]
    assert document["document_type"] == document_type
    assert document["number"] == result["business_number"]


def test_x12_from_another_partners_key_is_refused(gateway, submit, fetch, drain):
    body = (FIXTURES / "x12/umbrella_850_005010.edi").read_bytes()
    message_id = submit(body, key="demo-globex-key").json()["id"]
    drain(gateway)
    result = fetch(message_id, key="demo-globex-key")
    assert result["status"] == "rejected"
    [error] = result["errors"]
    assert error["code"] == "SENDER_MISMATCH" and "umbrella" in error["text"]
    assert error["location"]["segment_tag"] == "ISA" and error["location"]["element"] == 6


def test_same_ubl_invoice_twice_is_a_duplicate(gateway, submit, fetch, drain):
    body = (FIXTURES / "xml/initech_invoice_ubl.xml").read_bytes()
    submit(body, key="demo-initech-key")
    second = submit(body, key="demo-initech-key").json()["id"]
    drain(gateway)
    result = fetch(second, key="demo-initech-key")
    assert result["status"] == "rejected"
    assert [e["code"] for e in result["errors"]] == ["DUPLICATE_INTERCHANGE"]
    with gateway.sessions() as session:
        keys = session.execute(select(Interchange.control_reference)).scalars().all()
    assert keys[0].startswith("Invoice:")


def test_xml_with_entity_declaration_is_refused_and_kept(gateway, submit, fetch, drain):
    body = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>'
    )
    message_id = submit(body, key="demo-initech-key").json()["id"]
    drain(gateway)
    result = fetch(message_id, key="demo-initech-key")
    assert result["status"] == "rejected"
    assert result["errors"][0]["code"] == "XML_ENTITY_DECLARED"
    assert gateway.archive.get(result["sha256"]) == body
