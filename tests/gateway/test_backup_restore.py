"""`edigate backup` copies a running SQLite node consistently; `edigate restore` brings it back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gateway.api.app import create_app
from gateway.audit_check import verify_all
from gateway.audit_signing import sign_now
from gateway.backup import make_backup
from gateway.cli import main
from gateway.config import Settings
from gateway.context import open_gateway, utc_now
from gateway.database.models import Transmission

# SQLite is what `edigate backup` copies; PostgreSQL nodes use pg_dump.
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ACME = {"Authorization": "Bearer demo-acme-key"}


def _table_counts(database: Path) -> dict[str, int]:
    connection = sqlite3.connect(database)
    try:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        connection.close()


def _transmissions(gateway) -> int:
    with gateway.sessions() as session:
        return session.execute(select(func.count()).select_from(Transmission)).scalar_one()


def _node(gateway) -> list[str]:
    settings = gateway.settings
    return ["--data-dir", str(settings.data_dir), "--database-url", settings.resolved_database_url()]


@pytest.fixture
def backup(tmp_path, gateway, submit, drain, edifact_fixture) -> Path:
    submit(edifact_fixture("acme_orders_d96a.edi"))
    submit(b"garbage")
    drain(gateway)
    sign_now(gateway)
    target = tmp_path / "backup"
    result = make_backup(gateway.settings, target, utc_now())
    assert result.problems == []
    return target


@SQLITE
def test_backup_of_a_running_node_restores_into_a_node_with_the_same_rows(tmp_path, gateway, edifact_fixture):
    order = edifact_fixture("acme_orders_d96a.edi")
    responses: list[int] = []
    stop = threading.Event()
    with TestClient(create_app(gateway, run_worker=True)) as client:

        def write() -> None:  # a partner that keeps sending while the backup runs
            number = 0
            while not stop.is_set():
                number += 1
                body = order if number % 3 == 0 else b"garbage %d" % number
                responses.append(client.post("/v1/messages", content=body, headers=ACME).status_code)

        for number in range(3):
            client.post("/v1/messages", content=b"before %d" % number, headers=ACME)
        sign_now(gateway)
        before = _transmissions(gateway)
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        target = tmp_path / "backup"
        command = [sys.executable, "-m", "gateway.cli", "backup", str(target), *_node(gateway)]
        made = subprocess.run(command, capture_output=True, text=True, check=False)
        sent_during_backup = len(responses)
        # The node keeps accepting after the backup too.
        while writer.is_alive() and len(responses) < sent_during_backup + 3:
            threading.Event().wait(0.01)
        stop.set()
        writer.join()
    assert made.returncode == 0, made.stdout + made.stderr
    assert "backup written to" in made.stdout
    assert set(responses) == {202}

    restored_dir = tmp_path / "restored"
    assert main(["restore", str(target), "--data-dir", str(restored_dir)]) == 0
    manifest = json.loads((target / "manifest.json").read_text())
    restored = open_gateway(Settings(data_dir=restored_dir, demo=True))
    try:
        counts = _table_counts(restored_dir / "edigate.db")
        assert counts == _table_counts(target / "edigate.db") == manifest["tables"]
        assert before <= counts["transmissions"] <= before + len(responses)
        report = verify_all(restored)
        assert report.intact, report.lines()
        assert report.digests.matched >= 1 and report.events == manifest["audit_seq"]
        with restored.sessions() as session:
            hashes = session.execute(select(Transmission.sha256)).scalars().all()
        for sha256 in hashes:
            assert hashlib.sha256(restored.archive.get(sha256)).hexdigest() == sha256
    finally:
        restored.close()


@SQLITE
def test_restored_node_keeps_working_and_signing_with_the_same_key(tmp_path, backup, gateway, submit):
    restored_dir = tmp_path / "restored"
    assert main(["restore", str(backup), "--data-dir", str(restored_dir)]) == 0
    original_key = gateway.settings.resolved_audit_signing_key().read_bytes()
    restored = open_gateway(Settings(data_dir=restored_dir, demo=True))
    try:
        assert restored.settings.resolved_audit_signing_key().read_bytes() == original_key
        with TestClient(create_app(restored, run_worker=False)) as client:
            assert client.post("/v1/messages", content=b"after restore", headers=ACME).status_code == 202
        sign_now(restored)
        report = verify_all(restored)
        assert report.intact and report.digests.matched == 2, report.lines()
    finally:
        restored.close()


@SQLITE
def test_backup_altered_after_it_was_made_is_not_restored(tmp_path, backup, capsys):
    archived = next((backup / "archive").glob("??/??/*"))
    archived.chmod(0o644)
    archived.write_bytes(b"forged")
    restored_dir = tmp_path / "restored"
    assert main(["restore", str(backup), "--data-dir", str(restored_dir)]) == 1
    err = capsys.readouterr().err
    assert f"archive/{archived.relative_to(backup / 'archive').as_posix()}: altered" in err
    assert not restored_dir.exists() or not any(restored_dir.iterdir())


@SQLITE
def test_unfinished_backup_without_manifest_is_refused(tmp_path, backup, capsys):
    (backup / "manifest.json").unlink()
    assert main(["restore", str(backup), "--data-dir", str(tmp_path / "restored")]) == 1
    assert "has no manifest.json" in capsys.readouterr().err


@SQLITE
def test_restore_over_a_data_dir_needs_force_and_moves_the_old_contents_aside(tmp_path, backup, capsys):
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    (restored_dir / "edigate.db").write_bytes(b"an older database")
    assert main(["restore", str(backup), "--data-dir", str(restored_dir)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (restored_dir / "edigate.db").read_bytes() == b"an older database"
    assert main(["restore", str(backup), "--data-dir", str(restored_dir), "--force"]) == 0
    [aside] = tmp_path.glob("restored.replaced-*")
    assert (aside / "edigate.db").read_bytes() == b"an older database"
    assert _table_counts(restored_dir / "edigate.db") == _table_counts(backup / "edigate.db")


@SQLITE
def test_restore_refuses_a_data_dir_a_node_is_running_on_even_with_force(backup, gateway, capsys):
    with gateway.engine.connect():  # a running node holds its connections open
        assert main(["restore", str(backup), *_node(gateway), "--force"]) == 1
    assert "in use by a running edigate" in capsys.readouterr().err


@SQLITE
def test_backup_into_a_folder_that_is_not_empty_is_refused(tmp_path, backup, gateway, capsys):
    assert main(["backup", str(backup), *_node(gateway)]) == 1
    assert "not an empty folder" in capsys.readouterr().err


def test_backup_of_a_postgresql_node_points_at_pg_dump_and_the_readme(tmp_path, capsys):
    url = "postgresql+psycopg://edigate@db.example/edigate"
    assert main(["backup", str(tmp_path / "b"), "--data-dir", str(tmp_path), "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert "pg_dump" in err and "“Backups”" in err and str(tmp_path / "archive") in err
    assert not (tmp_path / "b").exists()


@SQLITE
def test_forced_restore_also_moves_aside_a_database_kept_outside_the_data_dir(tmp_path, backup):
    outside = tmp_path / "elsewhere" / "node.db"
    outside.parent.mkdir()
    outside.write_bytes(b"the database being replaced")
    node = ["--data-dir", str(tmp_path / "fresh"), "--database-url", f"sqlite:///{outside}"]
    assert main(["restore", str(backup), *node]) == 1
    assert main(["restore", str(backup), *node, "--force"]) == 0
    [aside] = tmp_path.glob("fresh.replaced-*")
    [kept] = aside.glob("*node.db")
    assert kept.read_bytes() == b"the database being replaced"
    assert _table_counts(outside) == _table_counts(backup / "edigate.db")


@SQLITE
def test_manifest_naming_a_path_outside_the_backup_is_refused(tmp_path, backup, capsys):
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"]["data/../../escaped"] = {"sha256": "0" * 64, "size": 0}
    (backup / "manifest.json").write_text(json.dumps(manifest))
    assert main(["restore", str(backup), "--data-dir", str(tmp_path / "restored")]) == 1
    assert "'data/../../escaped', a path outside the backup" in capsys.readouterr().err
    assert not (tmp_path.parent / "escaped").exists()


@SQLITE
def test_signing_key_kept_outside_the_data_dir_is_not_copied_and_the_backup_says_so(
    tmp_path, make_gateway, monkeypatch, capsys
):
    key = tmp_path / "secrets" / "audit.key"
    monkeypatch.setenv("EDIGATE_AUDIT_SIGNING_KEY", str(key))
    gateway = make_gateway(audit_signing_key=key)
    with TestClient(create_app(gateway, run_worker=False)) as client:
        client.post("/v1/messages", content=b"garbage", headers=ACME)
    sign_now(gateway)
    assert main(["backup", str(tmp_path / "backup"), *_node(gateway)]) == 0
    assert f"the audit signing key {key} lives outside the data directory" in capsys.readouterr().out
    copied = (tmp_path / "backup").rglob("*")
    assert not [p for p in copied if p.name.startswith("audit.")]
