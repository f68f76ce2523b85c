"""Many small files made durable by one flush of their filesystem instead of two fsyncs each.

A worker batch writes, per message, an acknowledgement into the archive and often a copy into a
partner's mailbox: four fsyncs (file and folder, twice), each a journal commit of its own. Inside
``deferred_sync()`` the writers only note what they wrote; ``SyncBatch.flush`` then makes all of
it durable with one ``syncfs`` per filesystem, and the caller commits its database transaction only
after that. The promise is the one the single fsyncs kept: nothing the database points at can be
lost in a power failure. Outside a batch (intake, the CLI) files are synced one by one, as before.
"""

from __future__ import annotations

import contextvars
import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archive.durable_write import fsync_path

_current: contextvars.ContextVar[SyncBatch | None] = contextvars.ContextVar("sync_batch", default=None)


class SyncBatch:
    def __init__(self) -> None:
        self.folders: set[Path] = set()  # where files were written or renamed into

    def flush(self) -> None:
        """Durable on return, or OSError: the caller must then not commit what refers to them."""
        folders, self.folders = self.folders, set()
        synced: set[int] = set()
        for folder in sorted(folders):
            device = os.stat(folder).st_dev
            if device not in synced:
                sync_filesystem(folder)
                synced.add(device)


@contextmanager
def deferred_sync() -> Iterator[SyncBatch | None]:
    """Writers in this thread defer their fsyncs to the batch; without syncfs (not Linux) there is
    no batch (None) and every file is synced as it is written."""
    if _SYNCFS is None:
        yield None
        return
    batch = SyncBatch()
    token = _current.set(batch)
    try:
        yield batch
    finally:
        _current.reset(token)


def sync_file(fd: int, folder: Path) -> None:
    """fsync the file written through ``fd`` (to be placed in ``folder``) now, or with the batch."""
    batch = _current.get()
    if batch is None:
        os.fsync(fd)
    else:
        batch.folders.add(folder)


def sync_folder(folder: Path) -> None:
    """Make a new name in ``folder`` durable now, or with the batch."""
    batch = _current.get()
    if batch is not None:
        batch.folders.add(folder)
        return
    fsync_path(folder)


def sync_found(path: Path) -> None:
    """A file a writer found already in place may have been written by a batch that rolled back
    before its flush (a worker runs such items again), so it is made durable like a new one."""
    batch = _current.get()
    if batch is not None:
        batch.folders.add(path.parent)
        return
    fsync_path(path)
    fsync_path(path.parent)


def _load_syncfs() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_SYNCFS = _load_syncfs()


def sync_filesystem(path: Path) -> None:
    """Everything written to ``path``'s filesystem reaches the disk (syncfs(2))."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if _SYNCFS(fd) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"syncfs failed: {os.strerror(errno)}", str(path))
    finally:
        os.close(fd)
