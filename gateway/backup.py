"""``edigate backup DIR``: a consistent copy of a running embedded (SQLite) node.

The order of the steps is what makes the copy consistent while the node keeps working:

1. signed digests first: each signs a chain head that the database copy taken after it contains;
2. the database, with SQLite's online backup API in one step: one read transaction, so the copy is a
   snapshot while writers go on (WAL);
3. the content-addressed archive: files are immutable and written before the rows that name them,
   so a copy made after the snapshot holds every file the snapshot refers to (and perhaps a few newer);
4. everything else in the data directory (keys, certificates, partner profiles, SFTP mailboxes);
5. a manifest with the SHA-256 of every file, written last: a backup without one is incomplete.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from archive.digest_folder import FOLDER_NAME
from archive.durable_write import fsync_path, write_durably
from archive.store import ArchiveStore
from gateway.config import Settings

BACKUP_FORMAT = "edigate-backup/1"
MANIFEST = "manifest.json"
DATABASE = "edigate.db"
ARCHIVE = "archive"
DATA = "data"
POSTGRESQL_ADVICE = (
    "this node keeps its database in PostgreSQL, which `edigate backup` does not copy: dump it with "
    "pg_dump (or take a pg_basebackup), then copy the archive folder {archive} — in that order — "
    "as the README section “Backups” describes"
)


class BackupError(Exception):
    """No usable backup can be made or restored; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    files: int = 0
    size: int = 0
    audit_seq: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def sqlite_path(settings: Settings) -> Path:
    if not settings.is_sqlite:
        raise BackupError(POSTGRESQL_ADVICE.format(archive=settings.resolved_archive_dir()))
    database = make_url(settings.resolved_database_url()).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing on disk to back up or restore")
    return Path(database)


def database_files(path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it; a stale -wal must never meet another copy."""
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def make_backup(settings: Settings, target: Path, now: datetime) -> BackupResult:
    database = sqlite_path(settings)
    if not database.exists():
        raise BackupError(f"there is no database at {database} to back up")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty folder; back up into a new one")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds keys
    archive_root = settings.resolved_archive_dir()
    result = BackupResult(target)
    files: dict[str, dict[str, Any]] = {}

    def keep(relative: str, sha256: str, size: int) -> None:
        files[relative] = {"sha256": sha256, "size": size}
        result.files += 1
        result.size += size

    for source in sorted((archive_root / FOLDER_NAME).glob("*.json")):
        relative = f"{ARCHIVE}/{FOLDER_NAME}/{source.name}"
        keep(relative, *copy_file(source, target / relative))
    snapshot_database(database, target / DATABASE)
    keep(DATABASE, *_hash_file(target / DATABASE))
    store = ArchiveStore(archive_root)
    for sha256 in store.stored_hashes():
        relative = f"{ARCHIVE}/{store.path_for(sha256).relative_to(archive_root).as_posix()}"
        copied, size = copy_file(store.path_for(sha256), target / relative)
        keep(relative, copied, size)
        if copied != sha256:
            result.problems.append(
                f"archive file {store.path_for(sha256)} does not match its hash (copied as is)"
            )
    skip = {*database_files(database), archive_root, target}
    for source in _data_files(settings.data_dir, skip):
        relative = f"{DATA}/{source.relative_to(settings.data_dir).as_posix()}"
        try:
            keep(relative, *copy_file(source, target / relative))
        except FileNotFoundError:
            continue  # gone meanwhile, e.g. a partner fetched a file from its SFTP mailbox
    result.audit_seq, result.tables, referenced = _describe_snapshot(target / DATABASE)
    for sha256 in sorted(referenced):
        if f"{ARCHIVE}/{sha256[:2]}/{sha256[2:4]}/{sha256}" not in files:
            result.problems.append(f"archive file {sha256} named by the database is missing from the archive")
    os.sync()  # every copied file on disk before the manifest says the backup is complete
    manifest = {
        "format": BACKUP_FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "audit_seq": result.audit_seq,
        "tables": result.tables,
        "files": files,
    }
    write_durably(target / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
    return result


def snapshot_database(source: Path, target: Path) -> None:
    """SQLite's online backup, all pages in one step, so writers on the live node are never blocked."""
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        copy.close()
        live.close()
    if verdict != "ok":
        raise BackupError(f"the copy of {source} fails SQLite's integrity check: {verdict}")
    fsync_path(target)


def copy_file(source: Path, target: Path) -> tuple[str, int]:
    """Copy with the SHA-256 of what was actually written; keeps the mode (archive files stay
    read-only, keys stay owner-only). Not yet durable: callers flush once with ``os.sync()`` at the
    end, which is far quicker than one fsync per file for an archive of many small files."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("xb") as writer:
        for chunk in iter(lambda: reader.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        os.chmod(target, os.stat(source).st_mode & 0o777)
    return digest.hexdigest(), size


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise BackupError(f"{folder} has no {MANIFEST}: not a backup, or one that did not finish") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{path} is not an edigate backup manifest ({BACKUP_FORMAT})")
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("sha256"), str) for entry in files.values()
    ):
        raise BackupError(f"{path} does not list its files with their SHA-256")
    for relative in files:
        parts = Path(relative).parts
        if Path(relative).is_absolute() or ".." in parts or not parts:
            raise BackupError(f"{path} lists {relative!r}, a path outside the backup")
    return manifest


def manifest_problems(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Every file the manifest lists, present with the bytes it lists."""
    problems = []
    for relative, expected in sorted(manifest["files"].items()):
        try:
            sha256, _size = _hash_file(folder / relative)
        except FileNotFoundError:
            problems.append(f"{relative}: missing from the backup")
            continue
        if sha256 != expected["sha256"]:
            problems.append(f"{relative}: altered since the backup was made (SHA-256 {sha256})")
    return problems


def _data_files(root: Path, skip: set[Path]) -> Iterator[Path]:
    skip = {path.resolve() for path in skip}
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if (here / d).resolve() not in skip)
        for name in sorted(names):
            path = here / name
            if path.resolve() not in skip and path.is_file() and not path.is_symlink():
                yield path


def _describe_snapshot(database: Path) -> tuple[int, dict[str, int], set[str]]:
    """Audit head, rows per table and the archive files the rows name, read from the copy itself."""
    connection = sqlite3.connect(database)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}
        head = connection.execute("SELECT last_seq FROM audit_head WHERE id = 1").fetchone()
        referenced = {
            row[0]
            for row in connection.execute(
                "SELECT sha256 FROM transmissions UNION SELECT sha256 FROM acknowledgements"
            )
        }
    finally:
        connection.close()
    return (head[0] if head else 0), counts, referenced


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
