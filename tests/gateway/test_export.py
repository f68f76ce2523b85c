"""The auditor's export: one partner's raw files, documents, acknowledgements and audit events for a
period, each listed in the manifest with a SHA-256 an auditor can recompute."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from archive.audit import event_hash
from gateway.cli import main
from gateway.database.models import As2Inbound, AuditEvent, Document
from gateway.records.export import ExportError, export_records
from tests.gateway.test_outbound import MINIMAL_RESPONSE
from tests.gateway.test_records_support import SUPPLIER_KEY, receive_over_as2, stored

ACME_KEY = "demo-acme-key"
ERP = {"Authorization": "Bearer demo-erp-key"}
RESPONSE = {**MINIMAL_RESPONSE, "order_number": "PO-2026-0042"}


def _acme_traffic(gateway, client, submit, drain, edifact_fixture):
    """ACME sends an order (we answer with a CONTRL), we send it an order response; Supplier One
    sends an invoice that must stay out of ACME's export."""
    order = submit(edifact_fixture("acme_orders_d96a.edi"), key=ACME_KEY).json()["id"]
    other = submit(edifact_fixture("supplier_one_invoic_d96a.edi"), key=SUPPLIER_KEY).json()["id"]
    response = client.post("/v1/outbound", json={"partner": "acme-retail", "document": RESPONSE}, headers=ERP)
    assert response.status_code == 202, response.text
    drain(gateway)
    return stored(gateway, order), stored(gateway, response.json()["id"]), stored(gateway, other)


def _manifest(directory):
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def _days(*records):
    """The export period covering these records: from the first day received to the last (UTC)."""
    days = [r.received_at.astimezone(UTC).date() for r in records]
    return min(days), max(days)


def test_every_file_in_the_manifest_matches_its_recomputed_hash_and_size(
    gateway, client, submit, drain, edifact_fixture, tmp_path
):
    order, sent, other = _acme_traffic(gateway, client, submit, drain, edifact_fixture)
    out = tmp_path / "audit"

    report = export_records(gateway, "acme-retail", *_days(order, sent), out, actor="cli")

    manifest = _manifest(out)
    assert report.problems == [] and manifest["problems"] == []
    assert manifest["partner"] == "acme-retail"
    assert [m["id"] for m in manifest["messages"]] == [order.id, sent.id]
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {f["path"] for f in manifest["files"]} | {"manifest.json"}
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["size"]
    assert other.id not in json.dumps(manifest)


def test_raw_files_are_the_bytes_as_received_and_sent_documents_and_acknowledgements_too(
    gateway, client, submit, drain, edifact_fixture, tmp_path
):
    order, sent, _ = _acme_traffic(gateway, client, submit, drain, edifact_fixture)
    out = tmp_path / "audit"
    export_records(gateway, "acme-retail", *_days(order, sent), out, actor="cli")
    files = {f["path"]: f for f in _manifest(out)["files"]}

    received = files[f"messages/{order.id}/received.edi"]
    assert received["sha256"] == order.sha256 and received["kind"] == "raw"
    assert (out / received["path"]).read_bytes() == edifact_fixture("acme_orders_d96a.edi")
    assert files[f"messages/{sent.id}/sent.edi"]["sha256"] == sent.sha256
    acknowledgements = [f for f in files.values() if f["kind"] == "acknowledgement"]
    assert sorted(a["subject"] for a in acknowledgements) == sorted(order.acknowledgements)
    assert {a["sha256"] for a in acknowledgements} == set(order.ack_hashes)
    with gateway.sessions() as session:
        document = session.get(Document, order.documents[0])
        path = f"messages/{order.id}/documents/{document.id}.json"
        assert json.loads((out / path).read_text(encoding="utf-8")) == document.content


