"""Fixtures for gateway tests: an HTTP client on the app, with the worker driven by the test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.api.app import create_app
from gateway.context import Gateway
from partners.loader import demo_directory_path

ACME_KEY = "demo-acme-key"
SUPPLIER_KEY = "demo-supplier-one-key"


@pytest.fixture
def client(gateway: Gateway) -> Iterator[TestClient]:
    with TestClient(create_app(gateway, run_worker=False)) as test_client:
        yield test_client


@pytest.fixture
def submit(client: TestClient) -> Callable[..., Any]:
    def post(body: bytes, key: str = ACME_KEY, **headers: str) -> Any:
        response = client.post(
            "/v1/messages", content=body, headers={"Authorization": f"Bearer {key}", **headers}
        )
        return response

    return post


@pytest.fixture
def fetch(client: TestClient) -> Callable[..., dict[str, Any]]:
    def get(message_id: str, key: str = ACME_KEY) -> dict[str, Any]:
        response = client.get(f"/v1/messages/{message_id}", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200, response.text
        return response.json()

    return get


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the demo profiles, for tests that edit profiles while a gateway runs."""
    path = tmp_path / "partners"
    shutil.copytree(demo_directory_path(), path)
    return path


@pytest.fixture
def gw(make_gateway, folder) -> Gateway:
    # No watcher thread: each test decides when the folder is looked at.
    return make_gateway(partners_dir=folder, partners_reload_seconds=0)


@pytest.fixture
def api(gw) -> Iterator[TestClient]:
    with TestClient(create_app(gw, run_worker=False)) as client:
        yield client
