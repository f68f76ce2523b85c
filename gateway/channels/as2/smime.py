"""CMS (RFC 5652) as AS2 uses it: detached signatures, enveloped and compressed data.

ASN.1 structures come from ``asn1crypto``, every cryptographic operation from ``cryptography``.
Errors are typed by what went wrong, because each maps to a different MDN disposition:
a bad signature is ``authentication-failed``, a changed content ``integrity-check-failed``, an
undecryptable envelope ``decryption-failed``, and an algorithm outside the partner's allow-list
``insufficient-message-security``.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "md5": hashes.MD5,
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_CBC_KEY_SIZES = {"tripledes_3key": 24, "aes128_cbc": 16, "aes192_cbc": 24, "aes256_cbc": 32}
_GCM_KEY_SIZES = {"aes128_gcm": 16, "aes192_gcm": 24, "aes256_gcm": 32}
# Profile names (partners/as2.py) to asn1crypto algorithm names.
CIPHER_NAMES = {
    "tripledes": "tripledes_3key",
    "aes128_cbc": "aes128_cbc",
    "aes192_cbc": "aes192_cbc",
    "aes256_cbc": "aes256_cbc",
    "aes128_gcm": "aes128_gcm",
    "aes256_gcm": "aes256_gcm",
}
PROFILE_CIPHER = {value: key for key, value in CIPHER_NAMES.items()}


class CmsError(Exception):
    """Base class: the CMS structure could not be processed."""


class SignatureError(CmsError):
    """No trusted certificate verifies the signature (→ authentication-failed)."""


class ContentMismatch(SignatureError):
    """A genuine signature over a different content digest: the content changed (→ integrity-check-failed)."""


class DecryptionError(CmsError):
    """The envelope cannot be opened with any of our keys (→ decryption-failed)."""


class UnsupportedAlgorithm(CmsError):
    """An algorithm we do not implement or the partner may not use (→ insufficient-message-security)."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"{kind} algorithm {name!r} is not accepted")
        self.kind = kind
        self.name = name


class CompressionError(CmsError):
    """Compressed data that does not inflate (→ unexpected-processing-error, decompression failed)."""


@dataclass(frozen=True, slots=True)
class KeyPair:
    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True, slots=True)
class Verified:
    digest_algorithm: str  # sha256 …
    signature_algorithm: str  # rsassa_pkcs1v15 | rsassa_pss | ecdsa
    certificate: x509.Certificate
    signed_attributes: bool
    content: bytes  # the exact bytes the signature covers


@dataclass(frozen=True, slots=True)
class Decrypted:
    content: bytes
    cipher: str  # profile name: tripledes, aes256_cbc, aes128_gcm …
    key_transport: str  # rsaes_pkcs1v15 | rsaes_oaep
    certificate: x509.Certificate  # ours, that the partner encrypted to


def content_type_of(der: bytes) -> str:
    """The CMS content type name (signed_data, enveloped_data, compressed_data …) of a ContentInfo."""
    try:
        info = cms.ContentInfo.load(der)
        return str(info["content_type"].native)
    except (ValueError, TypeError, KeyError) as exc:
        raise CmsError(f"not a CMS structure: {exc}") from exc


def hash_function(name: str) -> Callable[[], hashes.HashAlgorithm]:
    try:
        return _HASHES[name]
    except KeyError:
        raise UnsupportedAlgorithm("digest", name) from None


# ----------------------------------------------------------------------------------------- signing


def sign_detached(content: bytes, signer: KeyPair, digest: str = "sha256", *, pss: bool = False) -> bytes:
    """A detached SignedData over ``content`` with the usual signed attributes and our certificate."""
    hash_cls = hash_function(digest)
    message_digest = hashlib.new(digest, content).digest()
    signed_attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": datetime.now(UTC)})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [message_digest]}),
        ]
    )
    to_sign = signed_attrs.dump()
    if pss:
        sig_padding: asym_padding.AsymmetricPadding = asym_padding.PSS(
            mgf=asym_padding.MGF1(hash_cls()), salt_length=hash_cls().digest_size
        )
        signature_algorithm = algos.SignedDigestAlgorithm(
            {
                "algorithm": "rsassa_pss",
                "parameters": algos.RSASSAPSSParams(
                    {
                        "hash_algorithm": {"algorithm": digest},
                        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
                        "salt_length": hash_cls().digest_size,
                    }
                ),
            }
        )
    else:
        sig_padding = asym_padding.PKCS1v15()
        signature_algorithm = algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"})
    signature = signer.private_key.sign(to_sign, sig_padding, hash_cls())
    certificate = _asn1_certificate(signer.certificate)
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": signature_algorithm,
            "signature": signature,
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": digest})],
            "encap_content_info": {"content_type": "data"},
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def verify_detached(
    signature_der: bytes,
    candidates: Sequence[bytes],
    trusted: Sequence[x509.Certificate],
    allowed_digests: Sequence[str],
) -> Verified:
    """Verify a detached signature over the first of ``candidates`` it fits.

    ``candidates`` are renderings of the same signed entity (as received, CRLF-canonicalized …):
    senders differ in what they sign, and a content that fits none of them was changed in transit.
    Only ``trusted`` certificates count; certificates carried inside the signature are ignored,
    since anyone can put any certificate there.
    """
    signed_data = _signed_data(signature_der)
    return _verify(signed_data, list(candidates), trusted, allowed_digests)


def verify_attached(
    der: bytes, trusted: Sequence[x509.Certificate], allowed_digests: Sequence[str]
) -> Verified:
    """Verify opaque signed data (``smime-type=signed-data``) and return it with its content."""
    signed_data = _signed_data(der)
    content = signed_data["encap_content_info"]["content"]
    if content is None or isinstance(content, core.Void):
        raise SignatureError("signed-data carries no content and no detached content was given")
    return _verify(signed_data, [bytes(content.native)], trusted, allowed_digests)


def _signed_data(der: bytes) -> cms.SignedData:
    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise SignatureError(f"expected signed-data, got {info['content_type'].native}")
        signed_data = info["content"]
        signed_data["signer_infos"].native  # noqa: B018 - parse eagerly so garbage fails here
        return signed_data
    except SignatureError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise SignatureError(f"signature is not a valid CMS signed-data structure: {exc}") from exc


def _verify(
    signed_data: cms.SignedData,
    candidates: list[bytes],
    trusted: Sequence[x509.Certificate],
    allowed_digests: Sequence[str],
) -> Verified:
    signer_infos = list(signed_data["signer_infos"])
    if not signer_infos:
        raise SignatureError("signed-data has no signer")
    problems: list[str] = []
    digest_ok_but_sig_bad = False
    for signer in signer_infos:
        digest = str(signer["digest_algorithm"]["algorithm"].native)
        if digest not in allowed_digests:
            raise UnsupportedAlgorithm("digest", digest)
        hash_cls = hash_function(digest)
        sig_algo = signer["signature_algorithm"]
        try:
            sig_name = str(sig_algo.signature_algo)
        except ValueError as exc:
            raise UnsupportedAlgorithm("signature", str(sig_algo["algorithm"].native)) from exc
        signature = signer["signature"].native
        attrs = signer["signed_attrs"]
        has_attrs = bool(attrs) and not isinstance(attrs, core.Void) and len(attrs) > 0
        if has_attrs:
            expected = _attribute(attrs, "message_digest")
            matching = [c for c in candidates if hashlib.new(digest, c).digest() == expected]
            # DER of the attributes with the SET OF tag, as RFC 5652 §5.4 says they are signed.
            signed_bytes = [b"\x31" + attrs.dump()[1:]]
        else:
            matching = candidates
            signed_bytes = []
        for certificate in _ordered(trusted, signer["sid"]):
            key = certificate.public_key()
            targets = signed_bytes if has_attrs else matching
            for target in targets:
                try:
                    _check_signature(key, sig_name, sig_algo, signature, target, hash_cls)
                except InvalidSignature:
                    continue
                except (TypeError, ValueError) as exc:
                    problems.append(str(exc))
                    continue
                if has_attrs and not matching:
                    digest_ok_but_sig_bad = True
                    continue
                return Verified(
                    digest, sig_name, certificate, has_attrs, matching[0] if has_attrs else target
                )
        problems.append(f"no trusted certificate verifies the {digest}/{sig_name} signature")
    if digest_ok_but_sig_bad:
        raise ContentMismatch("the signature is valid but the signed content does not match its digest")
    raise SignatureError("; ".join(problems))


