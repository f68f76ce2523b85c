"""Shared fixtures: real databases (SQLite and PostgreSQL), a real archive, the demo partners.

Every test gets a database of its own. PostgreSQL databases are cloned from a template migrated
once per run (``CREATE DATABASE … TEMPLATE``), so each test starts from the real Alembic schema
quickly and no two runs or tests ever see each other's rows.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway.config import Settings
from gateway.context import Gateway, open_gateway
from gateway.database.engine import make_engine
from gateway.database.migrate import upgrade
from gateway.worker import Worker

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"
PG_ADMIN_URL = os.environ.get("EDIGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """CLI commands run in-process install a handler on the stream pytest captured for that test;
    left behind, every later log record would be written to a closed file."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


class PostgresDatabases:
    """Creates throw-away databases for one test run and drops them at the end."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:10]
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.template = f"edigate_t_{self.run_id}_tpl"
        self.created: list[str] = []
        self.counter = 0
        self._create(self.template, None)
        engine = make_engine(self.url(self.template))
        upgrade(engine)
        engine.dispose()

    def url(self, name: str) -> str:
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None) -> None:
        with self.admin.connect() as conn:
            suffix = f" TEMPLATE {template}" if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        self.created.append(name)

    def new(self) -> str:
        self.counter += 1
        name = f"edigate_t_{self.run_id}_{self.counter}"
        self._create(name, self.template)
        return self.url(name)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in reversed(self.created):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    problem = _pg_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and not reachable at {PG_ADMIN_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {problem}")
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'edigate.db'}"
    return request.getfixturevalue("postgres").new()


class FakeClock:
    """Real time plus an offset tests can move forward (lease expiry, back-off) without sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_gateway(tmp_path: Path, database_url: str, clock: FakeClock) -> Iterator[Callable[..., Gateway]]:
    opened: list[Gateway] = []

    def factory(**overrides: object) -> Gateway:
        defaults: dict[str, object] = {
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "demo": True,
        }
        settings = Settings(**{**defaults, **overrides})  # type: ignore[arg-type]
        gw = open_gateway(settings, clock=clock)
        opened.append(gw)
        return gw

    yield factory
    for gw in opened:
        gw.close()


@pytest.fixture
def gateway(make_gateway: Callable[..., Gateway]) -> Gateway:
    return make_gateway()


def _drain(gw: Gateway) -> int:
    worker = Worker(gw, owner="test-worker")
    count = 0
    while done := worker.run_once():
        count += done
    return count


@pytest.fixture
def drain() -> Callable[[Gateway], int]:
    """Run the worker until the queue is empty; returns how many items it ran."""
    return _drain


@pytest.fixture
def edifact_fixture() -> Callable[[str], bytes]:
    return lambda name: (FIXTURES / "edifact" / name).read_bytes()
