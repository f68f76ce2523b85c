"""edigate's SFTP server: partners log in, drop files into ``/in`` and collect ours from ``/out``.

paramiko does the SSH protocol; this module decides who may log in (one account per partner, from
its profile's ``[sftp]`` section), what each SFTP request may do in that partner's mailbox
(:mod:`gateway.channels.sftp_mailbox` keeps every path inside it), and when an upload is complete.

An upload is complete when the client closes a file it wrote in ``/in`` under a plain name, or renames
a temporary name (``x.edi.filepart``, ``.x.edi``…) to a plain one. Only then are the bytes read and
handed to the durable intake (:func:`gateway.intake.accept`): archive, row, commit. Only after that
does the client's CLOSE or RENAME get its "OK", and only then is the file moved to ``/archive`` (or
removed), so a file is taken in exactly once. A session that ends while a file is still open for
writing (broken connection, killed client) had not finished its upload: that file is deleted, never
processed.

The host key is generated once (ed25519) under ``<data dir>/keys`` and kept, so partners who pinned
its fingerprint keep connecting after a restart.
"""

from __future__ import annotations

import logging
import os
import socket
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from paramiko.sftp import CMD_CLOSE, SFTP_BAD_MESSAGE
from sqlalchemy import select

from archive.audit import AuditEntry
from gateway.channels.sftp_mailbox import (
    ARCHIVE,
    FOLDERS,
    INBOX,
    OUTBOX,
    Mailbox,
    MailboxPath,
    PathRefused,
    canonical,
    is_temporary,
    parse_path,
)
from gateway.context import Gateway
from gateway.dashboard.passwords import hash_password, verify_password
from gateway.database.audit_log import append_events
from gateway.database.models import Acknowledgement
from gateway.intake import Upload, accept
from partners.profile import PartnerProfile
from partners.sftp import key_fingerprint, parse_authorized_keys_text

log = logging.getLogger(__name__)

HOST_KEY_FILE = "sftp_host_ed25519_key"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_OPEN_FLAGS = os.O_RDONLY | _WRITE_FLAGS | os.O_EXCL
_RECENT_UPLOADS = 64  # names a session remembers having handed to intake (for WinSCP's setstat after close)


# ---------------------------------------------------------------------------------------------- keys


