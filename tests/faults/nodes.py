"""Real edigate processes for the fault tests: started as a partner's or an operator's shell would,
killed with SIGKILL by a crash point, started again, and inspected through their database.

No test here depends on how fast anything runs: every wait polls a condition with a generous
deadline and fails with what it was waiting for.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from gateway.audit_check import verify_all
from gateway.channels.sftp_mailbox import OUTBOX, Mailbox
from gateway.config import Settings
from gateway.context import open_gateway
from gateway.database.engine import make_engine
from gateway.database.models import Acknowledgement, Document, ErpDelivery, Transmission, WorkItem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACME_ORDER = (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()
SETTLE_SECONDS = 180.0
FINAL = ("processed", "rejected", "failed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = SETTLE_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def acme_order(n: int, *, bad: bool = False) -> bytes:
    """ACME's order with its own interchange reference and order number; ``bad`` breaks the UNT
    segment count, which rejects the message with a negative CONTRL."""
    data = ACME_ORDER.replace(b"ACME000123", f"FLT{n:07d}".encode()).replace(
        b"PO-2026-0042", f"PO-FAULT-{n:04d}".encode()
    )
    return data.replace(b"UNT+35+", b"UNT+99+") if bad else data


@dataclass
class Process:
    """One `edigate serve` or `edigate worker`; ``log`` collects stdout and stderr."""

    popen: subprocess.Popen[bytes]
    log: Path

    def died(self) -> int | None:
        return self.popen.poll()

    def wait_killed(self, timeout: float = SETTLE_SECONDS) -> None:
        """The crash point fired: the process ended by SIGKILL, not by an exit of its own."""
        wait_for(lambda: self.popen.poll() is not None, f"the crash point to kill {self.log.name}", timeout)
        assert self.popen.returncode == -signal.SIGKILL, (self.popen.returncode, self.log.read_text()[-3000:])

    def stop(self) -> None:
        """At the end of a test its data is thrown away, so there is no point in a graceful stop."""
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=30)


@dataclass
class Site:
    """A data directory and a database that successive processes of one node share."""

    data_dir: Path
    database_url: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    processes: list[Process] = field(default_factory=list)
    _engine: Engine | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self, crash_at: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGATE_")}
        env.update(
            EDIGATE_LOG_FORMAT="json",
            EDIGATE_POLL_SECONDS="0.1",
            # A killed worker's lease must run out before another claim; short, so tests need not wait.
            EDIGATE_LEASE_SECONDS="2",
        )
        env.update(self.env)
        if crash_at:
            env["EDIGATE_CRASH_AT"] = crash_at
        return env

    def _where(self) -> list[str]:
        return ["--demo", "--data-dir", str(self.data_dir), "--database-url", self.database_url]

    def _start(self, args: list[str], crash_at: str | None, name: str) -> Process:
        log = self.data_dir.parent / f"{len(self.processes):02d}-{name}.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "gateway.cli", *args, *self._where()]
        popen = subprocess.Popen(
            command, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=self._environment(crash_at)
        )
        process = Process(popen, log)
        self.processes.append(process)
        return process

    def serve(
        self, *, crash_at: str | None = None, worker: bool = True, worker_processes: int = 0
    ) -> Process:
        args = ["serve", "--port", str(self.port)]
        if not worker:
            args.append("--no-worker")
        if worker_processes:
            args += ["--worker-processes", str(worker_processes)]
        process = self._start(args, crash_at, "serve")

        def healthy() -> bool:
            if process.died() is not None:
                raise AssertionError(f"edigate serve exited: {process.log.read_text()[-3000:]}")
            try:
                return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, "edigate serve to answer /healthz", timeout=90)
        return process

    def worker(self, *, crash_at: str | None = None) -> Process:
        return self._start(["worker"], crash_at, "worker")

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()
        if self._engine is not None:
            self._engine.dispose()

    # ------------------------------------------------------------------ the database, read directly

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def query(self, statement: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(statement))

    def unsettled(self) -> list[str]:
        """What is still under way; empty once every accepted message reached its final state."""
        waiting = [
            f"transmission {row.id} {row.status}"
            for row in self.query(
                select(Transmission.id, Transmission.status).where(
                    Transmission.direction == "inbound", Transmission.status.not_in(FINAL)
                )
            )
        ]
        waiting += [
            f"work item {row.id} {row.kind} {row.state}"
            for row in self.query(
                select(WorkItem.id, WorkItem.kind, WorkItem.state).where(
                    WorkItem.state.in_(("queued", "running"))
                )
            )
        ]
        waiting += [
            f"acknowledgement {row.id} {row.delivery_state}"
            for row in self.query(
                select(Acknowledgement.id, Acknowledgement.delivery_state).where(
                    Acknowledgement.direction == "outbound", Acknowledgement.delivery_state != "delivered"
                )
            )
        ]
        # A CONTRL delivered with its message but not yet renamed into sight (a worker died
        # between its commit and the rename; the next one publishes it).
        waiting += [
            f"staged file {path.name}" for _key, path in Mailbox(self.data_dir, "acme-retail").staged(OUTBOX)
        ]
        return waiting

    def wait_settled(self) -> None:
        last: list[str] = []

        def settled() -> bool:
            last[:] = self.unsettled()
            return not last

        try:
            wait_for(settled, "every accepted message to reach its final state")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; still under way: {last[:10]}") from None

    def statuses(self) -> dict[str, str]:
        rows = self.query(
            select(Transmission.id, Transmission.status).where(Transmission.direction == "inbound")
        )
        return {row.id: row.status for row in rows}

    def outbound_statuses(self) -> list[str]:
        rows = self.query(select(Transmission.status).where(Transmission.direction == "outbound"))
        return [row.status for row in rows]

    def id_for_key(self, key: str) -> str | None:
        rows = self.query(select(Transmission.id).where(Transmission.idempotency_key == key))
        return rows[0].id if rows else None

    def document_ids(self) -> set[str]:
        return {row.id for row in self.query(select(Document.id))}

    def webhook_deliveries(self) -> dict[str, int]:
        rows = self.query(
            select(ErpDelivery.state, func.count())
            .where(ErpDelivery.channel == "webhook")
            .group_by(ErpDelivery.state)
        )
        return {row[0]: row[1] for row in rows}

    def outbound_acks(self) -> list[Any]:
        return self.query(
            select(
                Acknowledgement.id,
                Acknowledgement.type,
                Acknowledgement.control_reference,
                Acknowledgement.sha256,
                Acknowledgement.filename,
                Acknowledgement.interchange_id,
            ).where(Acknowledgement.direction == "outbound")
        )

    def outbox(self, partner_id: str = "acme-retail") -> Path:
        return Mailbox(self.data_dir, partner_id).folder(OUTBOX)

    def audit_verify(self) -> list[str]:
        """``edigate audit verify``'s own check, run here rather than in a new interpreter; the lines
        it would print, the first saying ``intact`` when hash chain and archive are sound."""
        gw = open_gateway(Settings(data_dir=self.data_dir, database_url=self.database_url, demo=True))
        try:
            report = verify_all(gw)
        finally:
            gw.close()
        return report.lines() if not report.intact else ["intact", *report.lines()]


@contextmanager
def site(data_dir: Path, database_url: str, **env: str) -> Iterator[Site]:
    running = Site(data_dir, database_url, env=env)
    try:
        yield running
    finally:
        running.stop_all()


def post(
    base: str, body: bytes, *, key: str = "demo-acme-key", idempotency_key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=30)
