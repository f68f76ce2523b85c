"""Signing a test client in to the dashboard as an operator of a given role, the way a browser does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gateway.context import Gateway
from gateway.dashboard.operators import ensure_operator

PASSWORD = "correct horse battery"


def csrf_token(page_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert found is not None, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, gateway: Gateway, role: str, name: str | None = None) -> None:
    """Create the account (idempotent) and sign ``client`` in; its cookie jar then holds the session."""
    name = name or f"{role}-operator"
    ensure_operator(gateway, name, PASSWORD, role)
    token = csrf_token(client.get("/ui/login").text)
    response = client.post(
        "/ui/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
