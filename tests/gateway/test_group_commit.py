"""Uploads that arrive together are committed together, and one upload's failure stays its own."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.database.models import Transmission
from gateway.group_commit import GroupCommit


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


def test_uploads_queued_behind_a_commit_share_the_next_one(gateway):
    group = GroupCommit(gateway.sessions)
    commits = _count_commits(gateway)
    first_writing = threading.Event()
    others_queued = threading.Event()

    def slow_first(session: Session) -> None:
        first_writing.set()
        assert others_queued.wait(10)
        _insert("first")(session)

    outcomes: dict[str, BaseException | None] = {}
    thread = _committer(group, outcomes)
    leader = thread("first", slow_first)
    leader.start()
    assert first_writing.wait(10)
    followers = [thread(f"t{n}", _insert(f"t{n}")) for n in range(4)]
    for thread in followers:
        thread.start()
    while len(group._queue) < 4:  # all four wait behind the leader's transaction
        threading.Event().wait(0.01)
    others_queued.set()
    for thread in [leader, *followers]:
        thread.join(10)
    assert outcomes == dict.fromkeys(["first", "t0", "t1", "t2", "t3"])
    with gateway.sessions() as session:
        ids = set(session.execute(select(Transmission.id)).scalars())
    assert ids == {"first", "t0", "t1", "t2", "t3"}
    assert len(commits) == 2  # the leader's own, then one for the four that queued behind it


def test_one_failing_upload_in_a_group_fails_alone(gateway):
    group = GroupCommit(gateway.sessions)
    group.commit(_insert("taken"))
    release = threading.Event()
    started = threading.Event()

    def blocker(session: Session) -> None:
        started.set()
        assert release.wait(10)
        _insert("blocker")(session)

    results: dict[str, BaseException | None] = {}
    thread = _committer(group, results)
    threads = [thread("blocker", blocker)]
    threads[0].start()
    assert started.wait(10)
    for name, taken in (("good-1", "good-1"), ("again", "taken"), ("good-2", "good-2")):
        threads.append(thread(name, _insert(taken)))
        threads[-1].start()
    while len(group._queue) < 3:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert results["blocker"] is None and results["good-1"] is None and results["good-2"] is None
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
