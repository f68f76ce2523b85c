"""Batched work: a mailbox partner's CONTRL delivered with its message and published only after the
commit, acknowledgement deliveries claimed together, a batch that runs long hands the rest back,
and the files a batch writes are made durable before its commit."""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path
from unittest.mock import patch

import pytest
from sqlalchemy import select

import gateway.worker as worker_module
from archive.store import ArchiveStore
from archive.sync_batch import deferred_sync
from gateway.channels.sftp_mailbox import OUTBOX, STAGED_PREFIX, Mailbox
from gateway.database.models import (
    Acknowledgement,
    AuditEvent,
    Document,
    Interchange,
    Transmission,
    WorkItem,
)
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT, queue_delivery
from gateway.intake import PROCESS_TRANSMISSION
from gateway.publication import Publications
from gateway.worker import Worker


def _orders(edifact_fixture, n: int) -> bytes:
    return edifact_fixture("acme_orders_d96a.edi").replace(b"ACME000123", f"BATCH{n:05d}".encode())


def _items(gateway, kind: str) -> list[WorkItem]:
    with gateway.sessions() as session:
        return list(session.execute(select(WorkItem).where(WorkItem.kind == kind)).scalars())


def _outbox_files(gateway) -> dict[str, bytes]:
    outbox = Mailbox(gateway.settings.data_dir, "acme-retail").folder(OUTBOX)
    return {path.name: path.read_bytes() for path in outbox.iterdir()}


def test_a_mailbox_partners_contrl_is_delivered_with_its_message(gateway, submit, edifact_fixture):
    """A partner that fetches its files from its mailbox gets each CONTRL in the transaction that
    processed the message, published once it commits: no second work item per message."""
    for n in range(5):
        assert submit(_orders(edifact_fixture, n)).status_code == 202
    worker = Worker(gateway, owner="batcher")
    assert worker.run_once() == 5  # the five transmissions, together
    assert worker.run_once() == 0  # nothing left to deliver
    assert _items(gateway, DELIVER_ACKNOWLEDGEMENT) == []
    with gateway.sessions() as session:
        acks = session.execute(select(Acknowledgement)).scalars().all()
        delivered = (
            session.execute(select(AuditEvent).where(AuditEvent.action == "acknowledgement_delivered"))
            .scalars()
            .all()
        )
    assert len(acks) == 5 and {ack.delivery_state for ack in acks} == {"delivered"}
    assert all(ack.delivered_at is not None for ack in acks)
    assert {event.subject_id for event in delivered} == {ack.id for ack in acks}
    # Each CONTRL is in the partner's SFTP outbox, whole, under its name; nothing is left staged.
    sent = _outbox_files(gateway)
    assert sorted(sent) == sorted(ack.filename for ack in acks)
    assert all(data.startswith(b"UNA") and b"CONTRL" in data for data in sent.values())
    assert all(hashlib.sha256(sent[ack.filename]).hexdigest() == ack.sha256 for ack in acks)


def test_acknowledgement_deliveries_are_claimed_and_run_together(gateway, submit, edifact_fixture):
    """Deliveries queued as work items (a resend from the dashboard, a partner whose channel is
    remote) are claimed and run as a batch, each in its savepoint."""
    for n in range(5):
        assert submit(_orders(edifact_fixture, n)).status_code == 202
    worker = Worker(gateway, owner="batcher")
    assert worker.run_once() == 5
    with gateway.sessions.begin() as session:
        acks = session.execute(select(Acknowledgement)).scalars().all()
        for ack in acks:
            queue_delivery(session, ack, gateway.clock())
    for path in Mailbox(gateway.settings.data_dir, "acme-retail").folder(OUTBOX).iterdir():
        path.unlink()
    assert worker.run_once() == 5  # the five CONTRLs, together
    assert worker.run_once() == 0
    deliveries = _items(gateway, DELIVER_ACKNOWLEDGEMENT)
    assert len(deliveries) == 5 and {item.state for item in deliveries} == {"done"}
    sent = _outbox_files(gateway)
    assert sorted(sent) == sorted(ack.filename for ack in acks)
    assert all(b"CONTRL" in data for data in sent.values())


