"""Signed digests of the audit chain head.

The hash chain proves that nothing changed *relative to the rest of the chain*; someone with write
access to the database can still rewrite an old event and recompute every hash after it. A digest
pins the head (sequence number and hash) at a moment, signed with an Ed25519 key that is kept outside
the database, so a recomputed chain no longer matches the hash that was signed for that sequence.

The signed bytes are canonical JSON (sorted keys, no whitespace) of every field except the signature,
so an auditor can check a digest with any Ed25519 tool, not only with edigate. This module only
builds, serialises and checks digests; where they are written is ``archive/digest_folder.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DIGEST_FORMAT = "edigate-audit-digest/1"
_FIELDS = ("format", "seq", "head_hash", "event_count", "signed_at", "key_id")


class DigestFormatError(ValueError):
    """A digest file that cannot be read as a digest (not JSON, a field missing or of the wrong type)."""


@dataclass(frozen=True, slots=True)
class SignedDigest:
    seq: int
    head_hash: str
    event_count: int
    signed_at: datetime
    key_id: str
    signature: str  # base64 of the 64-byte Ed25519 signature over signed_bytes()

    def payload(self) -> dict[str, Any]:
        return {
            "format": DIGEST_FORMAT,
            "seq": self.seq,
            "head_hash": self.head_hash,
            "event_count": self.event_count,
            "signed_at": self.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "key_id": self.key_id,
        }

    def signed_bytes(self) -> bytes:
        return _canonical(self.payload())

    def to_json(self) -> bytes:
        return _canonical({**self.payload(), "signature": self.signature}) + b"\n"


def key_id(public_key: Ed25519PublicKey) -> str:
    """The fingerprint an auditor compares: SHA-256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def sign_digest(
    private_key: Ed25519PrivateKey, *, seq: int, head_hash: str, event_count: int, signed_at: datetime
) -> SignedDigest:
    unsigned = SignedDigest(seq, head_hash, event_count, signed_at, key_id(private_key.public_key()), "")
    signature = private_key.sign(unsigned.signed_bytes())
    return SignedDigest(
        seq, head_hash, event_count, signed_at, unsigned.key_id, base64.b64encode(signature).decode("ascii")
    )


def parse_digest(data: bytes) -> SignedDigest:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DigestFormatError(f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise DigestFormatError("not a JSON object")
    missing = [name for name in (*_FIELDS, "signature") if name not in document]
    if missing:
        raise DigestFormatError(f"missing field(s) {', '.join(missing)}")
    if document["format"] != DIGEST_FORMAT:
        raise DigestFormatError(f"unknown format {document['format']!r} (expected {DIGEST_FORMAT})")
    seq, count = document["seq"], document["event_count"]
    if type(seq) is not int or type(count) is not int:  # bool is an int subclass; refuse it too
        raise DigestFormatError("seq and event_count must be integers")
    texts = ("head_hash", "signed_at", "key_id", "signature")
    if not all(isinstance(document[name], str) for name in texts):
        raise DigestFormatError(f"{', '.join(texts)} must be strings")
    try:
        signed_at = datetime.fromisoformat(document["signed_at"])
    except ValueError:
        raise DigestFormatError(f"signed_at {document['signed_at']!r} is not an ISO 8601 time") from None
    if signed_at.tzinfo is None:
        raise DigestFormatError("signed_at has no time zone")
    return SignedDigest(
        seq, document["head_hash"], count, signed_at, document["key_id"], document["signature"]
    )


def signature_problem(digest: SignedDigest, public_keys: dict[str, Ed25519PublicKey]) -> str | None:
    """Why the digest's signature is not good with the trusted keys (by key id), or None when it is.

    The digest names its key but never carries it: a forger would simply embed their own."""
    public_key = public_keys.get(digest.key_id)
    if public_key is None:
        trusted = ", ".join(sorted(public_keys)) or "none"
        return f"signed by key {digest.key_id}, which is not a trusted key (trusted: {trusted})"
    try:
        signature = base64.b64decode(digest.signature, validate=True)
        public_key.verify(signature, digest.signed_bytes())
    except (binascii.Error, InvalidSignature):
        return f"signature does not verify with key {digest.key_id} (the digest was forged or altered)"
    return None


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
