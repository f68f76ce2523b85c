"""A second independent AS2 peer with a different crypto stack: libas2 (npm, on pkijs/WebCrypto).

libas2 composes a signed and encrypted message as ACME and POSTs it to a real edigate over loopback
HTTP; it then parses and verifies edigate's MDN with its own code. libas2 always wraps the content
key with RSAES-OAEP using SHA-512 (pkijs' default; libas2 offers no choice), which edigate must accept.
The MIC is checked against the digest libas2 itself signed, so neither side's MIC code grades itself.

The peer is installed with ``npm install`` into a temporary folder per test session from
``as2_peers/node/package.json`` (libas2 pinned, pkijs overridden to 2.1.90 because later pkijs releases
break libas2's signing). Without node/npm or without access to the npm registry the tests skip.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from sqlalchemy import select

from gateway.context import Gateway
from gateway.database.models import Transmission
from tests.gateway.as2_peers.station import (
    ACME_AS2,
    OUR_AS2,
    PAYLOAD,
    PemPair,
    as2_app,
    install_demo_keys,
    new_pair,
    serve,
)

PEER_SOURCE = Path(__file__).parent / "as2_peers" / "node"
NPM_TIMEOUT = 300


@pytest.fixture(scope="session")
def libas2_peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding send.js with libas2 installed next to it, or a skip saying why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("libas2 peer needs Node.js and npm on PATH; not found")
    folder = tmp_path_factory.mktemp("libas2-peer")
    for name in ("package.json", "send.js"):
        shutil.copy(PEER_SOURCE / name, folder / name)
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install libas2 did not finish within {NPM_TIMEOUT}s (no npm registry access?)")
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-3:]
        pytest.skip(f"npm install libas2 failed (exit {done.returncode}): {' | '.join(last)}")
    return folder


@pytest.fixture(scope="module")
def ours() -> PemPair:
    return new_pair(OUR_AS2)


@pytest.fixture(scope="module")
def acme() -> PemPair:
    return new_pair(ACME_AS2)


def send_with_libas2(
    peer: Path, url: str, ours: PemPair, acme: PemPair, digest: str, cipher: str | None, tmp_path: Path
) -> dict[str, Any]:
    config = {
        "url": url,
        "from": ACME_AS2,
        "to": OUR_AS2,
        "acmeCertificate": acme.certificate.decode(),
        "acmeKey": acme.key.decode(),
        "ourCertificate": ours.certificate.decode(),
        "ourKey": ours.key.decode(),
        "payloadBase64": base64.b64encode(PAYLOAD).decode(),
        "digest": digest,
        "cipher": cipher,
    }
    config_path = tmp_path / "libas2.json"
    config_path.write_text(json.dumps(config))
    done = subprocess.run(
        ["node", str(peer / "send.js"), str(config_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"libas2 peer failed:\n{done.stderr}\n{done.stdout[:2000]}"
    return json.loads(done.stdout)


def key_transport_of(body: bytes) -> tuple[str, str]:
    """The key-encryption algorithm and its OAEP hash, read from the envelope with asn1crypto."""
    data = body if body[:1] == b"\x30" else base64.b64decode(body)
    envelope = cms.ContentInfo.load(data)["content"]
    algorithm = envelope["recipient_infos"][0].chosen["key_encryption_algorithm"]
    name = algorithm["algorithm"].native
    hash_name = algorithm["parameters"]["hash_algorithm"]["algorithm"].native if name == "rsaes_oaep" else ""
    return name, hash_name


@pytest.mark.parametrize(
    ("digest", "cipher"),
    [
        ("sha-256", "aes256-CBC"),
        ("sha-512", "des-EDE3-CBC"),
        ("sha-1", "aes128-CBC"),
        ("sha-384", "aes256-GCM"),
        ("sha-256", None),
    ],
)
def test_libas2_message_gets_a_signed_processed_mdn_with_the_right_mic(
    libas2_peer: Path,
    gateway: Gateway,
    drain: Callable[[Gateway], int],
    ours: PemPair,
    acme: PemPair,
    tmp_path: Path,
    digest: str,
    cipher: str | None,
) -> None:
    install_demo_keys(gateway.settings.data_dir, ours, acme)
    with serve(as2_app(gateway)) as base:
        result = send_with_libas2(libas2_peer, base + "/as2", ours, acme, digest, cipher, tmp_path)

    assert result["status"] == 200, base64.b64decode(result["responseBodyBase64"])[:500]
    assert result["mdnSigned"] is True and result["mdnVerified"] is True
    assert result["originalMessageId"] == result["messageId"]
    assert result["disposition"]["processed"] is True
    assert "description" not in result["disposition"], result["disposition"]
    expected, received = result["expectedMic"], result["receivedContentMic"]
    assert received["mic"] == expected["mic"]
    assert len(base64.b64decode(received["mic"])) == {"1": 20, "256": 32, "384": 48, "512": 64}[digest[4:]]
    assert received["algorithm"].replace("-", "") == digest.replace("-", "")

    if cipher is not None:
        assert key_transport_of(base64.b64decode(result["requestBodyBase64"])) == ("rsaes_oaep", "sha512")
    assert drain(gateway) >= 1  # the payload entered the pipeline
    with gateway.sessions() as session:
        transmission = session.execute(select(Transmission)).scalar_one()
        assert transmission.transport["mic"].startswith(received["mic"])
        assert gateway.archive.get(transmission.sha256) == PAYLOAD


def test_libas2_message_signed_by_an_untrusted_key_gets_a_verifiable_authentication_failed_mdn(
    libas2_peer: Path, gateway: Gateway, ours: PemPair, acme: PemPair, tmp_path: Path
) -> None:
    install_demo_keys(gateway.settings.data_dir, ours, acme)
    stranger = new_pair(ACME_AS2)  # same name, different key: edigate trusts only acme's certificate
    with serve(as2_app(gateway)) as base:
        result = send_with_libas2(
            libas2_peer, base + "/as2", ours, stranger, "sha-256", "aes256-CBC", tmp_path
        )
    assert result["status"] == 200
    assert result["mdnVerified"] is True
    assert result["disposition"]["processed"] is True
    # libas2 splits "processed/error: authentication-failed" only at "/" and keeps the modifier and its
    # text together in ``type`` (its ``text`` stays empty), so compare the two joined.
    description = result["disposition"]["description"]
    joined = description["type"] + (f": {description['text']}" if description.get("text") else "")
    assert joined == "error: authentication-failed"
