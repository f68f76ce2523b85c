"""Certificate expiry: ``GET /v1/certificates`` lists ours and every partner's, flags those ending
within 30 days, and ``edigate serve`` warns about them at start. Certificates are generated here with
validity windows relative to the test clock, and the clock is moved instead of waiting."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from gateway.channels.as2.certificates_api import warn_about_expiring_certificates
from gateway.context import Gateway
from tests.conftest import FakeClock
from tests.gateway.as2_peers.station import ACME_AS2, OUR_AS2, PemPair, install_demo_keys, new_pair
from tests.gateway.conftest import ACME_KEY

ERP = {"Authorization": "Bearer demo-erp-key"}
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one key: RSA generation is slow


def certificate(common_name: str, not_before: datetime, not_after: datetime) -> bytes:
    """A self-signed PEM certificate with an exact validity window, issued by a named test CA."""
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    built = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(issuer)
        .public_key(_KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(_KEY, hashes.SHA256())
    )
    return built.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def ours() -> PemPair:
    return new_pair(OUR_AS2)


@pytest.fixture(scope="module")
def acme() -> PemPair:
    return new_pair(ACME_AS2)


@pytest.fixture
def short_lived(gateway: Gateway, clock: FakeClock, ours: PemPair, acme: PemPair) -> bytes:
    """ACME's certificate file replaced by one that ends 40 days from the test clock's now."""
    install_demo_keys(gateway.settings.data_dir, ours, acme)
    now = clock()
    pem = certificate("ACME short-lived", now - timedelta(days=1), now + timedelta(days=40, hours=1))
    (gateway.settings.data_dir / "certs" / f"{ACME_AS2}.pem").write_bytes(pem)
    return pem


def acme_entry(client: TestClient) -> dict[str, Any]:
    response = client.get("/v1/certificates", headers=ERP)
    assert response.status_code == 200, response.text
    [entry] = [c for c in response.json()["certificates"] if c["partner"] == "acme-retail"]
    return entry


def test_lists_our_certificate_and_each_partners_with_details(
    client: TestClient, gateway: Gateway, short_lived: bytes, ours: PemPair
) -> None:
    body = client.get("/v1/certificates", headers=ERP).json()
    assert body["expiring_within_days"] == 30
    assert body["problems"] == []
    [own] = [c for c in body["certificates"] if c["partner"] is None]
    assert own["as2_id"] == OUR_AS2
    assert own["usage"] == ["signing", "encryption"]
    assert (
        own["sha256_fingerprint"]
        == hashlib.sha256(ours.cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    )
    assert own["expiring"] is False and own["current"] is True

    cert = x509.load_pem_x509_certificate(short_lived)
    entry = acme_entry(client)
    assert entry["as2_id"] == ACME_AS2
    assert entry["usage"] == ["signing", "encryption"]  # the same certificate serves both in the demo
    assert entry["subject"] == "CN=ACME short-lived"
    assert entry["issuer"] == "CN=Test CA"
    assert entry["serial"] == format(cert.serial_number, "X")
    assert entry["sha256_fingerprint"] == hashlib.sha256(short_lived_der(short_lived)).hexdigest()
    assert datetime.fromisoformat(entry["not_after"]) == cert.not_valid_after_utc
    assert datetime.fromisoformat(entry["not_before"]) == cert.not_valid_before_utc
    assert entry["days_left"] == 40
    assert entry["expired"] is False and entry["expiring"] is False


def short_lived_der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


def test_expiring_within_30_days_and_expired_follow_the_clock(
    client: TestClient, clock: FakeClock, short_lived: bytes
) -> None:
    clock.advance(days=10)  # 30 days and 1 hour left: not yet inside the window
    assert (acme_entry(client)["days_left"], acme_entry(client)["expiring"]) == (30, False)
    clock.advance(hours=2)  # 29 days and 23 hours left
    entry = acme_entry(client)
    assert (entry["days_left"], entry["expiring"], entry["expired"]) == (29, True, False)
    clock.advance(days=31)  # past not_after
    entry = acme_entry(client)
    assert entry["expired"] is True and entry["expiring"] is True and entry["days_left"] < 0


def test_separate_encryption_certificates_and_unloadable_references(
    client: TestClient, gateway: Gateway, clock: FakeClock, short_lived: bytes
) -> None:
    """A rollover file with two certificates lists both; a missing file is a problem, not a 500."""
    now = clock()
    newer = certificate("ACME next", now, now + timedelta(days=400))
    certs = gateway.settings.data_dir / "certs"
    (certs / f"{ACME_AS2}.pem").write_bytes(short_lived + newer)
    body = client.get("/v1/certificates", headers=ERP).json()
    subjects = sorted(c["subject"] for c in body["certificates"] if c["partner"] == "acme-retail")
    assert subjects == ["CN=ACME next", "CN=ACME short-lived"]

    (certs / f"{ACME_AS2}.pem").unlink()
    body = client.get("/v1/certificates", headers=ERP).json()
    assert [c for c in body["certificates"] if c["partner"] == "acme-retail"] == []
    assert {p["partner"] for p in body["problems"]} == {"acme-retail"}
    assert "cannot read" in body["problems"][0]["error"]


def test_needs_an_erp_key(client: TestClient) -> None:
    assert client.get("/v1/certificates").status_code == 401
    assert client.get("/v1/certificates", headers={"Authorization": f"Bearer {ACME_KEY}"}).status_code == 403


def test_serve_start_warns_about_expiring_certificates(
    gateway: Gateway, clock: FakeClock, short_lived: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.channels.as2.certificates_api"):
        assert warn_about_expiring_certificates(gateway) == []
        assert caplog.records == []
        clock.advance(days=20)
        [expiring] = warn_about_expiring_certificates(gateway)
    assert expiring.partner == "acme-retail"
    [record] = caplog.records
    message = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "partner acme-retail" in message and "expires in 20 day(s)" in message
    assert expiring.sha256_fingerprint in message


def test_serve_start_logs_the_warning(
    tmp_path: Path,
    ours: PemPair,
    acme: PemPair,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``edigate serve --demo`` checks once, after the demo keys exist and before uvicorn starts
    (uvicorn is stubbed). The demo keeps existing key pairs, so a short-lived ACME pair stays."""
    import uvicorn

    from gateway import cli

    data = tmp_path / "data"
    now = datetime.now(UTC)
    install_demo_keys(data, ours, acme)
    (data / "certs" / f"{ACME_AS2}.pem").write_bytes(
        certificate("ACME old", now - timedelta(days=400), now + timedelta(days=3))
    )
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: started.append(app))
    with caplog.at_level(logging.WARNING, logger="gateway.channels.as2.certificates_api"):
        assert (
            cli.main(
                [
                    "serve",
                    "--demo",
                    "--data-dir",
                    str(data),
                    "--database-url",
                    f"sqlite:///{data / 'db.sqlite'}",
                ]
            )
            == 0
        )
    assert len(started) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("partner acme-retail" in m and "CN=ACME old" in m for m in messages), messages