def keys_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def write_key_pair(path: Path, comment: str) -> str:
    """Generate an ed25519 key pair at ``path`` (private, OpenSSH format, mode 0600) and ``path.pub``.

    Returns the public key's fingerprint. Used for our host key and for the demo partner's login key.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    path.with_name(path.name + ".pub").write_bytes(public + b" " + comment.encode() + b"\n")
    return key_fingerprint(paramiko.Ed25519Key(filename=str(path)).asbytes())


def load_host_key(data_dir: Path) -> paramiko.PKey:
    """Our persistent host key; created on first start so its fingerprint never changes afterwards."""
    path = keys_dir(data_dir) / HOST_KEY_FILE
    if not path.exists():
        write_key_pair(path, "edigate-sftp-host")
    return paramiko.Ed25519Key(filename=str(path))


def host_key_fingerprint(data_dir: Path) -> str:
    """What operators tell partners to pin (``SHA256:…``), as ``ssh-keygen -lf`` prints it."""
    return key_fingerprint(load_host_key(data_dir).asbytes())


# ------------------------------------------------------------------------------------------ accounts


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    partner: PartnerProfile


def find_account(gw: Gateway, username: str) -> Account | None:
    """The mailbox account called ``username``, looked up in the current partner directory.

    Two partners claiming one user name log in as neither: a login must never have two meanings.
    """
    owners = [
        p
        for p in gw.partners
        if p.sftp is not None and p.sftp.mode == "mailbox" and p.sftp.account_name(p.id) == username
    ]
    if len(owners) != 1:
        if len(owners) > 1:
            log.error("SFTP user %r is claimed by %s", username, ", ".join(p.id for p in owners))
        return None
    return Account(username, owners[0])


def authorized_key_blobs(gw: Gateway, partner: PartnerProfile) -> set[bytes]:
    """The public keys the partner may log in with, read afresh so a replaced key file applies at once."""
    settings = partner.sftp
    if settings is None:
        return set()
    text = "\n".join(settings.authorized_keys)
    if settings.authorized_keys_file:
        path = Path(settings.authorized_keys_file)
        path = path if path.is_absolute() else gw.settings.data_dir / path
        try:
            text += "\n" + path.read_text(encoding="utf-8")
        except OSError as exc:
            log.warning("authorized keys file of %s unreadable: %s", partner.id, exc)
    return {blob for _type, blob in parse_authorized_keys_text(text)}


class LoginGuard:
    """Slows down repeated failed logins from one address: each failure in a row doubles the wait.

    The wait happens in the failing connection's own thread, so other partners are not held up.
    ``sleep`` is injectable so tests can see the delays without waiting for them.
    """

    def __init__(
        self,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def failed(self, address: str) -> float:
        """Count a failure and wait; returns the delay applied."""
        with self._lock:
            count = self._failures.get(address, 0) + 1
            self._failures[address] = count
            if len(self._failures) > 10_000:  # bounded memory under a scan from many addresses
                self._failures.clear()
        delay = min(self.base_delay * 2 ** (count - 2), self.max_delay) if count > 1 else 0.0
        if delay:
            self.sleep(delay)
        return delay

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


class _Authenticator(paramiko.ServerInterface):
    """One connection's login: checks keys and passwords against the partner's account, audits failures."""

    def __init__(self, server: SftpServer, remote: str) -> None:
        self.server = server
        self.remote = remote  # host:port, for the audit trail
        self.address = remote.rsplit(":", 1)[0]  # host, for slowing down repeated failures
        self.account: Account | None = None
        self.method = ""
        self._audited: set[tuple[str, str, str]] = set()

    def get_allowed_auths(self, username: str) -> str:
        return "publickey,password"

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        account = find_account(self.server.gw, username)
        blob = key.asbytes()
        if (
            account is not None
            and account.partner.enabled
            and blob in authorized_key_blobs(self.server.gw, account.partner)
        ):
            return self._success(account, "publickey")
        return self._failure(username, account, "publickey", key_fingerprint(blob))

    def check_auth_password(self, username: str, password: str) -> int:
        account = find_account(self.server.gw, username)
        stored = account.partner.sftp.password_hash if account and account.partner.sftp else ""
        if account is not None and stored and account.partner.enabled:
            if verify_password(password, stored):
                return self._success(account, "password")
        else:
            verify_password(password, self.server.dummy_hash)
        return self._failure(username, account, "password", "")

    def _success(self, account: Account, method: str) -> int:
        self.account, self.method = account, method
        self.server.guard.succeeded(self.address)
        return paramiko.AUTH_SUCCESSFUL

    def _failure(self, username: str, account: Account | None, method: str, key: str) -> int:
        if account is None:
            reason = "unknown user"
        elif not account.partner.enabled:
            reason = "partner disabled"
        else:
            reason = "wrong key" if method == "publickey" else "wrong password"
        if (username, method, key) not in self._audited:
            self._audited.add((username, method, key))
            details: dict[str, Any] = {"username": username[:64], "method": method, "reason": reason}
            details["remote"] = self.remote
            if key:
                details["key"] = key
            subject = ("partner", account.partner.id) if account else ("sftp_account", username[:64])
            self.server.audit(f"sftp:{username[:64]}", *subject, "sftp_login_failed", details)
        self.server.guard.failed(self.address)
        return paramiko.AUTH_FAILED


# ------------------------------------------------------------------------------------------- uploads


class UploadDesk:
    """Turns a finished upload into an accepted transmission, once, whichever session finished it.

    Shared by every session of one server: it knows which files are open for writing (a second
    writer on the same name is refused, so nothing is taken in while someone still writes to it) and
    serialises intake per partner.
    """

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self._guard = threading.Lock()
        self._writing: set[tuple[str, str]] = set()
        self._partner_locks: dict[str, threading.Lock] = {}

    def start_writing(self, partner_id: str, name: str) -> bool:
        with self._guard:
            if (partner_id, name) in self._writing:
                return False
            self._writing.add((partner_id, name))
            return True

    def stop_writing(self, partner_id: str, name: str) -> None:
        with self._guard:
            self._writing.discard((partner_id, name))

    def is_writing(self, partner_id: str, name: str) -> bool:
        with self._guard:
            return (partner_id, name) in self._writing

    def _lock(self, partner_id: str) -> threading.Lock:
        with self._guard:
            return self._partner_locks.setdefault(partner_id, threading.Lock())

    def take_in(
        self, account: Account, mailbox: Mailbox, name: str, remote: str
    ) -> tuple[int, os.stat_result | None]:
        """Accept ``/in/name`` durably, then move it to ``/archive`` (or delete it).

        Returns an SFTP status and the file's attributes as taken in (for a client's check right after).

        If intake fails (database down), the file stays where it is and the client is told so;
        it will upload again, and the next complete upload is taken in.
        """
        with self._lock(account.partner.id):
            try:
                real = mailbox.locate(MailboxPath(INBOX, name))
                fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except FileNotFoundError:
                return paramiko.SFTP_OK, None  # already taken in by the other trigger
            except (PathRefused, OSError):
                return paramiko.SFTP_PERMISSION_DENIED, None
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
                    return paramiko.SFTP_PERMISSION_DENIED, None
                try:
                    receipt = accept(  # streamed from the file into the archive, never read whole
                        self.gw,
                        Upload(
                            channel="sftp",
                            data=handle,
                            partner_id=account.partner.id,
                            actor=f"sftp:{account.username}",
                            filename=name,
                            transport={"username": account.username, "remote": remote, "path": f"/in/{name}"},
                        ),
                    )
                except Exception:
                    log.exception("SFTP upload %s of %s could not be taken in", name, account.partner.id)
                    return paramiko.SFTP_FAILURE, None
            settings = account.partner.sftp
            if settings is not None and settings.keep_uploads:
                os.replace(real, mailbox.free_name(ARCHIVE, name, receipt.id[:8]))
            else:
                real.unlink(missing_ok=True)
            return paramiko.SFTP_OK, info


# ------------------------------------------------------------------------------------------- handles


def _attributes(info: os.stat_result, filename: str | None = None) -> paramiko.SFTPAttributes:
    """File attributes without our server's user and group ids, which mean nothing to a partner."""
    attr = paramiko.SFTPAttributes.from_stat(info, filename)
    attr.st_uid = attr.st_gid = None
    return attr


