"""The ERP's answers go out in each partner's format over its channel and are tracked until the
partner acknowledges them."""

from __future__ import annotations

from pathlib import Path

import pytest

from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message

ERP = {"Authorization": "Bearer demo-erp-key"}
MINIMAL_RESPONSE = {
    "document_type": "order_response",
    "number": "OR-1",
    "order_number": "PO-4711",
    "issue_date": "2026-11-27",
    "response": "accepted",
}


def _send(client, partner: str, document: dict) -> dict:
    response = client.post("/v1/outbound", json={"partner": partner, "document": document}, headers=ERP)
    assert response.status_code == 202, response.text
    return response.json()


def test_order_response_reaches_acme_sftp_out_as_eancom_ordrsp(gateway, client, drain):
    sent = _send(client, "acme-retail", MINIMAL_RESPONSE)
    assert (sent["syntax"], sent["message_type"], sent["control_reference"]) == ("edifact", "ORDRSP", "1")
    drain(gateway)
    detail = client.get(f"/v1/outbound/{sent['id']}", headers=ERP).json()
    assert detail["status"] == "sent" and detail["ack_state"] == "awaiting_ack"
    [delivered] = list((Path(gateway.settings.data_dir) / "sftp" / "acme-retail" / "out").glob("*ORDRSP*"))
    assert delivered.read_bytes().decode("latin-1") == detail["raw"]
    interchange = read_interchange(delivered.read_bytes())
    assert (interchange.sender_id, interchange.recipient_id) == ("4000001000005", "5412345000013")
    [message] = interchange.messages
    assert message.identifier == "ORDRSP:D:96A:UN:EAN005"
    assert validate_message(message) == []
    rff = next(s for s in message.segments if s.tag == "RFF")
    assert rff.elements[0] == ["ON", "PO-4711"]


def test_partner_contrl_settles_what_we_sent(gateway, client, submit, fetch, drain):
    sent = _send(client, "acme-retail", MINIMAL_RESPONSE)
    drain(gateway)
    contrl = (
        b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4000001000005:14+261127:1000+C0001'"
        b"UNH+1+CONTRL:D:3:UN'UCI+1+4000001000005:14+5412345000013:14+7'UNT+3+1'UNZ+1+C0001'"
    )
    message_id = submit(contrl).json()["id"]
    drain(gateway)
    assert fetch(message_id)["status"] == "processed"
    detail = client.get(f"/v1/outbound/{sent['id']}", headers=ERP).json()
    assert detail["ack_state"] == "accepted"
    assert [(a["type"], a["status"]) for a in detail["acknowledgements"]] == [("CONTRL", "accepted")]
    listed = client.get("/v1/acknowledgements", params={"state": "accepted"}, headers=ERP).json()
    assert [item["outbound_id"] for item in listed] == [sent["id"]]


def test_unanswered_message_becomes_overdue_after_the_partners_window(gateway, client, drain, clock):
    sent = _send(client, "acme-retail", MINIMAL_RESPONSE)
    drain(gateway)
    assert client.get("/v1/acknowledgements", params={"state": "overdue"}, headers=ERP).json() == []
    clock.advance(hours=25)
    [overdue] = client.get("/v1/acknowledgements", params={"state": "overdue"}, headers=ERP).json()
    assert overdue["outbound_id"] == sent["id"] and overdue["business_number"] == "OR-1"


@pytest.mark.parametrize(
    ("partner", "syntax", "message_type"),
    [("umbrella", "x12", "855"), ("supplier-one", "edifact", "ORDERS"), ("initech", "xml", "Order")],
)
def test_each_partner_gets_its_own_format(gateway, client, drain, partner, syntax, message_type):
    document = (
        MINIMAL_RESPONSE
        if partner == "umbrella"
        else {
            "document_type": "purchase_order",
            "number": "PO-9",
            "issue_date": "2026-11-27",
            "lines": [{"line_number": "1", "gtin": "4012345000016", "quantity": "5", "unit": "EA"}],
        }
    )
    sent = _send(client, partner, document)
    assert (sent["syntax"], sent["message_type"]) == (syntax, message_type)
    drain(gateway)
    assert client.get(f"/v1/outbound/{sent['id']}", headers=ERP).json()["status"] == "sent"


