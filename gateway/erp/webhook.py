"""Webhook delivery to the ERP, signed the Standard Webhooks way (https://www.standardwebhooks.com).

Headers: ``webhook-id`` is the document id, so every retry and every replay of one document carries
the same id and the ERP can deduplicate; ``webhook-timestamp`` is the attempt's Unix time;
``webhook-signature`` is ``v1,`` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")) where the key
is the base64-decoded part of the ``whsec_`` secret. The body is the same bytes on every attempt.

Which answers are worth retrying (``classify``):
- 2xx: delivered.
- timeouts, connection errors, 5xx, 408 Request Timeout, 425 Too Early, 429 Too Many Requests:
  transient, retried with back-off (``Retry-After`` is honoured as a minimum);
- 410 Gone: the ERP retired this endpoint; it is disabled until an operator enables it again;
- any other 4xx, and 3xx: the ERP refused this request as such (bad payload, bad signature, wrong
  credentials, a redirect we do not follow with signed data). Sending the same bytes again cannot
  succeed, so the delivery goes to the dead letter at once, visibly, without holding up the
  partner's later documents; after fixing the cause an operator replays it (``edigate erp replay``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import httpx

from gateway.config import Settings, erp_webhook_key
from gateway.database.models import Document
from gateway.erp.envelope import envelope
from translators.numerals import is_digits

EVENT_TYPE = "document.received"
USER_AGENT = "edigate-webhook/0.1"
_RETRYABLE_4XX = frozenset({408, 425, 429})


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    verdict: Verdict
    status: int | None  # HTTP status, None when no response came
    error: str | None  # why it did not succeed, for the delivery row and the audit trail
    retry_after: float | None = None


def classify(status: int) -> Verdict:
    if 200 <= status < 300:
        return Verdict.DELIVERED
    if status == 410:
        return Verdict.GONE
    if status >= 500 or status in _RETRYABLE_4XX:
        return Verdict.RETRY
    return Verdict.DEAD


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def webhook_body(document: Document) -> bytes:
    """Standard Webhooks payload shape: type, timestamp, data (the document envelope)."""
    data = envelope(document).model_dump(mode="json")
    payload = {"type": EVENT_TYPE, "timestamp": data["created_at"], "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_headers(key: bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(key, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def send(settings: Settings, document: Document, now: datetime) -> WebhookAttempt:
    """One attempt; never raises for what the network or the ERP does, only reports it."""
    if not settings.erp_webhook_url or settings.erp_webhook_secret is None:
        return WebhookAttempt(Verdict.RETRY, None, "the ERP webhook is not configured on this node")
    body = webhook_body(document)
    headers = signed_headers(
        erp_webhook_key(settings.erp_webhook_secret), document.id, int(now.timestamp()), body
    )
    try:
        with httpx.Client(timeout=settings.erp_webhook_timeout, follow_redirects=False) as client:
            response = client.post(settings.erp_webhook_url, content=body, headers=headers)
    except httpx.TimeoutException:
        return WebhookAttempt(Verdict.RETRY, None, f"no answer within {settings.erp_webhook_timeout} s")
    except httpx.HTTPError as exc:  # connection refused, reset, DNS, TLS …
        return WebhookAttempt(Verdict.RETRY, None, f"{type(exc).__name__}: {exc}")
    verdict = classify(response.status_code)
    error = None
    if verdict is not Verdict.DELIVERED:
        snippet = response.text[:200].strip()
        error = f"HTTP {response.status_code}" + (f": {snippet}" if snippet else "")
    return WebhookAttempt(verdict, response.status_code, error, _retry_after(response))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    return float(value) if is_digits(value) else None
