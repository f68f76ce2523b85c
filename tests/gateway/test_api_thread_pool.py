"""Blocking work of the API (storing an upload, a health query) runs in the app's thread pool: the
event loop keeps answering, concurrent uploads are stored at the same time (so they can share a group
commit), and shutting down waits for what is being stored."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

import gateway.api.messages as messages
from gateway.api.thread_pool import ThreadPool
from gateway.database.models import Transmission

ORDER = "acme_orders_d96a.edi"
ACME = {"Authorization": "Bearer demo-acme-key", "Content-Type": "application/edifact"}


def _numbered(body: bytes, n: int) -> bytes:
    return body.replace(b"ACME000123", f"B{n:09d}".encode())


def test_four_concurrent_uploads_are_stored_at_the_same_time(gateway, client, edifact_fixture, monkeypatch):
    # Each accept() waits until all four are inside it: that happens only if each upload is stored in
    # a thread of its own while the event loop goes on reading the next request.
    together = threading.Barrier(4, timeout=10)
    real_accept = messages.accept

    def accept_when_all_arrived(gw, upload):
        together.wait()
        return real_accept(gw, upload)

    monkeypatch.setattr(messages, "accept", accept_when_all_arrived)
    body = edifact_fixture(ORDER)

    def send(n: int):
        return client.post("/v1/messages", content=_numbered(body, n), headers=ACME)

    with ThreadPoolExecutor(4) as senders:
        responses = list(senders.map(send, range(4)))
    assert [r.status_code for r in responses] == [202] * 4
    assert len({r.json()["id"] for r in responses}) == 4
    with gateway.sessions() as session:
        assert session.execute(select(func.count()).select_from(Transmission)).scalar_one() == 4


def test_an_upload_being_stored_does_not_hold_up_other_requests(client, edifact_fixture, monkeypatch):
    storing, release = threading.Event(), threading.Event()
    real_accept = messages.accept

    def slow_accept(gw, upload):
        storing.set()
        assert release.wait(10)
        return real_accept(gw, upload)

    monkeypatch.setattr(messages, "accept", slow_accept)
    with ThreadPoolExecutor(1) as sender:
        upload = sender.submit(client.post, "/v1/messages", content=edifact_fixture(ORDER), headers=ACME)
        assert storing.wait(10)
        assert client.get("/healthz").json() == {"status": "ok"}  # answered while the upload waits
        assert client.get("/readyz").json()["status"] == "ready"
        release.set()
        assert upload.result(timeout=10).status_code == 202


def test_calls_carry_the_callers_context_variables():
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")
    pool = ThreadPool(max_workers=2)

    async def call() -> tuple[str, str]:
        request_id.set("r-17")
        return await pool.run(lambda: (request_id.get(), threading.current_thread().name))

    try:
        seen, thread_name = asyncio.run(call())
    finally:
        pool.close()
    assert seen == "r-17"
    assert thread_name.startswith("edigate-api") and thread_name != threading.current_thread().name


def test_close_waits_for_running_calls_and_the_pool_starts_again_on_next_use():
    pool = ThreadPool(max_workers=1)
    finished: list[str] = []
    started = threading.Event()

    def store() -> None:
        started.set()
        time.sleep(0.2)
        finished.append("stored")

    async def start_then_close() -> None:
        running = asyncio.ensure_future(pool.run(store))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        await asyncio.get_running_loop().run_in_executor(None, pool.close)
        assert finished == ["stored"]  # close returned only once the call had finished
        await running

    asyncio.run(start_then_close())
    assert asyncio.run(pool.run(lambda x, *, y: x + y, 2, y=3)) == 5
    pool.close()
