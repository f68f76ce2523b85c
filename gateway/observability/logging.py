"""Structured logs: one JSON object per line for collectors, readable text on a terminal, no secrets.

Log shippers (journald, Docker, Loki, CloudWatch) index JSON fields, so a message id, partner or
channel passed as ``extra={...}`` becomes searchable without parsing prose. Secrets reach log lines in
ways no review catches (an exception quoting a request header, a URL with a token), so a filter on
the handler scrubs every record, whichever logger it came from, before any formatter sees it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any, Literal

REDACTED = "[REDACTED]"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)

_SENSITIVE_KEY = re.compile(r"authorization|password|passwd|secret|api[_-]?key|token|cookie", re.I)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Standard Webhooks secrets, wherever they appear.
    (re.compile(r"whsec_[A-Za-z0-9+/=_-]+"), "whsec_" + REDACTED),
    # HTTP credentials: "Authorization: Bearer x", "Bearer x", "Basic x".
    (re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=:-]+", re.I), r"\1 " + REDACTED),
    # key=value / key: value / "key": "value" with a sensitive key name.
    (
        re.compile(
            r"""((?:password|passwd|secret|api[_-]?key|token|authorization|cookie)[A-Za-z0-9_-]*"""
            r"""["']?\s*[:=]\s*["']?)(?!\[REDACTED\])(?!(?:Bearer|Basic|Token)\s)[^\s"',;&}]+""",
            re.I,
        ),
        r"\1" + REDACTED,
    ),
)


# Every pattern above needs one of these words (case-insensitively). Most lines (an access log line
# per request) contain none, and a substring test finds that about ten times faster than the patterns.
_TRIGGER_WORDS = (
    "whsec_", "bearer", "basic", "token", "passw", "secret", "apikey", "api_key", "api-key",
    "authorization", "cookie",
)  # fmt: skip


def _may_hold_secrets(text: str) -> bool:
    """False only when no pattern can match. Outside ASCII, case-insensitive matching knows
    equivalences ``str.lower`` does not (the Kelvin sign for "k"), so such text always says True."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(word in lowered for word in _TRIGGER_WORDS)


def redact(text: str) -> str:
    """Replace credentials in free text; idempotent so filters and formatters may both apply it."""
    if not _may_hold_secrets(text):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(key: str, value: Any) -> Any:
    if _SENSITIVE_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Scrubs the rendered message and every ``extra`` field; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must still be logged, not lost
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, _redact_value(key, value))
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a caller added with ``extra=``, in the order they were given."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC ISO 8601), ``level``, ``logger``, ``message``, extras."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in extra_fields(record).items():
            event.setdefault(key, value)
        if record.exc_info:
            event["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            event["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(event, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``HH:MM:SS LEVEL logger: message key=value …`` for a person watching a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        line = f"{when} {record.levelname:<7} {record.name}: {record.getMessage()}"
        extras = extra_fields(record)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def _handler_marker(handler: logging.Handler) -> bool:
    return getattr(handler, "_edigate", False)


def configure_logging(
    log_format: Literal["auto", "json", "text"] = "auto",
    level: str = "INFO",
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every logger's records (uvicorn's included) through one redacting handler on the root.

    ``auto`` writes JSON unless the stream is a terminal: services run under a supervisor or in a
    container get machine-readable lines, a developer running ``edigate serve`` gets text. Calling it
    again replaces the handler installed before instead of doubling every line.
    """
    target = stream if stream is not None else sys.stdout
    chosen = log_format
    if chosen == "auto":
        isatty = getattr(target, "isatty", None)
        chosen = "text" if callable(isatty) and isatty() else "json"
    handler = logging.StreamHandler(target)
    handler._edigate = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if _handler_marker(h)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn logs through its own handlers unless told otherwise; route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler
