"""Work survives a dead worker: the queue and the results live in the database."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from gateway.database.models import Document, Transmission, WorkItem
from gateway.order_loop import AUTO_ACCEPT_ORDER
from gateway.worker import MAX_ATTEMPTS, Worker


def test_message_claimed_by_a_worker_that_died_is_processed_on_next_start(
    gateway, make_gateway, submit, fetch, edifact_fixture
):
    message_id = submit(edifact_fixture("acme_orders_d96a.edi")).json()["id"]
    dead = Worker(gateway, owner="dead-worker")
    assert dead.claim() is not None  # claimed, then the process "dies" before processing
    assert fetch(message_id)["status"] == "processing"

    restarted = make_gateway()  # a new process on the same database and archive
    worker = Worker(restarted, owner="new-worker")
    if restarted.engine.dialect.name != "sqlite":
        restarted.clock.advance(seconds=restarted.settings.lease_seconds + 1)  # type: ignore[attr-defined]
    worker.recover_abandoned()
    assert worker.run_once() == 1
    assert fetch(message_id)["status"] == "processed"
    with restarted.sessions() as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 1


def test_live_lease_is_not_stolen_on_postgres_and_expired_one_is(gateway, submit, edifact_fixture, clock):
    submit(edifact_fixture("acme_orders_d96a.edi"))
    first = Worker(gateway, owner="a")
    assert first.claim() is not None
    second = Worker(gateway, owner="b")
    assert second.claim() is None  # still leased to "a"
    clock.advance(seconds=gateway.settings.lease_seconds + 1)
    item = second.claim()
    assert item is not None and item.lease_owner == "b" and item.attempts == 2


def test_failure_inside_the_pipeline_rolls_back_and_is_recorded(
    gateway, submit, fetch, edifact_fixture, clock
):
    body = edifact_fixture("acme_orders_d96a.edi")
    message_id = submit(body).json()["id"]
    path = gateway.archive.path_for(fetch(message_id)["sha256"])
    path.chmod(0o644)
    path.unlink()  # the archive lost the file: processing cannot work
    worker = Worker(gateway, owner="w")
    for _ in range(MAX_ATTEMPTS):
        assert worker.run_once() == 1
        clock.advance(seconds=120)
    result = fetch(message_id)
    assert result["status"] == "failed"
    assert result["errors"][0]["code"] == "INTERNAL_ERROR"
    assert "cannot be read" in result["errors"][0]["text"]
    with gateway.sessions() as session:
        item = session.execute(select(WorkItem)).scalar_one()
        assert item.state == "failed" and item.attempts == MAX_ATTEMPTS
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 0
        assert session.get(Transmission, message_id).processed_at is None
    assert worker.run_once() == 0  # nothing left: the worker is idle, not stuck


def test_transmissions_claimed_together_commit_together_and_fail_alone(gateway, submit, edifact_fixture):
    """A batch is one claim and one commit; the message that cannot be processed fails on its own."""
    body = edifact_fixture("acme_orders_d96a.edi")
    ids = [submit(body.replace(b"ACME000123", f"BATCH{n:05d}".encode())).json()["id"] for n in range(3)]
    with gateway.sessions() as session:
        broken = session.get(Transmission, ids[1]).sha256
    gateway.archive.delete(broken)  # the second message's bytes are gone: processing it must fail

    worker = Worker(gateway, owner="batcher")
    claimed, read_ahead = worker._claim(10)
    assert sorted(item.subject_id for item in claimed) == sorted(ids)
    worker._run_batch(claimed, read_ahead)

    with gateway.sessions() as session:
        statuses = {t.id: t.status for t in session.execute(select(Transmission)).scalars()}
        items = {w.subject_id: w for w in session.execute(select(WorkItem)).scalars() if w.subject_id in ids}
        documents = session.execute(select(func.count()).select_from(Document)).scalar_one()
    assert statuses[ids[0]] == statuses[ids[2]] == "processed"
    assert statuses[ids[1]] == "received"  # back in the queue, to be retried after a back-off
    assert items[ids[1]].state == "queued" and "ArchiveError" in (items[ids[1]].last_error or "")
    assert items[ids[0]].state == items[ids[2]].state == "done"
    assert documents == 2


class _RecordedWaits:
    """Stands in for ``work_available``: notes each wait's timeout and returns at once; on the
    ``act_at``-th wait it runs ``act`` (work arriving from another process), at ``stop_at`` it
    stops the loop."""

    def __init__(self, stop: threading.Event, act_at: int, act, stop_at: int) -> None:  # type: ignore[no-untyped-def]
        self.timeouts: list[float] = []
        self._stop, self._act_at, self._act, self._stop_at = stop, act_at, act, stop_at

    def wait(self, timeout: float) -> bool:
        self.timeouts.append(timeout)
        if len(self.timeouts) == self._act_at:
            self._act()
        if len(self.timeouts) == self._stop_at:
            self._stop.set()
        return False

    def clear(self) -> None:
        pass

    def set(self) -> None:
        pass


def test_an_idle_worker_looks_again_soon_then_less_often_up_to_the_poll_interval(
    gateway, submit, fetch, edifact_fixture, monkeypatch
):
    """Work another process queues wakes no event here: the worker must look for it. Right after
    the queue ran empty it looks within milliseconds, doubling the pause with each empty look up
    to ``poll_seconds``, and starts over once it found work."""
    monkeypatch.setattr(gateway.settings, "poll_seconds", 0.05)
    stop = threading.Event()
    arrived: list[str] = []
    waits = _RecordedWaits(
        stop,
        act_at=5,
        act=lambda: arrived.append(submit(edifact_fixture("acme_orders_d96a.edi")).json()["id"]),
        stop_at=9,
    )
    monkeypatch.setattr(gateway, "work_available", waits)
    Worker(gateway, owner="looking").run_forever(stop)
    assert waits.timeouts == [0.01, 0.02, 0.04, 0.05, 0.05, 0.01, 0.02, 0.04, 0.05]
    assert fetch(arrived[0])["status"] == "processed"


class _RecordedStop:
    """Stands in for the loop's ``stop`` event: notes how long the worker paused between batches,
    without pausing."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self.stopped = False

    def is_set(self) -> bool:
        return self.stopped

    def set(self) -> None:
        self.stopped = True

    def wait(self, timeout: float) -> bool:
        self.pauses.append(timeout)
        return self.stopped


