"""Engine and session factory for SQLite (embedded) and PostgreSQL (scale-out).

SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` so that the API threads and the worker
thread queue up for the write lock instead of failing with "database is locked" on upgrade.
Writers queue on a lock of their own first, among threads and among processes (``_ProcessWriter``):
SQLite's own busy handler polls with sleeps of up to 100 ms, which under a burst cost more than the
work itself.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic, sleep
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: threads are serialised, other processes meet SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as exc_types
from sqlalchemy.orm import Session, sessionmaker

from gateway.database.wal_checkpoint import WalCheckpointer


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 30, "factory": _SerializedConnection}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        _configure_postgresql(engine)
    _plain_savepoints(engine)
    return engine


@contextmanager
def driver_cursor(connection: Connection, sql: str, params: Any = None) -> Iterator[Any]:
    """A cursor of the caller's connection, inside its transaction and savepoints; the driver's
    errors come out as SQLAlchemy's types (``IntegrityError`` and friends), as through
    ``Connection.execute``."""
    dbapi_error: type[Exception] = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.cursor()
    try:
        yield cursor
    except dbapi_error as error:
        raise exc_types.DBAPIError.instance(
            sql, params, error, dbapi_error, dialect=connection.dialect
        ) from error
    finally:
        cursor.close()


def _plain_savepoints(engine: Engine) -> None:
    """Savepoint statements go to the driver as text. SQLAlchemy builds and compiles a clause for
    each of them, uncached: a savepoint and its release cost 135 µs here, against 4 µs as text,
    and the worker opens one per acknowledgement it delivers. Connection and session keep their
    bookkeeping and events; only the statement's way to the driver changes."""
    dialect = engine.dialect
    quote = dialect.identifier_preparer.quote

    def run(connection: Connection, sql: str) -> None:
        with driver_cursor(connection, sql) as cursor:
            cursor.execute(sql)

    dialect.do_savepoint = lambda connection, name: run(connection, f"SAVEPOINT {quote(name)}")  # type: ignore[method-assign]
    dialect.do_release_savepoint = lambda connection, name: run(  # type: ignore[method-assign]
        connection, f"RELEASE SAVEPOINT {quote(name)}"
    )
    dialect.do_rollback_to_savepoint = lambda connection, name: run(  # type: ignore[method-assign]
        connection, f"ROLLBACK TO SAVEPOINT {quote(name)}"
    )


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _without_nul(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _executemany: bool
    ) -> tuple[str, Any]:
        return statement, without_nul(parameters)


def without_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL, and refuses the whole statement if a value has one. Values
    come from partners (a reference in an interchange), URLs (``/ui/messages?q=%00``) and forms; a
    NUL there made a 500 or an internal error of the worker. It becomes U+FFFD, the replacement
    character: a lookup then finds nothing, a stored label shows where the NUL was, and the raw
    bytes stay exact in the archive."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(item) for item in value)
    return value


