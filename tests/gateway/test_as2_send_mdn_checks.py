"""Sending over AS2 to pyas2lib as a stand-in receiver: edigate settles a delivery only on an MDN it can
trust. pyas2lib opens our message and answers with its own MDN; a receiver that fails to sign the MDN
although we asked for a signed one, or reports a MIC other than the one we computed, must leave the
delivery retrying with the reason recorded, never marked delivered."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.context import Gateway
from gateway.database.models import WorkItem
from tests.gateway.as2_peers.station import PemPair, http_sink, new_pair, pyas2lib
from tests.gateway.test_as2_send import ack_state, queue_file, write_station

PEER_AS2 = "PYAS2-PEER"
US = "EDIGATE-A"


@pytest.fixture(scope="module")
def pairs() -> dict[str, PemPair]:
    return {"us": new_pair(US), "peer": new_pair(PEER_AS2)}


def pyas2lib_receiver(
    pairs: dict[str, PemPair], *, sign_mdn: bool = True, wrong_mic: bool = False
) -> Callable[[dict[str, str], bytes], tuple[int, dict[str, str], bytes]]:
    """An HTTP handler that opens our message with pyas2lib and answers with pyas2lib's sync MDN.

    ``sign_mdn=False`` gives pyas2lib no signing key, so it answers unsigned whatever we asked for;
    ``wrong_mic=True`` rebuilds the MDN (still signed) with the MIC of different content, as a receiver
    with a broken MIC computation would.
    """
    lib = pyas2lib()
    peer, us = pairs["peer"], pairs["us"]
    org = lib.Organization(
        as2_name=PEER_AS2,
        sign_key=(peer.key + peer.certificate) if sign_mdn else None,
        decrypt_key=peer.key + peer.certificate,
    )
    partner = lib.Partner(as2_name=US, verify_cert=us.certificate, validate_certs=False)

    def handle(headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        raw = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items()) + b"\r\n" + body
        message = lib.Message()
        status, exception, mdn = message.parse(
            raw, find_org_cb=lambda _as2_to: org, find_partner_cb=lambda _as2_from: partner
        )
        assert status == "processed", exception  # the stand-in itself accepted our message
        if wrong_mic:
            message.mic = base64.b64encode(hashlib.new(message.digest_alg, b"other content").digest())
            mdn = lib.Mdn(mdn_mode="SYNC", digest_alg=headers_options_digest(headers))
            mdn.build(message=message, status="processed")
        return 200, {str(k): str(v) for k, v in mdn.headers.items()}, mdn.content

    return handle


def headers_options_digest(headers: dict[str, str]) -> str:
    options = {k.lower(): v for k, v in headers.items()}["disposition-notification-options"]
    return options.split(";")[-1].split(",")[-1].strip()


def send_to_standin(
    make_gateway: Callable[..., Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
    handler: Any,
) -> tuple[Gateway, str, int]:
    with http_sink() as sink:
        sink.handler = handler
        partners = write_station(
            tmp_path / "a", US, pairs["us"], PEER_AS2, pairs["peer"], extra=f'url = "{sink.url}/as2"'
        )
        gw = make_gateway(partners_dir=partners)
        ack_id = queue_file(gw, PEER_AS2.lower())
        drain(gw)
        return gw, ack_id, len(sink.requests)


def last_error(gw: Gateway, ack_id: str) -> str:
    with gw.sessions() as session:
        item = session.execute(select(WorkItem).where(WorkItem.subject_id == ack_id)).scalar_one()
        return item.last_error or ""


def test_a_correct_signed_mdn_from_pyas2lib_settles_the_delivery(
    make_gateway: Callable[..., Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
) -> None:
    """The control case: the stand-in works, so the refusals below are about the MDN alone."""
    gw, ack_id, requests = send_to_standin(make_gateway, drain, tmp_path, pairs, pyas2lib_receiver(pairs))
    assert requests == 1
    assert ack_state(gw, ack_id) == "delivered"


def test_unsigned_mdn_when_a_signed_one_was_requested_is_refused(
    make_gateway: Callable[..., Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
) -> None:
    handler = pyas2lib_receiver(pairs, sign_mdn=False)
    gw, ack_id, requests = send_to_standin(make_gateway, drain, tmp_path, pairs, handler)
    assert requests == 1
    assert ack_state(gw, ack_id) == "retrying"
    assert "unsigned but a signed MDN was requested" in last_error(gw, ack_id)


def test_signed_mdn_with_a_mic_mismatch_is_refused(
    make_gateway: Callable[..., Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
) -> None:
    handler = pyas2lib_receiver(pairs, wrong_mic=True)
    gw, ack_id, requests = send_to_standin(make_gateway, drain, tmp_path, pairs, handler)
    assert requests == 1
    assert ack_state(gw, ack_id) == "retrying"
    assert "MIC mismatch" in last_error(gw, ack_id)
