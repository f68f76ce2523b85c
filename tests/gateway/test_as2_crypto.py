"""The AS2 building blocks on their own: CMS round trips and tampering, MIME splitting, MDN options."""

from __future__ import annotations

import pytest

from gateway.channels.as2 import mic
from gateway.channels.as2.mdn import Disposition, build_mdn, parse_options, read_mdn
from gateway.channels.as2.mime import canonicalize, parse_header_value, split_multipart
from gateway.channels.as2.smime import (
    ContentMismatch,
    DecryptionError,
    SignatureError,
    UnsupportedAlgorithm,
    compress,
    decompress,
    decrypt,
    encrypt,
    sign_detached,
    verify_detached,
)
from tests.gateway.as2_peers.station import PemPair, new_pair

ALL_DIGESTS = ["sha1", "sha224", "sha256", "sha384", "sha512"]
ALL_CIPHERS = ["tripledes", "aes128_cbc", "aes192_cbc", "aes256_cbc", "aes128_gcm", "aes256_gcm"]


@pytest.fixture(scope="module")
def alice() -> PemPair:
    return new_pair("ALICE")


@pytest.fixture(scope="module")
def bob() -> PemPair:
    return new_pair("BOB")


@pytest.mark.parametrize("cipher", ALL_CIPHERS)
@pytest.mark.parametrize("transport", ["rsaes_pkcs1v15", "rsaes_oaep"])
def test_encrypt_decrypt_round_trip(alice: PemPair, cipher: str, transport: str) -> None:
    der = encrypt(b"payload" * 100, alice.cert, cipher, transport)
    opened = decrypt(der, [alice.key_pair()], ALL_CIPHERS)
    assert (opened.content, opened.cipher, opened.key_transport) == (b"payload" * 100, cipher, transport)


def test_decrypt_with_the_wrong_key_fails(alice: PemPair, bob: PemPair) -> None:
    with pytest.raises(DecryptionError):
        decrypt(encrypt(b"x", alice.cert), [bob.key_pair()], ALL_CIPHERS)


def test_gcm_detects_a_flipped_ciphertext_byte(alice: PemPair) -> None:
    der = bytearray(encrypt(b"y" * 64, alice.cert, "aes128_gcm"))
    der[-40] ^= 1
    with pytest.raises(DecryptionError):
        decrypt(bytes(der), [alice.key_pair()], ALL_CIPHERS)


def test_cipher_outside_the_allow_list_is_refused(alice: PemPair) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        decrypt(encrypt(b"x", alice.cert, "tripledes"), [alice.key_pair()], ["aes256_cbc"])


@pytest.mark.parametrize("digest", ALL_DIGESTS)
@pytest.mark.parametrize("pss", [False, True])
def test_sign_verify_round_trip(alice: PemPair, digest: str, pss: bool) -> None:
    signature = sign_detached(b"content\r\n", alice.key_pair(), digest, pss=pss)
    verified = verify_detached(signature, [b"content\r\n"], [alice.cert], ALL_DIGESTS)
    assert verified.digest_algorithm == digest
    assert verified.signature_algorithm == ("rsassa_pss" if pss else "rsassa_pkcs1v15")


def test_changed_content_is_an_integrity_failure_and_a_stranger_an_authentication_failure(
    alice: PemPair, bob: PemPair
) -> None:
    signature = sign_detached(b"content", alice.key_pair())
    with pytest.raises(ContentMismatch):
        verify_detached(signature, [b"changed"], [alice.cert], ALL_DIGESTS)
    with pytest.raises(SignatureError):
        verify_detached(signature, [b"content"], [bob.cert], ALL_DIGESTS)


def test_lf_content_verifies_in_its_canonical_form(alice: PemPair) -> None:
    signature = sign_detached(b"a\r\nb\r\n", alice.key_pair())
    verified = verify_detached(signature, [b"a\nb\n", canonicalize(b"a\nb\n")], [alice.cert], ALL_DIGESTS)
    assert verified.content == b"a\r\nb\r\n"


def test_compression_round_trip_and_bomb_limit() -> None:
    assert decompress(compress(b"z" * 10_000), limit=10_000) == b"z" * 10_000
    with pytest.raises(Exception, match="exceeds the limit"):
        decompress(compress(b"z" * 10_000), limit=9_999)


def test_multipart_parts_exclude_the_crlf_before_the_delimiter() -> None:
    body = b"preamble\r\n--b\r\nA: 1\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\nepilogue"
    assert split_multipart(body, "b") == [b"A: 1\r\n\r\none", b"\r\ntwo"]


def test_header_values_with_any_spacing_and_quotes() -> None:
    assert parse_header_value('multipart/signed;protocol="a; b";MicAlg=SHA1;\tboundary="x"') == (
        "multipart/signed",
        {"protocol": "a; b", "micalg": "SHA1", "boundary": "x"},
    )


@pytest.mark.parametrize(
    ("value", "micalg", "failure"),
    [
        (
            "signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256",
            "sha256",
            None,
        ),
        (
            "signed-receipt-protocol=optional,pkcs7-signature;signed-receipt-micalg=optional,md5,SHA1",
            "sha1",
            None,
        ),
        ("signed-receipt-micalg=required, sha3-256, sha-512", "sha512", None),
        ("signed-receipt-micalg=required, sha3-256", None, "failed/Failure: unsupported MIC-algorithms"),
        ("signed-receipt-protocol=required, pgp-signature", None, "failed/Failure: unsupported format"),
    ],
)
def test_mdn_options(value: str, micalg: str | None, failure: str | None) -> None:
    options = parse_options(value)
    assert options.micalg() == micalg
    unmet = options.unsupported()
    assert (unmet.render() if unmet else None) == failure


def test_mic_names_are_compared_however_spelt() -> None:
    assert mic.same("abc", "sha-256", "abc", "SHA256")
    assert mic.rfc5751_name("sha256") == "sha-256" and mic.rfc5751_name("sha1") == "sha-1"


def test_built_mdn_reads_back_with_disposition_and_mic(alice: PemPair) -> None:
    built = build_mdn(
        original_message_id="m1@x",
        our_id="US",
        partner_id="THEM",
        disposition=Disposition.error("decryption-failed"),
        mic=("AAAA", "sha256"),
        text="no",
        signer=alice.key_pair(),
    )
    read = read_mdn(built.headers["Content-Type"], built.body, [alice.cert])
    assert read.signed and read.original_message_id == "m1@x"
    assert read.disposition.render() == "processed/error: decryption-failed"
    assert (read.mic, read.mic_algorithm) == ("AAAA", "sha256")
