"""Where signed digests are kept: one small file each in ``<archive>/digests/``.

The folder sits beside the content-addressed part of the archive (whose two-level ``aa/bb/`` layout
never matches ``digests``), so it travels with the archive to wherever the archive is copied. A
digest file is written once under a name that sorts by signing time and is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from archive.digests import DigestFormatError, SignedDigest, parse_digest
from archive.durable_write import write_durably

FOLDER_NAME = "digests"


@dataclass(frozen=True, slots=True)
class DigestFile:
    """A file in the folder: the digest it holds, or why it could not be read as one."""

    path: Path
    digest: SignedDigest | None
    problem: str | None = None


class DigestFolder:
    def __init__(self, archive_root: Path) -> None:
        self.root = archive_root / FOLDER_NAME

    def write(self, digest: SignedDigest) -> Path:
        """Durable before it returns, like an archived message; refuses to replace an existing file."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = digest.signed_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.root / f"{stamp}-{digest.seq}.json"
        write_durably(target, digest.to_json(), mode=0o444, replace=False)
        return target

    def paths(self) -> list[Path]:
        """Digest files, oldest first (names start with the UTC signing time)."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("*.json") if p.is_file())

    def read(self, path: Path) -> DigestFile:
        try:
            return DigestFile(path, parse_digest(path.read_bytes()))
        except OSError as exc:
            return DigestFile(path, None, f"cannot be read: {exc.strerror or exc}")
        except DigestFormatError as exc:
            return DigestFile(path, None, f"not a signed digest: {exc}")

    def files(self) -> Iterator[DigestFile]:
        for path in self.paths():
            yield self.read(path)

    def newest(self) -> DigestFile | None:
        paths = self.paths()
        return self.read(paths[-1]) if paths else None
