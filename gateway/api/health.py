"""Liveness and readiness for load balancers, orchestrators and process supervisors.

``/healthz`` answers "is the process alive"; ``/readyz`` answers "should traffic come here": a node
whose database is unreachable, whose schema is behind the code, or whose archive cannot take the raw
bytes it must store before acknowledging receipt would accept messages it cannot keep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gateway.api.dependencies import GatewayDep
from gateway.api.thread_pool import thread_pool
from gateway.context import Gateway
from gateway.database.migrate import is_current

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Alive and able to reach its database")
async def healthz(request: Request, gw: GatewayDep) -> dict[str, str]:
    # Probed every few seconds by every load balancer. The query runs in the API's thread pool (a
    # database that hangs must not stall the event loop), cheaper than the hop a `def` endpoint takes.
    await thread_pool(request).run(_database, gw)
    return {"status": "ok"}


def _database(gw: Gateway) -> bool:
    with gw.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True


def _migrations(gw: Gateway) -> bool:
    return is_current(gw.engine)


def _archive(gw: Gateway) -> bool:
    return gw.archive.is_writable()


READINESS_CHECKS: dict[str, Callable[[Gateway], bool]] = {
    "database": _database,
    "migrations": _migrations,
    "archive": _archive,
}


@router.get(
    "/readyz",
    summary="Ready for traffic: database reachable, migrations current, archive writable",
    responses={503: {"description": "Not ready; the failing checks are named"}},
)
async def readyz(request: Request, gw: GatewayDep) -> JSONResponse:
    """Each check reports ``ok`` or ``failing``; details go to the log only, since this endpoint is
    unauthenticated and error text can name hosts, paths or users."""
    return await thread_pool(request).run(_readiness, gw)


def _readiness(gw: Gateway) -> JSONResponse:
    checks: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            passed = check(gw)
        except Exception:
            log.warning("readiness check %s failed", name, exc_info=True, extra={"check": name})
            passed = False
        checks[name] = "ok" if passed else "failing"
    failing = [name for name, state in checks.items() if state != "ok"]
    if failing:
        return JSONResponse({"status": "not_ready", "checks": checks, "failing": failing}, status_code=503)
    return JSONResponse({"status": "ready", "checks": checks})