def test_a_contrl_staged_by_a_rolled_back_transaction_never_shows(
    gateway, submit, edifact_fixture, monkeypatch
):
    """The transaction fails after the CONTRL was staged: the file is removed, not published; the
    message is processed again and its CONTRL then appears once."""
    assert submit(_orders(edifact_fixture, 1)).status_code == 202
    worker = Worker(gateway, owner="unlucky")
    real_finished = worker_module._FINISHED.execute
    staged_when_failing: list[list[str]] = []

    def fail_once(connection, values):  # type: ignore[no-untyped-def]
        if not staged_when_failing:
            staged = [name for name in _outbox_files(gateway) if name.startswith(STAGED_PREFIX)]
            staged_when_failing.append(staged)
            raise RuntimeError("the disk went away")
        return real_finished(connection, values)

    monkeypatch.setattr(worker_module._FINISHED, "execute", fail_once)
    assert worker.run_once() == 1
    # The worker catches what the failing step raises, so what it saw is checked out here.
    assert len(staged_when_failing) == 1 and len(staged_when_failing[0]) == 1  # staged
    assert _outbox_files(gateway) == {}  # then removed with the rollback
    with gateway.sessions() as session:
        assert session.execute(select(Acknowledgement)).scalars().all() == []
        item = session.execute(select(WorkItem)).scalar_one()
        item.available_at = gateway.clock()  # no back-off for the test
        session.commit()
    assert worker.run_once() == 1
    with gateway.sessions() as session:
        ack = session.execute(select(Acknowledgement)).scalar_one()
    assert list(_outbox_files(gateway)) == [ack.filename]


def test_a_contrl_left_staged_by_a_dead_worker_is_published_at_the_next_start(
    gateway, submit, edifact_fixture
):
    """Killed between the commit and the rename: the next worker publishes what was committed at
    once, and removes what was not once it is older than a lease (younger, it may belong to a
    transaction still running on another node or in another worker)."""
    assert submit(_orders(edifact_fixture, 1)).status_code == 202
    worker = Worker(gateway, owner="first")
    with patch.object(Publications, "publish", lambda self: None):  # dies before publishing
        assert worker.run_once() == 1
    mailbox = Mailbox(gateway.settings.data_dir, "acme-retail")
    staged = mailbox.staged(OUTBOX)
    assert len(staged) == 1 and _outbox_files(gateway).keys() == {staged[0][1].name}
    orphan, _ = mailbox.stage(OUTBOX, "never_committed.edi", b"UNA:+.? '", str(uuid.uuid4()))

    Worker(gateway, owner="second").recover_abandoned()
    with gateway.sessions() as session:
        ack = session.execute(select(Acknowledgement)).scalar_one()
    assert ack.id == staged[0][0]
    assert _outbox_files(gateway).keys() == {ack.filename, orphan.name}  # published; the orphan waits
    gateway.settings.lease_seconds = 0  # every file is old enough now
    Worker(gateway, owner="third").recover_abandoned()
    assert _outbox_files(gateway).keys() == {ack.filename}
    assert not orphan.exists()


def test_a_batch_past_a_third_of_its_lease_hands_the_rest_back(gateway, submit, edifact_fixture):
    for n in range(3):
        assert submit(_orders(edifact_fixture, n)).status_code == 202
    gateway.settings.lease_seconds = 0  # every item is "late" once the first has run
    worker = Worker(gateway, owner="slow")
    assert worker.run_once() == 3  # claimed three, ran one, handed two back
    items = _items(gateway, PROCESS_TRANSMISSION)
    assert sorted(item.state for item in items) == ["done", "queued", "queued"]
    assert all(item.attempts == 0 and item.lease_owner is None for item in items if item.state == "queued")
    with gateway.sessions() as session:
        statuses = sorted(t.status for t in session.execute(select(Transmission)).scalars())
    assert statuses == ["processed", "received", "received"]
    gateway.settings.lease_seconds = 60
    while worker.run_once():
        pass
    with gateway.sessions() as session:
        assert {t.status for t in session.execute(select(Transmission)).scalars()} == {"processed"}


