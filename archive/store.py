"""Content-addressed raw-message store: a file's name is the SHA-256 of its bytes.

Writing the same bytes twice is a no-op, files are never modified after they are written, and
anyone can check a file by hashing it. A write is durable (fsync of file and folder) before
``put`` returns, because intake acknowledges a partner only after this.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class ArchiveError(Exception):
    """The archive cannot store or return bytes (disk full, permissions, missing file)."""


@dataclass(frozen=True, slots=True)
class ArchiveDamage:
    sha256: str
    path: Path
    problem: str  # "missing" | "altered"


class ArchiveStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp_name, 0o444)
                os.replace(tmp_name, target)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
            _fsync_dir(target.parent)
        except OSError as exc:
            raise ArchiveError(
                f"cannot store {len(data)} bytes in {self.root}: {exc.strerror or exc}"
            ) from exc
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            return self.path_for(sha256).read_bytes()
        except OSError as exc:
            raise ArchiveError(f"archived file {sha256} cannot be read: {exc.strerror or exc}") from exc

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
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError:
            return False
        return True


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
