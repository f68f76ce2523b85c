"""ERP API keys: separate from partner keys, because the ERP reads every partner's documents.

Only SHA-256 digests are configured (``EDIGATE_ERP_API_KEY_SHA256``), like the partners' key hashes
in their profiles, so a leaked configuration does not leak a key. A caller is named in the audit
trail by the first hex digits of its key's digest, never by the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from gateway.config import Settings

# SHA-256 of the demo ERP key ``demo-erp-key`` (gateway/demo.py prints it); accepted only with --demo.
DEMO_ERP_KEY_SHA256 = "eaa95d110fde0e1006a673946500abb7d2f016a82ac67e439b378e27686d34d9"


@dataclass(frozen=True, slots=True)
class ErpClient:
    """An authenticated ERP caller."""

    label: str  # "erp:<first 8 hex digits of the key's SHA-256>"

    @property
    def actor(self) -> str:
        return self.label


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def accepted_digests(settings: Settings) -> tuple[str, ...]:
    digests = list(settings.erp_api_key_sha256)
    if settings.demo:
        digests.append(DEMO_ERP_KEY_SHA256)
    return tuple(digests)


def authenticate(settings: Settings, presented: str) -> ErpClient | None:
    digest = key_digest(presented)
    match = None
    for accepted in accepted_digests(settings):  # compare all, in constant time each
        if hmac.compare_digest(accepted, digest):
            match = accepted
    return ErpClient(f"erp:{match[:8]}") if match else None


def new_key() -> tuple[str, str]:
    """A fresh random key and the digest to configure; the key is shown once and stored nowhere."""
    key = "erp_" + secrets.token_urlsafe(32)
    return key, key_digest(key)