def test_files_written_in_a_batch_are_synced_once_at_its_flush(tmp_path: Path, monkeypatch):
    store = ArchiveStore(tmp_path / "archive")
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])

    store.put(b"outside any batch")
    assert len(fsyncs) == 2  # the file, then its folder

    fsyncs.clear()
    with deferred_sync() as batch:
        if batch is None:
            pytest.skip("no syncfs(2) on this system: every file is synced as it is written")
        digests = [store.put(f"message {n}".encode()) for n in range(10)]
        assert fsyncs == []  # nothing synced one by one inside the batch
        assert batch.folders  # but every folder written to is remembered
        batch.flush()
        assert not batch.folders
    assert [store.get(digest) for digest in digests] == [f"message {n}".encode() for n in range(10)]

    # Bytes already stored may have been written by a batch that rolled back before its flush:
    # finding them counts as writing them, in a batch and outside one.
    with deferred_sync() as batch:
        assert store.put(b"message 3") == digests[3]
        assert batch.folders == {store.path_for(digests[3]).parent}
    assert store.put(b"message 4") == digests[4]
    assert len(fsyncs) == 2  # the file, then its folder


def test_transmissions_are_translated_before_the_write_transaction_opens(
    gateway, submit, edifact_fixture, monkeypatch
):
    """On SQLite the write transaction holds the database's only write lock, which uploads wait for:
    while the worker translates, another writer must get in at once."""
    if gateway.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    import gateway.pipeline as pipeline

    for n in range(3):
        assert submit(_orders(edifact_fixture, n)).status_code == 202
    real_translate = pipeline.translate
    writes_during_translation: list[bool] = []

    def translate_while_someone_writes(*args, **kwargs):
        def write() -> None:
            with gateway.sessions.begin() as session:
                session.execute(WorkItem.__table__.update().where(WorkItem.id == -1).values(state="queued"))
            writes_during_translation.append(True)

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=10)  # a held write lock would keep it waiting until translation ends
        writes_during_translation.append(not writer.is_alive())
        writer.join()
        return real_translate(*args, **kwargs)

    monkeypatch.setattr(pipeline, "translate", translate_while_someone_writes)
    assert Worker(gateway, owner="prepares").run_once() == 3
    assert writes_during_translation.count(False) == 0 and len(writes_during_translation) == 6
    with gateway.sessions() as session:
        statuses = [t.status for t in session.execute(select(Transmission)).scalars()]
    assert statuses == ["processed"] * 3


def test_a_translation_prepared_from_other_bytes_is_not_used(gateway, submit, edifact_fixture):
    from gateway.database.rows import load_row
    from gateway.pipeline import prepare_translation, process_transmission

    first = submit(_orders(edifact_fixture, 1)).json()["id"]
    other_bytes = _orders(edifact_fixture, 2).replace(b"PO-2026-0042", b"PO-OTHER-999")
    other = submit(other_bytes).json()["id"]
    with gateway.sessions() as session:
        other_sha = session.get(Transmission, other).sha256
    prepared = prepare_translation(gateway, other_sha, "acme-retail")
    with gateway.sessions.begin() as session:
        transmission = load_row(session, Transmission, first)
        assert process_transmission(gateway, session, transmission, prepared) == "processed"
    with gateway.sessions() as session:
        stored = session.get(Transmission, first)
    assert stored.business_number == "PO-2026-0042"  # its own order, not the prepared one


