"""The standing of the ERP's webhook endpoint: a 410 Gone disables it until an operator says so.

The standing lives in the database, not in memory, so every worker on every node honours it and it
survives restarts. An endpoint is known by the SHA-256 of its URL and shown redacted: a URL may
carry credentials (user info, a token in the query) and neither belongs in the database or the log.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from gateway.database.models import ErpEndpoint

ENABLED = "enabled"
DISABLED = "disabled"


def endpoint_id(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def redact(url: str) -> str:
    """Scheme, host, port and path: enough to recognise the endpoint, nothing secret."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"[:255]


def is_disabled(session: Session, url: str) -> bool:
    row = session.get(ErpEndpoint, endpoint_id(url))
    return row is not None and row.state == DISABLED


def set_state(session: Session, url: str, state: str, reason: str, now: datetime) -> bool:
    """Record the endpoint's new standing; False when it already had it."""
    row = session.get(ErpEndpoint, endpoint_id(url), with_for_update=True)
    if row is None:
        if state == ENABLED:
            return False  # never disabled: enabled by default
        row = ErpEndpoint(id=endpoint_id(url), display=redact(url), state=ENABLED, changed_at=now)
        session.add(row)
    if row.state == state:
        return False
    row.state, row.reason, row.changed_at = state, reason, now
    return True
