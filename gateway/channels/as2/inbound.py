"""Opening one received AS2 message: decrypt, verify, decompress, apply policy, compute the MIC.

Pure with respect to storage: given the request and the keys, it returns what was inside and what
the MDN must say. Layers are peeled in whatever order the sender used (RFC 5402 allows compression
before or after signing), and each failure is reported as the disposition RFC 4130 §7.5.3 and
common practice give it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from gateway.channels.as2 import mic as mic_names
from gateway.channels.as2.certificates import fingerprint
from gateway.channels.as2.mdn import Disposition
from gateway.channels.as2.mime import (
    MimeError,
    MimePart,
    build_part,
    canonicalize,
    canonicalize_headers,
    parse_entity_or_content,
    parse_part,
    split_multipart,
)
from gateway.channels.as2.smime import (
    CmsError,
    CompressionError,
    ContentMismatch,
    DecryptionError,
    KeyPair,
    SignatureError,
    UnsupportedAlgorithm,
    content_type_of,
    decompress,
    decrypt,
    verify_attached,
    verify_detached,
)
from partners.as2 import As2Settings

_PKCS7_MIME = ("application/pkcs7-mime", "application/x-pkcs7-mime")
_MAX_LAYERS = 8


class As2Rejection(Exception):
    """The message cannot be accepted; ``disposition`` is what the MDN says, ``reason`` the detail."""

    def __init__(self, disposition: Disposition, reason: str, facts: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.disposition = disposition
        self.reason = reason
        self.facts = facts or {}


@dataclass
class Opened:
    """The payload and everything learnt on the way to it (all of it goes to the audit trail)."""

    payload: MimePart
    mic_content: bytes
    signed: bool = False
    encrypted: bool = False
    compressed: bool = False
    layers: list[str] = field(default_factory=list)
    digest_algorithm: str | None = None
    signature_algorithm: str | None = None
    signer: x509.Certificate | None = None
    cipher: str | None = None
    key_transport: str | None = None
    decrypted_mime: bytes | None = None

    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "signed": self.signed,
            "encrypted": self.encrypted,
            "compressed": self.compressed,
            "layers": self.layers,
            "digest_algorithm": self.digest_algorithm,
            "signature_algorithm": self.signature_algorithm,
            "cipher": self.cipher,
            "key_transport": self.key_transport,
        }
        if self.signer is not None:
            facts["signer_serial"] = format(self.signer.serial_number, "X")
            facts["signer_sha256"] = fingerprint(self.signer)
        return facts


def open_message(
    outer: MimePart,
    *,
    settings: As2Settings,
    trusted: Sequence[x509.Certificate],
    keys: Sequence[KeyPair],
    max_size: int,
) -> Opened:
    """Peel the layers of ``outer`` (the HTTP body with the HTTP Content-Type as its header).

    The MIC follows RFC 4130 §7.3.1 and RFC 5402 §4: over the signed entity exactly as verified when
    signed (with compress-before-sign, the compressed entity); otherwise over the innermost entity
    with its MIME headers when encrypted or compressed; otherwise over the body alone.
    """
    opened = Opened(payload=outer, mic_content=outer.body)
    part = outer
    try:
        for _ in range(_MAX_LAYERS):
            ctype, params = part.content_type
            if ctype in _PKCS7_MIME:
                der = part.decoded_body()
                kind = content_type_of(der)  # the CMS type decides, not smime-type or the part name
                if kind in ("enveloped_data", "authenticated_enveloped_data"):
                    result = decrypt(der, keys, settings.allowed_ciphers)
                    opened.encrypted = True
                    opened.cipher, opened.key_transport = result.cipher, result.key_transport
                    opened.decrypted_mime = result.content
                    opened.layers.append("encrypted")
                    part = parse_entity_or_content(result.content)
                elif kind == "compressed_data":
                    inflated = decompress(der, max_size)
                    opened.compressed = True
                    opened.layers.append("compressed")
                    part = parse_entity_or_content(inflated)
                elif kind == "signed_data":
                    verified = verify_attached(der, trusted, settings.allowed_digests)
                    _signed(
                        opened, verified.digest_algorithm, verified.signature_algorithm, verified.certificate
                    )
                    opened.mic_content = verified.content
                    part = parse_part(verified.content)
                else:
                    raise As2Rejection(
                        Disposition.error("unexpected-processing-error"), f"unsupported CMS content {kind}"
                    )
                if not opened.signed:
                    opened.mic_content = canonicalize_headers(part.raw) if part.headers else part.raw
                continue
            if ctype == "multipart/signed":
                parts = split_multipart(part.body, params.get("boundary", ""))
                if len(parts) < 2:
                    raise As2Rejection(
                        Disposition.error("authentication-failed"), "multipart/signed without signature part"
                    )
                signature = parse_part(parts[1]).decoded_body()
                verified = verify_detached(
                    signature, _renderings(parts[0]), trusted, settings.allowed_digests
                )
                _signed(opened, verified.digest_algorithm, verified.signature_algorithm, verified.certificate)
                opened.mic_content = verified.content
                part = parse_part(verified.content)
                continue
            break
        else:
            raise As2Rejection(Disposition.error("unexpected-processing-error"), "too many nested layers")
    except As2Rejection:
        raise
    except ContentMismatch as exc:
        raise As2Rejection(Disposition.error("integrity-check-failed"), str(exc), opened.facts()) from exc
    except UnsupportedAlgorithm as exc:
        raise As2Rejection(
            Disposition.error("insufficient-message-security"), str(exc), opened.facts()
        ) from exc
    except SignatureError as exc:
        raise As2Rejection(Disposition.error("authentication-failed"), str(exc), opened.facts()) from exc
    except DecryptionError as exc:
        raise As2Rejection(Disposition.error("decryption-failed"), str(exc), opened.facts()) from exc
    except CompressionError as exc:
        raise As2Rejection(
            Disposition.error("unexpected-processing-error"), f"decompression failed: {exc}", opened.facts()
        ) from exc
    except (CmsError, MimeError, ValueError, TypeError, KeyError) as exc:
        # Unreadable CMS where an envelope was announced (empty or truncated body) cannot be decrypted.
        # asn1crypto parses lazily, so damage deep inside a structure (a recipient info whose length
        # claims more bytes than exist) raises ValueError wherever it is first read, not at load.
        ctype, params = part.content_type
        enveloped = ctype in _PKCS7_MIME and params.get("smime-type", "enveloped-data").lower() in (
            "enveloped-data",
            "authenticated-enveloped-data",
        )
        disposition = "decryption-failed" if enveloped else "unexpected-processing-error"
        raise As2Rejection(Disposition.error(disposition), str(exc), opened.facts()) from exc
    opened.payload = part
    if not (opened.signed or opened.encrypted or opened.compressed):
        opened.mic_content = outer.body
    _check_policy(opened, settings)
    return opened


def _signed(opened: Opened, digest: str, signature_algorithm: str, certificate: x509.Certificate) -> None:
    opened.signed = True
    opened.digest_algorithm = digest
    opened.signature_algorithm = signature_algorithm
    opened.signer = certificate
    opened.layers.append("signed")


def _renderings(entity: bytes) -> list[bytes]:
    """What a sender may have signed: the bytes as received, or their CRLF form (senders that send
    LF line ends but sign canonical text, and transports that rewrite line ends)."""
    variants = [entity, canonicalize(entity), canonicalize_headers(entity)]
    unique: list[bytes] = []
    for variant in variants:
        if variant not in unique:
            unique.append(variant)
    return unique


def _check_policy(opened: Opened, settings: As2Settings) -> None:
    missing = []
    if settings.must_sign and not opened.signed:
        missing.append("signed")
    if settings.must_encrypt and not opened.encrypted:
        missing.append("encrypted")
    if missing:
        raise As2Rejection(
            Disposition.error("insufficient-message-security"),
            f"partner policy requires messages to be {' and '.join(missing)}",
            opened.facts(),
        )


def compute_mic(opened: Opened, algorithm: str) -> tuple[str, str]:
    return mic_names.compute(opened.mic_content, algorithm), algorithm


def outer_entity(content_type: str, transfer_encoding: str | None, body: bytes) -> MimePart:
    """The HTTP body as a MIME entity whose headers are the HTTP content headers."""
    headers = [("Content-Type", content_type)]
    if transfer_encoding:
        headers.append(("Content-Transfer-Encoding", transfer_encoding))
    raw = build_part(headers, body)
    return MimePart(tuple(headers), body, raw)
