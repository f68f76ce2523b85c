"""REST API keys are stored as SHA-256 hex digests and compared in constant time."""

import hashlib

import pytest

from partners.apikey import generate_api_key, hash_api_key, key_matches

DEMO_ACME_HASH = "a2fb8545fcd457204e9fee11be92013aa3240b1b146fe262ba608fdfc159041c"


def test_hash_api_key_is_lowercase_hex_sha256_of_utf8_key():
    assert hash_api_key("demo-acme-key") == DEMO_ACME_HASH
    assert hash_api_key("schlüssel") == hashlib.sha256("schlüssel".encode()).hexdigest()


def test_hash_api_key_refuses_empty_key():
    with pytest.raises(ValueError):
        hash_api_key("")


def test_key_matches_any_of_several_hashes_to_allow_rotation():
    old, new = hash_api_key("old-key"), hash_api_key("new-key")
    assert key_matches("old-key", [old, new])
    assert key_matches("new-key", [old, new])


def test_key_matches_rejects_unknown_key():
    assert not key_matches("wrong-key", [DEMO_ACME_HASH])


def test_key_matches_rejects_empty_key_and_empty_hash_list():
    assert not key_matches("", [hash_api_key("x")])
    assert not key_matches("demo-acme-key", [])


def test_key_matches_never_accepts_the_hash_itself_as_key():
    assert not key_matches(DEMO_ACME_HASH, [DEMO_ACME_HASH])


def test_generate_api_key_gives_distinct_high_entropy_tokens():
    keys = {generate_api_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(key) >= 43 for key in keys)  # 32 random bytes, base64url
