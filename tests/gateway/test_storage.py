"""The same schema, built by the Alembic migration, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect

from gateway.database.engine import make_engine
from gateway.database.migrate import is_current
from gateway.database.models import Base, Transmission

REPO = Path(__file__).resolve().parents[2]
TABLES = {
    "transmissions",
    "interchanges",
    "interchange_keys",
    "messages",
    "documents",
    "acknowledgements",
    "audit_events",
    "audit_head",
    "work_items",
    "control_counters",
    "operators",
    "operator_sessions",
    "erp_deliveries",
    "erp_endpoints",
}


def test_migration_creates_every_table_and_is_current(gateway):
    names = set(inspect(gateway.engine).get_table_names())
    # The migrations build exactly what the models describe, core tables included.
    assert names - {"alembic_version"} == set(Base.metadata.tables)
    assert names >= TABLES
    assert is_current(gateway.engine)


def test_times_are_stored_and_returned_as_utc(gateway):
    cet = timezone(timedelta(hours=1))
    with gateway.sessions.begin() as session:
        session.add(
            Transmission(
                id="t1",
                channel="rest",
                received_at=datetime(2026, 1, 15, 10, 30, tzinfo=cet),
                sha256="0" * 64,
                size=0,
                status="received",
                transport={},
                errors=[],
            )
        )
    with gateway.sessions() as session:
        value = session.get(Transmission, "t1").received_at
    assert value == datetime(2026, 1, 15, 9, 30, tzinfo=UTC) and value.tzinfo is not None


def test_naive_datetimes_are_refused(gateway):
    with pytest.raises(Exception, match="naive datetime"), gateway.sessions.begin() as session:
        session.add(
            Transmission(
                id="t2",
                channel="rest",
                received_at=datetime(2026, 1, 15),
                sha256="0" * 64,
                size=0,
                status="received",
                transport={},
                errors=[],
            )
        )
        session.flush()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_mode(gateway):
    with gateway.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_identity_columns_hold_xml_schemes_and_long_document_keys(gateway):
    from gateway.database.models import Interchange, InterchangeKey

    with gateway.sessions.begin() as session:
        session.add(
            Transmission(
                id="t3",
                channel="rest",
                received_at=datetime.now(UTC),
                sha256="0" * 64,
                size=0,
                status="received",
                transport={},
                errors=[],
            )
        )
        session.flush()
        row = Interchange(
            transmission_id="t3",
            position=1,
            syntax="xml",
            sender_id="AN01000000001",
            sender_qualifier="NetworkID",
            recipient_id="x",
            recipient_qualifier="NetworkID",
            control_reference="DespatchAdvice:" + "9" * 100,
            status="accepted",
            errors=[],
        )
        session.add(row)
        session.flush()
        session.add(
            InterchangeKey(
                syntax="xml",
                sender_id="AN01000000001",
                sender_qualifier="NetworkID",
                control_reference=row.control_reference,
                interchange_id=row.id,
            )
        )
    with gateway.sessions() as session:
        stored = session.get(
            InterchangeKey, ("xml", "AN01000000001", "NetworkID", "DespatchAdvice:" + "9" * 100)
        )
        assert stored is not None and stored.interchange_id == row.id


_MIGRATE = """
import sys
from gateway.database.engine import make_engine
from gateway.database.migrate import is_current, upgrade
engine = make_engine(sys.argv[1])
upgrade(engine)
print(is_current(engine))
"""


def test_processes_started_together_on_a_new_sqlite_database_migrate_it_once(tmp_path):
    """``serve --no-worker`` and its workers start together: each migrates at start. On a new
    SQLite file they ran the same steps at once, and all but one stopped ("table ... already
    exists", "duplicate column name")."""
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'new-{attempt}.db'}"
        starts = [
            subprocess.Popen(
                [sys.executable, "-c", _MIGRATE, url],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(3)
        ]
        answers = [process.communicate(timeout=120) for process in starts]
        assert [
            (process.returncode, out.strip(), err[-300:])
            for process, (out, err) in zip(starts, answers, strict=True)
        ] == [(0, b"True", b"")] * 3
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar_one() == 1
        assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set(Base.metadata.tables)
        engine.dispose()
