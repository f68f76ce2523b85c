"""Operator accounts and their login sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.dashboard.passwords import hash_password, verify_password
from gateway.database.audit_log import append_events
from gateway.database.models import Operator, OperatorSession

SESSION_LIFETIME = timedelta(hours=12)
ROLES = ("viewer", "operator", "admin")


def ensure_operator(gw: Gateway, username: str, password: str, role: str, *, actor: str = "system") -> bool:
    """Create the account unless it exists; True when it was created."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with gw.sessions.begin() as session:
        if session.execute(select(Operator).where(Operator.username == username)).scalar_one_or_none():
            return False
        operator = Operator(
            username=username, password_hash=hash_password(password), role=role, created_at=gw.clock()
        )
        session.add(operator)
        session.flush()
        append_events(
            session, [AuditEntry(actor, "operator", username, "operator_created", {"role": role})], gw.clock
        )
    return True


def login(gw: Gateway, username: str, password: str) -> str | None:
    """Returns a new session token, or None; both outcomes are audited."""
    with gw.sessions.begin() as session:
        operator = session.execute(select(Operator).where(Operator.username == username)).scalar_one_or_none()
        ok = operator is not None and verify_password(password, operator.password_hash)
        token = secrets.token_urlsafe(32) if ok else None
        if operator is not None and token is not None:
            now = gw.clock()
            session.add(
                OperatorSession(
                    token_sha256=_digest(token),
                    operator_id=operator.id,
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
        action = "login" if ok else "login_failed"
        append_events(
            session, [AuditEntry(f"operator:{username}", "operator", username, action, {})], gw.clock
        )
    return token


def operator_for(session: Session, gw: Gateway, token: str | None) -> Operator | None:
    if not token:
        return None
    row = session.get(OperatorSession, _digest(token))
    if row is None or row.expires_at <= gw.clock():
        return None
    return session.get(Operator, row.operator_id)


def logout(gw: Gateway, token: str) -> None:
    with gw.sessions.begin() as session:
        row = session.get(OperatorSession, _digest(token))
        if row is None:
            return
        operator = session.get(Operator, row.operator_id)
        session.execute(delete(OperatorSession).where(OperatorSession.token_sha256 == row.token_sha256))
        name = operator.username if operator else "?"
        append_events(session, [AuditEntry(f"operator:{name}", "operator", name, "logout", {})], gw.clock)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
