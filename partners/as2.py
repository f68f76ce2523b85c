"""The ``[as2]`` sections of partner and company profiles: identities, certificates and AS2 policy.

Certificates and keys are written as a file path or as inline PEM. Relative paths are resolved by the
gateway against its data directory (``certs/ACME-RETAIL.pem``), so this package stays free of I/O.
Lists of certificates exist for rollover: during a change both the old and the new certificate are
listed, and whichever verifies (or, for encryption, the newest one valid now) is used.
Private-key passwords are never written in a profile; ``key_password_env`` names the environment
variable that holds one.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)

# RFC 4130 §6.2: 1 to 128 printable US-ASCII characters; quotes and backslashes only inside a quoted
# form on the wire, which is unquoted before any comparison, so a profile never contains them.
_AS2_ID = re.compile(
    r"[\x21\x23-\x5b\x5d-\x7e]([\x20\x21\x23-\x5b\x5d-\x7e]{0,126}[\x21\x23-\x5b\x5d-\x7e])?"
)

Digest = Literal["sha1", "sha224", "sha256", "sha384", "sha512"]
Cipher = Literal["tripledes", "aes128_cbc", "aes192_cbc", "aes256_cbc", "aes128_gcm", "aes256_gcm"]
KeyTransport = Literal["rsaes_pkcs1v15", "rsaes_oaep"]

DEFAULT_DIGESTS: tuple[Digest, ...] = ("sha1", "sha224", "sha256", "sha384", "sha512")
DEFAULT_CIPHERS: tuple[Cipher, ...] = (
    "tripledes",
    "aes128_cbc",
    "aes192_cbc",
    "aes256_cbc",
    "aes128_gcm",
    "aes256_gcm",
)


def _check_as2_id(value: str) -> str:
    if not _AS2_ID.fullmatch(value):
        raise ValueError(
            "expected an AS2 name of 1 to 128 printable ASCII characters without quotes or backslashes "
            "(spaces only inside), exactly as the partner sends it in AS2-From: case matters"
        )
    return value


def _check_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return value


def _check_pem_or_path(value: str) -> str:
    text = value.strip()
    if text.startswith("-----BEGIN ") or (text and "\n" not in text):
        return value
    raise ValueError("expected a file path or an inline PEM block starting with -----BEGIN")


As2Id = Annotated[str, AfterValidator(_check_as2_id)]
HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_url)]
PemOrPath = Annotated[str, StringConstraints(min_length=1), AfterValidator(_check_pem_or_path)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class As2KeyPair(BaseModel):
    """One of our certificates with its private key (PEM or path each)."""

    model_config = _STRICT

    certificate: PemOrPath
    key: PemOrPath
    key_password_env: EnvName | None = None


class OwnAs2Settings(BaseModel):
    """Our AS2 station: the name partners address (AS2-To) and the key pair we sign and decrypt with.

    ``older_keys`` keeps retired key pairs for decryption during a certificate rollover, while
    partners still encrypt to the old certificate. ``mdn_url`` is the public URL of our ``POST /as2/mdn``,
    announced in Receipt-Delivery-Option when we ask a partner for an asynchronous MDN.
    """

    model_config = _STRICT

    id: As2Id
    certificate: PemOrPath
    key: PemOrPath
    key_password_env: EnvName | None = None
    older_keys: list[As2KeyPair] = Field(default_factory=list)
    mdn_url: HttpUrl | None = None


class As2Settings(BaseModel):
    """How one partner talks AS2 with us.

    Inbound policy: ``must_sign`` (default on: encryption alone cannot detect a flipped ciphertext
    byte), ``must_encrypt``, and the allow-lists ``allowed_digests`` / ``allowed_ciphers`` that refuse
    weak algorithms (md5, RC2, single DES are never accepted). ``certificates`` verify the partner's
    signatures and MDNs; ``encryption_certificates`` (default: the same) are what we encrypt to.
    ``check_certificate_validity`` off accepts signatures by expired certificates (some long-running
    partners never renew). ``async_mdn_urls`` lists URL prefixes the partner may name in
    Receipt-Delivery-Option; anything else is refused, because that header would otherwise let anyone
    make us POST to any address.

    Outbound: ``url`` is where we POST; ``sign``/``encrypt``/``compress`` and the algorithms shape the
    message; ``mdn`` asks for a synchronous or asynchronous receipt (``mdn_signed`` a signed one),
    ``mdn_timeout_seconds`` is how long an asynchronous MDN may take before we resend, and
    ``max_sends`` bounds the sends of one message. ``micalg_style`` writes ``sha-256`` (RFC 5751) or
    ``sha256`` (older RFC 3851 peers) in micalg parameters.
    """

    model_config = _STRICT

    id: As2Id
    url: HttpUrl | None = None
    certificates: list[PemOrPath] = Field(min_length=1)
    encryption_certificates: list[PemOrPath] = Field(default_factory=list)
    check_certificate_validity: bool = True
    must_sign: bool = True
    must_encrypt: bool = False
    allowed_digests: list[Digest] = Field(default_factory=lambda: list(DEFAULT_DIGESTS))
    allowed_ciphers: list[Cipher] = Field(default_factory=lambda: list(DEFAULT_CIPHERS))
    async_mdn_urls: list[HttpUrl] = Field(default_factory=list)
    sign: bool = True
    encrypt: bool = True
    compress: bool = False
    digest: Digest = "sha256"
    cipher: Cipher = "aes256_cbc"
    key_transport: KeyTransport = "rsaes_pkcs1v15"
    mdn: Literal["sync", "async", "none"] = "sync"
    mdn_signed: bool = True
    mdn_timeout_seconds: Annotated[int, Field(ge=1)] = 600
    max_sends: Annotated[int, Field(ge=1, le=20)] = 5
    micalg_style: Literal["sha-256", "sha256"] = "sha-256"

    def async_mdn_url_allowed(self, url: str) -> bool:
        """True when ``url`` starts with one of the allowed prefixes (compared exactly, no wildcards)."""
        return any(
            url == allowed or url.startswith(allowed.rstrip("/") + "/") for allowed in self.async_mdn_urls
        )
