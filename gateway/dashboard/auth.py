"""Signing operators in and out: server-side sessions, lockout after repeated failures.

The cookie holds a random token; the database only its SHA-256, so a copy of the database does not
let anyone sign in. Every sign-in creates a fresh token and revokes the one the browser presented
(session fixation), and every outcome - success, wrong password, refusal while locked, sign-out - is
an audit event, because "who tried to get in" is exactly what an audit trail is asked about.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.dashboard.csrf import csrf_token
from gateway.dashboard.operators import role_allows
from gateway.dashboard.passwords import verify_password
from gateway.database.audit_log import append_events
from gateway.database.models import Operator, OperatorSession

SESSION_LIFETIME = timedelta(hours=12)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

# Checked against when the user name is unknown, so that answer takes as long as a wrong password
# and response times do not reveal which accounts exist. Nobody knows the password it was made from.
_DUMMY_HASH = "scrypt$16384$8$1$d2RIevDboItshyIgBLIwhw==$NM5kdgpTVPHAPNy4ZvZy/OZaufTjBhc6BeJbkLKaBc4="


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The operator behind a request: a plain snapshot, safe to use after the database session closed."""

    id: int
    username: str
    role: str
    token: str

    @property
    def actor(self) -> str:
        """How this operator appears in the audit trail."""
        return f"operator:{self.username}"

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)

    def may(self, needed: str) -> bool:
        return role_allows(self.role, needed)


@dataclass(frozen=True, slots=True)
class SignInResult:
    outcome: Literal["ok", "wrong", "locked"]
    token: str | None = None
    locked_until: datetime | None = None


def sign_in(gw: Gateway, username: str, password: str, *, presented_token: str | None = None) -> SignInResult:
    """Check the password and open a new session; lock the account after repeated failures."""
    username = username.strip()
    audited_name = username[:64]
    actor = f"operator:{audited_name}"
    with gw.sessions.begin() as session:
        if presented_token:
            # Whatever session the browser brought along ends here: a new one is always issued.
            session.execute(
                delete(OperatorSession).where(OperatorSession.token_sha256 == _digest(presented_token))
            )
        operator = session.execute(
            select(Operator).where(Operator.username == username).with_for_update()
        ).scalar_one_or_none()
        now = gw.clock()
        if operator is None:
            verify_password(password, _DUMMY_HASH)
            _audit(session, gw, actor, audited_name, "login_failed", {"reason": "unknown user"})
            return SignInResult("wrong")
        if operator.locked_until is not None and operator.locked_until > now:
            _audit(
                session,
                gw,
                actor,
                audited_name,
                "login_refused",
                {"reason": "locked", "locked_until": operator.locked_until.isoformat()},
            )
            return SignInResult("locked", locked_until=operator.locked_until)
        if not verify_password(password, operator.password_hash):
            operator.failed_logins = (operator.failed_logins or 0) + 1
            _audit(
                session,
                gw,
                actor,
                audited_name,
                "login_failed",
                {"reason": "wrong password", "consecutive_failures": operator.failed_logins},
            )
            if operator.failed_logins >= MAX_FAILED_LOGINS:
                operator.locked_until = now + LOCKOUT
                _audit(
                    session,
                    gw,
                    "system",
                    audited_name,
                    "operator_locked",
                    {"failures": operator.failed_logins, "locked_until": operator.locked_until.isoformat()},
                )
                return SignInResult("locked", locked_until=operator.locked_until)
            return SignInResult("wrong")
        token = secrets.token_urlsafe(32)
        operator.failed_logins = 0
        operator.locked_until = None
        operator.last_login_at = now
        session.execute(
            delete(OperatorSession).where(
                OperatorSession.operator_id == operator.id, OperatorSession.expires_at <= now
            )
        )
        session.add(
            OperatorSession(
                token_sha256=_digest(token),
                operator_id=operator.id,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        _audit(session, gw, actor, audited_name, "login", {"role": operator.role})
    return SignInResult("ok", token=token)


def signed_in_operator(gw: Gateway, token: str | None) -> SignedIn | None:
    """The operator whose unexpired session ``token`` names, or None."""
    if not token:
        return None
    with gw.sessions() as session:
        row = session.get(OperatorSession, _digest(token))
        if row is None or row.expires_at <= gw.clock():
            return None
        operator = session.get(Operator, row.operator_id)
        if operator is None:
            return None
        return SignedIn(id=operator.id, username=operator.username, role=operator.role, token=token)


def sign_out(gw: Gateway, token: str) -> None:
    with gw.sessions.begin() as session:
        row = session.get(OperatorSession, _digest(token))
        if row is None:
            return
        operator = session.get(Operator, row.operator_id)
        session.execute(delete(OperatorSession).where(OperatorSession.token_sha256 == row.token_sha256))
        name = operator.username if operator else "?"
        _audit(session, gw, f"operator:{name}", name, "logout", {})


def unlock(gw: Gateway, admin: SignedIn, username: str) -> bool:
    """An administrator lifts a lockout before it runs out; False when there is no such account."""
    with gw.sessions.begin() as session:
        operator = session.execute(
            select(Operator).where(Operator.username == username).with_for_update()
        ).scalar_one_or_none()
        if operator is None:
            return False
        operator.failed_logins = 0
        operator.locked_until = None
        _audit(session, gw, admin.actor, username, "operator_unlocked", {})
    return True


def _audit(
    session: Session, gw: Gateway, actor: str, username: str, action: str, details: dict[str, Any]
) -> None:
    append_events(session, [AuditEntry(actor, "operator", username, action, details)], gw.clock)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