def _check_signature(
    key: object,
    sig_name: str,
    sig_algo: algos.SignedDigestAlgorithm,
    signature: bytes,
    data: bytes,
    hash_cls: Callable[[], hashes.HashAlgorithm],
) -> None:
    if isinstance(key, rsa.RSAPublicKey):
        if sig_name == "rsassa_pss":
            params = sig_algo["parameters"]
            if isinstance(params, core.Void) or params.native is None:
                # Absent parameters mean the RFC 4055 defaults (SHA-1, MGF1-SHA-1, 20 bytes of salt), but
                # oscrypto-based senders (pyas2lib) omit them and use the signer's digest and the longest
                # salt. Using the digest the signer names covers both; the salt length is read.
                pss_hash = mgf_hash = hash_cls
                salt: Any = asym_padding.PSS.AUTO
            else:
                pss_hash = hash_function(str(params["hash_algorithm"]["algorithm"].native))
                mgf_hash = hash_function(str(params["mask_gen_algorithm"]["parameters"]["algorithm"].native))
                salt = params["salt_length"].native
            key.verify(
                signature,
                data,
                asym_padding.PSS(mgf=asym_padding.MGF1(mgf_hash()), salt_length=salt),
                pss_hash(),
            )
            return
        if sig_name != "rsassa_pkcs1v15":
            raise InvalidSignature()
        key.verify(signature, data, asym_padding.PKCS1v15(), hash_cls())
        return
    if isinstance(key, ec.EllipticCurvePublicKey) and sig_name == "ecdsa":
        key.verify(signature, data, ec.ECDSA(hash_cls()))
        return
    raise InvalidSignature()


def _attribute(attrs: cms.CMSAttributes, name: str) -> bytes | None:
    for attr in attrs:
        if attr["type"].native == name:
            return bytes(attr["values"][0].native)
    return None


def _ordered(trusted: Sequence[x509.Certificate], sid: cms.SignerIdentifier) -> list[x509.Certificate]:
    """The certificate the signer names first, then the others (a mislabelled sid still verifies)."""

    def named(certificate: x509.Certificate) -> bool:
        try:
            if sid.name == "issuer_and_serial_number":
                return certificate.serial_number == sid.chosen["serial_number"].native
            ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            return ski == sid.chosen.native
        except (x509.ExtensionNotFound, ValueError):
            return False

    return sorted(trusted, key=lambda c: not named(c))


# -------------------------------------------------------------------------------------- encryption


def encrypt(
    content: bytes,
    recipient: x509.Certificate,
    cipher: str = "aes256_cbc",
    key_transport: str = "rsaes_pkcs1v15",
) -> bytes:
    """EnvelopedData (CBC) or AuthEnvelopedData (GCM, RFC 5083/5084) for one RSA recipient."""
    name = CIPHER_NAMES.get(cipher, cipher)
    public_key = recipient.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise UnsupportedAlgorithm("key transport", type(public_key).__name__)
    if key_transport == "rsaes_oaep":
        wrap_padding: asym_padding.AsymmetricPadding = asym_padding.OAEP(
            mgf=asym_padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        )
        key_algorithm = cms.KeyEncryptionAlgorithm(
            {
                "algorithm": "rsaes_oaep",
                "parameters": algos.RSAESOAEPParams(
                    {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
                    }
                ),
            }
        )
    else:
        wrap_padding = asym_padding.PKCS1v15()
        key_algorithm = cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_pkcs1v15"})
    certificate = _asn1_certificate(recipient)
    if name in _GCM_KEY_SIZES:
        key = os.urandom(_GCM_KEY_SIZES[name])
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, content, None)
        ciphertext, tag = sealed[:-16], sealed[-16:]
        algorithm = algos.EncryptionAlgorithm(
            {"algorithm": name, "parameters": _GcmParameters({"nonce": nonce, "icv_len": 16})}
        )
    elif name in _CBC_KEY_SIZES:
        key = os.urandom(_CBC_KEY_SIZES[name])
        block = 8 if name == "tripledes_3key" else 16
        iv = os.urandom(block)
        padder = padding.PKCS7(block * 8).padder()
        padded = padder.update(content) + padder.finalize()
        encryptor = Cipher(_block_cipher(name, key), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        algorithm = algos.EncryptionAlgorithm({"algorithm": name, "parameters": iv})
        tag = b""
    else:
        raise UnsupportedAlgorithm("content encryption", cipher)
    recipient_info = cms.RecipientInfo(
        name="ktri",
        value=cms.KeyTransRecipientInfo(
            {
                "version": "v0",
                "rid": cms.RecipientIdentifier(
                    name="issuer_and_serial_number",
                    value=cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    ),
                ),
                "key_encryption_algorithm": key_algorithm,
                "encrypted_key": public_key.encrypt(key, wrap_padding),
            }
        ),
    )
    encrypted_info = cms.EncryptedContentInfo(
        {"content_type": "data", "content_encryption_algorithm": algorithm, "encrypted_content": ciphertext}
    )
    if tag:
        auth = cms.AuthEnvelopedData(
            {
                "version": "v0",
                "recipient_infos": [recipient_info],
                "auth_encrypted_content_info": encrypted_info,
                "mac": tag,
            }
        )
        return cms.ContentInfo({"content_type": "authenticated_enveloped_data", "content": auth}).dump()
    enveloped = cms.EnvelopedData(
        {"version": "v0", "recipient_infos": [recipient_info], "encrypted_content_info": encrypted_info}
    )
    return cms.ContentInfo({"content_type": "enveloped_data", "content": enveloped}).dump()


def decrypt(der: bytes, keys: Sequence[KeyPair], allowed_ciphers: Sequence[str]) -> Decrypted:
    """Open EnvelopedData or AuthEnvelopedData addressed to one of ``keys``.

    The recipient the envelope names is tried first. RSA PKCS#1 v1.5 unwrapping does not reliably
    report a wrong key (OpenSSL's implicit rejection returns random bytes instead), so the content
    decryption's padding or tag check is what finally decides whether a key was the right one.
    """
    try:
        info = cms.ContentInfo.load(der)
        kind = info["content_type"].native
        envelope = info["content"]
        if kind == "enveloped_data":
            encrypted = envelope["encrypted_content_info"]
            tag = b""
        elif kind == "authenticated_enveloped_data":
            encrypted = envelope["auth_encrypted_content_info"]
            tag = envelope["mac"].native
        else:
            raise DecryptionError(f"expected enveloped-data, got {kind}")
        algorithm = encrypted["content_encryption_algorithm"]
        cipher_name = str(algorithm["algorithm"].native)
        ciphertext = encrypted["encrypted_content"].native
        recipients = list(envelope["recipient_infos"])
    except DecryptionError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise DecryptionError(f"not a valid CMS enveloped-data structure: {exc}") from exc
    if not ciphertext:
        raise DecryptionError("the envelope has no encrypted content")
    profile_name = PROFILE_CIPHER.get(cipher_name, cipher_name)
    if profile_name not in allowed_ciphers:
        raise UnsupportedAlgorithm("content encryption", profile_name)
    attempts: list[tuple[KeyPair, cms.KeyTransRecipientInfo]] = []
    for recipient in recipients:
        if recipient.name != "ktri":
            continue
        info_ktri = recipient.chosen
        named = [k for k in keys if _is_recipient(info_ktri["rid"], k.certificate)]
        attempts += [(k, info_ktri) for k in named]
    if not attempts:  # a recipient identifier we do not recognise: try every key on every recipient
        attempts = [(k, r.chosen) for r in recipients if r.name == "ktri" for k in keys]
    if not attempts:
        raise DecryptionError("the envelope has no RSA key-transport recipient")
    for key_pair, ktri in attempts:
        transport = str(ktri["key_encryption_algorithm"]["algorithm"].native)
        try:
            content_key = key_pair.private_key.decrypt(
                ktri["encrypted_key"].native, _unwrap_padding(ktri["key_encryption_algorithm"])
            )
            content = _decrypt_content(cipher_name, algorithm, content_key, ciphertext, tag)
        except UnsupportedAlgorithm:
            raise
        except (ValueError, TypeError, InvalidTag):
            continue
        return Decrypted(content, profile_name, transport, key_pair.certificate)
    raise DecryptionError("none of our keys opens the envelope (wrong certificate or damaged ciphertext)")


