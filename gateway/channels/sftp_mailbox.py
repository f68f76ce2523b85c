"""A partner's SFTP mailbox on disk, and the only way from a client's path to a file in it.

Layout: ``<data dir>/sftp/<partner id>/{in,out,archive}``. A client sees ``/in``, ``/out`` and
``/archive`` and nothing else: the namespace is exactly three levels deep (``/``, ``/<folder>``,
``/<folder>/<name>``), so there is no directory tree to walk out of. Every client path goes through
:func:`parse_path`, which refuses ``..`` above the root, unknown top-level folders and odd names, and
through :meth:`Mailbox.locate`, which checks on disk that the folder really is the mailbox's folder
(no symlinked folder) and that the file is a plain file with one link (no symlink, no hard link to
something elsewhere). Files are opened with ``O_NOFOLLOW`` so a symlink swapped in between check and
open fails instead of being followed.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from archive.sync_batch import sync_file, sync_folder

FOLDERS = ("in", "out", "archive")
INBOX, OUTBOX, ARCHIVE = FOLDERS
# Our own half-written files start with this; listings never show them.
INTERNAL_PREFIX = ".edigate-"
# A file written by a transaction that has not committed yet: published (renamed to its name) after
# the commit, removed if it rolls back. After the prefix: the key of the row that owns it (no "."),
# then ".", then the name it is published under.
STAGED_PREFIX = f"{INTERNAL_PREFIX}staged-"
# Names clients use while an upload is in progress (WinSCP: .filepart); renaming away from one of
# these to a plain name is what marks the upload complete.
TEMPORARY_SUFFIXES = (".filepart", ".part", ".partial", ".tmp", ".temp", ".upload")
_MAX_NAME = 255


class PathRefused(Exception):
    """The client path leaves the mailbox or names something that cannot exist in it."""


@dataclass(frozen=True, slots=True)
class MailboxPath:
    """A checked client path: the root (both None), a folder (name None), or a file in a folder."""

    folder: str | None
    name: str | None

    @property
    def virtual(self) -> str:
        parts = [p for p in (self.folder, self.name) if p]
        return "/" + "/".join(parts)

    @property
    def is_root(self) -> bool:
        return self.folder is None

    @property
    def is_folder(self) -> bool:
        return self.folder is not None and self.name is None


def _components(path: str, *, clamp: bool) -> list[str]:
    """Lexically resolve ``.``, ``..`` and repeated slashes against the mailbox root.

    A relative path is relative to ``/`` (the only working directory a client has). With ``clamp``
    (for REALPATH, as a chroot does) ``..`` stops at ``/``; otherwise climbing above it is refused.
    """
    if "\x00" in path:
        raise PathRefused("NUL in path")
    stack: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                if clamp:
                    continue
                raise PathRefused("path climbs above the mailbox")
            stack.pop()
            continue
        stack.append(part)
    return stack


def canonical(path: str) -> str:
    """The absolute, normalised form of ``path`` that REALPATH answers (never above ``/``)."""
    return "/" + "/".join(_components(path, clamp=True))


def _check_name(name: str) -> str:
    if len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME:
        raise PathRefused("name too long")
    if any(ord(c) < 32 or c in "\\\x7f" for c in name):
        raise PathRefused("control character or backslash in name")
    return name


def parse_path(path: str) -> MailboxPath:
    """A client path as a :class:`MailboxPath`, or :class:`PathRefused`."""
    parts = _components(path, clamp=False)
    if not parts:
        return MailboxPath(None, None)
    if parts[0] not in FOLDERS or len(parts) > 2:
        raise PathRefused("no such folder in the mailbox")
    if len(parts) == 1:
        return MailboxPath(parts[0], None)
    return MailboxPath(parts[0], _check_name(parts[1]))


def is_temporary(name: str) -> bool:
    """Whether ``name`` looks like an upload still in progress, which must not be processed yet."""
    lowered = name.lower()
    return name.startswith(".") or lowered.endswith(TEMPORARY_SUFFIXES)


def _plain_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _write_synced(path: Path, data: bytes, flags: int, folder: Path) -> None:
    """``data`` into the file ``path`` in ``folder`` (never through a symlink), synced now or with
    the caller's batch; on failure nothing is left at ``path``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            sync_file(handle.fileno(), folder)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def mailboxes_root(data_dir: Path) -> Path:
    return data_dir / "sftp"


