"""Test helpers for the AS2 channel: key pairs, an edigate AS2 station, uvicorn in a thread, a
recording HTTP sink, and pyas2lib as the independent peer.

The demo profiles name ``certs/EDIGATE-DEMO.pem|key`` and ``certs/ACME-RETAIL.pem`` under the data
directory; :func:`install_demo_keys` writes pre-made pairs there (generating RSA keys per test would
dominate the run time).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI

from gateway.channels.as2 import receiver
from gateway.channels.as2.certificates import make_self_signed
from gateway.channels.as2.smime import KeyPair
from gateway.context import Gateway
from partners.loader import demo_directory_path
from tests.gateway.as2_peers.pyas2lib_shim import load_pyas2lib

ACME_AS2 = "ACME-RETAIL"
OUR_AS2 = "EDIGATE-DEMO"
PAYLOAD = (
    b"UNA:+.? '\r\nUNB+UNOC:3+5412345000013:14+4000001000005:14+240101:1200+AS2TEST1'\r\n"
    b"UNH+1+ORDERS:D:96A:UN:EAN008'\r\nBGM+220+PO-AS2-1+9'\r\nUNT+3+1'\r\nUNZ+1+AS2TEST1'\r\n"
)


@dataclass(frozen=True)
class PemPair:
    certificate: bytes
    key: bytes

    def key_pair(self) -> KeyPair:
        private = serialization.load_pem_private_key(self.key, None)
        return KeyPair(private, x509.load_pem_x509_certificate(self.certificate))  # type: ignore[arg-type]

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate)


def new_pair(name: str, days: int = 365) -> PemPair:
    certificate, key = make_self_signed(name, days=days)
    return PemPair(certificate, key)


def install_demo_keys(data_dir: Path, ours: PemPair, acme: PemPair) -> None:
    certs = data_dir / "certs"
    certs.mkdir(parents=True, exist_ok=True)
    (certs / f"{OUR_AS2}.pem").write_bytes(ours.certificate)
    (certs / f"{OUR_AS2}.key").write_bytes(ours.key)
    (certs / f"{ACME_AS2}.pem").write_bytes(acme.certificate)
    (certs / f"{ACME_AS2}.key").write_bytes(acme.key)


def demo_station(make_gateway: Any, folder: Path, ours: PemPair, acme: PemPair) -> Gateway:
    """A gateway on a copy of the demo profiles (in ``folder``) with the demo AS2 key pairs installed."""
    shutil.copytree(demo_directory_path(), folder, dirs_exist_ok=True)
    gw = make_gateway(partners_dir=folder)
    install_demo_keys(gw.settings.data_dir, ours, acme)
    return gw


def as2_app(gw: Gateway) -> FastAPI:
    """Just the AS2 routes on a gateway, independent of the rest of the application."""
    app = FastAPI()
    app.state.gateway = gw
    app.include_router(receiver.router)
    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a loopback port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Sink:
    """A loopback HTTP server that records POSTs and answers with ``status`` (or a handler)."""

    url: str
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    handler: Any = None


@contextmanager
def http_sink(status: int = 200) -> Iterator[Sink]:
    sink = Sink(url="")
    sink.status = status

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            headers = {k: v for k, v in self.headers.items()}
            sink.requests.append((self.path, headers, body))
            if sink.handler is not None:
                code, out_headers, out_body = sink.handler(headers, body)
            else:
                code, out_headers, out_body = sink.status, {}, b""
            self.send_response(code)
            for name, value in out_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out_body)))
            self.end_headers()
            self.wfile.write(out_body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------------------------ pyas2lib peer


def pyas2lib() -> Any:
    import pytest

    try:
        return load_pyas2lib()
    except ImportError as exc:  # not installed: the peer tests cannot run, the rest of the suite can
        pytest.skip(f"pyas2lib (test peer) is not importable: {exc}")


@dataclass
class Pyas2libPeer:
    """ACME played by pyas2lib: builds messages to us and verifies the MDNs we answer with."""

    acme: PemPair
    ours: PemPair
    module: Any

    def message(self, payload: bytes = PAYLOAD, **partner_options: Any) -> Any:
        lib = self.module
        org = lib.Organization(as2_name=ACME_AS2, sign_key=self.acme.key + self.acme.certificate)
        options: dict[str, Any] = {
            "verify_cert": self.ours.certificate,
            "encrypt_cert": self.ours.certificate,
            "validate_certs": False,
            "sign": True,
            "encrypt": True,
            "mdn_mode": "SYNC",
            "mdn_digest_alg": "sha256",
        }
        options.update(partner_options)
        message = lib.Message(org, lib.Partner(as2_name=OUR_AS2, **options))
        message.build(payload, filename="order.edi", content_type="application/EDIFACT")
        return message

    def parse_mdn(self, message: Any, headers: dict[str, str], body: bytes) -> tuple[str, str | None]:
        raw = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items()) + b"\r\n" + body
        mdn = self.module.Mdn()
        return mdn.parse(raw, lambda message_id, recipient: message)


def headers_of(message: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in message.headers.items()}