def _unwrap_padding(algorithm: cms.KeyEncryptionAlgorithm) -> asym_padding.AsymmetricPadding:
    name = algorithm["algorithm"].native
    if name == "rsaes_pkcs1v15":
        return asym_padding.PKCS1v15()
    if name == "rsaes_oaep":
        params = algorithm["parameters"]
        # RFC 4055 defaults are SHA-1 for both; libas2 sends SHA-512 (explicit parameters).
        digest = "sha1"
        mgf_digest = "sha1"
        if params is not None and not isinstance(params, core.Void) and params.native:
            digest = str(params["hash_algorithm"]["algorithm"].native)
            mgf_digest = str(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            label = params["p_source_algorithm"]["parameters"].native or None
        else:
            label = None
        return asym_padding.OAEP(
            mgf=asym_padding.MGF1(hash_function(mgf_digest)()), algorithm=hash_function(digest)(), label=label
        )
    raise UnsupportedAlgorithm("key transport", str(name))


def _decrypt_content(
    name: str, algorithm: algos.EncryptionAlgorithm, key: bytes, ciphertext: bytes, tag: bytes
) -> bytes:
    if name in _CBC_KEY_SIZES:
        if len(key) != _CBC_KEY_SIZES[name]:
            raise ValueError("content key has the wrong length")
        iv = algorithm["parameters"].native
        block = 8 if name == "tripledes_3key" else 16
        decryptor = Cipher(_block_cipher(name, key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(block * 8).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    if name in _GCM_KEY_SIZES:
        if len(key) != _GCM_KEY_SIZES[name]:
            raise ValueError("content key has the wrong length")
        nonce = _gcm_nonce(algorithm["parameters"])
        if not tag:  # EnvelopedData with GCM (libas2): the tag travels at the end of the ciphertext
            return AESGCM(key).decrypt(nonce, ciphertext, None)
        return AESGCM(key).decrypt(nonce, ciphertext + tag, None)
    raise UnsupportedAlgorithm("content encryption", PROFILE_CIPHER.get(name, name))


class _GcmParameters(core.Sequence):
    """GCMParameters (RFC 5084 §3.2); asn1crypto has no spec for the GCM algorithm parameters."""

    _fields = [("nonce", core.OctetString), ("icv_len", core.Integer, {"default": 12})]  # noqa: RUF012


def _gcm_nonce(parameters: core.Asn1Value) -> bytes:
    raw = parameters.dump()
    if raw[:1] == b"\x04":  # a bare OCTET STRING IV (libas2)
        return bytes(core.OctetString.load(raw).native)
    return bytes(_GcmParameters.load(raw)["nonce"].native)


def _block_cipher(name: str, key: bytes) -> algorithms.AES | TripleDES:
    return TripleDES(key) if name == "tripledes_3key" else algorithms.AES(key)


def _is_recipient(rid: cms.RecipientIdentifier, certificate: x509.Certificate) -> bool:
    try:
        if rid.name == "issuer_and_serial_number":
            return certificate.serial_number == rid.chosen["serial_number"].native
        ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        return ski == rid.chosen.native
    except (x509.ExtensionNotFound, ValueError):
        return False


# ------------------------------------------------------------------------------------- compression


def compress(content: bytes) -> bytes:
    """CompressedData with zlib (RFC 3274), as RFC 5402 prescribes for AS2."""
    compressed = cms.CompressedData(
        {
            "version": "v0",
            "compression_algorithm": {"algorithm": "zlib"},
            "encap_content_info": {"content_type": "data", "content": zlib.compress(content)},
        }
    )
    return cms.ContentInfo({"content_type": "compressed_data", "content": compressed}).dump()


def decompress(der: bytes, limit: int) -> bytes:
    """Inflate CompressedData, refusing output beyond ``limit`` bytes (a zip bomb costs nothing to send)."""
    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "compressed_data":
            raise CompressionError(f"expected compressed-data, got {info['content_type'].native}")
        data = info["content"]["encap_content_info"]["content"].native
    except CompressionError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise CompressionError(f"not a valid CMS compressed-data structure: {exc}") from exc
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise CompressionError(f"zlib data is damaged: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise CompressionError(f"decompressed content exceeds the limit of {limit} bytes")
    return out


# ---------------------------------------------------------------------------------------- helpers


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