class Mailbox:
    """One partner's folders; creates them on first use with owner-only permissions."""

    def __init__(self, data_dir: Path, partner_id: str) -> None:
        self.partner_id = partner_id
        self.root = mailboxes_root(data_dir).resolve() / partner_id
        for folder in FOLDERS:
            path = self.root / folder
            if not path.is_dir():  # a mailbox is made once and opened for every file it gets
                path.mkdir(parents=True, exist_ok=True, mode=0o700)

    def folder(self, name: str) -> Path:
        """The real folder, after checking that it is not (or no longer) a symlink leading elsewhere.
        ``root`` was resolved up to the partner's own folder, so only that and ``name`` can be a
        link: two ``lstat`` calls instead of resolving the whole path."""
        real = self.root / name
        if name not in FOLDERS or not (_plain_folder(self.root) and _plain_folder(real)):
            raise PathRefused("folder is not inside the mailbox")
        return real

    def locate(self, path: MailboxPath) -> Path:
        """The real path for a checked client path; refuses a symlink or a hard-linked file."""
        if path.folder is None:
            return self.root
        folder = self.folder(path.folder)
        if path.name is None:
            return folder
        real = folder / path.name
        try:
            info = os.lstat(real)
        except FileNotFoundError:
            return real  # not there (yet): creating it is for the caller to allow or not
        if stat.S_ISLNK(info.st_mode):
            raise PathRefused("symbolic links are not followed")
        if not stat.S_ISREG(info.st_mode):
            raise PathRefused("not a regular file")
        if info.st_nlink != 1:
            raise PathRefused("file has other hard links")
        return real

    def entries(self, folder: str) -> list[tuple[str, os.stat_result]]:
        """The plain files a client may see in ``folder``, by name; our temporary files left out."""
        visible: list[tuple[str, os.stat_result]] = []
        with os.scandir(self.folder(folder)) as scan:
            for entry in scan:
                if entry.name.startswith(INTERNAL_PREFIX):
                    continue
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
                    visible.append((entry.name, info))
        return sorted(visible)

    def write_atomically(self, folder: str, name: str, data: bytes) -> Path:
        """Put ``data`` into ``folder/name`` so a client sees either nothing or the whole file.

        Written under a hidden temporary name, flushed to disk, then renamed: a rename within one
        directory is atomic, and a crash leaves at worst an invisible temporary file.
        """
        _check_name(name)
        target_dir = self.folder(folder)
        temporary = target_dir / f"{INTERNAL_PREFIX}{secrets.token_hex(8)}-{name}"[:_MAX_NAME]
        _write_synced(temporary, data, os.O_EXCL, target_dir)
        try:
            os.replace(temporary, target_dir / name)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        sync_folder(target_dir)
        return target_dir / name

    def stage(self, folder: str, name: str, data: bytes, key: str) -> tuple[Path, Path]:
        """Write ``data`` hidden in ``folder`` for ``name``, to be published once the transaction
        that records it commits (``gateway/publication.py``); durable with its sync batch. The
        staged file, and the path to publish it under."""
        _check_name(name)
        target_dir = self.folder(folder)
        staged = target_dir / f"{STAGED_PREFIX}{key}.{name}"[:_MAX_NAME]
        _write_synced(staged, data, os.O_TRUNC, target_dir)
        sync_folder(target_dir)
        return staged, target_dir / name

    def staged(self, folder: str) -> list[tuple[str, Path]]:
        """The staged files in ``folder``, each with the key it was staged under."""
        found: list[tuple[str, Path]] = []
        with os.scandir(self.folder(folder)) as scan:
            for entry in scan:
                if entry.name.startswith(STAGED_PREFIX) and entry.is_file(follow_symlinks=False):
                    key, _, _name = entry.name[len(STAGED_PREFIX) :].partition(".")
                    found.append((key, Path(entry.path)))
        return found

    def free_name(self, folder: str, name: str, tag: str) -> Path:
        """``folder/name``, or ``folder/<tag>_name`` when that is taken (e.g. a re-sent file name)."""
        target_dir = self.folder(folder)
        candidate = target_dir / name
        if os.path.lexists(candidate):
            candidate = target_dir / f"{tag}_{name}"[:_MAX_NAME]
        return candidate
