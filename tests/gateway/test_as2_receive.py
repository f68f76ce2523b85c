"""Receiving AS2: pyas2lib (an independent implementation) sends as ACME over real HTTP; edigate's
MDNs must satisfy it, carry the RFC 4130 §7.3.1 / RFC 5402 MIC, and the payload must enter the
pipeline exactly once. Negative cases answer with the right disposition or HTTP status."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import threading
from collections.abc import Callable
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import cms
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gateway.channels.as2.mdn import read_mdn
from gateway.channels.as2.mime import parse_part, split_multipart
from gateway.context import Gateway
from gateway.database.models import Acknowledgement, As2Inbound, AuditEvent, Transmission, WorkItem
from partners.loader import demo_directory_path
from tests.gateway.as2_peers.station import (
    ACME_AS2,
    OUR_AS2,
    PAYLOAD,
    PemPair,
    Pyas2libPeer,
    as2_app,
    headers_of,
    http_sink,
    install_demo_keys,
    new_pair,
    pyas2lib,
    serve,
)


@pytest.fixture(scope="module")
def ours() -> PemPair:
    return new_pair(OUR_AS2)


@pytest.fixture(scope="module")
def acme() -> PemPair:
    return new_pair(ACME_AS2)


@pytest.fixture(scope="module")
def stranger() -> PemPair:
    return new_pair("STRANGER")


@pytest.fixture
def station(
    make_gateway: Callable[..., Gateway], tmp_path: Path, ours: PemPair, acme: PemPair
) -> Callable[..., Gateway]:
    """A gateway with the demo profiles, ACME's ``[as2]`` section adjusted by ``**as2``."""

    def build(max_body_bytes: int | None = None, **as2: Any) -> Gateway:
        partners = tmp_path / "partners"
        shutil.copytree(demo_directory_path(), partners, dirs_exist_ok=True)
        profile = partners / "acme-retail.toml"
        text = profile.read_text()
        for key, value in as2.items():
            rendered = str(value).lower() if isinstance(value, bool) else repr(value).replace("'", '"')
            line = f"{key} = {rendered}\n"
            marker = f"\n{key} = "
            if marker in text:
                start = text.index(marker) + 1
                text = text[:start] + line + text[text.index("\n", start) + 1 :]
            else:
                text = text.replace('id = "ACME-RETAIL"\n', f'id = "ACME-RETAIL"\n{line}')
        profile.write_text(text)
        overrides: dict[str, Any] = {"partners_dir": partners}
        if max_body_bytes is not None:
            overrides["max_body_bytes"] = max_body_bytes
        gw = make_gateway(**overrides)
        install_demo_keys(gw.settings.data_dir, ours, acme)
        return gw

    return build


@pytest.fixture
def peer(ours: PemPair, acme: PemPair) -> Pyas2libPeer:
    return Pyas2libPeer(acme=acme, ours=ours, module=pyas2lib())


def post(client: TestClient | httpx.Client, message: Any, **extra: str) -> httpx.Response:
    headers = {**headers_of(message), **extra}
    return client.post("/as2", content=message.content, headers=headers)


def disposition_of(response: httpx.Response) -> str:
    """The disposition of an MDN, signed or not (signatures are checked by the peer tests)."""
    entity = parse_part(
        b"Content-Type: " + response.headers["content-type"].encode() + b"\r\n\r\n" + response.content
    )
    ctype, params = entity.content_type
    if ctype == "multipart/signed":
        entity = parse_part(split_multipart(entity.body, params["boundary"])[0])
    read = read_mdn(entity.header("content-type") or "", entity.body, [])
    return read.disposition.render()


