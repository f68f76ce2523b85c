"""AS2 against hostile senders.

The negative cases arrive all at once over real HTTP: each request gets its own precise
disposition, in an MDN for its own Message-ID, and only the good message reaches the pipeline. The
single-request versions live in test_as2_receive.py; what this adds is that answers are never
mixed up between concurrent requests (a shared parser, key cache or claim row would show here).
They found a race: the first audit events on a new PostgreSQL database both created the audit
chain's head row, and one request got a 500 instead of its MDN.

Then headers of absurd length: labels taken from them end up in columns of fixed width, which
PostgreSQL enforces and SQLite does not, so everything here runs on both databases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.channels.as2.mdn import read_mdn
from gateway.channels.as2.mime import parse_part, split_multipart
from gateway.context import Gateway
from gateway.database.models import Transmission
from tests.gateway.as2_peers.station import (
    ACME_AS2,
    PemPair,
    Pyas2libPeer,
    as2_app,
    demo_station,
    headers_of,
    new_pair,
    pyas2lib,
    serve,
)

COPIES = 3  # of every case, each with its own Message-ID
ERROR = "processed/error: "


@pytest.fixture(scope="module")
def ours() -> PemPair:
    return new_pair("EDIGATE-DEMO")


@pytest.fixture(scope="module")
def acme() -> PemPair:
    return new_pair(ACME_AS2)


@pytest.fixture(scope="module")
def stranger() -> PemPair:
    return new_pair("STRANGER")


@pytest.fixture
def gateway_with_keys(make_gateway: Callable[..., Gateway], tmp_path: Path, ours, acme) -> Gateway:
    return demo_station(make_gateway, tmp_path / "partners", ours, acme)


def _mdn(response: httpx.Response) -> tuple[str, str]:
    """(disposition, original Message-ID) of a synchronous MDN, signed or not."""
    entity = parse_part(
        b"Content-Type: " + response.headers["content-type"].encode() + b"\r\n\r\n" + response.content
    )
    ctype, params = entity.content_type
    if ctype == "multipart/signed":
        entity = parse_part(split_multipart(entity.body, params["boundary"])[0])
    read = read_mdn(entity.header("content-type") or "", entity.body, [])
    return read.disposition.render(), read.original_message_id.strip("<>")


def _cases(acme: PemPair, ours: PemPair, stranger: PemPair) -> list[tuple[str, dict[str, str], bytes, str]]:
    """(name, headers, body, expected disposition) — COPIES of each, all with distinct Message-IDs."""
    lib = pyas2lib()
    peer = Pyas2libPeer(acme=acme, ours=ours, module=lib)
    impostor = Pyas2libPeer(acme=stranger, ours=ours, module=lib)
    out: list[tuple[str, dict[str, str], bytes, str]] = []
    for copy in range(COPIES):
        payload = b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4000001000005:14+240101:1200+CC%d'" % copy
        payload += b"UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+PO-CC-%d+9'UNT+3+1'UNZ+1+CC%d'" % (copy, copy)

        def built(message: Any, body: bytes | None = None, **replace: str) -> tuple[dict[str, str], bytes]:
            headers = {**headers_of(message), **replace}
            return headers, message.content if body is None else body

        good = peer.message(payload)
        signed_only = peer.message(payload, encrypt=False)
        tampered = signed_only.content.replace(b"PO-CC-", b"PO-XX-")
        sealed = peer.message(payload)
        cases = {
            "good": (built(good), "processed"),
            "stranger's signature": (
                built(impostor.message(payload)),
                "processed/error: authentication-failed",
            ),
            "unsigned": (
                built(peer.message(payload, sign=False)),
                "processed/error: insufficient-message-security",
            ),
            "encrypted to another key": (
                built(peer.message(payload, encrypt_cert=stranger.certificate)),
                "processed/error: decryption-failed",
            ),
            "truncated envelope": (
                built(sealed, sealed.content[: len(sealed.content) // 2]),
                "processed/error: decryption-failed",
            ),
            "content changed after signing": (
                built(signed_only, tampered),
                "processed/error: integrity-check-failed",
            ),
            "wrong recipient": (
                built(peer.message(payload), AS2_To="NOBODY"),
                "processed/error: unknown-trading-partner",
            ),
        }
        for name, ((headers, body), expected) in cases.items():
            headers = {k.replace("_", "-"): v for k, v in headers.items()}
            out.append((f"{name} #{copy}", headers, body, expected))
    return out


def test_concurrent_negative_cases_each_get_their_own_precise_mdn(gateway_with_keys, ours, acme, stranger):
    cases = _cases(acme, ours, stranger)
    answers: dict[str, tuple[int, str, str]] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(len(cases))
    with serve(as2_app(gateway_with_keys)) as base:

        def send(name: str, headers: dict[str, str], body: bytes) -> None:
            try:
                with httpx.Client(base_url=base, timeout=120) as client:
                    start.wait(timeout=60)
                    response = client.post("/as2", content=body, headers=headers)
                    answers[name] = (response.status_code, *_mdn(response))
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=send, args=(n, h, b)) for n, h, b, _e in cases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
    assert failures == []
    for name, headers, _body, expected in cases:
        status, disposition, original = answers[name]
        assert (status, disposition) == (200, expected), name
        assert original == headers["Message-ID"].strip("<>"), f"{name}: answered for another message"
    with gateway_with_keys.sessions() as session:
        rows = session.execute(select(Transmission)).scalars().all()
    accepted = sorted(row.transport.get("as2_message_id", "") for row in rows if row.status != "rejected")
    goods = sorted(h["Message-ID"].strip("<>") for n, h, _b, _e in cases if n.startswith("good"))
    assert len(accepted) == COPIES
    assert [a.strip("<>") for a in accepted] == goods


def test_a_replayed_message_id_gets_the_first_answer_and_its_new_body_is_never_processed(
    gateway_with_keys, ours, acme
):
    """Senders re-encrypt a retransmission, so its bytes differ; the Message-ID is what identifies
    it. Replaying one — with a body that is really another interchange — must not smuggle that in."""
    peer = Pyas2libPeer(acme=acme, ours=ours, module=pyas2lib())
    first = peer.message()
    smuggled = peer.message(b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4000001000005:14+240101:1200+SMUGGLED'")
    replay_headers = {**headers_of(smuggled), "Message-ID": headers_of(first)["Message-ID"]}
    with serve(as2_app(gateway_with_keys)) as base, httpx.Client(base_url=base, timeout=60) as client:
        original = client.post("/as2", content=first.content, headers=headers_of(first))
        replayed = client.post("/as2", content=smuggled.content, headers=replay_headers)
    assert _mdn(original) == ("processed", headers_of(first)["Message-ID"].strip("<>"))
    assert replayed.content == original.content  # the stored MDN, byte for byte
    with gateway_with_keys.sessions() as session:
        rows = session.execute(select(Transmission)).scalars().all()
    payloads = [gateway_with_keys.archive.get(row.sha256) for row in rows if row.status != "rejected"]
    assert len(payloads) == 1 and b"SMUGGLED" not in payloads[0]


LONG = "x" * 1000


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("AS2-From", LONG),
        ("AS2-To", LONG),
        ("Message-ID", f"<{LONG}@{LONG}>"),
        ("Subject", LONG),
        ("Disposition-Notification-To", LONG),
        ("Disposition-Notification-Options", "signed-receipt-protocol=required," + LONG),
        ("Receipt-Delivery-Option", "http://" + LONG),
        ("Content-Type", "application/pkcs7-mime; smime-type=enveloped-data; name=" + LONG),
        ("User-Agent", LONG),
    ],
)
def test_over_long_headers_are_answered_without_a_server_error(gateway_with_keys, ours, acme, header, value):
    message = Pyas2libPeer(acme=acme, ours=ours, module=pyas2lib()).message()
    headers = {k: v for k, v in headers_of(message).items() if k.lower() != header.lower()}
    headers[header] = value
    with TestClient(as2_app(gateway_with_keys), raise_server_exceptions=False) as client:
        response = client.post("/as2", content=message.content, headers=headers)
    assert response.status_code < 500, response.text[:300]
