"""SQLite's log is copied back into the database file by a thread, never by a commit that holds
the write lock, and the log starts over once it is long."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from gateway.database import wal_checkpoint
from gateway.database.engine import make_engine
from gateway.database.wal_checkpoint import WalCheckpointer
from tests.gateway.test_sftp_support import wait_until


def _engine(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE rows (n INTEGER, filler TEXT)"))
    return engine


def _write(engine, commits: int, start: int = 0) -> None:
    for n in range(start, start + commits):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO rows VALUES (:n, :filler)"), {"n": n, "filler": "x" * 3000})


def _rows_in_database_file_alone(path: Path, tmp_path: Path) -> int:
    """What a reader finds in the database file without its log: what checkpoints copied there."""
    alone = tmp_path / "alone.sqlite"
    shutil.copyfile(path, alone)
    with sqlite3.connect(alone) as conn:
        try:
            return conn.execute("SELECT count(*) FROM rows").fetchone()[0]
        except sqlite3.DatabaseError:  # not even the table copied yet, or copied while being written
            return 0


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("wal-checkpoint")]


def test_commits_leave_copying_the_log_to_the_checkpoint_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(wal_checkpoint, "CHECKPOINT_SECONDS", 0.01)
    path = tmp_path / "db.sqlite"
    engine = _engine(path)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
    _write(engine, 200)  # fewer pages than SQLite's own 1,000-page checkpoint would wait for
    wait_until(lambda: _rows_in_database_file_alone(path, tmp_path) == 200)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM rows").scalar_one() == 200
    engine.dispose()


def test_a_long_log_is_copied_under_the_write_lock_so_that_it_starts_over(tmp_path, monkeypatch):
    monkeypatch.setattr(wal_checkpoint, "RESTART_FRAMES", 50)
    monkeypatch.setattr(WalCheckpointer, "note_commit", lambda self: None)  # this test runs each pass
    path = tmp_path / "db.sqlite"
    engine = _engine(path)
    _write(engine, 60)
    writer = _RecordingLock()
    checkpointer = WalCheckpointer(str(path), writer)
    with sqlite3.connect(path, isolation_level=None) as conn:
        log_frames, copied = checkpointer.checkpoint(conn)
        assert log_frames >= 60 and copied == log_frames
        assert writer.calls == ["acquire", "release"]
        _write(engine, 1, start=60)  # the next writer starts the log from its beginning
        assert checkpointer.checkpoint(conn)[0] < 10
        assert writer.calls == ["acquire", "release"]  # a short log is copied without the lock
    assert _rows_in_database_file_alone(path, tmp_path) == 61
    engine.dispose()


def test_the_checkpoint_thread_ends_when_idle_and_comes_back_with_the_next_commit(tmp_path, monkeypatch):
    monkeypatch.setattr(wal_checkpoint, "CHECKPOINT_SECONDS", 0.01)
    monkeypatch.setattr(wal_checkpoint, "IDLE_SECONDS", 0.05)
    path = tmp_path / "db.sqlite"
    engine = _engine(path)
    name = f"wal-checkpoint {path.name}"
    wait_until(lambda: not any(t.name == name for t in _threads()))
    _write(engine, 1)
    assert any(t.name == name for t in _threads())
    wait_until(lambda: not any(t.name == name for t in _threads()))
    _write(engine, 5, start=1)
    wait_until(lambda: _rows_in_database_file_alone(path, tmp_path) == 6)
    engine.dispose()


def test_a_failing_pass_is_logged_and_the_next_one_copies(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(wal_checkpoint, "CHECKPOINT_SECONDS", 0.01)
    real = wal_checkpoint._passive
    failures = iter([sqlite3.OperationalError("disk I/O error")])

    def flaky(connection):
        for failure in failures:
            raise failure
        return real(connection)

    monkeypatch.setattr(wal_checkpoint, "_passive", flaky)
    path = tmp_path / "db.sqlite"
    engine = _engine(path)
    _write(engine, 3)
    wait_until(lambda: "checkpoint of" in caplog.text and "disk I/O error" in caplog.text)
    _write(engine, 1, start=3)
    wait_until(lambda: _rows_in_database_file_alone(path, tmp_path) == 4)
    engine.dispose()


class _RecordingLock:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def acquire(self) -> None:
        self.calls.append("acquire")

    def release(self) -> None:
        self.calls.append("release")
