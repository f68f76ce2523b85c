"""Helpers for tests that edit partner profiles while a gateway runs (fixtures: ``folder``, ``gw``,
``api`` in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.context import Gateway
from gateway.database.models import AuditEvent

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def post_order(api: TestClient, key: str) -> int:
    body = (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()
    return api.post("/v1/messages", content=body, headers={"Authorization": f"Bearer {key}"}).status_code


def events(gw: Gateway, action: str) -> list[AuditEvent]:
    with gw.sessions() as session:
        return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())
