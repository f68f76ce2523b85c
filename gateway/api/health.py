"""Liveness for load balancers and process supervisors."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from gateway.api.dependencies import GatewayDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Alive and able to reach its database")
def healthz(gw: GatewayDep) -> dict[str, str]:
    with gw.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}
