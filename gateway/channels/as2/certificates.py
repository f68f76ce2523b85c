"""Certificates and key pairs named in profiles: loading, choosing during rollover, expiry, demo keys.

Profiles hold a path (relative to the data directory) or inline PEM; this module turns them into
``cryptography`` objects. Private-key passwords come from the environment variable the profile
names and are never logged or put into error messages.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gateway.channels.as2.smime import KeyPair
from partners.as2 import As2Settings, OwnAs2Settings


class CertificateError(Exception):
    """A certificate or key named in a profile cannot be loaded (the message never holds secrets)."""


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What an operator needs to see about one certificate: who, which, until when."""

    subject: str
    issuer: str
    serial: str
    sha256_fingerprint: str
    not_before: datetime
    not_after: datetime

    def days_left(self, now: datetime) -> int:
        """Whole days until ``not_after`` (negative once expired), rounded down so a certificate
        that ends in 29 days and 23 hours counts as 29: warnings err on the early side."""
        return (self.not_after - now).days


def describe(certificate: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=format(certificate.serial_number, "X"),
        sha256_fingerprint=fingerprint(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _read(value: str, base: Path) -> bytes:
    text = value.strip()
    if text.startswith("-----BEGIN "):
        return text.encode("ascii")
    path = Path(text)
    if not path.is_absolute():
        path = base / path
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read {path}: {exc.strerror}") from exc


def load_certificates(values: Sequence[str], base: Path) -> list[x509.Certificate]:
    """Every certificate in every named file or PEM block (a file may hold several)."""
    out: list[x509.Certificate] = []
    for value in values:
        data = _read(value, base)
        try:
            if b"-----BEGIN" in data:
                out += x509.load_pem_x509_certificates(data)
            else:
                out.append(x509.load_der_x509_certificate(data))
        except ValueError as exc:
            raise CertificateError(
                f"not a certificate: {value if len(value) < 200 else 'inline PEM'}"
            ) from exc
    return out


def load_key_pair(certificate: str, key: str, password_env: str | None, base: Path) -> KeyPair:
    certificates = load_certificates([certificate], base)
    password = os.environ.get(password_env, "").encode() if password_env else None
    try:
        private_key = serialization.load_pem_private_key(_read(key, base), password=password or None)
    except (ValueError, TypeError) as exc:
        # The exception text may echo key material in some backends: never pass it on.
        raise CertificateError("private key cannot be loaded (wrong format or password)") from exc
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise CertificateError("only RSA private keys are supported for AS2")
    if certificates[0].public_key().public_numbers() != private_key.public_key().public_numbers():
        raise CertificateError("the private key does not belong to the certificate")
    return KeyPair(private_key, certificates[0])


def our_key_pairs(own: OwnAs2Settings, base: Path) -> list[KeyPair]:
    """The current key pair first, then retired ones kept for decryption during rollover."""
    pairs = [load_key_pair(own.certificate, own.key, own.key_password_env, base)]
    pairs += [load_key_pair(k.certificate, k.key, k.key_password_env, base) for k in own.older_keys]
    return pairs


def signing_certificates(settings: As2Settings, base: Path, now: datetime) -> list[x509.Certificate]:
    """The partner's certificates that may verify its signatures now.

    With ``check_certificate_validity`` only certificates valid at ``now`` count; rollover works by
    listing old and new side by side.
    """
    certificates = load_certificates(settings.certificates, base)
    if not settings.check_certificate_validity:
        return certificates
    return [c for c in certificates if c.not_valid_before_utc <= now <= c.not_valid_after_utc]


def encryption_certificate(settings: As2Settings, base: Path, now: datetime) -> x509.Certificate:
    """The certificate to encrypt to: among those valid now, the one that started last."""
    certificates = load_certificates(settings.encryption_certificates or settings.certificates, base)
    valid = [c for c in certificates if c.not_valid_before_utc <= now <= c.not_valid_after_utc]
    if not valid:
        raise CertificateError(f"no encryption certificate of AS2 partner {settings.id!r} is valid now")
    return max(valid, key=lambda c: c.not_valid_before_utc)


def make_self_signed(common_name: str, *, days: int = 730, key_size: int = 2048) -> tuple[bytes, bytes]:
    """A new RSA key and self-signed certificate, both PEM (the key unencrypted): for demos and tests."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    start, end = now - timedelta(minutes=5), now + timedelta(days=days)
    if end <= start:  # an already expired certificate (tests of expiry handling)
        start = end - timedelta(days=30)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def ensure_key_pair_files(folder: Path, name: str) -> tuple[Path, Path]:
    """``<folder>/<name>.pem`` and ``<name>.key``, made once (an existing pair is kept, so a restart
    does not invalidate what partners already trust). The key file is readable by its owner only."""
    certificate_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    if not (certificate_path.exists() and key_path.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        certificate_pem, key_pem = make_self_signed(name)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key_pem)
        certificate_path.write_bytes(certificate_pem)
    return certificate_path, key_path
