"""Retention deletes a record once its longest period has ended, leaves tombstones, keeps the chain whole."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from gateway.audit_check import verify_all
from gateway.cli import main
from gateway.config import RETENTION_DEFAULTS, Settings
from gateway.database.models import (
    Acknowledgement,
    As2Inbound,
    AuditEvent,
    Document,
    ErpDelivery,
    Interchange,
    Message,
    Transmission,
    WorkItem,
)
from gateway.records.retention import TOMBSTONE, run_retention
from tests.gateway.test_outbound import MINIMAL_RESPONSE
from tests.gateway.test_records_support import (
    SUPPLIER_KEY,
    end_of_period,
    move_clock_to,
    receive_over_as2,
    stored,
)

ORDER = "acme_orders_d96a.edi"
ACME_KEY = "demo-acme-key"


@pytest.fixture
def retention_years() -> dict[str, int]:
    return {}


@pytest.fixture
def gateway(make_gateway, retention_years):
    """The demo gateway, with the periods a test names through ``retention_years``."""
    return make_gateway(retention_years=retention_years)


def _receive(gateway, submit, drain, body: bytes, key: str = SUPPLIER_KEY):
    response = submit(body, key=key)
    assert response.status_code == 202, response.text
    drain(gateway)
    return stored(gateway, response.json()["id"])


def _order(gateway, submit, drain, edifact_fixture):
    """ACME's purchase order: a document, and a CONTRL we send back (ACME asks for one always)."""
    return _receive(gateway, submit, drain, edifact_fixture(ORDER), key=ACME_KEY)


def _count(gateway, model, *where) -> int:
    with gateway.sessions() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _duplicate_links(gateway, transmission_id: str) -> list[int | None]:
    with gateway.sessions() as session:
        return list(
            session.execute(
                select(Interchange.duplicate_of_id).where(Interchange.transmission_id == transmission_id)
            ).scalars()
        )


def _tombstones(gateway, subject_id: str) -> list[dict]:
    with gateway.sessions() as session:
        return list(
            session.execute(
                select(AuditEvent.details).where(
                    AuditEvent.subject_id == subject_id, AuditEvent.action == TOMBSTONE
                )
            ).scalars()
        )


def test_expired_order_goes_with_its_rows_and_files_and_leaves_tombstones_the_chain_keeps(
    gateway, submit, drain, clock, edifact_fixture
):
    record = _order(gateway, submit, drain, edifact_fixture)
    assert record.documents and record.acknowledgements
    ends = end_of_period(record.received_at, gateway.settings.retention_years["purchase_order"])

    kept = run_retention(gateway, now=move_clock_to(clock, ends - timedelta(seconds=1)))
    assert kept.records == [] and _count(gateway, Transmission, Transmission.id == record.id) == 1

    report = run_retention(gateway, now=move_clock_to(clock, ends))

    [outcome] = report.deleted
    assert outcome.transmission_id == record.id and outcome.outcome == "deleted"
    subjects = [record.id, *record.documents, *record.acknowledgements]
    assert _count(gateway, Transmission, Transmission.id == record.id) == 0
    assert _count(gateway, Interchange, Interchange.transmission_id == record.id) == 0
    assert _count(gateway, Message, Message.transmission_id == record.id) == 0
    assert _count(gateway, Document, Document.transmission_id == record.id) == 0
    assert _count(gateway, Acknowledgement, Acknowledgement.transmission_id == record.id) == 0
    assert _count(gateway, ErpDelivery, ErpDelivery.document_id.in_(record.documents)) == 0
    assert _count(gateway, WorkItem, WorkItem.subject_id.in_(subjects)) == 0
    files = {record.sha256, *record.ack_hashes}
    assert not any(gateway.archive.path_for(sha).exists() for sha in files)
    assert set(outcome.files_deleted) == files

    [tombstone] = _tombstones(gateway, record.id)
    assert tombstone["sha256"] == record.sha256
    assert tombstone["document_type"] == "purchase_order" and tombstone["retention_years"] == 6
    assert tombstone["expired_at"] == ends.isoformat()
    assert "6 years for purchase_order" in tombstone["reason"]
    assert set(tombstone["files_deleted"]) == files
    assert tombstone["documents"] == record.documents
    for ack_id, sha in zip(record.acknowledgements, record.ack_hashes, strict=True):
        [ack_tombstone] = _tombstones(gateway, ack_id)
        assert ack_tombstone["sha256"] == sha and ack_tombstone["transmission"] == record.id
    [doc_tombstone] = _tombstones(gateway, record.documents[0])
    assert doc_tombstone["type"] == "purchase_order" and doc_tombstone["number"] == "PO-2026-0042"

    verified = verify_all(gateway)
    assert verified.intact, verified.lines()
    assert verified.tombstoned == len(files)
    assert "deleted by retention (tombstoned)" in verified.lines()[0]


