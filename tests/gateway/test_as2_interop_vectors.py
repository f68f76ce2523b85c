"""Real messages and MDNs made by mendelson AS2 and IBM Sterling B2B Integrator (../shared/interop/as2):
accepted or rejected exactly as that folder's README says. Skipped when the folder is absent."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.channels.as2.certificates import load_certificates
from gateway.channels.as2.mdn import MdnError, read_mdn
from gateway.channels.as2.mime import parse_part, split_multipart
from gateway.context import Gateway
from gateway.database.models import Transmission
from tests.conftest import SHARED
from tests.gateway.as2_peers.station import as2_app

VECTORS = SHARED / "interop" / "as2"
pytestmark = pytest.mark.skipif(not VECTORS.is_dir(), reason=f"interop vectors not present at {VECTORS}")
_HOP_BY_HOP = {"content-length", "host", "connection", "expect", "te", "transfer-encoding"}
PASSWORD_ENV = "EDIGATE_TEST_INTEROP_KEY_PASSWORD"


def split_http(raw: bytes) -> tuple[dict[str, str], bytes]:
    """A captured request or MDN: header lines, an empty line, the body (LF or CRLF)."""
    match = re.search(rb"\r?\n\r?\n", raw)
    assert match is not None
    headers: dict[str, str] = {}
    for line in re.split(rb"\r?\n", raw[: match.start()]):
        if line[:1] in (b" ", b"\t") and headers:
            last = list(headers)[-1]
            headers[last] += " " + line.decode().strip()
            continue
        name, _sep, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers, raw[match.end() :]


def profiles(folder: Path, our_id: str, partner_id: str, certificate: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "company.toml").write_text(
        f"""name = "Interop Test"
gln = "4000001000005"
[edifact]
id = "4000001000005"
qualifier = "14"
[as2]
id = "{our_id}"
certificate = "{VECTORS / "cert_test.pem"}"
key = "{VECTORS / "cert_test.pem"}"
key_password_env = "{PASSWORD_ENV}"
"""
    )
    (folder / "peer.toml").write_text(
        f"""id = "peer"
name = "Interop peer"
role = "customer"
[as2]
id = "{partner_id}"
certificates = ["{VECTORS / certificate}"]
check_certificate_validity = false   # the captures are years old; the signature is what is tested
must_sign = false
"""
    )
    return folder


@pytest.fixture
def vector_station(
    make_gateway: Callable[..., Gateway], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str, str], Gateway]:
    monkeypatch.setenv(PASSWORD_ENV, "test")

    def build(our_id: str, partner_id: str, certificate: str) -> Gateway:
        return make_gateway(partners_dir=profiles(tmp_path / "partners", our_id, partner_id, certificate))

    return build


@pytest.mark.parametrize(
    ("name", "layers"),
    [
        ("mecas2_signed.as2", ["signed"]),
        ("mecas2_encrypted.as2", ["encrypted"]),
        ("mecas2_compressed.as2", ["signed", "compressed"]),
        ("mecas2_signed_encrypted.as2", ["encrypted", "signed"]),
        ("mecas2_compressed_signed_encrypted.as2", ["encrypted", "signed", "compressed"]),
    ],
)
def test_mendelson_messages_are_processed(
    vector_station: Callable[[str, str, str], Gateway], name: str, layers: list[str]
) -> None:
    gw = vector_station("pyas2lib", "mecas2", "cert_mecas2_public.pem")
    headers, body = split_http((VECTORS / name).read_bytes())
    send = {k: v for k, v in headers.items() if k not in _HOP_BY_HOP}
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=body, headers=send)
    assert response.status_code == 200
    assert _disposition(response.headers["content-type"], response.content) == "processed"
    with gw.sessions() as session:
        transmission = session.execute(select(Transmission)).scalar_one()
    assert transmission.transport["layers"] == layers
    assert b"UNH+" in gw.archive.get(transmission.sha256)


def test_sterling_signed_compressed_message_without_brackets_is_processed(
    vector_station: Callable[[str, str, str], Gateway],
) -> None:
    gw = vector_station("as2server", "SIAS2PRD", "cert_sb2bi_public.pem")
    headers, body = split_http((VECTORS / "sb2bi_signed_cmp.msg").read_bytes())
    send = {k: v for k, v in headers.items() if k not in _HOP_BY_HOP}
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=body, headers=send)
    assert _disposition(response.headers["content-type"], response.content) == "processed"
    with gw.sessions() as session:
        transmission = session.execute(select(Transmission)).scalar_one()
    assert transmission.transport["as2_message_id"] == headers["message-id"]
    assert transmission.transport["digest_algorithm"] == "sha1"
    assert gw.archive.get(transmission.sha256).startswith(b"ISA")


def test_sterling_signed_mdn_verifies() -> None:
    headers, body = split_http((VECTORS / "sb2bi_signed.mdn").read_bytes())
    trusted = load_certificates([str(VECTORS / "cert_sb2bi_public.pem")], VECTORS)
    read = read_mdn(headers["content-type"], body, trusted, ["sha1", "sha256"])
    assert read.signed and read.disposition.ok
    assert (read.mic, read.mic_algorithm) == ("wNh76aEicfBurg/et2wio4zk/2I=", "sha1")


def test_mendelson_signed_mdn_with_the_old_key_is_rejected() -> None:
    headers, body = split_http((VECTORS / "mecas2_signed.mdn").read_bytes())
    trusted = load_certificates([str(VECTORS / "cert_mecas2_public.pem")], VECTORS)
    with pytest.raises(MdnError):
        read_mdn(headers["content-type"], body, trusted, ["sha1", "sha256"])


def test_mendelson_unsigned_error_mdn_reads_as_authentication_failed() -> None:
    headers, body = split_http((VECTORS / "mecas2_unsigned.mdn").read_bytes())
    read = read_mdn(headers["content-type"], body, [])
    assert read.disposition.render() == "processed/error: authentication-failed"
    assert not read.signed


def _disposition(content_type: str, body: bytes) -> str:
    entity = parse_part(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    ctype, params = entity.content_type
    if ctype == "multipart/signed":
        entity = parse_part(split_multipart(entity.body, params["boundary"])[0])
    return read_mdn(entity.header("content-type") or "", entity.body, []).disposition.render()