def independent_mic(
    message: Any, ours: PemPair, tmp_path: Path, signed: bool, encrypted: bool, compressed: bool
) -> str:
    """The MIC computed without edigate's code: openssl decrypts, the stdlib splits MIME, asn1crypto
    inflates. Signed: the signed entity as sent; otherwise the innermost entity with headers
    (RFC 5402 §4.2/4.3), or the body alone for a plain message (RFC 4130 §7.3.1)."""
    if signed:
        return message.mic.decode()
    if not (encrypted or compressed):
        return base64.b64encode(hashlib.sha256(message.content).digest()).decode()
    entity = message.content
    if encrypted:
        (tmp_path / "msg.der").write_bytes(message.content)
        (tmp_path / "cert.pem").write_bytes(ours.certificate)
        (tmp_path / "key.pem").write_bytes(ours.key)
        entity = subprocess.run(
            [
                "openssl",
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                str(tmp_path / "msg.der"),
                "-recip",
                str(tmp_path / "cert.pem"),
                "-inkey",
                str(tmp_path / "key.pem"),
            ],
            check=True,
            capture_output=True,
        ).stdout
        parsed = message_from_bytes(entity)
        if "compressed-data" not in (parsed.get("content-type") or ""):
            return base64.b64encode(hashlib.sha256(entity).digest()).decode()
        entity = parsed.get_payload(decode=True)
    info = cms.ContentInfo.load(entity)
    inner = info["content"].decompressed
    return base64.b64encode(hashlib.sha256(inner).digest()).decode()


# ------------------------------------------------------------------------- the pyas2lib matrix

MDN_MODES = ["sync-signed", "sync-unsigned", "async-signed"]


@pytest.mark.parametrize("mdn_mode", MDN_MODES)
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "compressed"])
@pytest.mark.parametrize("encrypt", [False, True], ids=["clear", "encrypted"])
@pytest.mark.parametrize("sign", [False, True], ids=["unsigned", "signed"])
def test_pyas2lib_matrix_over_http_every_mdn_verified_by_the_peer(
    station: Callable[..., Gateway],
    peer: Pyas2libPeer,
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    ours: PemPair,
    sign: bool,
    encrypt: bool,
    compress: bool,
    mdn_mode: str,
) -> None:
    with http_sink() as sink:
        gw = station(must_sign=False, async_mdn_urls=[sink.url + "/mdn"])
        options: dict[str, Any] = {"sign": sign, "encrypt": encrypt, "compress": compress}
        options["mdn_digest_alg"] = None if mdn_mode == "sync-unsigned" else "sha256"
        if mdn_mode.startswith("async"):
            options["mdn_mode"] = "ASYNC"
        message = _message(peer, sink.url + "/mdn" if mdn_mode.startswith("async") else None, **options)
        with serve(as2_app(gw)) as base, httpx.Client(base_url=base) as client:
            response = post(client, message)
        assert response.status_code == 200, response.text
        if mdn_mode.startswith("async"):
            assert response.content == b""
            drain(gw)  # processes the payload and delivers the queued MDN
            assert len(sink.requests) == 1
            _path, mdn_headers, mdn_body = sink.requests[0]
        else:
            mdn_headers, mdn_body = dict(response.headers), response.content
    status, detail = peer.parse_mdn(message, mdn_headers, mdn_body)
    assert (status, detail) == ("processed", None)
    read = read_mdn(_header(mdn_headers, "content-type"), mdn_body, [ours.cert])
    assert read.signed is (mdn_mode != "sync-unsigned")
    assert read.mic == independent_mic(message, ours, tmp_path, sign, encrypt, compress)
    assert read.mic_algorithm == "sha256"
    drain(gw)
    with gw.sessions() as session:
        transmission = session.execute(select(Transmission).where(Transmission.channel == "as2")).scalar_one()
        assert transmission.partner_id == "acme-retail"
        assert gw.archive.get(transmission.sha256) == PAYLOAD
        assert transmission.transport["signed"] is sign
        assert transmission.transport["encrypted"] is encrypt
        assert transmission.transport["compressed"] is compress
        assert transmission.status in ("processed", "rejected")  # the pipeline ran on it


def _message(peer: Pyas2libPeer, mdn_url: str | None, **options: Any) -> Any:
    lib = peer.module
    org = lib.Organization(as2_name=ACME_AS2, sign_key=peer.acme.key + peer.acme.certificate, mdn_url=mdn_url)
    partner_options: dict[str, Any] = {
        "verify_cert": peer.ours.certificate,
        "encrypt_cert": peer.ours.certificate,
        "validate_certs": False,
        "mdn_mode": "SYNC",
    }
    partner_options.update(options)
    message = lib.Message(org, lib.Partner(as2_name=OUR_AS2, **partner_options))
    message.build(PAYLOAD, filename="order.edi", content_type="application/EDIFACT")
    return message


def _header(headers: dict[str, str], name: str) -> str:
    return next(v for k, v in headers.items() if k.lower() == name)


@pytest.mark.parametrize("enc_alg", ["tripledes_192_cbc", "aes_128_cbc", "aes_192_cbc", "aes_256_cbc"])
@pytest.mark.parametrize("key_enc_alg", ["rsaes_pkcs1v15", "rsaes_oaep"])
def test_every_cipher_and_key_transport_pyas2lib_sends_is_decrypted(
    station: Callable[..., Gateway], peer: Pyas2libPeer, enc_alg: str, key_enc_alg: str
) -> None:
    gw = station()
    message = peer.message(enc_alg=enc_alg, key_enc_alg=key_enc_alg)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert peer.parse_mdn(message, dict(response.headers), response.content) == ("processed", None)


@pytest.mark.parametrize("digest", ["sha1", "sha224", "sha256", "sha384", "sha512"])
@pytest.mark.parametrize("sign_alg", ["rsassa_pkcs1v15", "rsassa_pss"])
def test_every_digest_and_signature_scheme_verifies(
    station: Callable[..., Gateway], peer: Pyas2libPeer, digest: str, sign_alg: str
) -> None:
    gw = station()
    message = peer.message(digest_alg=digest, sign_alg=sign_alg, encrypt=False, mdn_digest_alg=digest)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert peer.parse_mdn(message, dict(response.headers), response.content) == ("processed", None)


# ------------------------------------------------------------------------------- negative cases


def test_signature_by_a_stranger_is_authentication_failed_and_not_delivered(
    station: Callable[..., Gateway], peer: Pyas2libPeer, stranger: PemPair, drain: Callable[[Gateway], int]
) -> None:
    gw = station()
    impostor = Pyas2libPeer(acme=stranger, ours=peer.ours, module=peer.module)
    message = impostor.message()
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert response.status_code == 200
    assert disposition_of(response) == "processed/error: authentication-failed"
    drain(gw)
    with gw.sessions() as session:
        transmission = session.execute(select(Transmission)).scalar_one()
        assert transmission.status == "rejected"
        assert transmission.errors[0]["code"] == "AS2_AUTHENTICATION_FAILED"


def test_tampered_signed_body_is_rejected(station: Callable[..., Gateway], peer: Pyas2libPeer) -> None:
    gw = station()
    message = peer.message(encrypt=False)
    body = message.content.replace(b"PO-AS2-1", b"PO-AS2-9")
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=body, headers=headers_of(message))
    assert disposition_of(response) in (
        "processed/error: authentication-failed",
        "processed/error: integrity-check-failed",
    )