def test_invalid_document_is_refused_with_the_field_that_is_wrong(client):
    response = client.post(
        "/v1/outbound",
        json={"partner": "acme-retail", "document": {**MINIMAL_RESPONSE, "issue_date": "27.11.2026"}},
        headers=ERP,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "document.issue_date"


def test_partner_key_cannot_send_outbound(client):
    response = client.post(
        "/v1/outbound",
        json={"partner": "acme-retail", "document": MINIMAL_RESPONSE},
        headers={"Authorization": "Bearer demo-acme-key"},
    )
    assert response.status_code == 403


def test_partner_sees_what_was_sent_to_it_in_its_message_list(gateway, client, drain):
    sent = _send(client, "acme-retail", MINIMAL_RESPONSE)
    drain(gateway)
    acme = {"Authorization": "Bearer demo-acme-key"}
    listing = client.get("/v1/messages", headers=acme).json()
    rows = [(m["id"], m["direction"], m["status"]) for m in listing["items"]]
    assert rows == [(sent["id"], "outbound", "sent")]
    detail = client.get(f"/v1/messages/{sent['id']}", headers=acme).json()
    assert detail["direction"] == "outbound" and detail["documents"][0]["number"] == "OR-1"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_fifty_concurrent_sends_get_fifty_distinct_gapless_control_numbers(gateway):
    from concurrent.futures import ThreadPoolExecutor

    from gateway.outbound import send_document

    partner = gateway.partners.get("acme-retail")

    def send(n: int) -> str:
        document = {**MINIMAL_RESPONSE, "number": f"OR-{n}"}
        return send_document(gateway, partner, document, actor="erp").control_reference

    with ThreadPoolExecutor(max_workers=10) as pool:
        references = list(pool.map(send, range(50)))
    assert sorted(int(r) for r in references) == list(range(1, 51))


def test_partner_997_for_our_855_is_matched_by_group_control_number(gateway, client, submit, drain):
    sent = _send(client, "umbrella", MINIMAL_RESPONSE)
    drain(gateway)
    detail = client.get(f"/v1/outbound/{sent['id']}", headers=ERP).json()
    gs06 = next(s for s in detail["raw"].split("~") if s.strip().startswith("GS*")).split("*")[6]
    ack = (
        "ISA*00*          *00*          *ZZ*UMBRELLA       *ZZ*EDIGATEDEMO    "
        "*261127*1000*^*00501*000000777*0*P*>~"
        f"GS*FA*UMBRELLA*EDIGATEDEMO*20261127*1000*77*X*005010~ST*997*0001~AK1*PR*{gs06}~AK2*855*0001~"
        "AK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*77~IEA*1*000000777~"
    ).encode()
    message_id = submit(ack, key="demo-umbrella-key").json()["id"]
    drain(gateway)
    umbrella = {"Authorization": "Bearer demo-umbrella-key"}
    assert client.get(f"/v1/messages/{message_id}", headers=umbrella).json()["status"] == "processed"
    detail = client.get(f"/v1/outbound/{sent['id']}", headers=ERP).json()
    assert detail["ack_state"] == "accepted"
    assert [a["type"] for a in detail["acknowledgements"]] == ["997"]


def test_edifact_partner_gets_its_own_directory_and_charset(tmp_path, make_gateway, drain):
    import shutil

    from fastapi.testclient import TestClient

    from gateway.api.app import create_app
    from partners.loader import demo_directory_path

    folder = tmp_path / "partners"
    shutil.copytree(demo_directory_path(), folder)
    profile = folder / "supplier-one.toml"
    profile.write_text('edifact_version = "D01B"\nedifact_charset = "UNOW"\n' + profile.read_text())
    gw = make_gateway(partners_dir=folder)
    order = {"document_type": "purchase_order", "number": "PO-9", "issue_date": "2026-11-27",
             "lines": [{"line_number": "1", "gtin": "4012345000016", "quantity": "5", "unit": "EA",
                        "description": "Schraube M8 für Stahlträger"}]}  # fmt: skip
    with TestClient(create_app(gw, run_worker=False)) as client:
        sent = _send(client, "supplier-one", order)
        raw = client.get(f"/v1/outbound/{sent['id']}", headers=ERP).json()["raw"]
    assert "Schraube M8 für Stahlträger" in raw  # shown in the charset it was written in
    interchange = read_interchange(raw.encode("utf-8"))
    assert interchange.syntax_identifier == "UNOW"
    [message] = interchange.messages
    assert message.identifier == "ORDERS:D:01B:UN:EAN010"
    assert validate_message(message) == []
