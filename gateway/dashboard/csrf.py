"""Cross-site request forgery protection for every dashboard form.

Signed-in forms carry a token derived from the session token with HMAC: it is different for every
session (and so changes at every sign-in), nothing extra is stored, and only someone holding the
HttpOnly session cookie - which no other site's script can read - can know it. Every POST is
checked against it (see :mod:`gateway.dashboard.access`); SameSite=Strict cookies are a second wall,
not the only one.

The sign-in form has no session yet, so it uses a double-submit token: a random value in a
short-lived cookie that must come back in the form. That stops another site from signing a
victim's browser in to an account of the attacker's choosing (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

FIELD = "csrf_token"
LOGIN_COOKIE = "edigate_login_csrf"
_PURPOSE = b"edigate dashboard csrf v1"


def csrf_token(session_token: str) -> str:
    """The form token of the session whose cookie holds ``session_token``."""
    return hmac.new(session_token.encode(), _PURPOSE, hashlib.sha256).hexdigest()


def csrf_valid(session_token: str, submitted: object) -> bool:
    """Constant-time comparison, so the token cannot be guessed byte by byte from response times."""
    if not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(csrf_token(session_token), submitted)


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def login_token_valid(cookie_value: str | None, submitted: object) -> bool:
    if not cookie_value or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(cookie_value, submitted)