def test_a_file_shared_with_a_kept_record_stays_and_the_kept_record_loses_only_its_link(
    gateway, submit, drain, clock, edifact_fixture
):
    first = _order(gateway, submit, drain, edifact_fixture)
    clock.advance(days=366)  # the identical retransmission arrives a calendar year later
    again = _order(gateway, submit, drain, edifact_fixture)
    assert again.sha256 == first.sha256 and set(again.ack_hashes) == set(first.ack_hashes)
    assert _duplicate_links(gateway, again.id) != [None]  # the retransmission points at the original

    now = move_clock_to(clock, end_of_period(first.received_at, 6))
    report = run_retention(gateway, now=now)

    assert [r.transmission_id for r in report.deleted] == [first.id]
    [outcome] = report.deleted
    assert outcome.files_deleted == [] and set(outcome.files_shared) == {first.sha256, *first.ack_hashes}
    assert gateway.archive.path_for(first.sha256).exists()
    assert all(gateway.archive.path_for(sha).exists() for sha in again.ack_hashes)
    assert _count(gateway, Transmission, Transmission.id == again.id) == 1
    assert _duplicate_links(gateway, again.id) == [None]
    [tombstone] = _tombstones(gateway, first.id)
    assert tombstone["files_deleted"] == [] and first.sha256 in tombstone["files_shared"]
    assert verify_all(gateway).intact

    # A year later the retransmission's own period ends, and with it the last reference to the bytes.
    later = run_retention(gateway, now=move_clock_to(clock, end_of_period(again.received_at, 6)))
    assert [r.transmission_id for r in later.deleted] == [again.id]
    assert not gateway.archive.path_for(first.sha256).exists()
    assert verify_all(gateway).intact


# Acknowledgements are kept shorter here, so the document types decide.
@pytest.mark.parametrize("retention_years", [{"delivery_note": 2, "invoice": 5, "acknowledgement": 1}])
def test_each_document_type_has_its_own_period_from_the_settings(
    gateway, submit, drain, clock, edifact_fixture
):
    note = _receive(gateway, submit, drain, edifact_fixture("supplier_one_desadv_d96a.edi"))
    invoice = _receive(gateway, submit, drain, edifact_fixture("supplier_one_invoic_d96a.edi"))

    first = run_retention(gateway, now=move_clock_to(clock, end_of_period(note.received_at, 2)))
    assert [r.transmission_id for r in first.deleted] == [note.id]
    assert [r.expiry.kind for r in first.deleted] == ["delivery_note"]
    second = run_retention(gateway, now=move_clock_to(clock, end_of_period(invoice.received_at, 5)))
    assert [r.transmission_id for r in second.deleted] == [invoice.id]


@pytest.mark.parametrize("retention_years", [{"purchase_order": 2, "acknowledgement": 4}])
def test_a_record_is_kept_for_its_longest_part_acknowledgements_included(
    gateway, submit, drain, clock, edifact_fixture
):
    record = _order(gateway, submit, drain, edifact_fixture)
    assert record.acknowledgements

    early = run_retention(gateway, now=move_clock_to(clock, end_of_period(record.received_at, 2)))
    assert early.records == []
    late = run_retention(gateway, now=move_clock_to(clock, end_of_period(record.received_at, 4)))
    assert [(r.transmission_id, r.expiry.kind) for r in late.deleted] == [(record.id, "acknowledgement")]


@pytest.mark.parametrize("retention_years", [{"default": 1, "acknowledgement": 1}])
def test_bad_input_that_produced_no_document_is_kept_for_the_default_period(gateway, submit, drain, clock):
    record = _receive(gateway, submit, drain, b"this is not an interchange")
    with gateway.sessions() as session:
        assert session.get(Transmission, record.id).status == "rejected"
    assert record.documents == []

    report = run_retention(gateway, now=move_clock_to(clock, end_of_period(record.received_at, 1)))

    assert [(r.transmission_id, r.expiry.kind) for r in report.deleted] == [(record.id, "default")]
    assert not gateway.archive.path_for(record.sha256).exists()
    assert _tombstones(gateway, record.id)[0]["document_type"] == "default"


@pytest.mark.parametrize("retention_years", [{"order_response": 1, "acknowledgement": 3, "default": 3}])
def test_an_outbound_message_goes_and_the_partners_kept_acknowledgement_loses_its_link(
    gateway, client, submit, drain, clock
):
    sent = client.post(
        "/v1/outbound",
        json={"partner": "acme-retail", "document": MINIMAL_RESPONSE},
        headers={"Authorization": "Bearer demo-erp-key"},
    ).json()
    drain(gateway)
    contrl = (
        b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4000001000005:14+261127:1000+C0001'"
        b"UNH+1+CONTRL:D:3:UN'UCI+1+4000001000005:14+5412345000013:14+7'UNT+3+1'UNZ+1+C0001'"
    )
    answer = _receive(gateway, submit, drain, contrl, key="demo-acme-key")
    outbound = stored(gateway, sent["id"])

    report = run_retention(gateway, now=move_clock_to(clock, end_of_period(outbound.received_at, 1)))

    assert [(r.transmission_id, r.direction) for r in report.deleted] == [(outbound.id, "outbound")]
    assert not gateway.archive.path_for(outbound.sha256).exists()
    with gateway.sessions() as session:
        [kept] = session.execute(
            select(Acknowledgement).where(Acknowledgement.transmission_id == answer.id)
        ).scalars()
        assert kept.answers_transmission_id is None
    assert verify_all(gateway).intact