class _FileHandle(paramiko.SFTPHandle):
    """An open file in the mailbox, read and written by offset (SFTP requests may come in any order)."""

    def __init__(self, session: _MailboxSftp, path: MailboxPath, fd: int, flags: int) -> None:
        super().__init__(flags)
        self.session = session
        self.path = path
        self.fd = fd
        self.writing = bool(flags & (os.O_WRONLY | os.O_RDWR))
        self.bytes_read = 0
        self.too_large = False
        self.closed = False

    def read(self, offset: int, length: int) -> bytes | int:
        try:
            data = os.pread(self.fd, length, offset)
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)
        self.bytes_read += len(data)
        return data

    def write(self, offset: int, data: bytes) -> int:
        if not self.writing:
            return paramiko.SFTP_PERMISSION_DENIED
        if offset + len(data) > self.session.gw.settings.max_body_bytes:
            self.too_large = True
            return paramiko.SFTP_FAILURE
        try:
            os.pwrite(self.fd, data, offset)
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)
        return paramiko.SFTP_OK

    def stat(self) -> paramiko.SFTPAttributes | int:
        return _attributes(os.fstat(self.fd))

    def chattr(self, attr: paramiko.SFTPAttributes) -> int:
        """Times and (for uploads) size are applied; owner and permissions are ours to decide."""
        try:
            if self.writing and attr.st_size is not None:
                os.ftruncate(self.fd, attr.st_size)
            if self.writing and attr.st_mtime is not None:
                os.utime(self.fd, (attr.st_atime or attr.st_mtime, attr.st_mtime))
        except OSError as exc:
            return paramiko.SFTPServer.convert_errno(exc.errno)
        return paramiko.SFTP_OK

    def close(self) -> int:
        """The client's CLOSE: for an upload this is the moment the file is complete."""
        if self.closed:
            return paramiko.SFTP_OK
        self.closed = True
        os.close(self.fd)
        return self.session.closed(self)

    def abort(self) -> None:
        """The session ended with this file still open: an upload that broke off."""
        if self.closed:
            return
        self.closed = True
        os.close(self.fd)
        self.session.aborted(self)


