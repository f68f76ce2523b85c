"""Uploads that arrive together are committed together, and one upload's failure stays its own."""

from __future__ import annotations

import io
import os
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import archive.sync_batch as sync_batch
from archive.store import ArchiveError
from gateway.database.models import Transmission
from gateway.group_commit import GroupCommit
from gateway.intake import Upload, accept


def _row(transmission_id: str) -> dict[str, object]:
    return {
        "id": transmission_id,
        "direction": "inbound",
        "channel": "rest",
        "partner_id": "acme-retail",
        "received_at": datetime.now(UTC),
        "sha256": "0" * 64,
        "size": 1,
        "transport": {},
        "status": "received",
        "errors": [],
    }


def _insert(transmission_id: str):
    def write(session: Session) -> None:
        session.connection().execute(Transmission.__table__.insert(), _row(transmission_id))

    return write


def _committer(group: GroupCommit, outcomes: dict[str, BaseException | None]):
    """A thread that commits ``write`` through ``group`` and records what it raised under ``name``."""

    def run(name: str, write) -> None:
        try:
            group.commit(write)
            outcomes[name] = None
        except BaseException as exc:
            outcomes[name] = exc

    return lambda name, write: threading.Thread(target=run, args=(name, write))


def _count_commits(gateway) -> list[int]:
    commits: list[int] = []
    event.listen(gateway.engine, "commit", lambda _conn: commits.append(1))
    return commits


def _behind_a_slow_leader(group: GroupCommit, writes: dict[str, Any]) -> dict[str, BaseException | None]:
    """Commit a "leader" row first; while its transaction is open, queue ``writes`` behind it, then
    let it finish. What each commit raised, by name (None: it committed)."""
    leader_writing, release = threading.Event(), threading.Event()

    def leader(session: Session) -> None:
        leader_writing.set()
        assert release.wait(10)
        _insert("leader")(session)

    outcomes: dict[str, BaseException | None] = {}
    thread = _committer(group, outcomes)
    threads = [thread("leader", leader)]
    threads[0].start()
    assert leader_writing.wait(10)
    for name, write in writes.items():
        threads.append(thread(name, write))
        threads[-1].start()
    deadline = time.monotonic() + 10
    while len(group._queue) < len(writes):  # all of them wait behind the leader's transaction
        assert time.monotonic() < deadline, "the writes did not queue behind the leader"
        time.sleep(0.01)
    release.set()
    for started in threads:
        started.join(10)
    return outcomes


def test_uploads_queued_behind_a_commit_share_the_next_one(gateway):
    group = GroupCommit(gateway.sessions)
    commits = _count_commits(gateway)
    outcomes = _behind_a_slow_leader(group, {f"t{n}": _insert(f"t{n}") for n in range(4)})
    assert outcomes == dict.fromkeys(["leader", "t0", "t1", "t2", "t3"])
    with gateway.sessions() as session:
        ids = set(session.execute(select(Transmission.id)).scalars())
    assert ids == {"leader", "t0", "t1", "t2", "t3"}
    assert len(commits) == 2  # the leader's own, then one for the four that queued behind it


def test_one_failing_upload_in_a_group_fails_alone(gateway):
    group = GroupCommit(gateway.sessions)
    group.commit(_insert("taken"))
    writes = {"good-1": _insert("good-1"), "again": _insert("taken"), "good-2": _insert("good-2")}
    results = _behind_a_slow_leader(group, writes)
    assert results["leader"] is None and results["good-1"] is None and results["good-2"] is None
    assert isinstance(results["again"], IntegrityError)  # the duplicate id, and only it
    with gateway.sessions() as session:
        assert session.execute(select(func.count()).select_from(Transmission)).scalar_one() == 4


def test_a_write_that_raises_reaches_its_caller(gateway):
    group = GroupCommit(gateway.sessions)

    def broken(_session: Session) -> None:
        raise ValueError("no such partner")

    with pytest.raises(ValueError, match="no such partner"):
        group.commit(broken)
    group.commit(_insert("after"))  # the group is not stuck behind the failure


def _upload(n: int, body: bytes):
    return Upload("rest", body.replace(b"ACME000123", f"GROUP{n:04d}".encode()), "acme-retail", "test")


@pytest.mark.parametrize("streamed", [False, True], ids=["bytes", "stream"])
def test_an_uploads_archive_file_is_synced_by_its_group_before_its_row_commits(
    gateway, edifact_fixture, monkeypatch, streamed
):
    """No fsync per file: the leader syncs the archive's filesystem once, then commits; for a
    body held in memory and for one streamed from a file (what REST and SFTP pass) alike."""
    if sync_batch._SYNCFS is None:
        pytest.skip("no syncfs(2) on this system: every file is synced as it is written")
    order: list[str] = []
    real_fsync, real_syncfs = os.fsync, sync_batch.sync_filesystem
    monkeypatch.setattr(os, "fsync", lambda fd: (order.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        sync_batch, "sync_filesystem", lambda path: (order.append("syncfs"), real_syncfs(path))[1]
    )
    event.listen(gateway.engine, "commit", lambda _connection: order.append("commit"))

    upload = _upload(1, edifact_fixture("acme_orders_d96a.edi"))
    if streamed:
        upload = replace(upload, data=io.BytesIO(upload.data))
    receipt = accept(gateway, upload)
    assert order == ["syncfs", "commit"]
    assert gateway.archive.get(receipt.sha256).startswith(b"UNA")


def test_uploads_whose_files_cannot_be_synced_are_refused_and_leave_no_row(
    gateway, edifact_fixture, monkeypatch
):
    if sync_batch._SYNCFS is None:
        pytest.skip("no syncfs(2) on this system: every file is synced as it is written")

    def failing(path):  # type: ignore[no-untyped-def]
        raise OSError(5, "Input/output error", str(path))

    monkeypatch.setattr(sync_batch, "sync_filesystem", failing)
    with pytest.raises(ArchiveError, match=r"could not make .* durable: Input/output error"):
        accept(gateway, _upload(2, edifact_fixture("acme_orders_d96a.edi")))
    with gateway.sessions() as session:
        assert session.execute(select(func.count()).select_from(Transmission)).scalar_one() == 0
