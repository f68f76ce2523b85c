"""Shared helpers for the ERP delivery tests (no tests here): a real HTTP receiver standing in for the
ERP, submitting a fixture, reading the outbox.

The receiver is a small Starlette app served by uvicorn on a loopback port in a background thread:
it records every request and answers with scripted statuses, so webhook tests exercise real HTTP,
real timeouts and real connection errors. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.context import Gateway
from gateway.database.models import AuditEvent, Document, ErpDelivery
from gateway.intake import Upload, accept

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
# A Standard Webhooks secret: "whsec_" + base64 of the key bytes.
SECRET = "whsec_" + base64.b64encode(bytes(range(7, 39))).decode()
HANG = -1  # scripted "status": keep the request open until the client gives up
SUPPLIER_FILES = (
    "supplier_one_ordrsp_d96a.edi",
    "supplier_one_desadv_d01b.edi",
    "supplier_one_invoic_d96a.edi",
)


@dataclass(frozen=True, slots=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


class Receiver:
    """The ERP stand-in: ``script`` answers requests in turn, then ``default`` answers the rest."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.default = 200
        self._lock = threading.Lock()
        self._requests: list[Received] = []
        self._release = threading.Event()
        self.app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        self.url = ""

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            status = self.script.pop(0) if self.script else self.default
            self._requests.append(Received(dict(request.headers), body, status))
        if status == HANG:
            for _ in range(100):  # at most ~10 s, released at once when the receiver stops
                if self._release.is_set():
                    break
                await asyncio.sleep(0.1)
            return Response(status_code=200)
        return Response(b"scripted answer", status_code=status)

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            wait_until(lambda: server.started, what="the receiver to start")
            yield self
        finally:
            self._release.set()
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


def wait_until(condition: object, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def submit_file(gw: Gateway, name: str, partner: str = "supplier-one") -> str:
    """Accept a fixture as the partner would send it; returns the transmission id."""
    upload = Upload(channel="rest", data=(FIXTURES / name).read_bytes(), partner_id=partner, actor="test")
    return accept(gw, upload).id


def documents(gw: Gateway) -> list[Document]:
    with gw.sessions() as session:
        return list(session.execute(select(Document).order_by(Document.created_at)).scalars())


def document_of(gw: Gateway, transmission_id: str) -> Document:
    with gw.sessions() as session:
        return session.execute(
            select(Document).where(Document.transmission_id == transmission_id)
        ).scalar_one()


def delivery(gw: Gateway, document_id: str, channel: str) -> ErpDelivery:
    with gw.sessions() as session:
        return session.execute(
            select(ErpDelivery).where(ErpDelivery.document_id == document_id, ErpDelivery.channel == channel)
        ).scalar_one()


def audit_actions(gw: Gateway, subject_id: str) -> list[str]:
    with gw.sessions() as session:
        return list(
            session.execute(
                select(AuditEvent.action).where(AuditEvent.subject_id == subject_id).order_by(AuditEvent.seq)
            ).scalars()
        )
