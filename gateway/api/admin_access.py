"""Who may use the admin API (``/v1/admin``): an admin API key, or a dashboard operator with role admin.

Admin endpoints change who can send us messages, so neither a partner's key nor the ERP's passes:
they are recognised and refused with 403, not treated as unknown. Admin keys are configured as
SHA-256 digests only (``EDIGATE_ADMIN_API_KEY_SHA256``), like ERP keys; ``--demo`` adds
``demo-admin-key``. An operator authenticates with the dashboard's session cookie and, for every
request that changes something, the session's CSRF token in the ``X-CSRF-Token`` header — a cookie
alone travels with any cross-site request, the header does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.api.dependencies import GatewayDep
from gateway.config import Settings
from gateway.dashboard.access import COOKIE
from gateway.dashboard.auth import signed_in_operator
from gateway.dashboard.csrf import csrf_valid
from gateway.erp.keys import authenticate as authenticate_erp
from partners.apikey import hash_api_key, key_matches

# SHA-256 of the demo admin key ``demo-admin-key`` (gateway/demo.py prints it); accepted only with --demo.
DEMO_ADMIN_KEY_SHA256 = "ac5bb3526d3be432ba19fb1fc0712d350c160bd2169cd24401c9fcaeaac2d860"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_admin_bearer = HTTPBearer(auto_error=False, scheme_name="Admin key", description="An admin API key")


@dataclass(frozen=True, slots=True)
class AdminCaller:
    """An authenticated administrator, named in the audit trail without any secret."""

    actor: str  # "admin:<first 8 hex digits of the key's SHA-256>" or "operator:<name>"


def admin_digests(settings: Settings) -> list[str]:
    digests = list(settings.admin_api_key_sha256)
    if settings.demo:
        digests.append(DEMO_ADMIN_KEY_SHA256)
    return digests


def get_admin(
    request: Request,
    gw: GatewayDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)],
) -> AdminCaller:
    if credentials is not None:
        key = credentials.credentials
        if key_matches(key, admin_digests(gw.settings)):
            return AdminCaller(f"admin:{hash_api_key(key)[:8]}")
        if gw.partners.by_api_key(key) is not None or authenticate_erp(gw.settings, key) is not None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "admin endpoints need an admin key")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "unknown admin API key", headers={"WWW-Authenticate": "Bearer"}
        )
    operator = signed_in_operator(gw, request.cookies.get(COOKIE))
    if operator is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "send 'Authorization: Bearer <admin key>' or sign in to the dashboard as an admin",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not operator.may("admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {operator.role} may not administer partners")
    unsafe = request.method not in _SAFE_METHODS
    if unsafe and not csrf_valid(operator.token, request.headers.get(CSRF_HEADER)):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"the {CSRF_HEADER} header is missing or belongs to another session"
        )
    return AdminCaller(operator.actor)


AdminDep = Annotated[AdminCaller, Depends(get_admin)]
