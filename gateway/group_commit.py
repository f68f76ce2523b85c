"""Concurrent uploads' small transactions committed together: one commit, one fsync, for all.

Each upload's rows are tiny (its transmission, its work item, two audit events) and its commit
waits for the disk. When several channels' threads accept at once, the first to arrive leads:
it writes everything queued meanwhile in one transaction and commits it; the others wait for that
commit and return only after it, so "received" is still said only of what is durable. Should the
shared transaction fail, the leader writes each upload alone, so one upload's error (an
Idempotency-Key race) is that upload's alone, exactly as without grouping.

The uploads' archive files are grouped the same way: each thread writes its file without an fsync
and names the folders it wrote to; the leader makes all of them durable with one ``syncfs(2)`` per
filesystem (``archive/sync_batch.py``) before the transaction that points at them commits, instead
of two fsyncs per upload (its file and its folder).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from archive.sync_batch import SyncBatch

Write = Callable[[Session], None]
"""One caller's part of the transaction: statements only, no commit."""


@dataclass(slots=True)
class _Pending:
    write: Write
    unsynced: Collection[Path]
    finished: bool = False
    error: Exception | None = None


class GroupCommit:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._changed = threading.Condition()
        self._queue: list[_Pending] = []
        self._leading = False

    def commit(self, write: Write, unsynced: Collection[Path] = ()) -> None:
        """Return once what ``write`` did is committed; raise what running it alone raised.
        ``unsynced``: folders holding files, written without fsync, that its rows point at; they
        are durable before the commit (or the commit does not happen and this raises OSError)."""
        pending = _Pending(write, unsynced)
        with self._changed:
            self._queue.append(pending)
            while self._leading and not pending.finished:
                self._changed.wait()
            if not pending.finished:
                self._leading = True
                batch, self._queue = self._queue, []
        if not pending.finished:
            try:
                self._commit_batch(batch)
            finally:
                with self._changed:
                    self._leading = False
                    self._changed.notify_all()
        if pending.error is not None:
            raise pending.error

    def _commit_batch(self, batch: list[_Pending]) -> None:
        files = SyncBatch()
        for pending in batch:
            files.folders.update(pending.unsynced)
        try:
            files.flush()
        except OSError as exc:  # nothing may point at files that are not on disk
            for pending in batch:
                pending.error = exc
                pending.finished = True
            return
        if len(batch) > 1:
            try:
                with self._sessions.begin() as session:
                    for pending in batch:
                        pending.write(session)
            except Exception:
                pass  # each upload is tried alone below, and gets its own error
            else:
                for pending in batch:
                    pending.finished = True
                return
        for pending in batch:
            try:
                with self._sessions.begin() as session:
                    pending.write(session)
            except Exception as exc:  # handed to the thread whose upload it is
                pending.error = exc
            pending.finished = True
