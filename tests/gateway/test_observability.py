"""Monitoring: /metrics computed from the database, /readyz naming what is not ready, and structured
log lines that carry message ids and never secrets."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from archive.store import ArchiveStore
from gateway.api.app import create_app
from gateway.database.engine import make_engine
from gateway.observability.logging import (
    JsonFormatter,
    RedactingFilter,
    TextFormatter,
    configure_logging,
    redact,
)
from tests.gateway.as2_peers.station import ACME_AS2, OUR_AS2, install_demo_keys, new_pair

ORDER = "acme_orders_d96a.edi"
ERP = {"Authorization": "Bearer demo-erp-key"}
RESPONSE = {
    "document_type": "order_response",
    "number": "OR-1",
    "order_number": "PO-4711",
    "issue_date": "2026-11-27",
    "response": "accepted",
}


def _metrics(client: TestClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Samples by sample name (``_bucket``/``_count`` included), as Prometheus would parse them."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def _value(samples: list[tuple[dict[str, str], float]], **labels: str) -> float:
    return sum(v for found, v in samples if all(found.get(k) == w for k, w in labels.items()))


def test_metrics_count_messages_by_partner_and_status(gateway, client, submit, drain, edifact_fixture):
    good = edifact_fixture(ORDER)
    bad = good.replace(b"UNT+35+ME000001", b"UNT+34+ME000001").replace(b"ACME000123", b"ACME000124")
    for body in (good, bad):
        assert submit(body).status_code == 202

    before = _metrics(client)
    assert _value(before["edigate_queue_depth"], kind="process_transmission") == 2
    assert _value(before["edigate_queue_oldest_age_seconds"], kind="process_transmission") >= 0
    assert _value(before["edigate_messages"], partner="acme-retail", status="received") == 2

    drain(gateway)
    after = _metrics(client)
    messages = after["edigate_messages"]
    assert (
        _value(messages, direction="inbound", partner="acme-retail", syntax="edifact", status="processed")
        == 1
    )
    assert (
        _value(messages, direction="inbound", partner="acme-retail", syntax="edifact", status="rejected") == 1
    )
    assert _value(messages, partner="acme-retail", status="received") == 0
    assert _value(after.get("edigate_queue_depth", []), kind="process_transmission") == 0
    # Both inbound transmissions were processed just now: they are in the latency histogram.
    assert _value(after["edigate_processing_latency_seconds_count"], direction="inbound") == 2
    assert _value(after["edigate_processing_latency_seconds_bucket"], direction="inbound", le="+Inf") == 2
    # The purchase order went into the ERP outbox (pull is on by default).
    assert _value(after["edigate_erp_deliveries"], channel="pull") == 1
    # Aggregates only: nothing in the exposition identifies a message or carries a key.
    exposition = client.get("/metrics").text
    assert "ACME000123" not in exposition and "demo-acme-key" not in exposition


def test_metrics_report_overdue_acknowledgements_after_the_partner_window(gateway, client, drain, clock):
    response = client.post("/v1/outbound", json={"partner": "acme-retail", "document": RESPONSE}, headers=ERP)
    assert response.status_code == 202, response.text
    drain(gateway)
    assert _value(_metrics(client)["edigate_acknowledgements_overdue"], partner="acme-retail") == 0
    clock.advance(hours=25)
    overdue = _metrics(client)["edigate_acknowledgements_overdue"]
    assert _value(overdue, partner="acme-retail") == 1
    assert _value(overdue, partner="supplier-one") == 0


def test_metrics_report_certificate_days_to_expiry(gateway, client):
    install_demo_keys(gateway.settings.data_dir, new_pair(OUR_AS2), new_pair(ACME_AS2))
    days = _metrics(client)["edigate_certificate_days_to_expiry"]
    acme = [(labels, value) for labels, value in days if labels["partner"] == "acme-retail"]
    assert {labels["usage"] for labels, _ in acme} == {"signing", "encryption"}
    assert all(value > 30 for _, value in acme)


def test_metrics_hold_no_state_between_gateways(gateway, client, submit, edifact_fixture):
    """A second app on the same database reports the same numbers: they come from the tables."""
    submit(edifact_fixture(ORDER))
    with TestClient(create_app(gateway, run_worker=False)) as other:
        assert _metrics(other)["edigate_messages"] == _metrics(client)["edigate_messages"]


def test_readyz_is_ready_with_every_check_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "archive": "ok"},
    }


def test_readyz_names_an_archive_that_cannot_be_written(gateway, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file where the archive folder should be")
    broken = dataclasses.replace(gateway, archive=ArchiveStore(blocker / "archive"))
    with TestClient(create_app(broken, run_worker=False)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["archive"]
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_names_migrations_that_are_behind(gateway, client):
    with gateway.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert response.json()["failing"] == ["migrations"]


def test_readyz_names_an_unreachable_database(gateway, tmp_path):
    missing = tmp_path / "no-such-folder" / "edigate.db"
    engine = make_engine(f"sqlite:///{missing}")
    broken = dataclasses.replace(gateway, engine=engine)
    try:
        with TestClient(create_app(broken, run_worker=False)) as client:
            response = client.get("/readyz")
    finally:
        engine.dispose()
    assert response.status_code == 503
    body = response.json()
    assert "database" in body["failing"] and body["checks"]["archive"] == "ok"
    assert str(missing) not in response.text  # details go to the log, not to anonymous callers


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Logs captured through configure_logging, with the root logger restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging("json", "INFO", stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_log_lines_carry_extras(log_stream):
    logging.getLogger("edigate.test").info(
        "received %s", "ORDERS", extra={"message_id": "m-1", "partner": "acme-retail", "channel": "rest"}
    )
    [event] = _lines(log_stream)
    assert event["message"] == "received ORDERS" and event["level"] == "INFO"
    assert event["logger"] == "edigate.test"
    assert (event["message_id"], event["partner"], event["channel"]) == ("m-1", "acme-retail", "rest")
    assert event["time"].endswith("+00:00")


def test_worker_failure_is_logged_with_message_partner_and_channel(
    gateway, submit, drain, edifact_fixture, log_stream, monkeypatch
):
    def explode(*_args: object) -> None:
        raise RuntimeError("translator bug")

    monkeypatch.setattr("gateway.worker.process_transmission", explode)
    message_id = submit(edifact_fixture(ORDER)).json()["id"]
    drain(gateway)
    [event] = [e for e in _lines(log_stream) if e["logger"] == "gateway.worker"]
    assert event["level"] == "ERROR" and "translator bug" in event["exception"]
    assert event["message_id"] == message_id and event["partner"] == "acme-retail"
    assert event["channel"] and event["work_kind"] == "process_transmission"


def test_secrets_are_redacted_from_messages_and_extras(log_stream):
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    logging.getLogger("edigate.test").warning(
        "webhook rejected: Authorization: Bearer demo-erp-key, secret %s",
        secret,
        extra={
            "headers": {"Authorization": "Bearer abc.def"},
            "api_key": "k-123",
            "url": "https://x?token=t0p",
        },
    )
    [event] = _lines(log_stream)
    raw = log_stream.getvalue()
    for leaked in ("demo-erp-key", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "abc.def", "k-123", "t0p"):
        assert leaked not in raw
    assert "Bearer [REDACTED]" in event["message"] and "whsec_[REDACTED]" in event["message"]
    assert event["headers"] == {"Authorization": "[REDACTED]"} and event["api_key"] == "[REDACTED]"


def test_lines_without_secrets_pass_unchanged_and_lookalike_letters_are_still_redacted():
    access = '127.0.0.1:51000 - "POST /v1/messages HTTP/1.1" 202'
    assert redact(access) == access
    query = redact('127.0.0.1:51000 - "GET /x?Api-Key=k9 HTTP/1.1" 200')
    assert query == '127.0.0.1:51000 - "GET /x?Api-Key=[REDACTED] HTTP/1.1" 200'
    # U+212A KELVIN SIGN matches "k" case-insensitively; lower-casing alone would miss it.
    assert redact("to\u212aen=s3cr3t") == "to\u212aen=[REDACTED]"


def test_text_formatter_is_readable_and_redacted():
    record = logging.LogRecord("edigate.test", logging.INFO, __file__, 1, "password=hunter2 ok", None, None)
    record.partner = "acme-retail"
    RedactingFilter().filter(record)
    line = TextFormatter().format(record)
    assert "hunter2" not in line and "password=[REDACTED] ok" in line and "partner=acme-retail" in line
    assert json.loads(JsonFormatter().format(record))["partner"] == "acme-retail"


def test_auto_format_writes_json_when_not_a_terminal():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()  # isatty() is False, like a pipe or a container's stdout
    try:
        configure_logging("auto", "INFO", stream=stream)
        configure_logging("auto", "INFO", stream=stream)  # again: replaced, not doubled
        logging.getLogger("edigate.test").info("hello")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    [event] = _lines(stream)
    assert event["message"] == "hello"
