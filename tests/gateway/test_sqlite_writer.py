"""SQLite writers queue on edigate's own lock, among threads and among processes, and a writer
that waits too long gets "database is locked" instead of hanging."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gateway.database import engine as engine_module
from gateway.database.engine import make_engine, writers_waiting
from gateway.database.wal_checkpoint import WalCheckpointer
from tests.gateway.test_sftp_support import wait_until

REPO = Path(__file__).resolve().parents[2]


def _counter_engine(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS counter (n INTEGER)"))
        conn.execute(text("DELETE FROM counter"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    return engine


def test_many_threads_write_in_turn_without_errors(tmp_path: Path):
    engine = _counter_engine(tmp_path / "db.sqlite")
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with engine.begin() as conn:
                    value = conn.execute(text("SELECT n FROM counter")).scalar_one()
                    conn.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with engine.begin() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 200  # no update lost


def test_a_writer_waiting_too_long_in_this_process_is_told_the_database_is_locked(tmp_path, monkeypatch):
    engine = _counter_engine(tmp_path / "db.sqlite")
    monkeypatch.setattr(engine_module, "WRITER_WAIT_SECONDS", 0.2)
    holder = engine.connect()
    transaction = holder.begin()
    try:
        locked = pytest.raises(OperationalError, match="another transaction in this process held it")
        with locked, engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 1"))
    finally:
        transaction.rollback()
        holder.close()
    with engine.begin() as conn:  # free again once the holder is done
        conn.execute(text("UPDATE counter SET n = 2"))


def test_another_process_holding_the_database_is_waited_for_then_handed_over(tmp_path, monkeypatch):
    database = tmp_path / "db.sqlite"
    engine = _counter_engine(database)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from sqlalchemy import text
        from gateway.database.engine import make_engine
        engine = make_engine({f"sqlite:///{database}"!r})
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 41"))
            print("held", flush=True)
            sys.stdin.readline()
            conn.execute(text("UPDATE counter SET n = 42"))
        print("done", flush=True)
        """
    )
    other = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().strip() == "held"
        monkeypatch.setattr(engine_module, "WRITER_WAIT_SECONDS", 0.3)
        locked = pytest.raises(OperationalError, match="database is locked: another process held it")
        with locked, engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 0"))
        monkeypatch.setattr(engine_module, "WRITER_WAIT_SECONDS", 30.0)
        waiter_result: list[int] = []

        def wait_and_write() -> None:
            with engine.begin() as conn:  # waits for the other process, then sees its commit
                value = conn.execute(text("SELECT n FROM counter")).scalar_one()
                conn.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
                waiter_result.append(value)

        waiter = threading.Thread(target=wait_and_write)
        waiter.start()
        other.stdin.write("go\n")
        other.stdin.flush()
        assert other.stdout.readline().strip() == "done"
        waiter.join(30)
        assert waiter_result == [42]
    finally:
        other.kill()
        other.wait()
    with engine.begin() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 43


def test_a_writer_can_tell_when_a_thread_or_another_process_waits_for_the_database(tmp_path):
    database = tmp_path / "db.sqlite"
    engine = _counter_engine(database)
    assert not writers_waiting(engine)

    holder = engine.connect()
    transaction = holder.begin()
    waiter = threading.Thread(target=_write_once, args=(engine,))
    waiter.start()
    wait_until(lambda: writers_waiting(engine), timeout=30, what="the thread to be seen waiting")
    transaction.commit()
    holder.close()
    waiter.join(30)
    assert not writers_waiting(engine)

    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from sqlalchemy import text
        from gateway.database.engine import make_engine
        engine = make_engine({f"sqlite:///{database}"!r})
        print("ready", flush=True)
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 7"))
        print("written", flush=True)
        """
    )
    holder = engine.connect()
    transaction = holder.begin()
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "ready"
        wait_until(lambda: writers_waiting(engine), timeout=30, what="the other process to be seen waiting")
        transaction.commit()
        holder.close()
        assert other.stdout.readline().strip() == "written"
    finally:
        other.kill()
        other.wait()
    assert not writers_waiting(engine)


def _write_once(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))


def test_a_commit_returns_once_the_log_is_synced_and_lets_the_next_writer_in_before(tmp_path, monkeypatch):
    """The flush of the write-ahead log no longer holds the write lock, yet a commit still returns
    only once its log is on disk."""
    path = tmp_path / "db.sqlite"
    engine = _counter_engine(path)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1  # NORMAL: we sync
    real_fdatasync = os.fdatasync
    seen: list[tuple[int, bool, bool]] = []

    def fdatasync(fd: int) -> None:
        free = engine_module._writer_lock(str(path)).threads.acquire(blocking=False)
        if free:
            engine_module._writer_lock(str(path)).threads.release()
        seen.append((os.fstat(fd).st_ino, free, returned))
        real_fdatasync(fd)

    returned = False
    monkeypatch.setattr(os, "fdatasync", fdatasync)
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = 1"))
    returned = True
    assert seen == [(os.stat(f"{path}-wal").st_ino, True, False)]


def test_a_log_that_sqlite_replaced_is_synced_by_its_new_file(tmp_path, monkeypatch):
    """SQLite removes the log when its last connection closes and makes a new one: the descriptor
    kept for syncing must follow, or commits would sync a deleted file (whose inode number the
    new file may even have taken over)."""
    monkeypatch.setattr(WalCheckpointer, "note_commit", lambda self: None)  # no connection but the engine's
    path = tmp_path / "db.sqlite"
    engine = _counter_engine(path)
    engine.dispose()  # last connection closed: the log is checkpointed and removed
    assert not Path(f"{path}-wal").exists()
    synced: list[tuple[int, int]] = []
    real_fdatasync = os.fdatasync

    def fdatasync(fd: int) -> None:
        info = os.fstat(fd)
        synced.append((info.st_ino, info.st_nlink))
        real_fdatasync(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = 2"))
    assert synced == [(os.stat(f"{path}-wal").st_ino, 1)]


def test_a_read_only_transaction_syncs_nothing(tmp_path, monkeypatch):
    """It holds the write lock and commits (a claim that found nothing does, at every look), but
    there is nothing of its own to make durable."""
    engine = _counter_engine(tmp_path / "db.sqlite")
    synced: list[int] = []
    monkeypatch.setattr(os, "fdatasync", synced.append)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 0
    assert synced == []
