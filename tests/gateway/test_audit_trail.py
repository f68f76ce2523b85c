"""The audit trail is hash-chained and `edigate audit verify` finds any alteration."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from gateway.audit_check import verify_all


def _seed(gateway, submit, drain, edifact_fixture) -> None:
    submit(edifact_fixture("acme_orders_d96a.edi"))
    submit(b"garbage")
    drain(gateway)


def test_untouched_trail_and_archive_verify_intact(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    report = verify_all(gateway)
    assert report.intact, report.lines()
    assert report.events >= 10 and report.files == 3  # two uploads and one CONTRL


def test_edited_event_is_named_as_the_first_broken_one(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    with gateway.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'intruder' WHERE seq = 3"))
    report = verify_all(gateway)
    assert not report.intact
    assert report.chain_break is not None and report.chain_break.seq == 3
    assert "altered" in report.lines()[0]


def test_deleted_event_breaks_the_chain(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    with gateway.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    report = verify_all(gateway)
    assert report.chain_break is not None and report.chain_break.seq == 4


def test_deleted_last_events_are_detected_from_the_head(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    with gateway.engine.begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
        conn.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": last})
    report = verify_all(gateway)
    assert report.chain_break is not None and "deleted" in report.chain_break.reason


def test_altered_archive_file_is_named(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    sha = next(iter(gateway.archive.stored_hashes()))
    path = gateway.archive.path_for(sha)
    path.chmod(0o644)
    path.write_bytes(b"forged")
    report = verify_all(gateway)
    assert [d.sha256 for d in report.damaged] == [sha]
    assert str(path) in report.lines()[0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_audit_verify_exits_nonzero_naming_the_broken_event(
    tmp_path, gateway, submit, drain, edifact_fixture
):
    _seed(gateway, submit, drain, edifact_fixture)
    url = gateway.settings.resolved_database_url()
    command = [
        sys.executable,
        "-m",
        "gateway.cli",
        "audit",
        "verify",
        "--demo",
        "--data-dir",
        str(gateway.settings.data_dir),
        "--database-url",
        url,
    ]
    ok = subprocess.run(command, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("intact:")
    with gateway.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET details = '{}' WHERE seq = 2"))
    broken = subprocess.run(command, capture_output=True, text=True, check=False)
    assert broken.returncode == 1
    assert "BROKEN audit event 2" in broken.stdout