def test_dry_run_reports_what_would_go_and_changes_nothing(gateway, submit, drain, clock, edifact_fixture):
    record = _order(gateway, submit, drain, edifact_fixture)
    with gateway.sessions() as session:
        events_before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()

    now = move_clock_to(clock, end_of_period(record.received_at, 6))
    report = run_retention(gateway, now=now, dry_run=True)

    assert [(r.transmission_id, r.outcome) for r in report.deleted] == [(record.id, "would_delete")]
    assert set(report.deleted[0].files_deleted) == {record.sha256, *record.ack_hashes}
    assert "would delete" in report.lines()[-1]
    assert _count(gateway, Transmission, Transmission.id == record.id) == 1
    assert gateway.archive.path_for(record.sha256).exists()
    with gateway.sessions() as session:
        assert session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == events_before


def test_unfinished_work_keeps_a_record_and_the_report_says_so(gateway, submit, clock, edifact_fixture):
    response = submit(edifact_fixture("supplier_one_invoic_d96a.edi"), key=SUPPLIER_KEY)
    record = stored(gateway, response.json()["id"])  # queued, never processed

    report = run_retention(gateway, now=move_clock_to(clock, end_of_period(record.received_at, 6)))

    assert [(r.transmission_id, r.outcome) for r in report.records] == [(record.id, "busy")]
    assert _count(gateway, Transmission, Transmission.id == record.id) == 1
    assert "work still queued" in report.lines()[0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_retention_run_dry_run_and_as_of(gateway, submit, drain, edifact_fixture, capsys):
    record = _receive(gateway, submit, drain, edifact_fixture("supplier_one_invoic_d96a.edi"))
    as_of = end_of_period(record.received_at, 8).date().isoformat()
    args = ["--demo", "--data-dir", str(gateway.settings.data_dir)]
    args += ["--database-url", gateway.settings.resolved_database_url()]

    assert main(["retention", "run", "--dry-run", "--as-of", as_of, *args]) == 0
    assert f"would delete inbound message {record.id}" in capsys.readouterr().out
    assert _count(gateway, Transmission, Transmission.id == record.id) == 1

    assert main(["retention", "run", "--as-of", as_of, *args]) == 0
    out = capsys.readouterr().out
    assert f"deleted inbound message {record.id}" in out and "deleted 1 message(s)" in out
    assert _count(gateway, Transmission, Transmission.id == record.id) == 0
    assert main(["audit", "verify", *args]) == 0
    assert "deleted by retention (tombstoned)" in capsys.readouterr().out


def test_periods_come_from_the_environment_merged_over_the_defaults(monkeypatch):
    monkeypatch.setenv("EDIGATE_RETENTION_YEARS", '{"invoice": 10}')
    years = Settings().retention_years
    assert years["invoice"] == 10 and years["purchase_order"] == RETENTION_DEFAULTS["purchase_order"]
    monkeypatch.setenv("EDIGATE_RETENTION_YEARS", '{"invoices": 10}')
    with pytest.raises(ValidationError, match="unknown record kind"):
        Settings()


def test_dry_run_names_the_same_files_as_the_real_run_when_two_expired_records_share_them(
    gateway, submit, drain, clock, edifact_fixture
):
    first = _order(gateway, submit, drain, edifact_fixture)
    again = _order(gateway, submit, drain, edifact_fixture)  # identical retransmission: same files
    now = move_clock_to(clock, end_of_period(max(first.received_at, again.received_at), 6))

    def files(report):
        return [(r.transmission_id, set(r.files_deleted), set(r.files_shared)) for r in report.deleted]

    planned = files(run_retention(gateway, now=now, dry_run=True))
    done = files(run_retention(gateway, now=now))

    shared = {first.sha256, *first.ack_hashes}
    assert planned == done == [(first.id, set(), shared), (again.id, shared | set(again.ack_hashes), set())]
    assert not any(gateway.archive.path_for(sha).exists() for sha in shared)


def test_an_as2_record_goes_with_its_receipt_row_the_request_as_received_and_the_mdn(gateway, drain, clock):
    transmission_id = receive_over_as2(gateway, drain)
    record = stored(gateway, transmission_id)
    with gateway.sessions() as session:
        as2 = session.execute(select(As2Inbound)).scalar_one()
        files = {record.sha256, as2.request_sha256, as2.mdn_sha256, *record.ack_hashes}
    assert as2.mdn_sha256 in record.ack_hashes  # the MDN is one of the record's acknowledgements

    report = run_retention(gateway, now=move_clock_to(clock, end_of_period(record.received_at, 6)))

    assert [r.transmission_id for r in report.deleted] == [transmission_id]
    assert set(report.deleted[0].files_deleted) == files
    assert _count(gateway, As2Inbound) == 0
    assert not any(gateway.archive.path_for(sha).exists() for sha in files)
    assert verify_all(gateway).intact
