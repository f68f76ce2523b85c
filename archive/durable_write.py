"""Writing a small file so that it is whole and on disk when the call returns.

Digests, signing keys and backup manifests are written this way: a reader (or a crash) never sees
half a file, and a file that must never be replaced is not.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_durably(path: Path, data: bytes, *, mode: int = 0o644, replace: bool = True) -> None:
    """Write under a temporary name in the same folder, fsync, then rename into place. With
    ``replace=False`` an existing file wins and FileExistsError is raised (a hard link, unlike a
    rename, never replaces)."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        if replace:
            os.replace(tmp_name, path)
        else:
            os.link(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    fsync_path(path.parent)


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries (a new name is durable only once its folder is)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
