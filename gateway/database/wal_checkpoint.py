"""SQLite's log copied back into the database file by a thread of its own, not by a commit.

In WAL mode SQLite appends every page a transaction changed to the log (``<database>-wal``). By
default the commit that takes the log past 1,000 pages then copies them into the database file and
syncs it: a checkpoint. That commit still holds the write lock, which every upload and the worker
queue on (``_ProcessWriter``), so the whole node waited for the copy and its sync; a small message
writes 50 to 95 pages (its upload and its processing), so under load that was every 10 to 20
messages.

Connections made here turn that off (``wal_autocheckpoint=0``). Instead each process that commits
runs a ``WalCheckpointer`` per database file: a thread that copies while writers go on (a PASSIVE
checkpoint takes no write lock) and, once the log has grown past ``RESTART_FRAMES`` pages, copies
what came meanwhile once more holding the write lock. With no writer in between that pass
completes, and SQLite's next writer starts the log from its beginning again, so the file stays
bounded. A thread with no commit to follow for ``IDLE_SECONDS`` ends; the next commit starts one.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from time import sleep
from typing import Protocol

log = logging.getLogger(__name__)

# How often the log is copied while commits go on: seldom enough that a page many transactions
# change (an index's last leaf) is copied once for all of them, often enough to keep the log small.
CHECKPOINT_SECONDS = 0.5
# From this many pages in the log, a pass ends under the write lock so that the log starts over.
RESTART_FRAMES = 8000
IDLE_SECONDS = 5.0


class WriterLock(Protocol):
    def acquire(self) -> None: ...

    def release(self) -> None: ...


class WalCheckpointer:
    def __init__(self, database: str, writer: WriterLock) -> None:
        self.database = database
        self.writer = writer
        self._commits = threading.Event()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None

    def note_commit(self) -> None:
        """A commit added to the log: copy it back soon (cheap; called by every commit)."""
        with self._guard:  # held while the thread decides to end, so that no commit goes unseen
            self._commits.set()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=f"wal-checkpoint {Path(self.database).name}", daemon=True
                )
                self._thread.start()

    def checkpoint(self, connection: sqlite3.Connection) -> tuple[int, int]:
        """One pass: the log's size and how much of it is now in the database file, in pages."""
        log_frames, copied = _passive(connection)
        if log_frames >= RESTART_FRAMES:
            self.writer.acquire()
            try:
                log_frames, copied = _passive(connection)
            finally:
                self.writer.release()
        return log_frames, copied

    def _run(self) -> None:
        try:
            while self._next_commits():
                try:
                    self._pass()
                except sqlite3.Error as exc:  # the log keeps everything; the next pass tries again
                    log.warning("checkpoint of %s failed: %s", self.database, exc)
                sleep(CHECKPOINT_SECONDS)
        except Exception:  # never take the process down; a commit starts the thread again
            log.exception("checkpoint thread of %s stopped", self.database)
            with self._guard:
                self._thread = None

    def _pass(self) -> None:
        """A connection of its own for each pass, closed after it: none is left open between passes
        to keep the log alive when the node's own connections close (SQLite removes it then)."""
        connection = sqlite3.connect(self.database, isolation_level=None, check_same_thread=False)
        try:
            # Syncs the log before copying and the database file after, as a commit's checkpoint did.
            connection.execute("PRAGMA synchronous=NORMAL")
            self.checkpoint(connection)
        finally:
            connection.close()

    def _next_commits(self) -> bool:
        """Wait for commits to copy; False (and the thread is over) after a quiet spell."""
        while not self._commits.wait(IDLE_SECONDS):
            with self._guard:
                if not self._commits.is_set():
                    self._thread = None
                    return False
        self._commits.clear()
        return True


def _passive(connection: sqlite3.Connection) -> tuple[int, int]:
    _busy, log_frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return log_frames, copied
