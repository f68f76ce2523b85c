"""The ERP's pull API: documents of every partner in order, acknowledged one by one, offered again
when not acknowledged within the visibility timeout; ERP keys and partner keys never cross."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from gateway.database.models import AuditEvent, Document, ErpDelivery
from gateway.demo import DEMO_ERP_KEY
from gateway.erp.keys import DEMO_ERP_KEY_SHA256, key_digest
from tests.gateway.test_erp_support import FIXTURES, SUPPLIER_FILES

ERP = {"Authorization": f"Bearer {DEMO_ERP_KEY}"}
ACME_KEY = "demo-acme-key"
SUPPLIER_KEY = "demo-supplier-one-key"


@pytest.fixture
def four_documents(gateway, submit, drain) -> list[str]:
    """An order from acme-retail, then an order response, a delivery note and an invoice from supplier-one."""
    assert submit((FIXTURES / "acme_orders_d96a.edi").read_bytes(), key=ACME_KEY).status_code == 202
    for name in SUPPLIER_FILES:
        assert submit((FIXTURES / name).read_bytes(), key=SUPPLIER_KEY).status_code == 202
    drain(gateway)
    with gateway.sessions() as session:
        rows = session.execute(
            select(ErpDelivery.document_id).where(ErpDelivery.channel == "pull").order_by(ErpDelivery.id)
        )
        return list(rows.scalars())


def page(client, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/documents", params=params, headers=ERP)
    assert response.status_code == 200, response.text
    return response.json()


def ack(client, document_id: str) -> dict[str, Any]:
    response = client.post(f"/v1/documents/{document_id}/ack", headers=ERP)
    assert response.status_code == 200, response.text
    return response.json()


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["items"]]


def test_documents_of_all_partners_come_in_order_page_by_page(client, four_documents):
    first = page(client, limit=2)
    assert ids(first) == four_documents[:2]
    assert [i["partner"] for i in first["items"]] == ["acme-retail", "supplier-one"]
    assert [i["document_type"] for i in first["items"]] == ["purchase_order", "order_response"]
    assert all(i["offers"] == 1 for i in first["items"])
    second = page(client, after=first["next_cursor"], limit=10)
    assert ids(second) == four_documents[2:]
    third = page(client, after=second["next_cursor"])
    assert third["items"] == [] and third["next_cursor"] == second["next_cursor"]


def test_each_item_is_the_envelope_with_the_canonical_document(client, four_documents, gateway):
    [item] = page(client, limit=1)["items"]
    with gateway.sessions() as session:
        document = session.get(Document, item["id"])
        assert item["document"] == document.content
        assert item["message_id"] == document.transmission_id
        assert item["business_number"] == document.business_number == "PO-2026-0042"


def test_unacknowledged_documents_are_offered_again_after_the_visibility_timeout(
    client, four_documents, clock, gateway
):
    everything = page(client)
    assert ids(everything) == four_documents
    ack(client, four_documents[0])
    ack(client, four_documents[2])

    assert page(client, after=everything["next_cursor"])["items"] == []  # still within the timeout
    clock.advance(seconds=gateway.settings.erp_pull_visibility_seconds + 1)
    again = page(client, after=everything["next_cursor"])
    assert ids(again) == [four_documents[1], four_documents[3]]
    assert [i["offers"] for i in again["items"]] == [2, 2]
    assert again["next_cursor"] == everything["next_cursor"]


def test_acknowledged_documents_are_never_offered_again(client, four_documents, clock):
    for document_id in four_documents:
        ack(client, document_id)
    clock.advance(days=1)
    assert page(client)["items"] == []


def test_the_same_cursor_again_returns_the_same_documents(client, four_documents):
    """A response lost on the way: the ERP asks again with its last cursor and gets the page again."""
    first = page(client, limit=2)
    assert ids(page(client, limit=2)) == ids(first)  # no cursor yet: still the oldest unacked ones
    second = page(client, after=first["next_cursor"], limit=2)
    repeated = page(client, after=first["next_cursor"], limit=2)
    assert ids(repeated) == ids(second) == four_documents[2:]


def test_a_document_committed_behind_the_cursor_is_still_offered(client, four_documents, gateway):
    """A slower worker can commit a document with a lower position than ones already handed out."""
    cursor = page(client)["next_cursor"]
    with gateway.sessions.begin() as session:  # as if the second one had never been seen
        session.execute(
            update(ErpDelivery)
            .where(ErpDelivery.document_id == four_documents[1], ErpDelivery.channel == "pull")
            .values(offered_until=None, offers=0)
        )
    assert ids(page(client, after=cursor)) == [four_documents[1]]


def test_type_filter(client, four_documents):
    body = page(client, type="delivery_note")
    assert [i["document_type"] for i in body["items"]] == ["delivery_note"]
    both = page(client, type=["purchase_order", "invoice"])
    assert ids(both) == [four_documents[0], four_documents[3]]


def test_ack_is_idempotent_and_shows_in_the_document(client, four_documents):
    document_id = four_documents[1]
    first = ack(client, document_id)
    assert ack(client, document_id) == first
    detail = client.get(f"/v1/documents/{document_id}", headers=ERP).json()
    assert detail["id"] == document_id and detail["acknowledged_at"] == first["acknowledged_at"]
    assert [(d["channel"], d["state"]) for d in detail["deliveries"]] == [("pull", "delivered")]


def test_unknown_documents_and_bad_cursors(client, four_documents):
    assert client.get("/v1/documents/no-such-id", headers=ERP).status_code == 404
    assert client.post("/v1/documents/no-such-id/ack", headers=ERP).status_code == 404
    assert client.get("/v1/documents", params={"after": "bm9wZQ"}, headers=ERP).status_code == 400
    assert client.get("/v1/documents", params={"after": "!!"}, headers=ERP).status_code == 400


def test_partner_keys_are_refused_on_erp_endpoints_and_erp_keys_on_partner_endpoints(
    client, four_documents, submit
):
    partner = {"Authorization": f"Bearer {ACME_KEY}"}
    document_id = four_documents[0]
    assert client.get("/v1/documents", headers=partner).status_code == 403
    assert client.get(f"/v1/documents/{document_id}", headers=partner).status_code == 403
    assert client.post(f"/v1/documents/{document_id}/ack", headers=partner).status_code == 403
    assert client.get("/v1/documents").status_code == 401
    assert client.get("/v1/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401

    assert client.get("/v1/messages", headers=ERP).status_code == 403
    assert client.post("/v1/messages", content=b"UNA", headers=ERP).status_code == 403
    message_id = submit((FIXTURES / "acme_orders_d96a.edi").read_bytes()).json()["id"]
    assert client.get(f"/v1/messages/{message_id}", headers=ERP).status_code == 403


def test_offers_reads_and_acks_are_audited_under_the_erp_key_label(client, four_documents, gateway):
    page(client, limit=1)
    client.get(f"/v1/documents/{four_documents[0]}", headers=ERP)
    ack(client, four_documents[0])
    with gateway.sessions() as session:
        events = session.execute(
            select(AuditEvent.actor, AuditEvent.action)
            .where(AuditEvent.subject_id == four_documents[0])
            .order_by(AuditEvent.seq)
        ).all()
    erp_events = [(actor, action) for actor, action in events if actor.startswith("erp:")]
    label = f"erp:{DEMO_ERP_KEY_SHA256[:8]}"
    assert erp_events == [
        (label, "erp_document_offered"),
        (label, "erp_document_read"),
        (label, "erp_document_acknowledged"),
    ]
    assert ("worker", "erp_outbox_added") in events


def test_the_demo_erp_key_is_the_one_the_demo_accepts():
    assert key_digest(DEMO_ERP_KEY) == DEMO_ERP_KEY_SHA256 and DEMO_ERP_KEY == "demo-erp-key"


def test_configured_key_hashes_are_accepted_and_the_demo_key_only_in_demo(make_gateway):
    from fastapi.testclient import TestClient

    from gateway.api.app import create_app
    from gateway.config import Settings
    from gateway.erp.keys import authenticate

    gw = make_gateway(erp_api_key_sha256=key_digest("erp-secret-one"))
    with TestClient(create_app(gw, run_worker=False)) as client:
        ok = client.get("/v1/documents", headers={"Authorization": "Bearer erp-secret-one"})
        assert ok.status_code == 200 and ok.json()["items"] == []
    production = Settings(demo=False, erp_api_key_sha256=key_digest("erp-secret-one"))
    assert authenticate(production, "erp-secret-one") is not None
    assert authenticate(production, DEMO_ERP_KEY) is None


def test_pull_can_be_switched_off(make_gateway, drain):
    from fastapi.testclient import TestClient

    from gateway.api.app import create_app

    gw = make_gateway(erp_pull=False)
    with TestClient(create_app(gw, run_worker=False)) as client:
        response = client.post(
            "/v1/messages",
            content=(FIXTURES / "acme_orders_d96a.edi").read_bytes(),
            headers={"Authorization": f"Bearer {ACME_KEY}"},
        )
        drain(gw)
        assert client.get("/v1/documents", headers=ERP).status_code == 404
        document = client.get(
            f"/v1/messages/{response.json()['id']}", headers={"Authorization": f"Bearer {ACME_KEY}"}
        )
        document_id = document.json()["documents"][0]["id"]
        assert client.get(f"/v1/documents/{document_id}", headers=ERP).json()["deliveries"] == []
        assert client.post(f"/v1/documents/{document_id}/ack", headers=ERP).status_code == 409
