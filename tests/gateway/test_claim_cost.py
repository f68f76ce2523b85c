"""A claim reads the due items, not the queue's history: finished items cost it nothing."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, insert, inspect, select

from gateway.database.engine import commit_without_waiting_for_disk
from gateway.database.models import Base, WorkItem
from gateway.intake import PROCESS_TRANSMISSION
from gateway.worker import Worker


def _item(gateway, state: str, subject_id: str) -> dict[str, object]:
    now = gateway.clock()
    return {
        "kind": PROCESS_TRANSMISSION,
        "subject_id": subject_id,
        "state": state,
        "attempts": 1 if state == "done" else 0,
        "available_at": now - timedelta(seconds=5),
        "created_at": now,
    }


def _add_items(gateway, state: str, count: int, *, start: int) -> None:
    rows = [_item(gateway, state, f"t-{start + n}") for n in range(count)]
    with gateway.sessions.begin() as session:
        session.execute(insert(WorkItem), rows)


def _claim_steps(gateway) -> tuple[int, list[str]]:
    """SQLite virtual machine steps (in hundreds) a claim of up to 32 items takes, and what it claimed."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    def watch(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.set_progress_handler(count, 100)

    event.listen(gateway.engine, "connect", watch)
    gateway.engine.dispose()  # new connections, watched
    claimed = Worker(gateway, owner="counting").claim_batch(32)
    event.remove(gateway.engine, "connect", watch)
    gateway.engine.dispose()
    return steps[0], [item.subject_id for item in claimed]


def test_a_claim_costs_the_same_after_thousands_of_finished_items(gateway):
    """Before the claim index went by (state, id), the claim for more items of one kind walked the
    (kind, subject_id) index through every item of that kind ever queued, and the first claim
    sorted every queued item: each message processed made the next claims slower."""
    if gateway.engine.dialect.name != "sqlite":
        pytest.skip("counts SQLite's virtual machine steps")
    _add_items(gateway, "done", 10, start=0)
    _add_items(gateway, "queued", 3, start=100_000)
    young_steps, young_claimed = _claim_steps(gateway)
    _add_items(gateway, "done", 20_000, start=10)
    _add_items(gateway, "queued", 3, start=200_000)
    old_steps, old_claimed = _claim_steps(gateway)
    assert young_claimed == ["t-100000", "t-100001", "t-100002"]
    assert old_claimed == ["t-200000", "t-200001", "t-200002"]
    assert old_steps < 2 * young_steps + 10  # not proportional to the 20,000 finished items
    with gateway.sessions() as session:
        claimed = WorkItem.subject_id.in_(young_claimed + old_claimed)
        assert set(session.execute(select(WorkItem.state).where(claimed)).scalars()) == {"running"}


def test_migration_0010_leaves_the_claim_index_the_models_declare(gateway):
    with gateway.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        indexes = {index["name"]: index["column_names"] for index in inspect(conn).get_indexes("work_items")}
    flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
    assert [
        d for d in flat if d[0] in ("add_index", "remove_index") and d[1].table.name == "work_items"
    ] == []
    assert indexes["ix_work_items_claim"] == ["state", "id"]


def test_a_claim_does_not_wait_for_the_disk_and_the_work_it_claimed_does(gateway, monkeypatch):
    """A claim lost to a power cut is as if it had not been made; the commit of the claimed work
    syncs the log, and with it the claim. A process that dies after the claim still leaves it
    counted (the log is written, only not flushed)."""
    if gateway.engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL the claim commits with synchronous_commit off")
    _add_items(gateway, "queued", 2, start=300_000)
    synced: list[int] = []
    real_fdatasync = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (synced.append(fd), real_fdatasync(fd))[1])
    claimed = Worker(gateway, owner="claimer").claim_batch(32)
    assert [item.subject_id for item in claimed] == ["t-300000", "t-300001"] and synced == []
    with gateway.engine.connect() as other:  # committed: another connection sees the claim
        states = other.execute(
            select(WorkItem.state, WorkItem.attempts).where(WorkItem.lease_owner == "claimer")
        )
        assert sorted(states) == [("running", 1), ("running", 1)]
    with gateway.sessions.begin() as session:  # the next ordinary commit waits for the disk again
        session.execute(insert(WorkItem), [_item(gateway, "queued", "t-after")])
    assert len(synced) == 1


def test_on_postgresql_only_the_transaction_that_asks_commits_without_waiting(gateway):
    if gateway.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    with gateway.engine.begin() as conn:
        commit_without_waiting_for_disk(conn)
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "off"
    with gateway.engine.begin() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
