"""The order loop: a purchase order's state follows from the documents around it, and the demo ERP
stand-in answers every customer order so a newcomer sees the ORDRSP arrive in the SFTP ``/out``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.database.models import Acknowledgement, AuditEvent, Transmission, WorkItem
from gateway.order_loop import AUTO_ACCEPT_ORDER, auto_accept_order
from gateway.worker import Worker
from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message

ERP = {"Authorization": "Bearer demo-erp-key"}
ACME = {"Authorization": "Bearer demo-acme-key"}
SUPPLIER_KEY = "demo-supplier-one-key"
PO = "PO-2026-0042"
DELIVERY_NOTE = {
    "document_type": "delivery_note",
    "number": "DN-77",
    "issue_date": "2026-01-20",
    "order_numbers": [PO],
    "lines": [{"line_number": "1", "gtin": "4000001000012", "quantity": "48", "unit": "PCE"}],
}
INVOICE = {
    "document_type": "invoice",
    "number": "INV-88",
    "invoice_type": "invoice",
    "issue_date": "2026-01-21",
    "currency": "EUR",
    "order_number": PO,
    "totals": {"payable_amount": "737.50"},
}


def _response(verdict: str, number: str = "OR-1", order_number: str = PO) -> dict:
    return {
        "document_type": "order_response",
        "number": number,
        "order_number": order_number,
        "issue_date": "2026-01-16",
        "response": verdict,
    }


def _send(client, document: dict, partner: str = "acme-retail") -> dict:
    response = client.post("/v1/outbound", json={"partner": partner, "document": document}, headers=ERP)
    assert response.status_code == 202, response.text
    return response.json()


def _order(client, number: str = PO, **params: str) -> dict:
    response = client.get(f"/v1/orders/{number}", params=params, headers=ERP)
    assert response.status_code == 200, response.text
    return response.json()


def _receive_order(submit, drain, gateway, edifact_fixture) -> str:
    posted = submit(edifact_fixture("acme_orders_d96a.edi"))
    assert posted.status_code == 202, posted.text
    drain(gateway)
    return posted.json()["id"]


def _out(gateway, pattern: str) -> list[Path]:
    return sorted((Path(gateway.settings.data_dir) / "sftp" / "acme-retail" / "out").glob(pattern))


def test_full_loop_for_acme_with_the_demo_erp_accepting(
    make_gateway, client_for, submit_to, drain, edifact_fixture
):
    gateway = make_gateway(demo_auto_accept=True)
    client = client_for(gateway)
    posted = submit_to(client, edifact_fixture("acme_orders_d96a.edi"))
    assert posted.status_code == 202, posted.text
    message_id = posted.json()["id"]
    # One pass of the worker: the order is processed, its CONTRL and the acceptance are queued.
    worker = Worker(gateway, owner="test")
    assert worker.run_once()
    with gateway.sessions() as session:
        queued = session.execute(select(WorkItem).where(WorkItem.kind == AUTO_ACCEPT_ORDER)).scalars().all()
    assert [item.state for item in queued] == ["queued"]

    drain(gateway)
    order = _order(client)
    assert (order["order_number"], order["partner"], order["direction"]) == (PO, "acme-retail", "inbound")
    assert order["state"] == "accepted"
    assert [step["state"] for step in order["steps"]] == ["received", "acknowledged", "accepted"]
    received, acknowledged, accepted = order["steps"]
    [po] = received["documents"]
    assert (po["document_type"], po["number"], po["transmission_id"]) == ("purchase_order", PO, message_id)
    assert (po["direction"], po["message_type"], po["control_reference"]) == (
        "inbound",
        "ORDERS",
        "ACME000123",
    )
    [contrl] = acknowledged["acknowledgements"]
    assert (contrl["type"], contrl["status"], contrl["direction"]) == ("CONTRL", "accepted", "outbound")
    [answer] = accepted["documents"]
    assert (answer["document_type"], answer["number"], answer["response"]) == (
        "order_response",
        f"AR-{PO}",
        "accepted",
    )
    assert (answer["direction"], answer["message_type"], answer["ack_state"]) == (
        "outbound",
        "ORDRSP",
        "awaiting_ack",
    )

    # The ORDRSP is in acme's SFTP /out, as EANCOM, quoting the PO and confirming every line.
    [delivered] = _out(gateway, "*ORDRSP*")
    interchange = read_interchange(delivered.read_bytes())
    assert interchange.control_reference == answer["control_reference"]
    [message] = interchange.messages
    assert message.identifier.startswith("ORDRSP:D:96A:UN")
    assert validate_message(message) == []
    assert ["ON", PO] in [s.elements[0] for s in message.segments if s.tag == "RFF"]
    assert next(s.elements[0] for s in message.segments if s.tag == "BGM")[0] == "231"
    assert len([s for s in message.segments if s.tag == "LIN"]) == 3
    detail = client.get(f"/v1/outbound/{answer['transmission_id']}", headers=ERP).json()
    assert detail["document"]["lines"][0]["confirmed_quantity"] == "48"
    assert detail["document"]["response_type"] == "accepted"

    # The acceptance is audited as the demo ERP's.
    with gateway.sessions() as session:
        actions = (
            session.execute(
                select(AuditEvent.action).where(AuditEvent.actor == "demo-erp").order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
    assert actions == ["order_auto_accept_queued", "outbound_accepted", "order_auto_accepted"]

    # The ERP ships and invoices.
    note = _send(client, DELIVERY_NOTE)
    drain(gateway)
    shipped = _order(client)
    assert shipped["state"] == "shipped"
    assert shipped["steps"][-1]["documents"][0]["transmission_id"] == note["id"]
    assert shipped["steps"][-1]["documents"][0]["message_type"] == "DESADV"
    invoice = _send(client, INVOICE)
    drain(gateway)
    invoiced = _order(client, partner="acme-retail")
    assert [step["state"] for step in invoiced["steps"]] == [
        "received",
        "acknowledged",
        "accepted",
        "shipped",
        "invoiced",
    ]
    [invoice_evidence] = invoiced["steps"][-1]["documents"]
    assert (invoice_evidence["transmission_id"], invoice_evidence["number"]) == (invoice["id"], "INV-88")
    assert invoice_evidence["control_reference"] == invoice["control_reference"]
    listed = client.get("/v1/orders", params={"state": "invoiced"}, headers=ERP).json()
    assert [(o["order_number"], o["state"]) for o in listed] == [(PO, "invoiced")]


def test_without_auto_accept_the_order_waits_for_the_erp(gateway, client, submit, drain, edifact_fixture):
    message_id = _receive_order(submit, drain, gateway, edifact_fixture)
    order = _order(client)
    assert order["state"] == "acknowledged"
    assert order["steps"][0]["state"] == "received"
    assert order["steps"][0]["documents"][0]["transmission_id"] == message_id
    assert _out(gateway, "*ORDRSP*") == []
    assert len(_out(gateway, "*CONTRL*")) == 1
    with gateway.sessions() as session:
        assert session.execute(select(WorkItem).where(WorkItem.kind == AUTO_ACCEPT_ORDER)).first() is None


def test_order_is_received_until_an_acknowledgement_accepts_it(
    gateway, client, submit, drain, edifact_fixture
):
    submit(edifact_fixture("acme_orders_d96a.edi"))
    assert client.get(f"/v1/orders/{PO}", headers=ERP).status_code == 404  # not processed yet
    drain(gateway)
    with gateway.sessions.begin() as session:
        [contrl] = session.execute(select(Acknowledgement)).scalars().all()
        contrl.status = "received"  # as a receipt-only CONTRL (UNB 0031 = 2) would be
    order = _order(client)
    assert order["state"] == "received"
    assert [step["state"] for step in order["steps"]] == ["received"]
    assert order["steps"][0]["documents"][0]["number"] == PO


@pytest.mark.parametrize("verdict", ["changed", "rejected"])
def test_changed_and_rejected_responses(gateway, client, submit, drain, edifact_fixture, verdict):
    _receive_order(submit, drain, gateway, edifact_fixture)
    _send(client, _response("accepted", "OR-0"))
    _send(client, _response("accepted", "OR-X", order_number="PO-OTHER"))  # another order: no effect
    sent = _send(client, _response(verdict))
    drain(gateway)
    order = _order(client)
    assert order["state"] == verdict  # the latest response counts
    step = order["steps"][-1]
    assert step["state"] == verdict
    assert [(d["number"], d["response"]) for d in step["documents"]] == [
        ("OR-0", "accepted"),
        ("OR-1", verdict),
    ]
    assert step["documents"][-1]["transmission_id"] == sent["id"]
    assert [
        o["order_number"] for o in client.get("/v1/orders", params={"state": verdict}, headers=ERP).json()
    ] == [PO]
    assert client.get("/v1/orders", params={"state": "accepted"}, headers=ERP).json() == []


def test_delivery_note_line_reference_counts_as_shipped(gateway, client, submit, drain, edifact_fixture):
    _receive_order(submit, drain, gateway, edifact_fixture)
    by_line = {
        **DELIVERY_NOTE,
        "order_numbers": [],
        "lines": [{**DELIVERY_NOTE["lines"][0], "order_number": PO, "order_line_number": "1"}],
    }
    other = {**DELIVERY_NOTE, "number": "DN-OTHER", "order_numbers": ["PO-OTHER"]}
    _send(client, other)
    sent = _send(client, by_line)
    drain(gateway)
    order = _order(client)
    assert order["state"] == "shipped"
    assert [d["transmission_id"] for d in order["steps"][-1]["documents"]] == [sent["id"]]


def test_unknown_order_is_404_and_partner_key_is_403(gateway, client, submit, drain, edifact_fixture):
    _receive_order(submit, drain, gateway, edifact_fixture)
    assert client.get("/v1/orders/PO-NOPE", headers=ERP).status_code == 404
    assert client.get(f"/v1/orders/{PO}", params={"partner": "globex"}, headers=ERP).status_code == 404
    assert client.get(f"/v1/orders/{PO}", headers=ACME).status_code == 403
    assert client.get("/v1/orders", headers=ACME).status_code == 403
    assert client.get(f"/v1/orders/{PO}").status_code == 401


def test_purchase_order_we_send_to_a_supplier(gateway, client, submit, drain, edifact_fixture):
    """Our PO goes out; the supplier's CONTRL, ORDRSP, DESADV and INVOIC come back in."""
    purchase_order = {
        "document_type": "purchase_order",
        "number": PO,
        "issue_date": "2026-01-15",
        "lines": [{"line_number": "1", "gtin": "4000001000012", "quantity": "48", "unit": "PCE"}],
    }
    sent = _send(client, purchase_order, partner="supplier-one")
    drain(gateway)
    order = _order(client, partner="supplier-one")
    assert (order["direction"], order["state"]) == ("outbound", "sent")
    [po] = order["steps"][0]["documents"]
    assert (po["transmission_id"], po["ack_state"]) == (sent["id"], "awaiting_ack")

    supplier_contrl = (
        b"UNA:+.? 'UNB+UNOC:3+4012345500004:14+4000001000005:14+260116:1000+S0001'"
        b"UNH+1+CONTRL:D:3:UN'UCI+%s+4000001000005:14+4012345500004:14+7'UNT+3+1'UNZ+1+S0001'"
        % sent["control_reference"].encode()
    )
    for body in (
        supplier_contrl,
        edifact_fixture("supplier_one_ordrsp_d96a.edi"),
        edifact_fixture("supplier_one_desadv_d96a.edi"),
        edifact_fixture("supplier_one_invoic_d96a.edi"),
    ):
        assert submit(body, key=SUPPLIER_KEY).status_code == 202
    drain(gateway)
    order = _order(client, partner="supplier-one")
    states = [step["state"] for step in order["steps"]]
    assert states == ["sent", "acknowledged", "changed", "shipped", "invoiced"]  # ORDRSP BGM 1225 = 4
    assert order["steps"][0]["documents"][0]["ack_state"] == "accepted"
    [ack] = order["steps"][1]["acknowledgements"]
    assert (ack["type"], ack["status"], ack["direction"]) == ("CONTRL", "accepted", "inbound")
    response = order["steps"][2]["documents"][0]
    assert (response["direction"], response["number"], response["ack_state"]) == (
        "inbound",
        "RSP-2026-0007",
        None,
    )
    assert order["steps"][3]["documents"][0]["number"] == "DES-2026-0032"
    assert order["steps"][4]["documents"][0]["number"] == "INV-2026-0100"
    # The same number from a customer would be a different order: the partner is then required.
    _receive_order(submit, drain, gateway, edifact_fixture)
    assert client.get(f"/v1/orders/{PO}", headers=ERP).status_code == 409
    assert _order(client, partner="acme-retail")["direction"] == "inbound"
    listed = client.get("/v1/orders", headers=ERP).json()
    assert sorted((o["partner"], o["direction"]) for o in listed) == [
        ("acme-retail", "inbound"),
        ("supplier-one", "outbound"),
    ]
    only = client.get("/v1/orders", params={"partner": "supplier-one"}, headers=ERP).json()
    assert [o["state"] for o in only] == ["invoiced"]


