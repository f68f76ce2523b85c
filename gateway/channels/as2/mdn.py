"""Message Disposition Notifications (RFC 3798, RFC 4130 §7): ask for, build, sign, read, verify.

The same module serves both directions, so what we send and what we accept are one definition:
the receiver builds MDNs with :func:`build_mdn`, the sender checks partners' MDNs with
:func:`read_mdn`.
"""

from __future__ import annotations

import email.utils
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509

from gateway.channels.as2 import mic as mic_names
from gateway.channels.as2.mime import (
    MimeError,
    MimePart,
    base64_lines,
    build_multipart,
    build_part,
    canonicalize,
    parse_header_value,
    parse_headers,
    parse_part,
    split_multipart,
)
from gateway.channels.as2.smime import CmsError, KeyPair, Verified, sign_detached, verify_detached

REPORTING_UA = "edigate AS2"
SIGNED_PROTOCOLS = ("pkcs7-signature", "application/pkcs7-signature")
AS2_VERSION = "1.2"


@dataclass(frozen=True, slots=True)
class Disposition:
    """``processed``, ``processed/error: decryption-failed``, ``failed/Failure: unsupported format`` …"""

    type: str  # processed | failed
    modifier: str = ""  # "" | error | warning | Failure
    description: str = ""

    @classmethod
    def processed(cls) -> Disposition:
        return cls("processed")

    @classmethod
    def error(cls, description: str) -> Disposition:
        return cls("processed", "error", description)

    @classmethod
    def failure(cls, description: str) -> Disposition:
        return cls("failed", "Failure", description)

    @property
    def ok(self) -> bool:
        return self.type == "processed" and self.modifier.lower() in ("", "warning")

    def render(self) -> str:
        text = self.type
        if self.modifier:
            text += f"/{self.modifier}"
        if self.description:
            text += f": {self.description}"
        return text

    @classmethod
    def parse(cls, header: str) -> Disposition:
        """Read ``automatic-action/MDN-sent-automatically; processed/error: x`` (any case, spacing)."""
        _mode, _sep, status = header.partition(";")
        status = status.strip() or header.strip()
        kind, _sep, description = status.partition(":")
        type_, _sep, modifier = kind.strip().partition("/")
        return cls(type_.strip().lower(), modifier.strip(), description.strip())


@dataclass(frozen=True, slots=True)
class MdnOptions:
    """What Disposition-Notification-Options asks for."""

    signed: bool = False
    protocol_required: bool = False
    protocol: str = ""
    micalgs: tuple[str, ...] = ()
    micalg_required: bool = False

    def unsupported(self) -> Disposition | None:
        """The ``failed/Failure`` answer RFC 4130 §7.5.3 prescribes when a *required* option is unmet."""
        if self.protocol_required and self.protocol and self.protocol not in SIGNED_PROTOCOLS:
            return Disposition.failure("unsupported format")
        if self.micalg_required and self.micalgs and self.micalg() is None:
            return Disposition.failure("unsupported MIC-algorithms")
        return None

    def micalg(self) -> str | None:
        """The first requested algorithm we support, in the partner's order of preference."""
        for name in self.micalgs:
            normalized = mic_names.normalize(name)
            if normalized in mic_names.SUPPORTED and normalized != "md5":
                return normalized
        return None


def parse_options(value: str | None) -> MdnOptions:
    """Parse ``signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha256``
    tolerantly: any case, any spacing, missing importance, ``sha-256``/``sha256``."""
    if not value:
        return MdnOptions()
    protocol = ""
    protocol_required = False
    micalgs: tuple[str, ...] = ()
    micalg_required = False
    for clause in value.split(";"):
        name, _sep, rest = clause.partition("=")
        items = [item.strip().strip('"').lower() for item in rest.split(",") if item.strip()]
        importance = items[0] if items and items[0] in ("required", "optional") else ""
        values = items[1:] if importance else items
        key = name.strip().lower()
        if key == "signed-receipt-protocol":
            protocol = values[0] if values else ""
            protocol_required = importance == "required"
        elif key == "signed-receipt-micalg":
            micalgs = tuple(values)
            micalg_required = importance == "required"
    return MdnOptions(bool(protocol), protocol_required, protocol, micalgs, micalg_required)


@dataclass(frozen=True, slots=True)
class BuiltMdn:
    message_id: str
    headers: dict[str, str]  # HTTP headers to send with ``body``
    body: bytes
    signed: bool

    def as_bytes(self) -> bytes:
        """Headers and body in one blob, the form we archive."""
        return build_part(self.headers.items(), self.body)


