"""Signing the audit chain head: on demand (``edigate audit sign``) and once a day as a duty.

The private key lives in a file, never in the database, so write access to the database is not
enough to forge a digest. Its public key is written beside it (``.pub``, PEM) for auditors.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select

from archive.digest_folder import DigestFolder
from archive.digests import key_id, sign_digest
from archive.durable_write import write_durably
from gateway.config import Settings
from gateway.context import Gateway
from gateway.database.models import AuditEvent, AuditHead

log = logging.getLogger(__name__)

DIGEST_INTERVAL = timedelta(hours=24)


class SigningError(Exception):
    """No digest can be signed: the key is unusable or there is nothing to sign."""


def digest_folder(settings: Settings) -> DigestFolder:
    return DigestFolder(settings.resolved_archive_dir())


def public_key_path(key_path: Path) -> Path:
    return key_path.with_suffix(".pub")


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The signing key, created (mode 0600) on first use; the ``.pub`` beside it is re-exported
    whenever it is missing."""
    if not path.exists():
        _create_key(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"audit signing key {path} cannot be loaded: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"audit signing key {path} is not an Ed25519 private key")
    public = public_key_path(path)
    if not public.exists():
        write_durably(public, _public_pem(key.public_key()))
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningError(f"public key {path} cannot be loaded: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"public key {path} is not an Ed25519 public key")
    return key


def trusted_keys(settings: Settings, public_keys: Sequence[Path] = ()) -> dict[str, Ed25519PublicKey]:
    """The keys digests are checked with, by key id: the ones named (an auditor's copies, or the
    keys before a rotation), else the configured key. Never creates a key."""
    if public_keys:
        keys = [load_public_key(path) for path in public_keys]
    else:
        private = settings.resolved_audit_signing_key()
        public = public_key_path(private)
        if private.exists():
            keys = [load_signing_key(private).public_key()]
        elif public.exists():
            keys = [load_public_key(public)]
        else:
            keys = []
    return {key_id(key): key for key in keys}


def sign_now(gw: Gateway) -> Path:
    """Sign the current chain head and write the digest into the archive's digests folder."""
    with gw.sessions() as session:
        head = session.get(AuditHead, 1)
        if head is None or head.last_seq == 0:
            raise SigningError("the audit trail is empty; there is nothing to sign yet")
        seq, head_hash = head.last_seq, head.last_hash
        count = session.execute(select(func.count()).where(AuditEvent.seq <= seq)).scalar_one()
    digest = sign_digest(
        load_signing_key(gw.settings.resolved_audit_signing_key()),
        seq=seq,
        head_hash=head_hash,
        event_count=count,
        signed_at=gw.clock(),
    )
    path = digest_folder(gw.settings).write(digest)
    log.info("audit digest signed: event %s, head %s, %s", seq, head_hash, path)
    return path


def sign_if_due(gw: Gateway) -> Path | None:
    """The daily digest: signs when the newest one is older than a day and the chain has grown since.

    Cheap when nothing is due (one folder listing), so an idle worker may call it on every poll.
    Nodes sharing a PostgreSQL database sign only with a key configured for all of them: a key each
    node made for itself would leave every other node's digests untrusted."""
    if not gw.settings.is_sqlite and gw.settings.audit_signing_key is None:
        return None
    newest = digest_folder(gw.settings).newest()
    last = newest.digest if newest is not None else None
    if last is not None and gw.clock() - last.signed_at < DIGEST_INTERVAL:
        return None
    with gw.sessions() as session:
        head = session.get(AuditHead, 1)
        head_seq = head.last_seq if head is not None else 0
    if head_seq == 0 or (last is not None and head_seq <= last.seq):
        return None
    return sign_now(gw)


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        write_durably(path, pem, mode=0o600, replace=False)
    except FileExistsError:
        return  # another process created it first; theirs is the key
    write_durably(public_key_path(path), _public_pem(key.public_key()))
    log.info("audit signing key created: %s (public key %s)", path, public_key_path(path))


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
