"""Building an AS2 message to send: compress, sign, encrypt per the partner's profile, and the MIC
we will expect back in the MDN.

Pure (no I/O): the sender decides when to build and where to POST. Compression happens before
signing (RFC 5402 §3's recommended order), so the MIC is over the compressed entity when signed.
"""

from __future__ import annotations

import email.utils
import uuid
from dataclasses import dataclass

from cryptography import x509

from gateway.channels.as2 import mic as mic_names
from gateway.channels.as2.mime import base64_lines, build_multipart, build_part, parse_part
from gateway.channels.as2.smime import KeyPair, compress, encrypt, sign_detached
from partners.as2 import As2Settings

_CONTENT_TYPES = {
    "edifact": "application/EDIFACT",
    "x12": "application/EDI-X12",
    "xml": "application/xml",
}


@dataclass(frozen=True, slots=True)
class BuiltMessage:
    message_id: str
    headers: dict[str, str]
    body: bytes
    mic: str
    mic_algorithm: str


def content_type_for(syntax: str) -> str:
    return _CONTENT_TYPES.get(syntax, "application/edi-consent")


def new_message_id(our_id: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in our_id)[:40]
    return f"edigate-{uuid.uuid4().hex}@{safe}"


def build_message(
    payload: bytes,
    *,
    message_id: str,
    filename: str,
    content_type: str,
    our_id: str,
    settings: As2Settings,
    signer: KeyPair | None,
    recipient: x509.Certificate | None,
    mdn_url: str | None = None,
    subject: str = "EDI message",
) -> BuiltMessage:
    """The HTTP headers and body of one AS2 message to ``settings.id``."""
    safe_name = filename.replace('"', "_")
    entity = build_part(
        [
            ("Content-Type", content_type),
            ("Content-Transfer-Encoding", "binary"),
            ("Content-Disposition", f'attachment; filename="{safe_name}"'),
        ],
        payload,
    )
    plain_entity = entity
    if settings.compress:
        entity = build_part(
            [
                ("Content-Type", 'application/pkcs7-mime; smime-type=compressed-data; name="smime.p7z"'),
                ("Content-Transfer-Encoding", "binary"),
                ("Content-Disposition", 'attachment; filename="smime.p7z"'),
            ],
            compress(entity),
        )
    digest = settings.digest
    if settings.sign:
        if signer is None:
            raise ValueError("signing is configured but we have no key pair")
        mic_content = entity
        signature = sign_detached(entity, signer, digest)
        boundary = f"----=_edigate_{uuid.uuid4().hex}"
        body = build_multipart(
            [
                entity,
                build_part(
                    [
                        (
                            "Content-Type",
                            'application/pkcs7-signature; name="smime.p7s"; smime-type=signed-data',
                        ),
                        ("Content-Transfer-Encoding", "base64"),
                        ("Content-Disposition", 'attachment; filename="smime.p7s"'),
                    ],
                    base64_lines(signature),
                ),
            ],
            boundary,
        )
        micalg = mic_names.styled(digest, settings.micalg_style)
        entity = build_part(
            [
                (
                    "Content-Type",
                    f'multipart/signed; protocol="application/pkcs7-signature"; micalg={micalg}; '
                    f'boundary="{boundary}"',
                )
            ],
            body,
        )
    else:
        mic_content = plain_entity if (settings.compress or settings.encrypt) else payload
    if settings.encrypt:
        if recipient is None:
            raise ValueError("encryption is configured but the partner has no valid certificate")
        der = encrypt(entity, recipient, settings.cipher, settings.key_transport)
        smime_type = "authenticated-enveloped-data" if settings.cipher.endswith("_gcm") else "enveloped-data"
        content_headers = {
            "Content-Type": f'application/pkcs7-mime; smime-type={smime_type}; name="smime.p7m"',
            "Content-Transfer-Encoding": "binary",
            "Content-Disposition": 'attachment; filename="smime.p7m"',
        }
        body_bytes = der
    else:
        outer = parse_part(entity)
        content_headers = dict(outer.headers)
        body_bytes = outer.body
    headers = {
        "AS2-Version": "1.2",
        "AS2-From": _quoted(our_id),
        "AS2-To": _quoted(settings.id),
        "Message-ID": f"<{message_id}>",
        "Date": email.utils.formatdate(usegmt=True),
        "Subject": subject,
        "MIME-Version": "1.0",
        "EDIINT-Features": "CEM, multiple-attachments",
        **content_headers,
    }
    if settings.mdn != "none":
        headers["Disposition-Notification-To"] = our_id
        if settings.mdn_signed:
            headers["Disposition-Notification-Options"] = (
                "signed-receipt-protocol=optional, pkcs7-signature; "
                f"signed-receipt-micalg=optional, {mic_names.styled(digest, settings.micalg_style)}"
            )
        if settings.mdn == "async":
            if not mdn_url:
                raise ValueError("asynchronous MDNs need our company [as2] mdn_url")
            headers["Receipt-Delivery-Option"] = mdn_url
    return BuiltMessage(message_id, headers, body_bytes, mic_names.compute(mic_content, digest), digest)


def _quoted(as2_id: str) -> str:
    return f'"{as2_id}"' if any(c in as2_id for c in ' ",;') else as2_id
