"""Statements run straight on the driver's cursor (gateway/database/direct.py, rows.py) store and
read exactly what the ORM would, on SQLite and PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, event, select
from sqlalchemy.exc import IntegrityError

from gateway.database.direct import DirectStatement
from gateway.database.models import AuditHead, Interchange, Transmission, WorkItem
from gateway.database.rows import insert_row, insert_values, load_row, load_rows, update_columns


def _transmission(**values: object) -> Transmission:
    base = {
        "id": str(uuid.uuid4()),
        "channel": "rest",
        "partner_id": "acme-retail",
        "received_at": datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
        "sha256": "0" * 64,
        "size": 10,
        "status": "received",
        "errors": [],
    }
    return Transmission(**{**base, **values})


def test_a_row_inserted_directly_reads_back_as_the_orm_sees_it(gateway):
    # Given in another zone: stored as UTC, read back aware.
    received = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    errors = [{"code": "X", "text": "Grüße ✓", "location": {"segment": 3}}]
    row = _transmission(received_at=received, errors=errors)
    with gateway.sessions.begin() as session:
        insert_row(session, row)
    with gateway.sessions() as session:
        stored = session.get(Transmission, row.id)
        assert stored.received_at == received and stored.received_at.tzinfo is not None
        assert stored.received_at.utcoffset() == timedelta(0)
        assert stored.errors == errors
        assert stored.direction == "inbound"  # the column's default, as the column was not given
    with gateway.sessions() as session:
        loaded = load_row(session, Transmission, row.id)
    assert loaded is not None and loaded.received_at == received and loaded.received_at.tzinfo is not None
    assert loaded.errors == errors and loaded.partner_id == "acme-retail" and loaded.size == 10


def test_a_generated_id_comes_back_and_defaults_fill_what_was_not_given(gateway):
    parent = _transmission()
    with gateway.sessions.begin() as session:
        insert_row(session, parent)
        interchange = Interchange(
            transmission_id=parent.id,
            position=1,
            syntax="edifact",
            sender_id="S" * 80,  # wider than the column: cut to 64, as the ORM's type does
            sender_qualifier="14",
            recipient_id="R",
            recipient_qualifier="14",
            control_reference="REF1",
            status="accepted",
        )
        insert_row(session, interchange, generated_id=True)
        second = insert_values(
            session,
            Interchange.__table__,
            {
                **{k: getattr(interchange, k) for k in ("transmission_id", "syntax", "recipient_id")},
                "position": 2,
                "sender_id": "S2",
                "sender_qualifier": "14",
                "recipient_qualifier": "14",
                "control_reference": "REF2",
                "status": "accepted",
            },
            generated_id=True,
        )
    assert isinstance(interchange.id, int) and second == interchange.id + 1
    with gateway.sessions() as session:
        stored = session.get(Interchange, interchange.id)
        assert stored.sender_id == "S" * 64
        assert stored.ack_requested == "" and stored.test_indicator == "" and stored.errors == []


def test_changed_columns_are_written_back_and_a_literal_in_the_statement_is_bound(gateway):
    row = _transmission()
    with gateway.sessions.begin() as session:
        insert_row(session, row)
        loaded = load_row(session, Transmission, row.id)
        loaded.status, loaded.errors = "rejected", [{"code": "E"}]
        loaded.processed_at = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
        update_columns(session, loaded, "status", "errors", "processed_at")
        session.execute(AuditHead.__table__.insert().values(id=1, last_seq=7, last_hash="h" * 64))
        head = DirectStatement(
            select(AuditHead.__table__.c.last_seq).where(AuditHead.__table__.c.id == 1)
        ).scalar(session.connection(), {})
    assert head == 7
    with gateway.sessions() as session:
        stored = session.get(Transmission, row.id)
        assert (stored.status, stored.errors) == ("rejected", [{"code": "E"}])
        assert stored.processed_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
        assert stored.sha256 == "0" * 64  # untouched columns stay


def test_writing_back_a_row_that_is_gone_fails(gateway):
    row = _transmission()
    with gateway.sessions.begin() as session:
        insert_row(session, row)
        loaded = load_row(session, Transmission, row.id)
        session.execute(Transmission.__table__.delete().where(Transmission.id == row.id))
        loaded.status = "processed"
        with pytest.raises(LookupError, match=f"transmissions row {row.id} is gone"):
            update_columns(session, loaded, "status")


def test_rows_loaded_together_are_the_rows_loaded_one_by_one(gateway):
    rows = [_transmission(size=n) for n in range(3)]
    with gateway.sessions.begin() as session:
        for row in rows:
            insert_row(session, row)
    with gateway.sessions() as session:
        together = load_rows(session, Transmission, [rows[2].id, rows[0].id, "no-such-id"])
        one_by_one = [load_row(session, Transmission, row.id) for row in (rows[0], rows[2])]

    def columns(row: Transmission) -> dict[str, object]:
        return {column.key: getattr(row, column.key) for column in Transmission.__table__.columns}

    assert sorted(map(columns, together), key=lambda c: c["size"]) == [columns(r) for r in one_by_one]


def test_driver_errors_arrive_as_sqlalchemy_errors_and_roll_back_with_the_transaction(gateway):
    row = _transmission()
    with gateway.sessions.begin() as session:
        insert_row(session, row)
    with pytest.raises(IntegrityError), gateway.sessions.begin() as session:
        insert_row(session, _transmission(id=str(uuid.uuid4())))
        insert_row(session, _transmission(id=row.id))  # the same primary key again
    with gateway.sessions() as session:
        assert session.execute(select(Transmission.id)).scalars().all() == [row.id]


def test_rows_written_in_a_savepoint_go_when_it_rolls_back(gateway):
    now = datetime(2026, 11, 27, tzinfo=UTC)
    item = {
        "kind": "k",
        "subject_id": "s",
        "state": "queued",
        "attempts": 0,
        "available_at": now,
        "created_at": now,
    }
    with gateway.sessions.begin() as session:
        insert_values(session, WorkItem.__table__, item)
        savepoint = session.begin_nested()
        insert_values(session, WorkItem.__table__, {**item, "subject_id": "undone"})
        savepoint.rollback()
    with gateway.sessions() as session:
        assert session.execute(select(WorkItem.subject_id)).scalars().all() == ["s"]


def test_savepoints_go_to_the_driver_as_text_and_keep_their_meaning(gateway):
    """A failed statement inside a savepoint is undone with it and the transaction goes on (on
    PostgreSQL that needs the ROLLBACK TO in an aborted transaction); a released savepoint keeps
    its rows, ORM ones too. None of the savepoint statements is compiled and executed by
    SQLAlchemy: they reach the driver as text (``_plain_savepoints``)."""
    through_sqlalchemy: list[str] = []
    event.listen(gateway.engine, "before_cursor_execute", lambda *args: through_sqlalchemy.append(args[2]))
    kept, failed, orm_row = _transmission(), _transmission(), _transmission()
    with gateway.sessions.begin() as session:
        with session.begin_nested():
            insert_row(session, kept)
        with pytest.raises(IntegrityError), session.begin_nested():
            insert_row(session, failed)
            insert_row(session, _transmission(id=kept.id))  # the same primary key again
        with session.begin_nested():
            session.add(orm_row)
        session.flush()
    with gateway.sessions() as session:
        stored = set(session.execute(select(Transmission.id)).scalars())
    assert stored == {kept.id, orm_row.id}
    assert through_sqlalchemy and not [sql for sql in through_sqlalchemy if "SAVEPOINT" in sql.upper()]


def test_a_nul_in_text_is_replaced_on_postgresql_and_kept_on_sqlite(gateway):
    row = _transmission(filename="order\x00.edi", errors=[{"text": "bad\x00byte"}])
    with gateway.sessions.begin() as session:
        insert_row(session, row)
        found = DirectStatement(
            select(Transmission.__table__.c.id).where(Transmission.__table__.c.filename == bindparam("name"))
        ).scalar(session.connection(), {"name": "order\x00.edi"})
    assert found == row.id  # the lookup is cleaned the same way, so it finds the row
    with gateway.sessions() as session:
        stored = session.get(Transmission, row.id)
    # JSON keeps it, escaped as \u0000 (PostgreSQL's json type takes that), as the ORM's path does.
    assert stored.errors == [{"text": "bad\x00byte"}]
    if gateway.engine.dialect.name == "postgresql":
        assert stored.filename == "order\ufffd.edi"
    else:
        assert stored.filename == "order\x00.edi"