def _run_until_idle(gateway, monkeypatch) -> _RecordedStop:  # type: ignore[no-untyped-def]
    stop = _RecordedStop()
    monkeypatch.setattr(gateway, "work_available", _RecordedWaits(stop, act_at=0, act=None, stop_at=1))  # type: ignore[arg-type]
    Worker(gateway, owner="gathering").run_forever(stop)  # type: ignore[arg-type]
    return stop


def test_after_a_small_batch_the_worker_lets_the_queue_fill_before_it_claims_again(
    gateway, submit, fetch, edifact_fixture, monkeypatch
):
    """A batch costs about the same whatever its size, so a worker that would otherwise claim an
    item or two at a time waits ``worker_gather_seconds`` after a small batch; a full batch is
    followed by the next claim at once."""
    monkeypatch.setattr(gateway.settings, "worker_batch", 2)
    monkeypatch.setattr(gateway.settings, "worker_gather_seconds", 0.03)
    body = edifact_fixture("acme_orders_d96a.edi")
    ids = [submit(body.replace(b"ACME000123", f"GATHER{n:04d}".encode())).json()["id"] for n in range(3)]
    stop = _run_until_idle(gateway, monkeypatch)
    assert stop.pauses == [0.03]  # after the batch of 1 (the second), not after the full first one
    assert {fetch(message_id)["status"] for message_id in ids} == {"processed"}


def test_work_that_runs_one_item_at_a_time_is_not_held_back(gateway, submit, edifact_fixture, monkeypatch):
    """The demo ERP's answer to an order runs alone in any case: no pause follows it."""
    monkeypatch.setattr(gateway.settings, "demo_auto_accept", True)
    monkeypatch.setattr(gateway.settings, "worker_gather_seconds", 0.03)
    submit(edifact_fixture("acme_orders_d96a.edi"))
    stop = _run_until_idle(gateway, monkeypatch)
    assert stop.pauses == [0.03]  # after the order's batch; none after its answer
    with gateway.sessions() as session:
        kinds = {item.kind: item.state for item in session.execute(select(WorkItem)).scalars()}
    assert kinds[AUTO_ACCEPT_ORDER] == "done"