def test_audit_events_of_the_records_come_with_hashes_an_auditor_can_recompute(
    gateway, client, submit, drain, edifact_fixture, tmp_path
):
    order, sent, other = _acme_traffic(gateway, client, submit, drain, edifact_fixture)
    out = tmp_path / "audit"
    export_records(gateway, "acme-retail", *_days(order, sent), out, actor="cli")

    lines = (out / "audit_events.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    subjects = {order.id, sent.id, *order.documents, *order.acknowledgements, *sent.documents}
    assert {e["subject_id"] for e in events} <= subjects | set(sent.acknowledgements)
    assert {order.id, sent.id, *order.acknowledgements} <= {e["subject_id"] for e in events}
    assert other.id not in {e["subject_id"] for e in events}
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    for event in events:
        fields = {k: v for k, v in event.items() if k != "hash"}
        fields["at"] = datetime.fromisoformat(fields["at"])
        assert event_hash(**fields) == event["hash"]
    with gateway.sessions() as session:
        [logged] = session.execute(
            select(AuditEvent).where(AuditEvent.action == "records_exported")
        ).scalars()
        manifest_sha = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
        assert (logged.actor, logged.subject_id) == ("cli", "acme-retail")
        assert logged.details["manifest_sha256"] == manifest_sha
        assert _manifest(out)["audit_head"]["seq"] == logged.seq - 1


def test_period_selects_by_day_received_and_a_later_period_is_empty(
    gateway, client, submit, drain, edifact_fixture, tmp_path
):
    order, sent, _ = _acme_traffic(gateway, client, submit, drain, edifact_fixture)
    tomorrow = _days(order, sent)[1] + timedelta(days=1)
    report = export_records(gateway, "acme-retail", tomorrow, tomorrow, tmp_path / "later", actor="cli")
    assert report.messages == 0
    assert [f["path"] for f in _manifest(tmp_path / "later")["files"]] == ["audit_events.jsonl"]


def test_a_non_empty_folder_an_unknown_partner_or_a_backwards_period_is_refused(gateway, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    today = datetime.now(UTC).date()
    with pytest.raises(ExportError, match="not an empty folder"):
        export_records(gateway, "acme-retail", today, today, full, actor="cli")
    assert [p.name for p in full.iterdir()] == ["notes.txt"]
    with pytest.raises(ExportError, match="partner acme-retial is neither configured nor found"):
        export_records(gateway, "acme-retial", today, today, tmp_path / "typo", actor="cli")
    assert not (tmp_path / "typo").exists()
    with pytest.raises(ExportError, match=r"ends .* before it starts"):
        export_records(gateway, "acme-retail", today, today - timedelta(days=1), tmp_path / "x", actor="cli")


def test_an_altered_archive_file_is_exported_as_is_and_named_as_a_problem(
    gateway, client, submit, drain, edifact_fixture, tmp_path
):
    order, sent, _ = _acme_traffic(gateway, client, submit, drain, edifact_fixture)
    path = gateway.archive.path_for(order.sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    out = tmp_path / "audit"

    report = export_records(gateway, "acme-retail", *_days(order, sent), out, actor="cli")

    assert report.problems == [
        f"messages/{order.id}/received.edi: archived file {order.sha256} no longer matches its hash"
    ]
    entry = next(f for f in _manifest(out)["files"] if f["path"] == f"messages/{order.id}/received.edi")
    assert entry["sha256"] == hashlib.sha256(b"tampered").hexdigest()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_export_writes_the_package_and_refuses_to_write_it_twice(
    gateway, client, submit, drain, edifact_fixture, tmp_path, capsys
):
    order, sent, _ = _acme_traffic(gateway, client, submit, drain, edifact_fixture)
    first, last = (day.isoformat() for day in _days(order, sent))
    out = tmp_path / "audit"
    args = ["--demo", "--data-dir", str(gateway.settings.data_dir)]
    args += ["--database-url", gateway.settings.resolved_database_url()]
    command = ["export", "--partner", "acme-retail", "--from", first, "--to", last, str(out), *args]

    assert main(command) == 0
    assert "exported 2 message(s)" in capsys.readouterr().out
    assert (out / "manifest.json").exists()
    assert main(command) == 1
    assert "not an empty folder" in capsys.readouterr().err


def test_an_as2_message_is_exported_with_the_request_as_it_came_over_the_wire_and_our_mdn(
    gateway, drain, tmp_path
):
    record = stored(gateway, receive_over_as2(gateway, drain))
    with gateway.sessions() as session:
        as2 = session.execute(select(As2Inbound)).scalar_one()
    out = tmp_path / "audit"

    export_records(gateway, "acme-retail", *_days(record), out, actor="cli")

    files = {f["path"]: f for f in _manifest(out)["files"]}
    request = files[f"messages/{record.id}/as2-request.bin"]
    written = hashlib.sha256((out / request["path"]).read_bytes()).hexdigest()
    assert request["sha256"] == as2.request_sha256 == written
    [mdn] = [f for f in files.values() if f["path"].endswith("-outbound-MDN.mdn")]
    assert mdn["sha256"] == as2.mdn_sha256