def test_tampered_ciphertext_of_signed_message_fails(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station()
    message = peer.message()
    body = bytearray(message.content)
    body[len(body) // 2] ^= 0x01
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=bytes(body), headers=headers_of(message))
    assert disposition_of(response) in (
        "processed/error: authentication-failed",
        "processed/error: decryption-failed",
        "processed/error: unexpected-processing-error",
    )


def test_encrypt_only_to_must_sign_partner_is_insufficient_security(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station()  # demo policy: must_sign = true
    message = peer.message(sign=False)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert disposition_of(response) == "processed/error: insufficient-message-security"


def test_plain_message_to_must_encrypt_partner_is_insufficient_security(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station(must_encrypt=True)
    message = peer.message(encrypt=False)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert disposition_of(response) == "processed/error: insufficient-message-security"


def test_message_encrypted_to_another_certificate_is_decryption_failed(
    station: Callable[..., Gateway], peer: Pyas2libPeer, stranger: PemPair
) -> None:
    gw = station()
    message = peer.message(encrypt_cert=stranger.certificate)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert disposition_of(response) == "processed/error: decryption-failed"


@pytest.mark.parametrize("cut", ["empty", "half"])
def test_empty_or_truncated_envelope_is_decryption_failed(
    station: Callable[..., Gateway], peer: Pyas2libPeer, cut: str
) -> None:
    gw = station()
    message = peer.message()
    body = b"" if cut == "empty" else message.content[: len(message.content) // 2]
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=body, headers=headers_of(message))
    assert response.status_code == 200
    assert disposition_of(response) == "processed/error: decryption-failed"


def test_weak_digest_outside_the_allow_list_is_refused(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station(allowed_digests=["sha256", "sha512"])
    message = peer.message(digest_alg="sha1", encrypt=False)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert disposition_of(response) == "processed/error: insufficient-message-security"


def test_expired_partner_certificate_is_authentication_failed(
    station: Callable[..., Gateway], ours: PemPair
) -> None:
    expired = new_pair(ACME_AS2, days=-1)
    gw = station()
    install_demo_keys(gw.settings.data_dir, ours, expired)
    message = Pyas2libPeer(acme=expired, ours=ours, module=pyas2lib()).message()
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    assert disposition_of(response) == "processed/error: authentication-failed"


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("AS2-To", "NOBODY", "processed/error: unknown-trading-partner"),
        ("AS2-From", "NOBODY", "processed/error: unknown-trading-partner"),
        ("AS2-From", OUR_AS2, "failed/Failure: sender-equals-receiver"),
    ],
)
def test_unknown_or_wrong_identities_get_an_error_mdn_and_are_audited(
    station: Callable[..., Gateway], peer: Pyas2libPeer, header: str, value: str, expected: str
) -> None:
    gw = station()
    message = peer.message()
    headers = {k: v for k, v in headers_of(message).items() if k.lower() != header.lower()}
    headers[header] = value
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=message.content, headers=headers)
    assert response.status_code == 200
    assert disposition_of(response) == expected
    with gw.sessions() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "as2_rejected" in actions


def test_quoted_as2_names_are_unquoted(station: Callable[..., Gateway], peer: Pyas2libPeer) -> None:
    gw = station()
    message = peer.message()
    headers = {**headers_of(message), "AS2-From": f'"{ACME_AS2}"', "AS2-To": f'"{OUR_AS2}"'}
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=message.content, headers=headers)
    assert peer.parse_mdn(message, dict(response.headers), response.content) == ("processed", None)


@pytest.mark.parametrize("missing", ["AS2-From", "AS2-To", "Message-ID"])
def test_missing_identification_header_is_400_without_traceback(
    station: Callable[..., Gateway], peer: Pyas2libPeer, missing: str
) -> None:
    gw = station()
    message = peer.message()
    headers = {k: v for k, v in headers_of(message).items() if k.lower() != missing.lower()}
    with TestClient(as2_app(gw), raise_server_exceptions=True) as client:
        response = client.post("/as2", content=message.content, headers=headers)
    assert response.status_code == 400
    assert missing in response.text
    assert "Traceback" not in response.text


def test_browser_request_gets_a_hint(station: Callable[..., Gateway]) -> None:
    gw = station()
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=b"hello")
    assert response.status_code == 400
    assert "AS2 endpoint" in response.text


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            "signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, sha3-256",
            "failed/Failure: unsupported MIC-algorithms",
        ),
        (
            "signed-receipt-protocol=required, pgp-signature; signed-receipt-micalg=required, sha256",
            "failed/Failure: unsupported format",
        ),
    ],
)
def test_required_mdn_options_we_cannot_meet_are_failed(
    station: Callable[..., Gateway], peer: Pyas2libPeer, options: str, expected: str
) -> None:
    gw = station()
    message = peer.message()
    with TestClient(as2_app(gw)) as client:
        response = post(client, message, **{"Disposition-Notification-Options": options})
    assert disposition_of(response) == expected
    with gw.sessions() as session:
        assert session.execute(select(func.count()).select_from(WorkItem)).scalar_one() == 0