def build_mdn(
    *,
    original_message_id: str,
    our_id: str,
    partner_id: str,
    disposition: Disposition,
    mic: tuple[str, str] | None,
    text: str,
    signer: KeyPair | None,
    micalg: str = "sha256",
    micalg_style: str = "sha-256",
    domain: str = "edigate",
) -> BuiltMdn:
    """A multipart/report MDN, inside multipart/signed when ``signer`` is given.

    ``mic`` is ``(base64 digest, algorithm)``; it is reported only when something was received
    that it could be computed over.
    """
    fields = [
        ("Reporting-UA", REPORTING_UA),
        ("Original-Recipient", f"rfc822; {our_id}"),
        ("Final-Recipient", f"rfc822; {our_id}"),
        ("Original-Message-ID", f"<{original_message_id}>"),
        ("Disposition", f"automatic-action/MDN-sent-automatically; {disposition.render()}"),
    ]
    if mic is not None:
        fields.append(("Received-Content-MIC", f"{mic[0]}, {mic_names.rfc5751_name(mic[1])}"))
    notification = b"".join(f"{k}: {v}\r\n".encode("latin-1") for k, v in fields)
    report_boundary = f"----=_edigate_report_{uuid.uuid4().hex}"
    report_body = build_multipart(
        [
            build_part(
                [("Content-Type", "text/plain; charset=us-ascii"), ("Content-Transfer-Encoding", "7bit")],
                canonicalize(text.encode("ascii", "replace")) + b"\r\n",
            ),
            build_part(
                [("Content-Type", "message/disposition-notification"), ("Content-Transfer-Encoding", "7bit")],
                notification,
            ),
        ],
        report_boundary,
    )
    report_type = f'multipart/report; report-type=disposition-notification; boundary="{report_boundary}"'
    message_id = f"{uuid.uuid4().hex}@{domain}"
    headers = {
        "AS2-Version": AS2_VERSION,
        "AS2-From": _quote_id(our_id),
        "AS2-To": _quote_id(partner_id),
        "Message-ID": f"<{message_id}>",
        "Date": email.utils.formatdate(usegmt=True),
        "Subject": "Message Disposition Notification",
        "MIME-Version": "1.0",
    }
    if signer is None:
        headers["Content-Type"] = report_type
        return BuiltMdn(message_id, headers, report_body, signed=False)
    signed_entity = build_part([("Content-Type", report_type)], report_body)
    signature = sign_detached(signed_entity, signer, micalg)
    outer_boundary = f"----=_edigate_signed_{uuid.uuid4().hex}"
    body = build_multipart(
        [
            signed_entity,
            build_part(
                [
                    ("Content-Type", 'application/pkcs7-signature; name="smime.p7s"; smime-type=signed-data'),
                    ("Content-Transfer-Encoding", "base64"),
                    ("Content-Disposition", 'attachment; filename="smime.p7s"'),
                ],
                base64_lines(signature),
            ),
        ],
        outer_boundary,
    )
    headers["Content-Type"] = (
        f'multipart/signed; protocol="application/pkcs7-signature"; '
        f'micalg={mic_names.styled(micalg, micalg_style)}; boundary="{outer_boundary}"'
    )
    return BuiltMdn(message_id, headers, body, signed=True)


def _quote_id(as2_id: str) -> str:
    return f'"{as2_id}"' if any(c in as2_id for c in ' ",;') else as2_id


# ------------------------------------------------------------------------------------------ reading


class MdnError(ValueError):
    """Not an MDN, or one whose signature does not verify."""


@dataclass(frozen=True, slots=True)
class ReadMdn:
    original_message_id: str
    disposition: Disposition
    mic: str | None
    mic_algorithm: str | None
    signed: bool
    verified: Verified | None
    text: str


def read_mdn(
    content_type: str,
    body: bytes,
    trusted: Sequence[x509.Certificate],
    allowed_digests: Sequence[str] = ("sha1", "sha224", "sha256", "sha384", "sha512"),
) -> ReadMdn:
    """Parse an MDN, verifying its signature against ``trusted`` when it is signed.

    Accepts multipart/signed around multipart/report, a bare multipart/report and a bare
    message/disposition-notification (seen in the wild, django-pyas2 #48). A signed MDN whose
    signature does not verify raises :class:`MdnError`: its content cannot be believed.
    """
    entity = parse_part(build_part([("Content-Type", content_type)], body))
    verified: Verified | None = None
    ctype, params = entity.content_type
    try:
        if ctype == "multipart/signed":
            parts = split_multipart(entity.body, params.get("boundary", ""))
            if len(parts) < 2:
                raise MdnError("signed MDN without a signature part")
            signature = parse_part(parts[1]).decoded_body()
            try:
                verified = verify_detached(
                    signature, [parts[0], canonicalize(parts[0])], trusted, allowed_digests
                )
            except CmsError as exc:
                raise MdnError(f"MDN signature does not verify: {exc}") from exc
            entity = parse_part(verified.content)
            ctype, params = entity.content_type
        notification, text = _notification(entity, ctype, params)
    except MimeError as exc:
        raise MdnError(f"MDN is not well-formed MIME: {exc}") from exc
    fields = {k.lower(): v for k, v in parse_headers(canonicalize(notification.strip() + b"\r\n"))}
    if "disposition" not in fields:
        raise MdnError("MDN has no Disposition field")
    mic_value = mic_alg = None
    if fields.get("received-content-mic"):
        value, _sep, alg = fields["received-content-mic"].partition(",")
        mic_value, mic_alg = value.strip(), mic_names.normalize(alg) if alg.strip() else None
    original = fields.get("original-message-id", "").strip().strip("<>")
    return ReadMdn(
        original_message_id=original,
        disposition=Disposition.parse(fields["disposition"]),
        mic=mic_value,
        mic_algorithm=mic_alg,
        signed=verified is not None,
        verified=verified,
        text=text,
    )


def _notification(entity: MimePart, ctype: str, params: dict[str, str]) -> tuple[bytes, str]:
    if ctype == "message/disposition-notification":
        return entity.decoded_body(), ""
    if ctype != "multipart/report":
        raise MdnError(f"not an MDN: content type {ctype!r}")
    text = ""
    for raw in split_multipart(entity.body, params.get("boundary", "")):
        part = parse_part(raw)
        part_type = part.content_type[0]
        if part_type == "message/disposition-notification":
            return part.decoded_body(), text
        if part_type.startswith("text/") and not text:
            text = part.decoded_body().decode("latin-1", "replace").strip()
    raise MdnError("multipart/report without a message/disposition-notification part")


def content_type_header(headers: dict[str, str]) -> str:
    for key, value in headers.items():
        if key.lower() == "content-type":
            return value
    return ""


def is_mdn_content_type(value: str) -> bool:
    ctype, params = parse_header_value(value)
    return ctype in ("multipart/report", "message/disposition-notification") or (
        ctype == "multipart/signed" and bool(params.get("boundary"))
    )
