"""A legal hold on a partner or a message stops retention until it is released; both are audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.audit_check import verify_all
from gateway.cli import main
from gateway.database.models import AuditEvent, LegalHold, Transmission
from gateway.records.legal_hold import HoldError, list_holds, place_hold, release_hold
from gateway.records.retention import run_retention
from tests.gateway.test_records_support import SUPPLIER_KEY, end_of_period, move_clock_to, stored

ACME_KEY = "demo-acme-key"


def _two_partners_records(gateway, submit, drain, edifact_fixture):
    """An ACME order and a Supplier One delivery note, both with six-year periods."""
    order = submit(edifact_fixture("acme_orders_d96a.edi"), key=ACME_KEY).json()["id"]
    note = submit(edifact_fixture("supplier_one_desadv_d96a.edi"), key=SUPPLIER_KEY).json()["id"]
    drain(gateway)
    return stored(gateway, order), stored(gateway, note)


def _exists(gateway, transmission_id: str) -> bool:
    with gateway.sessions() as session:
        return session.get(Transmission, transmission_id) is not None


def _events(gateway, subject_id: str) -> list[tuple[str, str, dict]]:
    with gateway.sessions() as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.details)
            .where(AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.seq)
        ).all()
        return [tuple(row) for row in rows]


def test_partner_hold_keeps_all_its_records_until_released(gateway, submit, drain, clock, edifact_fixture):
    order, note = _two_partners_records(gateway, submit, drain, edifact_fixture)
    hold = place_hold(gateway, "partner", "acme-retail", reason="litigation 2026-17", actor="operator:admin")
    now = move_clock_to(clock, end_of_period(max(order.received_at, note.received_at), 6))

    report = run_retention(gateway, now=now)

    assert [(r.transmission_id, r.outcome, r.hold_id) for r in report.held] == [(order.id, "held", hold.id)]
    assert [r.transmission_id for r in report.deleted] == [note.id]
    assert _exists(gateway, order.id) and gateway.archive.path_for(order.sha256).exists()
    assert not _exists(gateway, note.id)
    assert f"kept (legal hold {hold.id})" in "\n".join(report.lines())

    release_hold(gateway, hold.id, actor="operator:admin", reason="case closed")
    after = run_retention(gateway, now=now)
    assert [r.transmission_id for r in after.deleted] == [order.id] and after.held == []
    assert not gateway.archive.path_for(order.sha256).exists()
    assert [(actor, action) for actor, action, _ in _events(gateway, hold.id)] == [
        ("operator:admin", "hold_placed"),
        ("operator:admin", "hold_released"),
    ]
    placed, released = (details for _, _, details in _events(gateway, hold.id))
    assert placed == {"scope": "partner", "subject": "acme-retail", "reason": "litigation 2026-17"}
    assert released["reason"] == "case closed"
    assert verify_all(gateway).intact


def test_message_hold_keeps_only_that_message(gateway, submit, drain, clock, edifact_fixture):
    order = stored(gateway, submit(edifact_fixture("acme_orders_d96a.edi"), key=ACME_KEY).json()["id"])
    other = submit(edifact_fixture("supplier_one_invoic_d96a.edi"), key=SUPPLIER_KEY).json()["id"]
    drain(gateway)
    invoice = stored(gateway, other)
    hold = place_hold(gateway, "message", order.id, reason="disputed order", actor="cli")

    report = run_retention(gateway, now=move_clock_to(clock, end_of_period(invoice.received_at, 8)))

    assert [r.transmission_id for r in report.held] == [order.id]
    assert [r.transmission_id for r in report.deleted] == [invoice.id]
    assert _exists(gateway, order.id) and all(
        gateway.archive.path_for(sha).exists() for sha in (order.sha256, *order.ack_hashes)
    )
    assert [h.id for h in list_holds(gateway)] == [hold.id]


def test_released_hold_cannot_be_released_again_and_unknown_subjects_are_refused(gateway, submit, drain):
    with pytest.raises(HoldError, match="message nope does not exist"):
        place_hold(gateway, "message", "nope", reason="x", actor="cli")
    with pytest.raises(HoldError, match="partner no-such-partner is neither configured"):
        place_hold(gateway, "partner", "no-such-partner", reason="x", actor="cli")
    with pytest.raises(HoldError, match="needs a reason"):
        place_hold(gateway, "partner", "acme-retail", reason="  ", actor="cli")
    with pytest.raises(HoldError, match="does not exist"):
        release_hold(gateway, "no-such-hold", actor="cli")
    hold = place_hold(gateway, "partner", "acme-retail", reason="audit", actor="cli")
    release_hold(gateway, hold.id, actor="cli")
    with pytest.raises(HoldError, match="already released"):
        release_hold(gateway, hold.id, actor="cli")
    assert list_holds(gateway) == []
    assert [h.id for h in list_holds(gateway, include_released=True)] == [hold.id]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_hold_add_list_release(gateway, submit, drain, edifact_fixture, capsys):
    message = submit(edifact_fixture("acme_orders_d96a.edi"), key=ACME_KEY).json()["id"]
    drain(gateway)
    args = ["--demo", "--data-dir", str(gateway.settings.data_dir)]
    args += ["--database-url", gateway.settings.resolved_database_url()]

    assert main(["hold", "add", "--message", message, "--reason", "tax audit", *args]) == 0
    with gateway.sessions() as session:
        hold = session.execute(select(LegalHold)).scalar_one()
    assert f"legal hold {hold.id} placed on message {message}" in capsys.readouterr().out
    assert main(["hold", "list", *args]) == 0
    listed = capsys.readouterr().out
    assert hold.id in listed and "tax audit" in listed and "in force" in listed
    assert main(["hold", "add", "--partner", "nobody", "--reason", "x", *args]) == 1
    assert "partner nobody is neither configured" in capsys.readouterr().err
    assert main(["hold", "release", hold.id, "--reason", "audit done", *args]) == 0
    assert "released" in capsys.readouterr().out
    assert main(["hold", "list", *args]) == 0
    assert "no legal holds in force" in capsys.readouterr().out
    assert main(["hold", "release", hold.id, *args]) == 1
    assert "already released" in capsys.readouterr().err