@pytest.mark.parametrize(
    "options",
    [
        "signed-receipt-protocol=optional,pkcs7-signature;signed-receipt-micalg=optional,SHA-384,sha256",
        "Signed-Receipt-Protocol = Optional , PKCS7-Signature ; Signed-Receipt-MicAlg = optional , sha384",
    ],
)
def test_mdn_options_are_parsed_tolerantly_and_first_supported_micalg_wins(
    station: Callable[..., Gateway], peer: Pyas2libPeer, ours: PemPair, options: str
) -> None:
    gw = station()
    message = peer.message(encrypt=False)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message, **{"Disposition-Notification-Options": options})
    read = read_mdn(response.headers["content-type"], response.content, [ours.cert])
    assert read.signed and read.disposition.ok
    assert read.mic_algorithm == "sha384"
    assert read.verified is not None and read.verified.digest_algorithm == "sha384"


def test_oversized_body_is_413_and_nothing_is_stored(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station(max_body_bytes=4096)

    def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 1024

    message = peer.message()
    headers = {k: v for k, v in headers_of(message).items() if k.lower() != "content-length"}
    with serve(as2_app(gw)) as base, httpx.Client(base_url=base) as client:
        response = client.post("/as2", content=chunks(), headers=headers)
    assert response.status_code == 413
    with gw.sessions() as session:
        assert session.execute(select(func.count()).select_from(Transmission)).scalar_one() == 0
    assert not any(p.is_file() for p in gw.archive.root.rglob("*"))


# ---------------------------------------------------------------------------------- duplicates


def test_retransmit_gets_the_stored_mdn_and_is_processed_once(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station()
    message = peer.message()
    with TestClient(as2_app(gw)) as client:
        first = post(client, message)
        second = post(client, message)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    with gw.sessions() as session:
        assert (
            session.execute(
                select(func.count()).select_from(Transmission).where(Transmission.status != "rejected")
            ).scalar_one()
            == 1
        )
        assert "as2_duplicate" in session.execute(select(AuditEvent.action)).scalars().all()


def test_concurrent_retransmits_are_processed_once(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station()
    message = peer.message()
    results: list[httpx.Response] = []
    with serve(as2_app(gw)) as base:

        def send() -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                results.append(post(client, message))

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [r.status_code for r in results] == [200] * 4
    assert len({r.content for r in results}) == 1
    with gw.sessions() as session:
        assert session.execute(select(func.count()).select_from(Transmission)).scalar_one() == 1


def test_resend_after_an_error_mdn_is_processed_normally(
    station: Callable[..., Gateway], peer: Pyas2libPeer, stranger: PemPair
) -> None:
    gw = station()
    message = peer.message(encrypt=False)
    headers = headers_of(message)
    broken = message.content.replace(b"PO-AS2-1", b"PO-AS2-X")
    with TestClient(as2_app(gw)) as client:
        first = client.post("/as2", content=broken, headers=headers)
        second = client.post("/as2", content=message.content, headers=headers)
    assert disposition_of(first) != "processed"
    assert peer.parse_mdn(message, dict(second.headers), second.content) == ("processed", None)


# ---------------------------------------------------------------------------------- async MDNs


def test_async_mdn_url_not_allowed_is_never_called_and_answered_synchronously(
    station: Callable[..., Gateway], peer: Pyas2libPeer, drain: Callable[[Gateway], int]
) -> None:
    with http_sink() as sink:
        gw = station(async_mdn_urls=["https://as2.acme.example/mdn"])
        message = _message(
            peer, sink.url + "/evil", sign=True, encrypt=True, mdn_mode="ASYNC", mdn_digest_alg="sha256"
        )
        with TestClient(as2_app(gw)) as client:
            response = post(client, message)
        drain(gw)
        assert sink.requests == []
    assert peer.parse_mdn(message, dict(response.headers), response.content) == ("processed", None)
    with gw.sessions() as session:
        refused = session.execute(
            select(AuditEvent).where(AuditEvent.action == "as2_async_mdn_refused")
        ).scalar_one()
        assert refused.details["url"] == sink.url + "/evil"


def test_async_mdn_is_retried_until_the_target_takes_it(
    station: Callable[..., Gateway], peer: Pyas2libPeer, drain: Callable[[Gateway], int], clock: Any
) -> None:
    with http_sink(status=500) as sink:
        gw = station(async_mdn_urls=[sink.url])
        message = _message(peer, sink.url + "/mdn", sign=True, mdn_mode="ASYNC", mdn_digest_alg="sha256")
        with TestClient(as2_app(gw)) as client:
            assert post(client, message).status_code == 200
        drain(gw)
        assert len(sink.requests) == 1
        with gw.sessions() as session:
            ack = session.execute(select(Acknowledgement).where(Acknowledgement.type == "MDN")).scalar_one()
            assert ack.delivery_state == "retrying"
        sink.status = 200
        clock.advance(seconds=5)
        drain(gw)
        assert len(sink.requests) == 2
        _path, headers, body = sink.requests[-1]
    assert peer.parse_mdn(message, headers, body) == ("processed", None)
    with gw.sessions() as session:
        ack = session.execute(select(Acknowledgement).where(Acknowledgement.type == "MDN")).scalar_one()
        assert ack.delivery_state == "delivered"
        row = session.execute(select(As2Inbound)).scalar_one()
        assert row.mdn_mode == "async"


def test_raw_request_payload_and_mdn_are_archived_and_audited(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station()
    message = peer.message(compress=True)
    with TestClient(as2_app(gw)) as client:
        response = post(client, message)
    with gw.sessions() as session:
        transmission = session.execute(select(Transmission)).scalar_one()
        raw = gw.archive.get(transmission.transport["request_sha256"])
        assert raw.endswith(message.content)
        assert b"as2-from: ACME-RETAIL" in raw.lower().replace(
            b"as2-from: acme-retail", b"as2-from: ACME-RETAIL"
        )
        assert transmission.transport["signer_sha256"]
        assert transmission.transport["cipher"] == "tripledes"
        assert transmission.transport["mic"].endswith("sha256")
        ack = session.execute(select(Acknowledgement).where(Acknowledgement.type == "MDN")).scalar_one()
        assert gw.archive.get(ack.sha256).endswith(response.content)
        actions = session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert actions[-1] == "as2_mdn_sent"
    assert actions.index("archived") < actions.index("as2_mdn_sent")


def test_header_injection_in_filename_is_sanitized(
    station: Callable[..., Gateway], peer: Pyas2libPeer
) -> None:
    gw = station()
    lib = peer.module
    org = lib.Organization(as2_name=ACME_AS2, sign_key=peer.acme.key + peer.acme.certificate)
    partner = lib.Partner(
        as2_name=OUR_AS2,
        verify_cert=peer.ours.certificate,
        encrypt_cert=peer.ours.certificate,
        validate_certs=False,
        sign=True,
        encrypt=True,
        mdn_mode="SYNC",
    )
    message = lib.Message(org, partner)
    message.build(PAYLOAD, filename="../../x;rm -rf", content_type="application/EDIFACT")
    with TestClient(as2_app(gw)) as client:
        post(client, message)
    with gw.sessions() as session:
        transmission = session.execute(select(Transmission)).scalar_one()
    assert transmission.filename == "x_rm_-rf"


def test_the_gateway_application_serves_the_as2_routes(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/as2", "/as2/mdn"} <= paths
    assert client.post("/as2", content=b"x").status_code == 400