class _Subsystem(paramiko.SFTPServer):
    """paramiko's SFTP protocol loop, with two changes this gateway's guarantees depend on.

    CLOSE answers with what closing the file returned (paramiko always says OK): an upload the
    intake could not take in must not look delivered. And when the session ends, files still open
    are *aborted* rather than closed, so a broken-off upload is never taken for a finished one.
    """

    def _process(self, t: int, request_number: int, msg: paramiko.Message) -> None:
        if t != CMD_CLOSE:
            super()._process(t, request_number, msg)
            return
        handle = msg.get_binary()
        if handle in self.folder_table:
            del self.folder_table[handle]
            self._send_status(request_number, paramiko.SFTP_OK)
        elif handle in self.file_table:
            result = self.file_table.pop(handle).close()
            self._send_status(request_number, result if isinstance(result, int) else paramiko.SFTP_OK)
        else:
            self._send_status(request_number, SFTP_BAD_MESSAGE, "Invalid handle")

    def finish_subsystem(self) -> None:
        for handle in list(self.file_table.values()):
            if isinstance(handle, _FileHandle):
                handle.abort()
        super().finish_subsystem()


# ------------------------------------------------------------------------------------------- session


def _refusal(exc: OSError) -> int:
    return paramiko.SFTPServer.convert_errno(exc.errno)


