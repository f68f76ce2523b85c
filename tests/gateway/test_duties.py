"""Singleton duties: each runs on one node at a time, moves when its node stops or loses its
database connection, keeps its own interval, and a failing duty does not stop the others.

Two DutyRunners on one database stand for two nodes: on PostgreSQL each holds its locks on its own
connection; on SQLite each holds its own file locks (flock conflicts between open files even within
one process).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from gateway.context import Gateway
from gateway.duties import Duty, DutyRunner, PostgresDutyLocks, lock_key


@pytest.fixture
def runs() -> Counter[str]:
    return Counter()


@pytest.fixture
def nodes(make_gateway, runs) -> Iterator[Callable[..., DutyRunner]]:
    started: list[DutyRunner] = []

    def node(*names: str, every: float = 10.0) -> DutyRunner:
        gw = make_gateway()

        def duties() -> list[Duty]:
            return [Duty(name, every, lambda name=name: runs.update([name])) for name in names]

        runner = DutyRunner(gw, duties)
        started.append(runner)
        return runner

    yield node
    for runner in started:
        runner.close()


def test_a_duty_runs_on_one_node_only(nodes, runs, clock):
    first, second = nodes("digest"), nodes("digest")
    assert first.tick() == ["digest"]
    clock.advance(seconds=11)
    assert second.tick() == []
    assert first.tick() == ["digest"]
    assert runs == {"digest": 2} and second.held() == set()


def test_a_stopped_nodes_duty_is_taken_over_by_the_next_node_that_tries(nodes, runs):
    first, second = nodes("digest"), nodes("digest")
    first.tick()
    first.close()
    assert second.tick() == ["digest"]
    assert first.tick() == []  # back again, it finds the duty taken
    assert runs == {"digest": 2}


def test_duties_spread_over_nodes_and_each_keeps_its_interval(nodes, runs, clock):
    first = nodes("sftp-poll:a")
    second = nodes("sftp-poll:a", "sftp-poll:b")
    assert first.tick() == ["sftp-poll:a"]
    assert second.tick() == ["sftp-poll:b"]
    clock.advance(seconds=5)
    assert first.tick() == [] and second.tick() == []  # not due yet
    clock.advance(seconds=6)
    assert first.tick() == ["sftp-poll:a"] and second.tick() == ["sftp-poll:b"]


def test_a_duty_that_disappears_lets_its_lock_go(make_gateway, runs):
    names = ["sftp-poll:a"]
    gw = make_gateway()
    holder = DutyRunner(gw, lambda: [Duty(n, 1.0, lambda: runs.update(["a"])) for n in names])
    other = DutyRunner(make_gateway(), lambda: [Duty("sftp-poll:a", 1.0, lambda: runs.update(["other"]))])
    try:
        holder.tick()
        names.clear()  # e.g. the partner's profile no longer polls
        holder.tick()
        assert holder.held() == set()
        assert other.tick() == ["sftp-poll:a"]
    finally:
        holder.close()
        other.close()


def test_a_failing_duty_does_not_stop_the_others(make_gateway, runs, caplog):
    def broken() -> None:
        raise ConnectionRefusedError("partner server down")

    runner = DutyRunner(
        make_gateway(),
        lambda: [Duty("broken", 1.0, broken), Duty("fine", 1.0, lambda: runs.update(["fine"]))],
    )
    try:
        assert runner.tick() == ["broken", "fine"]
    finally:
        runner.close()
    assert runs == {"fine": 1}
    assert "duty broken failed" in caplog.text


def test_a_node_that_loses_its_database_connection_stops_and_another_takes_over(
    nodes, runs, gateway: Gateway, clock
):
    if gateway.engine.dialect.name != "postgresql":
        pytest.skip("a lost connection is a PostgreSQL matter; SQLite's file locks live with the process")
    first, second = nodes("digest"), nodes("digest")
    first.tick()
    assert isinstance(first.locks, PostgresDutyLocks)
    key = lock_key("digest") & 0xFFFFFFFFFFFFFFFF
    # The database drops the holder's session (restart, network). With a timeout the call returns once
    # that backend has exited, and so released the lock; without one it only signals it (a race).
    with gateway.engine.connect() as conn:
        killed = (
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted "
                    "AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1 "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            )
            .scalars()
            .all()
        )
    assert killed == [True]
    clock.advance(seconds=11)
    assert second.tick() == ["digest"]
    assert first.tick() == []  # it notices the lost connection instead of running the duty as well
    assert first.held() == set() and runs == {"digest": 2}