def _configure_sqlite(engine: Engine) -> None:
    lock = _writer_lock(engine.url.database or ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.writer_lock = lock
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode == "wal" and lock.log_path is not None:
            # A commit writes the log without syncing it; the connection syncs it itself once it has
            # let go of the write lock (``_SerializedConnection.commit``), before the commit returns.
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Nor does a commit copy the log back into the database file: ``WalCheckpointer`` does.
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            dbapi_connection.syncs_log = True
        else:  # FULL keeps the promise that an acknowledged upload survives power loss
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        try:
            dbapi_connection.acquire_writer()
        except sqlite3.OperationalError as exc:  # as SQLite's own "database is locked" would arrive
            raise exc_types.OperationalError("BEGIN IMMEDIATE", None, exc) from exc
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.release_writer()
            raise


_WRITERS: dict[str, _ProcessWriter] = {}
_WRITERS_GUARD = threading.Lock()
WRITER_WAIT_SECONDS = 30.0  # as SQLite's busy timeout: then "database is locked", not a hang


def _writer_lock(database: str) -> _ProcessWriter:
    """One writer lock per database file for the whole process, shared by every engine on it."""
    with _WRITERS_GUARD:
        writer = _WRITERS.get(database)
        if writer is None:
            writer = _WRITERS[database] = _ProcessWriter(database)
        return writer


class _ProcessWriter:
    """The right to write one SQLite database: first among this process's threads (a lock they
    queue on), then among processes (``flock`` on a file beside the database, e.g. ``edigate serve
    --no-worker`` and its ``edigate worker``). Both hand over the moment they are released, where
    SQLite's own busy handler polls with sleeps of up to 100 ms."""

    def __init__(self, database: str) -> None:
        self.threads = threading.Lock()
        in_memory = database in ("", ":memory:") or database.startswith("file:") or fcntl is None
        self.path = None if in_memory else f"{database}-writer"
        self.fd: int | None = None
        # Who is waiting, so that a writer about to start its next transaction can step aside:
        # this process's threads are counted; other processes hold a shared flock on
        # ``<database>-waiting`` while they wait (one descriptor to say so, another to ask).
        self.waiting_threads = 0
        self._counting = threading.Lock()
        self.waiting_path = None if self.path is None else f"{database}-waiting"
        self._waiting_fds: dict[str, int] = {}
        self.log_path = None if self.path is None else f"{database}-wal"
        self._log: int | None = None
        self._syncing = threading.Lock()
        self.checkpoints = None if self.log_path is None else WalCheckpointer(database, self)

    def acquire(self) -> None:
        deadline = monotonic() + WRITER_WAIT_SECONDS
        if not self.threads.acquire(blocking=False):
            with self._counting:
                self.waiting_threads += 1
            try:
                acquired = self.threads.acquire(timeout=WRITER_WAIT_SECONDS)
            finally:
                with self._counting:
                    self.waiting_threads -= 1
            if not acquired:
                raise sqlite3.OperationalError(
                    "database is locked: another transaction in this process held it"
                )
        try:
            self._lock_file(deadline)
        except BaseException:
            self.threads.release()
            raise

    def others_waiting(self) -> bool:
        """Whether another thread or process is waiting to write right now (a hint: one that
        starts waiting a moment later is seen at the next transaction)."""
        if self.waiting_threads:
            return True
        if self.waiting_path is None:
            return False
        asking = self._waiting_fd("ask")
        try:
            fcntl.flock(asking, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(asking, fcntl.LOCK_UN)
        return False

    def _waiting_fd(self, role: str) -> int:
        fd = self._waiting_fds.get(role)
        if fd is None:
            assert self.waiting_path is not None
            fd = self._waiting_fds[role] = os.open(
                self.waiting_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
            )
        return fd

    def sync_log(self) -> None:
        """Make the write-ahead log durable, and with it every transaction committed so far by any
        connection of any process: they all append to this one file. SQLite may have replaced the
        file since it was opened here (it removes the log when its last connection closes), so the
        descriptor is checked against the path first."""
        assert self.log_path is not None
        with self._syncing:
            try:
                current = os.stat(self.log_path).st_ino
            except FileNotFoundError:  # checkpointed into the database and removed: synced by SQLite
                return
            if self._log is not None:
                held = os.fstat(self._log)
                if held.st_nlink == 0 or held.st_ino != current:  # removed (its number may be reused)
                    os.close(self._log)
                    self._log = None
            if self._log is None:
                self._log = os.open(self.log_path, os.O_RDONLY | os.O_CLOEXEC)
            os.fdatasync(self._log)

    def release(self) -> None:
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()

    def _lock_file(self, deadline: float) -> None:
        if self.path is None:
            return
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        saying = self._waiting_fd("say")
        fcntl.flock(saying, fcntl.LOCK_SH)
        try:
            pause = 0.0001
            while True:
                sleep(pause)
                pause = min(pause * 2, 0.0005)  # under the pause a writer makes for waiters
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if monotonic() > deadline:
                        raise sqlite3.OperationalError(
                            "database is locked: another process held it"
                        ) from None
        finally:
            fcntl.flock(saying, fcntl.LOCK_UN)


class _SerializedConnection(sqlite3.Connection):
    """A connection that holds its process's writer lock from BEGIN to COMMIT or ROLLBACK."""

    writer_lock: _ProcessWriter
    holds_writer = False
    changes_before = 0  # ``total_changes`` when this connection took the writer lock
    syncs_log = False
    waits_for_disk = True  # this transaction's commit syncs the log (commit_without_waiting_for_disk)

    def acquire_writer(self) -> None:
        self.writer_lock.acquire()
        self.holds_writer = True
        self.changes_before = self.total_changes

    def release_writer(self) -> None:
        if self.holds_writer:
            self.holds_writer = False
            self.writer_lock.release()

    def commit(self) -> None:
        """Commit, let the next writer in, then sync the log: the disk's flush no longer holds up
        every other writer, and the commit still returns only once it is durable. Another
        connection may read these rows before the sync; whatever it then writes is synced by its own
        commit together with them, before anything leaves the node."""
        # A transaction that changed no row (a claim that found nothing) has nothing to sync.
        wrote = self.holds_writer and self.total_changes != self.changes_before
        waits = self.waits_for_disk
        self.waits_for_disk = True
        try:
            super().commit()
        finally:
            self.release_writer()
        checkpoints = self.writer_lock.checkpoints
        if wrote and self.syncs_log and checkpoints is not None:
            if waits:
                self.writer_lock.sync_log()
            checkpoints.note_commit()

    def rollback(self) -> None:
        self.waits_for_disk = True
        try:
            super().rollback()
        finally:
            self.release_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_writer()


def commit_without_waiting_for_disk(connection: Connection) -> None:
    """Let this transaction's commit return before its changes reach the disk. They survive the
    process dying (SQLite has written them to its log, PostgreSQL to its WAL buffers), and the next
    commit that does wait (any process's) makes them durable too; a power cut before that undoes
    them. Only for changes whose loss is the same as never having made them: a worker's claim,
    which a crash sends back to the queue anyway, and which every later commit of its work
    covers."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        return
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, _SerializedConnection):
        dbapi_connection.waits_for_disk = False


def writers_waiting(engine: Engine) -> bool:
    """Whether another writer waits for this SQLite database now; never on PostgreSQL, whose
    writers do not exclude each other. A worker between two transactions pauses only then."""
    if engine.dialect.name != "sqlite":
        return False
    return _writer_lock(engine.url.database or ":memory:").others_waiting()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
