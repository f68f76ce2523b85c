"""Content-addressed raw-message store: a file's name is the SHA-256 of its bytes.

Writing the same bytes twice is a no-op, files are never modified after they are written, and
anyone can check a file by hashing it. A write is durable (fsync of file and folder) before
``put`` returns, because intake acknowledges a partner only after this.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from archive.sync_batch import sync_file, sync_folder, sync_found


class ArchiveError(Exception):
    """The archive cannot store or return bytes (disk full, permissions, missing file)."""


def _storage_error(root: Path, exc: OSError) -> ArchiveError:
    """A full disk is said in words an operator and a partner understand at once."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ArchiveError(f"the archive is full: no space left in {root}")
    return ArchiveError(f"cannot store in {root}: {exc.strerror or exc}")


@dataclass(frozen=True, slots=True)
class ArchiveDamage:
    sha256: str
    path: Path
    problem: str  # "missing" | "altered"


class RawStore(Protocol):
    """What every raw-message store offers, so a local folder, a shared folder and an S3-compatible
    bucket are interchangeable behind the gateway. Stored objects are immutable and named by the
    SHA-256 of their bytes; a ``put`` is durable when it returns."""

    def put(self, data: bytes) -> str: ...

    def put_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]: ...

    def get(self, sha256: str) -> bytes: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def delete(self, sha256: str) -> bool: ...

    def check(self, sha256: str) -> ArchiveDamage | None: ...

    def stored_hashes(self) -> Iterator[str]: ...

    def is_writable(self) -> bool: ...


class ArchiveStore:
    """Raw store on a filesystem: local, or a shared folder (NFS, SMB) that every node mounts."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        # One join, not three: this runs several times for every message.
        return self.root.joinpath(sha256[:2], sha256[2:4], sha256)

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            sync_found(target)
            return digest
        return self.put_stream([data])[0]

    def put_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Store bytes as they arrive, hashing on the way, so a 100 MB upload never sits in memory.
        The file is written under a temporary name and renamed to its hash once complete."""
        digest = hashlib.sha256()
        size = 0
        try:
            fd, tmp_name = self._temporary_file()
        except OSError as exc:
            raise _storage_error(self.root, exc) from exc
        try:
            handle = os.fdopen(fd, "wb")
            try:
                for chunk in chunks:  # the producer's own errors (a client gone) pass through as they are
                    digest.update(chunk)
                    size += len(chunk)
                    _write(handle, chunk, self.root)
                _write(handle, b"", self.root, sync=True)
            finally:
                # Closing flushes again what a full disk refused; that must not replace the clear error.
                with contextlib.suppress(OSError):
                    handle.close()
            sha256 = digest.hexdigest()
            target = self.path_for(sha256)
            if target.exists():
                Path(tmp_name).unlink(missing_ok=True)
                sync_found(target)
                return sha256, size
            try:
                os.chmod(tmp_name, 0o444)
                try:
                    os.replace(tmp_name, target)
                except FileNotFoundError:  # the first file of its folder
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(tmp_name, target)
                sync_folder(target.parent)
            except OSError as exc:
                raise ArchiveError(
                    f"cannot store {size} bytes in {self.root}: {exc.strerror or exc}"
                ) from exc
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return sha256, size

    def _temporary_file(self) -> tuple[int, str]:
        """Asks for the folder only when it is missing: once per store, not once per file (a
        ``mkdir`` of an existing folder is two system calls and a Python exception each time)."""
        try:
            return tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        except FileNotFoundError:
            self.root.mkdir(parents=True, exist_ok=True)
            return tempfile.mkstemp(dir=self.root, prefix=".incoming-")

    def get(self, sha256: str) -> bytes:
        try:
            return self.path_for(sha256).read_bytes()
        except OSError as exc:
            raise ArchiveError(f"archived file {sha256} cannot be read: {exc.strerror or exc}") from exc

    def open(self, sha256: str) -> BinaryIO:
        """A seekable reader, for consumers that stream or map a large file instead of loading it."""
        try:
            return self.path_for(sha256).open("rb")
        except OSError as exc:
            raise ArchiveError(f"archived file {sha256} cannot be read: {exc.strerror or exc}") from exc

    def delete(self, sha256: str) -> bool:
        """Remove a file whose retention has run out; False when it was not there."""
        path = self.path_for(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ArchiveError(f"archived file {sha256} cannot be deleted: {exc.strerror or exc}") from exc
        sync_folder(path.parent)
        return True

    def check(self, sha256: str) -> ArchiveDamage | None:
        path = self.path_for(sha256)
        try:
            actual = _hash_file(path)
        except FileNotFoundError:
            return ArchiveDamage(sha256, path, "missing")
        return None if actual == sha256 else ArchiveDamage(sha256, path, "altered")

    def stored_hashes(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(self.root.glob("??/??/*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.name

    def is_writable(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root) as probe:
                probe.write(b"\0")  # a byte, not just a name: a full disk still creates empty files
                probe.flush()
        except OSError:
            return False
        return True


def _write(handle: BinaryIO, chunk: bytes, root: Path, *, sync: bool = False) -> None:
    try:
        handle.write(chunk)
        if sync:
            handle.flush()
            sync_file(handle.fileno(), root)
    except OSError as exc:  # disk full, quota, I/O error: the archive's problem, said as such
        raise _storage_error(root, exc) from exc


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