def test_a_processing_batch_runs_without_savepoints_until_an_item_fails(gateway, submit, edifact_fixture):
    """Good processing batches pay no savepoint per item. When one item fails, its transaction is
    run again item by item: the others are stored once, the bad one fails alone, and what a run
    adds to a prepared translation (a duplicate's error) is not added twice."""
    body = edifact_fixture("acme_orders_d96a.edi")
    assert submit(body.replace(b"ACME000123", b"FIRST0001")).status_code == 202
    worker = Worker(gateway, owner="optimist")
    assert worker.run_once() == 1  # processed, its CONTRL delivered with it

    statements: list[str] = []
    if gateway.engine.dialect.name == "sqlite":
        from sqlalchemy import event

        @event.listens_for(gateway.engine, "connect")
        def _trace(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.set_trace_callback(statements.append)

        gateway.engine.dispose()
    good = [submit(_orders(edifact_fixture, n)).json()["id"] for n in range(3)]
    assert worker.run_once() == 3
    if gateway.engine.dialect.name == "sqlite":
        assert statements and not [s for s in statements if "SAVEPOINT" in s.upper()]
        # Each transmission row was read before the write transactions, all three at once.
        reads = [s for s in statements if s.startswith("SELECT") and "FROM transmissions" in s]
        assert len(reads) == 1 and "transmissions.id IN" in reads[0]

    # A repeat of FIRST0001 (other bytes, so a duplicate, not a resend), a good one, a broken one.
    repeat = submit(body.replace(b"ACME000123", b"FIRST0001").replace(b"PO-2026-0042", b"PO-2026-0043"))
    fresh = submit(_orders(edifact_fixture, 7)).json()["id"]
    broken = submit(_orders(edifact_fixture, 8)).json()["id"]
    with gateway.sessions() as session:
        gateway.archive.delete(session.get(Transmission, broken).sha256)
    statements.clear()
    assert worker.run_once() == 3
    if gateway.engine.dialect.name == "sqlite":
        assert any("SAVEPOINT" in s.upper() for s in statements)  # the second, isolated run

    with gateway.sessions() as session:
        rows = {t.id: t for t in session.execute(select(Transmission)).scalars()}
        documents = session.execute(select(Document.transmission_id)).scalars().all()
        items = {w.subject_id: w for w in session.execute(select(WorkItem)).scalars()}
        repeated = session.execute(
            select(Interchange).where(Interchange.transmission_id == repeat.json()["id"])
        ).scalar_one()
    assert repeated.status == "duplicate" and repeated.duplicate_of_id is not None
    assert {rows[i].status for i in [*good, fresh]} == {"processed"}
    assert rows[repeat.json()["id"]].status == "rejected"
    duplicate_errors = [e for e in rows[repeat.json()["id"]].errors if e["code"] == "DUPLICATE_INTERCHANGE"]
    assert len(duplicate_errors) == 1
    assert rows[broken].status == "received" and items[broken].state == "queued"
    assert "ArchiveError" in (items[broken].last_error or "")
    assert sorted(documents).count(fresh) == 1 and len(documents) == 5


def test_a_transmission_deleted_after_it_was_read_ahead_fails_its_run(gateway, submit, edifact_fixture):
    """The worker reads a batch's transmission rows with its claim, before its write transaction;
    a run whose row is gone by then (an operator's purge, say) must fail and roll back, not store
    documents."""
    ids = [submit(_orders(edifact_fixture, n)).json()["id"] for n in range(2)]
    worker = Worker(gateway, owner="reader")
    claimed, read_ahead = worker._claim(10)
    assert len(claimed) == 2 and sorted(row.id for row in read_ahead) == sorted(ids)
    with gateway.sessions.begin() as session:
        session.execute(Transmission.__table__.delete().where(Transmission.id == ids[0]))
    worker._run_batch(claimed, read_ahead)
    with gateway.sessions() as session:
        documents = session.execute(select(Document.transmission_id)).scalars().all()
        assert session.get(Transmission, ids[1]).status == "processed"
        lost = session.execute(select(WorkItem).where(WorkItem.subject_id == ids[0])).scalar_one()
    assert documents == [ids[1]]  # nothing stored for the row that vanished
    assert lost.state == "queued" and "LookupError" in (lost.last_error or "")