def test_auto_accept_is_idempotent_and_skips_answered_orders(
    make_gateway, client_for, submit_to, drain, edifact_fixture
):
    gateway = make_gateway(demo_auto_accept=True)
    client = client_for(gateway)
    submit_to(client, edifact_fixture("acme_orders_d96a.edi"))
    drain(gateway)
    with gateway.sessions() as session:
        [item] = session.execute(select(WorkItem).where(WorkItem.kind == AUTO_ACCEPT_ORDER)).scalars().all()
        assert item.state == "done"
        outbound = (
            session.execute(select(Transmission).where(Transmission.direction == "outbound")).scalars().all()
        )
    assert [t.message_type for t in outbound] == ["ORDRSP"]
    # A worker that died after sending, before marking its item done, runs it again: nothing new goes out.
    assert auto_accept_order(gateway, item.subject_id) is None
    drain(gateway)
    assert len(_out(gateway, "*ORDRSP*")) == 1
    with gateway.sessions() as session:
        skipped = (
            session.execute(
                select(AuditEvent.details).where(AuditEvent.action == "order_auto_accept_skipped")
            )
            .scalars()
            .all()
        )
    assert skipped == [{"reason": "already answered"}]


def test_auto_accept_ignores_documents_from_suppliers(
    make_gateway, client_for, submit_to, drain, edifact_fixture
):
    gateway = make_gateway(demo_auto_accept=True)
    client = client_for(gateway)
    submit_to(client, edifact_fixture("supplier_one_invoic_d96a.edi"), key=SUPPLIER_KEY)
    drain(gateway)
    with gateway.sessions() as session:
        assert session.execute(select(WorkItem).where(WorkItem.kind == AUTO_ACCEPT_ORDER)).first() is None


@pytest.fixture
def client_for():
    """A test client on a gateway made with other settings than the default fixture's."""
    from fastapi.testclient import TestClient

    from gateway.api.app import create_app

    opened = []

    def make(gw):
        test_client = TestClient(create_app(gw, run_worker=False))
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


@pytest.fixture
def submit_to():
    def post(client, body: bytes, key: str = "demo-acme-key"):
        return client.post("/v1/messages", content=body, headers={"Authorization": f"Bearer {key}"})

    return post
