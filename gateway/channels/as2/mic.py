"""The Received-content-MIC: which bytes it covers and how its algorithm is named.

RFC 4130 §7.3.1 and RFC 5402 §4 decide the bytes (see :func:`mic_content` callers in
``inbound.py``); this module only names algorithms and computes the value. Names are normalised
because senders write ``sha-256``, ``sha256`` and ``SHA256`` for the same thing.
"""

from __future__ import annotations

import base64
import hashlib

SUPPORTED = ("sha1", "sha224", "sha256", "sha384", "sha512", "md5")


def normalize(name: str) -> str:
    """``SHA-256`` → ``sha256``; unknown names come back lower-cased without dashes."""
    return name.strip().lower().replace("-", "").replace("_", "")


def rfc5751_name(name: str) -> str:
    """``sha256`` → ``sha-256`` (the spelling RFC 5751 §3.4.3.2 uses in micalg and MDNs)."""
    base = normalize(name)
    return (
        f"sha-{base[3:]}"
        if base.startswith("sha") and base != "sha1"
        else ("sha-1" if base == "sha1" else base)
    )


def styled(name: str, style: str) -> str:
    """The micalg spelling a partner expects: ``sha-256`` style or the older ``sha256`` style."""
    return rfc5751_name(name) if style == "sha-256" else normalize(name)


def compute(content: bytes, algorithm: str) -> str:
    """Base64 digest of ``content`` with ``algorithm`` (any spelling)."""
    name = normalize(algorithm)
    if name not in SUPPORTED:
        raise ValueError(f"unsupported MIC algorithm {algorithm!r}")
    return base64.b64encode(hashlib.new(name, content).digest()).decode("ascii")


def same(mic_a: str, alg_a: str, mic_b: str, alg_b: str) -> bool:
    """Two MIC statements agree: equal digests and the same algorithm however it is spelt."""
    return mic_a.strip() == mic_b.strip() and normalize(alg_a) == normalize(alg_b)
