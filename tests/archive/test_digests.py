"""The signed digest format: what is signed, how it is read back, what is refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archive.digest_folder import DigestFolder
from archive.digests import DigestFormatError, key_id, parse_digest, sign_digest, signature_problem

SIGNED_AT = datetime(2026, 11, 27, 3, 0, 0, 123456, tzinfo=UTC)


def _digest(key: Ed25519PrivateKey, seq: int = 42):
    return sign_digest(key, seq=seq, head_hash="ab" * 32, event_count=seq, signed_at=SIGNED_AT)


def test_digest_round_trips_and_verifies_with_its_key():
    key = Ed25519PrivateKey.generate()
    digest = _digest(key)
    assert parse_digest(digest.to_json()) == digest
    assert signature_problem(digest, {key_id(key.public_key()): key.public_key()}) is None


def test_signed_bytes_are_canonical_json_any_ed25519_tool_can_check():
    key = Ed25519PrivateKey.generate()
    digest = _digest(key)
    document = json.loads(digest.to_json())
    signature = base64.b64decode(document.pop("signature"))
    assert json.dumps(document, sort_keys=True, separators=(",", ":")).encode() == digest.signed_bytes()
    key.public_key().verify(signature, digest.signed_bytes())  # raises when it does not verify


def test_signing_time_is_normalised_to_utc():
    key = Ed25519PrivateKey.generate()
    local = SIGNED_AT.astimezone(timezone(timedelta(hours=2)))
    digest = sign_digest(key, seq=1, head_hash="cd" * 32, event_count=1, signed_at=local)
    assert json.loads(digest.to_json())["signed_at"] == "2026-11-27T03:00:00.123456+00:00"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(seq=True), "seq and event_count must be integers"),
        (lambda d: d.pop("key_id"), "missing field(s) key_id"),
        (lambda d: d.update(format="other/9"), "unknown format"),
        (lambda d: d.update(signed_at="2026-11-27T03:00:00"), "signed_at has no time zone"),
        (lambda d: d.update(signed_at="yesterday"), "is not an ISO 8601 time"),
    ],
)
def test_malformed_digest_is_refused_with_the_reason(change, message):
    document = json.loads(_digest(Ed25519PrivateKey.generate()).to_json())
    change(document)
    with pytest.raises(DigestFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_digest(json.dumps(document).encode())


def test_signature_that_is_not_base64_is_a_bad_signature_not_a_crash():
    key = Ed25519PrivateKey.generate()
    document = json.loads(_digest(key).to_json())
    document["signature"] = "not base64!"
    problem = signature_problem(
        parse_digest(json.dumps(document).encode()), {key_id(key.public_key()): key.public_key()}
    )
    assert problem is not None and "does not verify" in problem


def test_folder_lists_oldest_first_and_never_overwrites(tmp_path):
    key = Ed25519PrivateKey.generate()
    folder = DigestFolder(tmp_path)
    later = sign_digest(
        key, seq=50, head_hash="ef" * 32, event_count=50, signed_at=SIGNED_AT + timedelta(days=1)
    )
    paths = [folder.write(later), folder.write(_digest(key))]
    assert folder.paths() == paths[::-1]
    assert folder.newest().digest == later
    with pytest.raises(FileExistsError):
        folder.write(later)
    assert not list(folder.root.glob(".incoming-*"))
