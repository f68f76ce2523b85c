"""``edigate restore DIR``: put a backup made by ``edigate backup`` back into a data directory.

The manifest is checked before anything is touched, a node still running on the target is never
overwritten, and with ``--force`` the previous contents are moved aside, not deleted.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gateway.backup import (
    ARCHIVE,
    DATA,
    DATABASE,
    BackupError,
    copy_file,
    database_files,
    manifest_problems,
    read_manifest,
    sqlite_path,
)
from gateway.config import Settings


@dataclass
class RestoreResult:
    files: int
    audit_seq: int
    moved_aside: Path | None


def restore_backup(settings: Settings, source: Path, now: datetime, *, force: bool = False) -> RestoreResult:
    manifest = read_manifest(source)
    problems = manifest_problems(source, manifest)
    if problems:
        raise BackupError(
            "the backup does not match its manifest; nothing was restored:\n  " + "\n  ".join(problems)
        )
    database = sqlite_path(settings)
    data_dir = settings.data_dir
    archive_root = settings.resolved_archive_dir()
    if source.resolve().is_relative_to(data_dir.resolve()):
        raise BackupError(
            f"the backup {source} lies inside the data directory {data_dir}; move it elsewhere first"
        )
    if _in_use(database):
        raise BackupError(f"{database} is in use by a running edigate; stop every node on it first")
    inside = data_dir.resolve()
    occupied = [data_dir] if data_dir.exists() and any(data_dir.iterdir()) else []
    if (
        archive_root.exists()
        and any(archive_root.iterdir())
        and not archive_root.resolve().is_relative_to(inside)
    ):
        occupied.append(archive_root)
    occupied += [p for p in database_files(database) if p.exists() and not p.resolve().is_relative_to(inside)]
    moved_aside = None
    if occupied:
        if not force:
            where = ", ".join(str(p) for p in occupied)
            raise BackupError(f"not empty: {where}; restore into an empty data directory, or add --force")
        moved_aside = _move_aside(occupied, data_dir, now)
    count = 0
    for relative, expected in sorted(manifest["files"].items()):
        top, _, rest = relative.partition("/")
        if relative == DATABASE:
            target = database
        elif top == ARCHIVE:
            target = archive_root / rest
        elif top == DATA:
            target = data_dir / rest
        else:
            raise BackupError(f"the manifest lists {relative}, which a backup never contains")
        sha256, _size = copy_file(source / relative, target)
        if sha256 != expected["sha256"]:
            raise BackupError(f"{relative} changed while it was being restored; restore again")
        count += 1
    os.sync()
    return RestoreResult(count, manifest.get("audit_seq", 0), moved_aside)


def _in_use(database: Path) -> bool:
    """A running node keeps connections open; an exclusive lock is then refused at once."""
    if not database.exists():
        return False
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute("ROLLBACK")
    except sqlite3.OperationalError:  # "database is locked"
        return True
    except sqlite3.DatabaseError:  # not a database at all: nobody runs on it
        return False
    finally:
        connection.close()
    return False


def _move_aside(occupied: list[Path], data_dir: Path, now: datetime) -> Path:
    """With --force the old contents go to a sibling folder, so a wrong restore can be undone."""
    aside = data_dir.parent / f"{data_dir.name}.replaced-{now.strftime('%Y%m%dT%H%M%SZ')}"
    aside.mkdir(mode=0o700)
    for index, path in enumerate(occupied):
        if path == data_dir:
            for entry in sorted(data_dir.iterdir()):
                shutil.move(entry, aside / entry.name)
        elif path.exists():  # an archive or database kept outside the data directory
            shutil.move(path, aside / f"{index}-{path.name}")
    return aside
