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


def _segments(raw: str) -> list[str]:
    return [s.strip() for s in raw.split("~") if s.strip()]


def test_umbrella_850_gets_a_999_and_globex_810_a_997(gateway, submit, fetch, drain):
    umbrella = submit((FIXTURES / "x12/umbrella_850_005010.edi").read_bytes(), key="demo-umbrella-key").json()
    globex = submit((FIXTURES / "x12/globex_810_004010.edi").read_bytes(), key="demo-globex-key").json()
    drain(gateway)
    [ack_999] = fetch(umbrella["id"], key="demo-umbrella-key")["acknowledgements"]
    [ack_997] = fetch(globex["id"], key="demo-globex-key")["acknowledgements"]
    assert ack_999["type"] == "999" and ack_999["status"] == "accepted"
    assert ack_997["type"] == "997" and ack_997["status"] == "accepted"
    seg_999, seg_997 = _segments(ack_999["raw"]), _segments(ack_997["raw"])
    isa = seg_999[0].split("*")
    assert isa[6].strip() == "EDIGATEDEMO" and isa[8].strip() == "UMBRELLA"
    assert seg_999[0].split("*")[13] == ack_999["control_reference"] == "000000001"
    assert "IK5*A" in seg_999 and "AK9*A*1*1*1" in seg_999
    assert seg_997[2].startswith("ST*997*") and "AK5*A" in seg_997 and "AK9*A*1*1*1" in seg_997


def test_x12_set_with_errors_is_rejected_in_the_999_with_segment_detail(gateway, submit, fetch, drain):
    body = (FIXTURES / "x12/ack_umbrella_850_mixed_004010.edi").read_bytes()
    message_id = submit(body, key="demo-umbrella-key").json()["id"]
    drain(gateway)
    result = fetch(message_id, key="demo-umbrella-key")
    assert result["status"] == "processed"  # one of four sets is fine and goes on to the ERP
    assert len(result["documents"]) == 1
    [ack] = result["acknowledgements"]
    segments = _segments(ack["raw"])
    assert ack["type"] == "999" and ack["status"] == "rejected"
    assert "AK9*P*4*4*1" in segments
    assert "IK4*1*349*7*Q" in segments  # the bad code value, copied back


def test_ubl_invoice_that_does_not_add_up_gets_a_negative_application_response(gateway, submit, fetch, drain):
    from translators.xml.application_response import parse_application_response
    from translators.xml.parser import read_xml

    body = (FIXTURES / "xml/initech_invoice_ubl.xml").read_bytes().replace(
        b'<cbc:PayableAmount currencyID="EUR">240.30</cbc:PayableAmount>',
        b'<cbc:PayableAmount currencyID="EUR">1.00</cbc:PayableAmount>',
    )
    message_id = submit(body, key="demo-initech-key").json()["id"]
    drain(gateway)
    result = fetch(message_id, key="demo-initech-key")
    assert result["status"] == "rejected" and result["errors"][0]["code"] == "TOTAL_MISMATCH"
    [ack] = result["acknowledgements"]
    assert ack["type"] == "ApplicationResponse" and ack["status"] == "rejected"
    report = parse_application_response(read_xml(ack["raw"].encode("utf-8")))
    assert report.documents[0].document_id == "INI-2025-00731"
    assert report.documents[0].response_code == "RE"
