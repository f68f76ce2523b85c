"""The walking gateway: an EANCOM ORDERS in over REST, a purchase order out, a CONTRL back."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from gateway.database.models import Acknowledgement, AuditEvent, Document, Interchange, Message
from translators.edifact.reader import read_interchange


def _segments(raw: str, tag: str) -> list[list[list[str]]]:
    return [s.elements for s in read_interchange(raw).messages[0].segments if s.tag == tag]


def test_acme_order_becomes_a_purchase_order_with_positive_contrl(
    gateway, submit, fetch, drain, edifact_fixture
):
    message_id = submit(edifact_fixture("acme_orders_d96a.edi")).json()["id"]
    assert drain(gateway) == 1  # processing; the CONTRL goes into ACME's mailbox with it
    result = fetch(message_id)

    assert result["status"] == "processed"
    assert result["partner"] == "acme-retail" and result["syntax"] == "edifact"
    assert result["errors"] == []
    assert result["interchanges"][0]["control_reference"] == "ACME000123"
    assert result["interchanges"][0]["sender"] == "5412345000013:14"

    [order] = result["documents"]
    assert order["document_type"] == "purchase_order"
    assert order["number"] == "PO-2026-0042"
    assert order["issue_date"] == "2026-01-15" and order["requested_delivery_date"] == "2026-01-22"
    assert order["currency"] == "EUR"
    assert order["buyer"]["gln"] == "5412345000013" and order["buyer"]["erp_id"] == "CUST-1001"
    assert order["ship_to"]["erp_id"] == "CUST-1001-DC1"
    assert order["seller"]["name"].startswith("Müller + Söhne GmbH")  # UNOC umlauts, released "+"
    assert order["seller"]["address"]["street"] == "Mühlenstraße 5"
    assert "Please deliver to ramp 3+4 before 10 o'clock" in order["notes"][0]
    first, second, third = order["lines"]
    assert first["gtin"] == "4000001000012" and first["seller_item_id"] == "MS-4711"
    assert first["buyer_item_id"] == "ACME-100234"
    assert Decimal(first["quantity"]) == Decimal("48") and first["unit"] == "EA"  # PCE mapped by profile
    assert first["unit_price"] == "12.50" and first["line_amount"] == "600.00"
    assert second["description"] == "Widget red 12 mm: heavy duty version"
    assert third["unit"] == "KG" and Decimal(third["quantity"]) == Decimal("2.5")

    [ack] = result["acknowledgements"]
    assert ack["type"] == "CONTRL" and ack["status"] == "accepted"
    contrl = read_interchange(ack["raw"])
    assert contrl.sender_id == "4000001000005" and contrl.recipient_id == "5412345000013"
    assert contrl.messages[0].type == "CONTRL"
    [uci] = _segments(ack["raw"], "UCI")
    assert uci[0] == ["ACME000123"] and uci[1] == ["5412345000013", "14"] and uci[3] == ["7"]

    with gateway.sessions() as session:
        actions = (
            session.execute(
                select(AuditEvent.action).where(AuditEvent.subject_id == message_id).order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
        assert actions == ["received", "archived", "parsed", "validated", "translated", "processed"]
        ack_row = session.execute(select(Acknowledgement)).scalar_one()
        assert gateway.archive.get(ack_row.sha256).decode("latin-1") == ack["raw"]
        ack_events = (
            session.execute(
                select(AuditEvent.action).where(AuditEvent.subject_id == ack_row.id).order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
        assert ack_events == ["acknowledgement_created", "acknowledgement_delivered"]
        assert ack_row.delivery_state == "delivered" and ack_row.delivered_at is not None
        assert ack_row.filename.startswith("acme-retail_CONTRL_1_") and ack_row.filename.endswith(".edi")


def test_our_contrl_control_numbers_count_up_per_partner(gateway, submit, fetch, drain, edifact_fixture):
    body = edifact_fixture("acme_orders_d96a.edi")
    ids = [submit(body.replace(b"ACME000123", ref)).json()["id"] for ref in (b"ACME000124", b"ACME000125")]
    drain(gateway)
    refs = [fetch(i)["acknowledgements"][0]["control_reference"] for i in ids]
    assert refs == ["1", "2"]


def test_same_interchange_twice_is_a_duplicate_and_delivered_once(
    gateway, submit, fetch, drain, edifact_fixture
):
    body = edifact_fixture("acme_orders_d96a.edi")
    first = submit(body).json()["id"]
    drain(gateway)
    second = submit(body).json()["id"]
    drain(gateway)

    again = fetch(second)
    assert again["status"] == "rejected"
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_INTERCHANGE"]
    assert first in again["errors"][0]["text"]
    assert again["documents"] == []
    assert again["interchanges"][0]["duplicate"] is True
    # An identical retransmission gets back the very acknowledgement the original got.
    assert again["acknowledgements"][0]["raw"] == fetch(first)["acknowledgements"][0]["raw"]
    with gateway.sessions() as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 1
        assert (
            session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "duplicate_detected")
            ).scalar_one()
            == 1
        )


def test_reused_control_reference_with_other_content_gets_contrl_26(
    gateway, submit, fetch, drain, edifact_fixture
):
    body = edifact_fixture("acme_orders_d96a.edi")
    submit(body).json()
    changed = submit(body.replace(b"PO-2026-0042", b"PO-2026-0043")).json()["id"]
    drain(gateway)
    result = fetch(changed)
    assert result["status"] == "rejected"
    [ack] = result["acknowledgements"]
    assert ack["status"] == "rejected"
    [uci] = _segments(ack["raw"], "UCI")
    assert uci[3] == ["4"] and uci[4] == ["26"]


def test_several_interchanges_in_one_body_are_each_processed(gateway, submit, fetch, drain, edifact_fixture):
    body = edifact_fixture("acme_orders_d96a.edi")
    second = body.replace(b"ACME000123", b"ACME000999").replace(b"PO-2026-0042", b"PO-2026-0099")
    message_id = submit(body + b"\r\n" + second).json()["id"]
    drain(gateway)
    result = fetch(message_id)
    assert result["status"] == "processed"
    assert [d["number"] for d in result["documents"]] == ["PO-2026-0042", "PO-2026-0099"]
    assert len(result["acknowledgements"]) == 2
    with gateway.sessions() as session:
        rows = session.execute(select(Interchange).order_by(Interchange.position)).scalars().all()
        assert [r.control_reference for r in rows] == ["ACME000123", "ACME000999"]
        assert session.execute(select(func.count()).select_from(Message)).scalar_one() == 2
