"""Operator accounts and their roles: who may look, who may act, who may administer.

Signing in and out lives in :mod:`gateway.dashboard.auth`; this module only creates and describes
accounts, so the CLI (``edigate users add``) and the demo set-up share one way of doing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.dashboard.passwords import hash_password
from gateway.database.audit_log import append_events
from gateway.database.models import Operator

ROLES = ("viewer", "operator", "admin")
"""Ordered by power: each role may do everything the roles before it may."""

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class OperatorError(ValueError):
    """An account cannot be created as asked (name taken, bad role, weak password)."""


def role_allows(role: str, needed: str) -> bool:
    """Whether an account with ``role`` may do what ``needed`` is required for.

    Unknown roles allow nothing, so a typo in the database never grants more than intended.
    """
    if role not in ROLES or needed not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def add_operator(
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    username: str,
    password: str,
    role: str,
    *,
    actor: str,
) -> None:
    """Create an account for a person; refuses weak passwords and taken names with a clear reason."""
    if not _USERNAME.match(username):
        raise OperatorError(
            "user names are 1-64 characters: letters, digits, '.', '_', '@' and '-', starting with a letter "
            "or digit"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OperatorError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if not _create(sessions, clock, username, password, role, actor):
        raise OperatorError(f"operator {username!r} already exists")


def ensure_operator(gw: Gateway, username: str, password: str, role: str, *, actor: str = "system") -> bool:
    """Create the account unless it exists; True when it was created.

    No password policy here: the demo operator ``admin``/``admin`` is created through this on purpose.
    """
    return _create(gw.sessions, gw.clock, username, password, role, actor)


def _create(
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    username: str,
    password: str,
    role: str,
    actor: str,
) -> bool:
    """Takes a session factory and a clock, not a Gateway: creating an account needs the database
    only, so ``edigate users add`` works even while the partner profiles fail to lint."""
    if role not in ROLES:
        raise OperatorError(f"role must be one of {', '.join(ROLES)}")
    with sessions.begin() as session:
        if session.execute(select(Operator).where(Operator.username == username)).scalar_one_or_none():
            return False
        operator = Operator(
            username=username,
            password_hash=hash_password(password),
            role=role,
            created_at=clock(),
            failed_logins=0,
        )
        session.add(operator)
        session.flush()
        append_events(
            session, [AuditEntry(actor, "operator", username, "operator_created", {"role": role})], clock
        )
    return True
