"""REST intake: stored durably before 202, authenticated by partner key, idempotent."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from gateway.database.models import AuditEvent, Transmission, WorkItem


def test_post_returns_202_with_id_status_and_sha256_of_the_exact_bytes(gateway, submit, edifact_fixture):
    body = edifact_fixture("acme_orders_d96a.edi")
    response = submit(body)
    assert response.status_code == 202
    payload = response.json()
    assert payload["status"] == "received"
    assert payload["sha256"] == hashlib.sha256(body).hexdigest()
    assert gateway.archive.get(payload["sha256"]) == body
    with gateway.sessions() as session:
        row = session.get(Transmission, payload["id"])
        assert row is not None and row.partner_id == "acme-retail" and row.size == len(body)
        assert row.channel == "rest" and row.status == "received"
        item = session.execute(select(WorkItem).where(WorkItem.subject_id == payload["id"])).scalar_one()
        assert item.state == "queued"
        actions = (
            session.execute(
                select(AuditEvent.action)
                .where(AuditEvent.subject_id == payload["id"])
                .order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
        assert actions == ["received", "archived"]


def test_missing_api_key_is_401_and_stores_nothing(gateway, client, edifact_fixture):
    response = client.post("/v1/messages", content=edifact_fixture("acme_orders_d96a.edi"))
    assert response.status_code == 401
    assert "Bearer" in response.headers["www-authenticate"]
    with gateway.sessions() as session:
        assert session.execute(select(Transmission)).first() is None


def test_unknown_api_key_is_401(client):
    response = client.post("/v1/messages", content=b"UNB", headers={"Authorization": "Bearer not-a-key"})
    assert response.status_code == 401
    assert response.json()["detail"] == "unknown or disabled API key"


def test_same_idempotency_key_and_body_returns_the_first_message(gateway, submit, edifact_fixture):
    body = edifact_fixture("acme_orders_d96a.edi")
    first = submit(body, **{"Idempotency-Key": "order-42"}).json()
    second = submit(body, **{"Idempotency-Key": "order-42"})
    assert second.status_code == 202
    assert second.json()["id"] == first["id"]
    with gateway.sessions() as session:
        assert len(session.execute(select(Transmission)).scalars().all()) == 1


def test_idempotency_key_reused_with_another_body_is_409(submit, edifact_fixture):
    body = edifact_fixture("acme_orders_d96a.edi")
    first = submit(body, **{"Idempotency-Key": "k1"}).json()
    response = submit(body + b"\n", **{"Idempotency-Key": "k1"})
    assert response.status_code == 409
    assert first["id"] in response.json()["detail"]


def test_partner_cannot_see_another_partners_message(client, submit, edifact_fixture):
    message_id = submit(edifact_fixture("acme_orders_d96a.edi")).json()["id"]
    response = client.get(
        f"/v1/messages/{message_id}", headers={"Authorization": "Bearer demo-supplier-one-key"}
    )
    assert response.status_code == 404
    listing = client.get("/v1/messages", headers={"Authorization": "Bearer demo-supplier-one-key"}).json()
    assert listing["total"] == 0 and listing["items"] == []


def test_list_filters_by_status(client, submit, drain, gateway, edifact_fixture):
    good = submit(edifact_fixture("acme_orders_d96a.edi")).json()["id"]
    bad = submit(b"this is not EDI").json()["id"]
    drain(gateway)
    auth = {"Authorization": "Bearer demo-acme-key"}
    processed = client.get("/v1/messages", params={"status": "processed"}, headers=auth).json()
    rejected = client.get("/v1/messages", params={"status": "rejected"}, headers=auth).json()
    assert [m["id"] for m in processed["items"]] == [good]
    assert [m["id"] for m in rejected["items"]] == [bad]
    assert processed["items"][0]["business_number"] == "PO-2026-0042"


def test_oversized_body_is_413_before_anything_is_stored(make_gateway):
    from fastapi.testclient import TestClient

    from gateway.api.app import create_app

    gw = make_gateway(max_body_bytes=100)
    with TestClient(create_app(gw, run_worker=False)) as client:
        response = client.post(
            "/v1/messages", content=b"U" * 101, headers={"Authorization": "Bearer demo-acme-key"}
        )
    assert response.status_code == 413
    assert list(gw.archive.stored_hashes()) == []


def test_healthz_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert "/v1/messages" in spec["paths"] and "/v1/messages/{message_id}" in spec["paths"]
    assert client.get("/docs").status_code == 200
