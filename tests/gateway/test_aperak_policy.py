"""Business findings go back as APERAK when the partner's profile asks for it; CONTRL then reports
syntax and structure only."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from gateway.api.app import create_app
from partners.loader import demo_directory_path
from translators.edifact.aperak import parse_aperak
from translators.edifact.reader import read_interchange

ORDER = Path(__file__).resolve().parents[1] / "fixtures" / "edifact" / "acme_orders_d96a.edi"


def _partners_with_aperak(tmp_path: Path) -> Path:
    folder = tmp_path / "partners"
    shutil.copytree(demo_directory_path(), folder)
    profile = folder / "acme-retail.toml"
    text = profile.read_text().replace('contrl = "always"', 'contrl = "always"\naperak = "on_error"')
    profile.write_text(text)
    return folder


def test_order_with_impossible_date_gets_positive_contrl_and_negative_aperak(make_gateway, drain, tmp_path):
    gw = make_gateway(partners_dir=_partners_with_aperak(tmp_path))
    body = ORDER.read_bytes().replace(b"DTM+2:20260122:102", b"DTM+2:20261399:102")
    auth = {"Authorization": "Bearer demo-acme-key"}
    with TestClient(create_app(gw, run_worker=False)) as client:
        message_id = client.post("/v1/messages", content=body, headers=auth).json()["id"]
        drain(gw)
        result = client.get(f"/v1/messages/{message_id}", headers=auth).json()
    assert result["status"] == "rejected"
    assert [e["code"] for e in result["errors"]] == ["INVALID_DATE"]
    contrl, aperak = result["acknowledgements"]
    assert (contrl["type"], contrl["status"]) == ("CONTRL", "accepted")  # the syntax was fine
    uci = next(s for s in read_interchange(contrl["raw"]).messages[0].segments if s.tag == "UCI")
    assert uci.elements[3] == ["7"]
    assert (aperak["type"], aperak["status"]) == ("APERAK", "rejected")
    report = parse_aperak(read_interchange(aperak["raw"]).messages[0])
    assert report.accepted is False
    assert (report.document_reference.qualifier, report.document_reference.value) == ("ON", "PO-2026-0042")
    assert "20261399" in report.errors[0].text
    assert contrl["control_reference"] != aperak["control_reference"]  # both from the one counter
