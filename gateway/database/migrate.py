"""Bring a database to the newest schema with Alembic, from code, at start or on demand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_PG_LOCK_ID = 0x6564_6967  # "edig": one migrator at a time across nodes


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    config = alembic_config(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock_conn:
            lock_conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _PG_LOCK_ID})
            try:
                command.upgrade(config, "head")
            finally:
                lock_conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _PG_LOCK_ID})
    else:
        with _one_migrator(engine.url.database):
            command.upgrade(config, "head")


@contextmanager
def _one_migrator(database: str | None) -> Iterator[None]:
    """One migrator at a time among the processes on a SQLite file (``flock`` on
    ``<database>-migrating``). Alembic reads the version and runs each step's DDL in transactions of
    their own, so ``serve --no-worker`` and a ``worker`` started together on a new database both
    ran the first migrations, and one of them stopped ("table ... already exists")."""
    if fcntl is None or database in (None, "", ":memory:") or database.startswith("file:"):
        yield
        return
    fd = os.open(f"{database}-migrating", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and with it the lock


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
