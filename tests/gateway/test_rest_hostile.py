"""The REST intake against hostile and broken requests.

Already covered elsewhere: a body over the limit with Content-Length (test_rest_intake), an
Idempotency-Key reused with another body (409, test_rest_intake), another partner's message id
(404, test_rest_intake). Here: the default limit, a streamed body without Content-Length, wrapper
content types, invalid UTF-8 where UTF-8 is declared, labels longer than their columns, and id
probing that must not tell "someone else's" from "does not exist".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gateway.api.app import create_app
from gateway.config import Settings
from gateway.context import Gateway
from gateway.database.models import Transmission

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACME = {"Authorization": "Bearer demo-acme-key"}
SUPPLIER = {"Authorization": "Bearer demo-supplier-one-key"}


def _order() -> bytes:
    return (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()


def _stored(gw: Gateway) -> tuple[int, list[str]]:
    with gw.sessions() as session:
        rows = session.execute(select(func.count()).select_from(Transmission)).scalar_one()
    return rows, list(gw.archive.stored_hashes())


def test_the_default_body_limit_is_100_mb() -> None:
    assert Settings.model_fields["max_body_bytes"].default == 100 * 1024 * 1024


def test_streamed_body_without_content_length_over_the_limit_is_413_and_nothing_is_stored(make_gateway):
    gw = make_gateway(max_body_bytes=1000)
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(50):  # 5 000 bytes in 100-byte chunks, no Content-Length: chunked encoding
            sent.append(100)
            yield b"U" * 100

    with TestClient(create_app(gw, run_worker=False)) as client:
        response = client.post("/v1/messages", content=chunks(), headers=ACME)
    assert response.status_code == 413
    assert "1000 bytes" in response.json()["detail"]
    assert _stored(gw) == (0, [])


def test_streamed_body_under_the_limit_is_accepted(make_gateway):
    gw = make_gateway(max_body_bytes=len(_order()))
    body = _order()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64):
            yield body[start : start + 64]

    with TestClient(create_app(gw, run_worker=False)) as client:
        response = client.post("/v1/messages", content=chunks(), headers=ACME)
    assert response.status_code == 202
    assert gw.archive.get(response.json()["sha256"]) == body


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=x", "application/json", "application/problem+json", "text/html"],
)
def test_wrapper_content_types_are_415_with_what_is_accepted_and_nothing_is_stored(
    gateway, client, content_type
):
    response = client.post("/v1/messages", content=_order(), headers={**ACME, "Content-Type": content_type})
    assert response.status_code == 415
    detail = response.json()["detail"]
    assert content_type.split(";")[0] in detail
    assert "application/edifact" in detail and "application/xml" in detail
    assert _stored(gateway) == (0, [])


def test_a_browser_form_upload_is_415(gateway, client):
    response = client.post("/v1/messages", files={"file": ("order.edi", _order())}, headers=ACME)
    assert response.status_code == 415
    assert _stored(gateway) == (0, [])


@pytest.mark.parametrize(
    "content_type",
    [None, "application/edifact", "application/x-www-form-urlencoded", "application/EDIFACT; charset=x"],
)
def test_interchange_labels_and_curls_default_are_accepted(client, content_type):
    headers = dict(ACME) if content_type is None else {**ACME, "Content-Type": content_type}
    assert client.post("/v1/messages", content=_order(), headers=headers).status_code == 202


def test_openapi_documents_the_accepted_types_and_the_refusals(client):
    post = client.get("/openapi.json").json()["paths"]["/v1/messages"]["post"]
    assert {"application/edifact", "application/edi-x12", "application/xml"} <= set(
        post["requestBody"]["content"]
    )
    assert {"413", "415"} <= set(post["responses"])


def test_invalid_utf8_in_a_unoy_interchange_is_stored_and_rejected_with_its_location(
    gateway, submit, fetch, drain
):
    body = _order().replace(b"UNOC:3", b"UNOY:4").replace(b"PO-2026-0042", b"PO-\xff\xfe-0042")
    response = submit(body)
    assert response.status_code == 202
    drain(gateway)
    result = fetch(response.json()["id"])
    assert result["status"] == "rejected"
    [error] = [e for e in result["errors"] if e["code"] == "CHARSET_MISMATCH"]
    assert error["location"]["segment_tag"] == "BGM" and "UNOY" in error["text"]
    assert gateway.archive.get(result["sha256"]) == body


def test_invalid_utf8_in_an_xml_document_is_stored_and_rejected_with_its_line(gateway, submit, fetch, drain):
    xml = (FIXTURES / "xml" / "initech_order_ubl.xml").read_bytes()
    at = xml.index(b"<cbc:ID>") + len(b"<cbc:ID>")
    body = xml[:at] + b"\xff\xfe" + xml[at:]
    response = submit(body, key="demo-initech-key", **{"Content-Type": "application/xml"})
    assert response.status_code == 202
    drain(gateway)
    result = fetch(response.json()["id"], key="demo-initech-key")
    assert result["status"] == "rejected"
    assert result["errors"][0]["code"] == "XML_NOT_WELL_FORMED"
    assert result["errors"][0]["location"]["line"] == body[:at].count(b"\n") + 1
    assert gateway.archive.get(result["sha256"]) == body


def test_labels_longer_than_their_columns_are_kept_short_not_a_500(gateway, submit, fetch, drain):
    """On PostgreSQL a 300-character Content-Type or UNH reference used to fail the insert."""
    body = _order().replace(b"PO-2026-0042", b"P" * 300).replace(b"UNH+1+", b"UNH+" + b"R" * 100 + b"+", 1)
    response = submit(body, **{"Content-Type": "application/edifact; x=" + "a" * 300})
    assert response.status_code == 202
    drain(gateway)
    result = fetch(response.json()["id"])
    assert result["status"] == "rejected"
    assert {"VALUE_TOO_LONG"} <= {e["code"] for e in result["errors"]}
    assert gateway.archive.get(result["sha256"]) == body


def test_guessing_another_partners_id_answers_exactly_like_an_unknown_id(client, submit):
    theirs = submit(_order()).json()["id"]
    unknown = str(uuid.uuid4())
    for key in (theirs, unknown):
        response = client.get(f"/v1/messages/{key}", headers=SUPPLIER)
        assert response.status_code == 404
        assert response.json() == {"detail": f"no message {key}"}
    with_list = client.get("/v1/messages", params={"limit": 500}, headers=SUPPLIER).json()
    assert theirs not in [m["id"] for m in with_list["items"]]


def test_ids_cannot_be_enumerated_and_listing_shows_only_own_messages(client, submit):
    ours = [submit(_order() + b"\n" * n).json()["id"] for n in range(3)]
    theirs = submit(_order(), key="demo-supplier-one-key").json()["id"]
    # Time-ordered (version 7) but not a counter: 74 random bits after the millisecond.
    assert {uuid.UUID(i).version for i in ours} == {7}
    tails = [uuid.UUID(i).int & ((1 << 62) - 1) for i in ours]
    assert all(abs(a - b) > 1 << 20 for a, b in pairwise(tails))
    listing = client.get("/v1/messages", params={"limit": 500}, headers=ACME).json()
    assert sorted(m["id"] for m in listing["items"]) == sorted(ours) and listing["total"] == 3
    for params in ({"offset": 3}, {"status": "received"}, {"business_number": "PO-2026-0042"}):
        page = client.get("/v1/messages", params={"limit": 500, **params}, headers=ACME).json()
        assert theirs not in [m["id"] for m in page["items"]]
    for probe in (theirs.upper(), theirs + " ", "../" + theirs, "%25", "' OR '1'='1"):
        assert client.get(f"/v1/messages/{probe}", headers=ACME).status_code == 404


def test_a_partner_key_cannot_reach_the_erp_endpoints(client, submit):
    submit(_order())
    for path in ("/v1/documents", "/v1/orders", "/v1/acknowledgements"):
        response = client.get(path, headers=ACME)
        assert response.status_code == 403, path
        assert "partner key" in response.json()["detail"]


def test_nul_characters_in_partner_data_and_urls_are_answered_not_a_500(
    gateway, client, submit, fetch, drain
):
    """PostgreSQL text cannot hold NUL: a NUL in a reference made the worker fail the message as an
    internal error, and one in a URL made a 500."""
    body = _order().replace(b"PO-2026-0042", b"PO-\x00-42").replace(b"ACME000123", b"ACME\x00123")
    response = submit(body)
    assert response.status_code == 202
    drain(gateway)
    result = fetch(response.json()["id"])
    assert result["status"] in ("processed", "rejected")
    assert "INTERNAL_ERROR" not in {e["code"] for e in result["errors"]}
    assert gateway.archive.get(result["sha256"]) == body
    assert client.get("/v1/messages/%00", headers=ACME).status_code == 404
    listing = client.get("/v1/messages", params={"business_number": "PO-\x00-42"}, headers=ACME)
    assert listing.status_code == 200