class _MailboxSftp(paramiko.SFTPServerInterface):
    """The SFTP requests of one logged-in partner, answered inside that partner's mailbox only."""

    def __init__(self, server: _Authenticator, sftp_server: SftpServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(server)
        if server.account is None:  # paramiko starts subsystems only after authentication
            raise PermissionError("SFTP session without a login")
        self.account = server.account
        self.method = server.method
        self.remote = server.remote
        self.server = sftp_server
        self.gw = sftp_server.gw
        self.desk = sftp_server.desk
        self.mailbox = Mailbox(self.gw.settings.data_dir, self.account.partner.id)
        # Uploads this session handed to intake, as they were then. Clients check an upload right
        # after it (paramiko's put() stats it, WinSCP sets its time); by then it has left /in.
        self.recent_uploads: OrderedDict[str, os.stat_result] = OrderedDict()

    @property
    def partner_id(self) -> str:
        return self.account.partner.id

    def session_started(self) -> None:
        self._audit("sftp_session_started", method=self.method)

    def _audit(self, action: str, subject: tuple[str, str] | None = None, **details: Any) -> None:
        subject_type, subject_id = subject or ("partner", self.partner_id)
        details = {"username": self.account.username, "remote": self.remote, **details}
        self.server.audit(f"sftp:{self.account.username}", subject_type, subject_id, action, details)

    def _checked(self, path: str) -> tuple[MailboxPath, Path]:
        where = parse_path(path)
        return where, self.mailbox.locate(where)

    # --- reading the namespace

    def canonicalize(self, path: str) -> str:
        return canonical(path)

    def list_folder(self, path: str) -> list[paramiko.SFTPAttributes] | int:
        try:
            where, _real = self._checked(path)
        except PathRefused:
            return paramiko.SFTP_NO_SUCH_FILE
        if where.is_root:
            return [_attributes(os.stat(self.mailbox.folder(f)), f) for f in FOLDERS]
        if where.folder is None or not where.is_folder:
            return paramiko.SFTP_NO_SUCH_FILE
        return [_attributes(info, name) for name, info in self.mailbox.entries(where.folder)]

    def stat(self, path: str) -> paramiko.SFTPAttributes | int:
        try:
            where, real = self._checked(path)
            if where.folder == INBOX and where.name in self.recent_uploads and not os.path.lexists(real):
                return _attributes(self.recent_uploads[where.name])
            return _attributes(os.stat(real, follow_symlinks=False))
        except PathRefused:
            return paramiko.SFTP_NO_SUCH_FILE
        except OSError as exc:
            return _refusal(exc)

    lstat = stat

    # --- files

    def open(self, path: str, flags: int, attr: paramiko.SFTPAttributes) -> _FileHandle | int:
        try:
            where, real = self._checked(path)
        except PathRefused:
            return paramiko.SFTP_PERMISSION_DENIED
        if where.name is None:
            return paramiko.SFTP_FAILURE  # a folder is not a file
        writing = bool(flags & _WRITE_FLAGS)
        if writing and where.folder != INBOX:
            return paramiko.SFTP_PERMISSION_DENIED  # /out and /archive are ours to write
        if writing and not self.desk.start_writing(self.partner_id, where.name):
            return paramiko.SFTP_FAILURE  # someone else is still uploading this name
        try:
            fd = os.open(real, (flags & _OPEN_FLAGS) | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
                os.close(fd)
                raise PermissionError(13, "not a plain file")
        except OSError as exc:
            if writing:
                self.desk.stop_writing(self.partner_id, where.name)
            return _refusal(exc)
        handle = _FileHandle(self, where, fd, flags)
        handle.filename = where.virtual
        return handle

    def closed(self, handle: _FileHandle) -> int:
        """A file was closed by the client; a finished upload with a plain name is taken in now."""
        name = handle.path.name or ""
        if handle.writing:
            try:
                if handle.too_large:
                    self.mailbox.locate(handle.path).unlink(missing_ok=True)
                    self._audit("sftp_upload_refused", filename=name, reason="larger than max_body_bytes")
                    return paramiko.SFTP_FAILURE
                if is_temporary(name):
                    return paramiko.SFTP_OK  # complete only when renamed to its real name
                return self._take_in(name)
            finally:
                self.desk.stop_writing(self.partner_id, name)
        if handle.path.folder == OUTBOX and handle.bytes_read:
            size = os.stat(self.mailbox.locate(handle.path)).st_size if self._exists(handle.path) else None
            self._audit(
                "sftp_picked_up",
                self._file_subject(name),
                filename=name,
                bytes=handle.bytes_read,
                complete=size is not None and handle.bytes_read >= size,
            )
        return paramiko.SFTP_OK

    def aborted(self, handle: _FileHandle) -> None:
        """An upload that never got its CLOSE: delete the partial file, tell the operator."""
        name = handle.path.name or ""
        if not handle.writing:
            return
        try:
            self.mailbox.locate(handle.path).unlink(missing_ok=True)
        except (PathRefused, OSError):
            log.warning("could not remove broken upload %s of %s", name, self.partner_id)
        finally:
            self.desk.stop_writing(self.partner_id, name)
        self._audit("sftp_upload_aborted", filename=name, reason="session ended before the file was closed")

    def _exists(self, where: MailboxPath) -> bool:
        try:
            return self.mailbox.locate(where).exists()
        except PathRefused:
            return False

    def _file_subject(self, name: str) -> tuple[str, str]:
        """The acknowledgement a file in /out carries, when it is one, so its history shows the pick-up."""
        with self.gw.sessions() as session:
            ack_id = session.execute(
                select(Acknowledgement.id).where(
                    Acknowledgement.partner_id == self.partner_id, Acknowledgement.filename == name
                )
            ).scalar_one_or_none()
        return ("acknowledgement", ack_id) if ack_id else ("partner", self.partner_id)

    def remove(self, path: str) -> int:
        try:
            where, real = self._checked(path)
        except PathRefused:
            return paramiko.SFTP_PERMISSION_DENIED
        if where.name is None:
            return paramiko.SFTP_PERMISSION_DENIED
        if where.folder == INBOX and self.desk.is_writing(self.partner_id, where.name):
            return paramiko.SFTP_FAILURE
        try:
            os.unlink(real)
        except OSError as exc:
            return _refusal(exc)
        if where.folder == OUTBOX:
            self._audit("sftp_removed", self._file_subject(where.name), filename=where.name)
        return paramiko.SFTP_OK

    def rename(self, oldpath: str, newpath: str) -> int:
        return self._rename(oldpath, newpath, overwrite=False)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self._rename(oldpath, newpath, overwrite=True)

    def _rename(self, oldpath: str, newpath: str, *, overwrite: bool) -> int:
        """Renames happen inside ``/in`` only; renaming to a plain name completes an upload."""
        try:
            old, old_real = self._checked(oldpath)
            new, new_real = self._checked(newpath)
        except PathRefused:
            return paramiko.SFTP_PERMISSION_DENIED
        if old.name is None or new.name is None or old.folder != INBOX or new.folder != INBOX:
            return paramiko.SFTP_PERMISSION_DENIED
        if self.desk.is_writing(self.partner_id, old.name) or self.desk.is_writing(self.partner_id, new.name):
            return paramiko.SFTP_FAILURE
        try:
            if not overwrite and os.path.lexists(new_real):
                return paramiko.SFTP_FAILURE  # SFTP v3 RENAME never replaces a file
            if not os.path.lexists(old_real):
                return paramiko.SFTP_NO_SUCH_FILE
            os.replace(old_real, new_real)
        except OSError as exc:
            return _refusal(exc)
        if is_temporary(new.name):
            return paramiko.SFTP_OK
        return self._take_in(new.name)

    def _take_in(self, name: str) -> int:
        status, info = self.desk.take_in(self.account, self.mailbox, name, self.remote)
        if info is not None:
            self.recent_uploads[name] = info
            while len(self.recent_uploads) > _RECENT_UPLOADS:
                self.recent_uploads.popitem(last=False)
        return status

    def chattr(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        """SETSTAT: times on uploads are kept; everything else is acknowledged and ignored.

        WinSCP and ``put -p`` set the modification time right after an upload, by which time the
        file may already be taken in and gone: that must not turn a good upload into an error.
        """
        try:
            where, real = self._checked(path)
        except PathRefused:
            return paramiko.SFTP_PERMISSION_DENIED
        if where.name is not None and where.name in self.recent_uploads and not os.path.lexists(real):
            return paramiko.SFTP_OK
        if not os.path.lexists(real):
            return paramiko.SFTP_NO_SUCH_FILE
        if where.folder == INBOX and where.name is not None and attr.st_mtime is not None:
            try:
                os.utime(real, (attr.st_atime or attr.st_mtime, attr.st_mtime), follow_symlinks=False)
            except OSError as exc:
                return _refusal(exc)
        return paramiko.SFTP_OK

    # --- what a mailbox does not have

    def mkdir(self, path: str, attr: paramiko.SFTPAttributes) -> int:
        return paramiko.SFTP_PERMISSION_DENIED

    def rmdir(self, path: str) -> int:
        return paramiko.SFTP_PERMISSION_DENIED

    def symlink(self, target_path: str, path: str) -> int:
        return paramiko.SFTP_PERMISSION_DENIED

    def readlink(self, path: str) -> int:
        return paramiko.SFTP_NO_SUCH_FILE


# -------------------------------------------------------------------------------------------- server


class SftpServer:
    """Listens on ``host``:``port`` and runs one paramiko transport per connection.

    ``port`` 0 picks a free port (tests); :attr:`port` is the one bound after :meth:`start`.
    ``login_grace`` closes connections that have not logged in by then, as OpenSSH's LoginGraceTime.
    """

    def __init__(
        self,
        gw: Gateway,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        guard: LoginGuard | None = None,
        login_grace: float = 60.0,
        max_connections: int = 100,
    ) -> None:
        self.gw = gw
        self.host = host
        self.port = port
        self.guard = guard or LoginGuard()
        self.login_grace = login_grace
        self.max_connections = max_connections
        self.host_key = load_host_key(gw.settings.data_dir)
        self.desk = UploadDesk(gw)
        # Checking an unknown user's password against this costs as much as a real check, so
        # response times do not tell which user names exist.
        self.dummy_hash = hash_password(os.urandom(16).hex())
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._transports: set[paramiko.Transport] = set()
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.host_key.asbytes())

    def start(self) -> None:
        for partner in self.gw.partners:  # operators see every mailbox before its first login
            if partner.sftp is not None and partner.sftp.mode == "mailbox":
                Mailbox(self.gw.settings.data_dir, partner.id)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(64)
        sock.settimeout(0.5)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, name="edigate-sftp", daemon=True)
        self._thread.start()
        log.info("SFTP server on %s:%s, host key %s", self.host, self.port, self.fingerprint)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
        with self._lock:
            transports = list(self._transports)
        for transport in transports:
            transport.close()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> SftpServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def audit(
        self, actor: str, subject_type: str, subject_id: str, action: str, details: dict[str, Any]
    ) -> None:
        """One audit event in its own transaction; a failing database must not kill the session."""
        try:
            with self.gw.sessions.begin() as session:
                entry = AuditEntry(actor, subject_type, subject_id[:64], action, details)
                append_events(session, [entry], self.gw.clock)
        except Exception:
            log.exception("could not audit %s for %s", action, subject_id)

    def active_connections(self) -> int:
        with self._lock:
            return len(self._transports)

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, address = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            if self.active_connections() >= self.max_connections:
                conn.close()
                continue
            remote = f"{address[0]}:{address[1]}"
            threading.Thread(
                target=self._serve_connection, args=(conn, remote), name=f"edigate-sftp-{remote}", daemon=True
            ).start()

    def _serve_connection(self, conn: socket.socket, remote: str) -> None:
        conn.settimeout(None)
        transport = paramiko.Transport(conn)
        transport.add_server_key(self.host_key)
        transport.set_subsystem_handler("sftp", _Subsystem, _MailboxSftp, self)
        with self._lock:
            self._transports.add(transport)
        try:
            authenticator = _Authenticator(self, remote)
            transport.start_server(server=authenticator)
            deadline = time.monotonic() + self.login_grace
            while transport.is_active() and not transport.is_authenticated():
                if time.monotonic() > deadline or self._stop.is_set():
                    return
                time.sleep(0.05)
            for _channel in _channels(transport, self._stop):
                pass  # the sftp subsystem serves each channel in its own thread
        except (paramiko.SSHException, EOFError, OSError) as exc:
            log.info("SFTP connection from %s ended: %s", remote, exc)
        finally:
            transport.close()
            with self._lock:
                self._transports.discard(transport)


def _channels(transport: paramiko.Transport, stop: threading.Event) -> Iterator[paramiko.Channel]:
    """Accept channels until the connection or the server ends; paramiko runs their subsystems."""
    while transport.is_active() and not stop.is_set():
        channel = transport.accept(timeout=0.5)
        if channel is not None:
            yield channel
