"""Collecting files from partners who host their own SFTP server (profile ``[sftp] mode = "poll"``).

Every ``poll_seconds`` the poller connects to the partner, refuses the server unless its host key has
the pinned fingerprint (before sending any credential), lists ``pickup_dir`` and takes a file once it
has looked the same (size and modification time) for ``stable_seconds``: a file the partner is still
writing changes between two looks and waits. A file is taken in with the durable intake first and
only then deleted or moved on the partner's server; if that clean-up fails, the next poll downloads it
again and the intake's idempotency key (path + content hash) answers with the first transmission
instead of creating a second one.

Only one node polls a partner at a time: polling each partner is a singleton duty
(gateway/duties.py) that runs on the node holding its lock, so the look-twice state below stays on
one node and a dead node's partners move to another. Failures are retried with exponential back-off
and kept as the partner's channel health; a change between up and down is written to the audit trail.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import logging
import os
import posixpath
import socket
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import paramiko

from archive.audit import AuditEntry
from gateway.channels.sftp_mailbox import is_temporary
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.intake import Upload, accept
from partners.profile import PartnerProfile
from partners.sftp import SftpSettings, key_fingerprint

log = logging.getLogger(__name__)

ACTOR = "sftp-poller"
MAX_BACKOFF_SECONDS = 3600.0


class HostKeyMismatch(paramiko.SSHException):
    """The server's host key is not the one pinned in the profile: possibly not the partner at all."""

    def __init__(self, host: str, port: int, seen: str, pinned: str) -> None:
        super().__init__(
            f"host key of {host}:{port} is {seen}, but the profile pins {pinned}; not connecting"
        )
        self.seen = seen


def _secret_path(settings_value: str, data_dir: Path) -> Path:
    path = Path(settings_value)
    return path if path.is_absolute() else data_dir / path


@contextmanager
def remote_sftp(settings: SftpSettings, data_dir: Path) -> Iterator[paramiko.SFTPClient]:
    """An SFTP session on the partner's server, after checking its host key against the pinned one.

    The check happens right after key exchange, before authentication, so neither our key signature
    nor a password ever reaches a server that is not the partner's.
    """
    sock = socket.create_connection((settings.host, settings.port), timeout=settings.timeout_seconds)
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = transport.auth_timeout = settings.timeout_seconds
        transport.start_client(timeout=settings.timeout_seconds)
        seen = key_fingerprint(transport.get_remote_server_key().asbytes())
        pinned = settings.host_key_fingerprint.rstrip("=")
        if not hmac.compare_digest(seen.encode(), pinned.encode()):
            raise HostKeyMismatch(settings.host, settings.port, seen, pinned)
        if settings.private_key_file:
            key = paramiko.PKey.from_path(_secret_path(settings.private_key_file, data_dir))
            try:
                transport.auth_publickey(settings.username, key)
            except paramiko.AuthenticationException:
                if not settings.password_file:
                    raise
        if not transport.is_authenticated() and settings.password_file:
            password = _secret_path(settings.password_file, data_dir).read_text(encoding="utf-8").strip()
            transport.auth_password(settings.username, password)
        if not transport.is_authenticated():
            raise paramiko.AuthenticationException(f"{settings.username}@{settings.host} refused our login")
        client = paramiko.SFTPClient.from_transport(transport)
        if client is None:
            raise paramiko.SSHException("the server did not open an SFTP session")
        client.get_channel().settimeout(settings.timeout_seconds)
        with client:
            yield client
    finally:
        transport.close()


# ---------------------------------------------------------------------------------------------- state


@dataclass
class _Sighting:
    signature: tuple[int, int]  # size, mtime
    since: datetime


@dataclass
class ChannelHealth:
    """How polling one partner is going, for operators: up/down, since when, and why."""

    partner_id: str
    state: str = "unknown"  # unknown | up | down
    failures: int = 0
    last_error: str | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    next_poll_at: datetime | None = None


@dataclass
class _PartnerState:
    health: ChannelHealth
    sightings: dict[str, _Sighting] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    partner_id: str
    status: str  # ok | failed
    taken: tuple[str, ...] = ()  # transmission ids
    error: str | None = None


class SftpPoller:
    """Polls ``mode = "poll"`` partners; one instance per node, state kept on the instance."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self._states: dict[str, _PartnerState] = {}
        self._lock = threading.Lock()

    def _state(self, partner_id: str) -> _PartnerState:
        with self._lock:
            return self._states.setdefault(partner_id, _PartnerState(ChannelHealth(partner_id)))

    def health(self) -> dict[str, ChannelHealth]:
        with self._lock:
            return {pid: state.health for pid, state in self._states.items()}

    def polled_partners(self) -> list[PartnerProfile]:
        return [p for p in self.gw.partners if p.sftp is not None and p.sftp.mode == "poll" and p.enabled]

    def poll_if_due(self, partner: PartnerProfile) -> PollOutcome | None:
        """The duty's round: poll when the partner's interval (or back-off) has passed."""
        next_at = self._state(partner.id).health.next_poll_at
        if next_at is not None and next_at > self.gw.clock():
            return None
        return self.poll_partner(partner)

    def poll_partner(self, partner: PartnerProfile) -> PollOutcome:
        """One poll of one partner: collect what is stable, record health, schedule the next poll.
        The caller makes sure no other node polls this partner meanwhile (the duty's lock)."""
        settings = partner.sftp
        if settings is None or settings.mode != "poll":
            raise ValueError(f"partner {partner.id} is not polled over SFTP")
        state = self._state(partner.id)
        state.health.last_attempt_at = self.gw.clock()
        try:
            taken = self._collect(partner, settings, state)
        except Exception as exc:
            self._failed(partner, settings, state, exc)
            return PollOutcome(partner.id, "failed", error=_describe(exc))
        self._succeeded(partner, settings, state)
        return PollOutcome(partner.id, "ok", tuple(taken))

    def _collect(self, partner: PartnerProfile, settings: SftpSettings, state: _PartnerState) -> list[str]:
        taken: list[str] = []
        with remote_sftp(settings, self.gw.settings.data_dir) as sftp:
            now = self.gw.clock()
            listed: set[str] = set()
            for entry in sftp.listdir_attr(settings.pickup_dir or "."):
                name = entry.filename
                if not _is_candidate(entry, name, settings.pattern):
                    continue
                listed.add(name)
                signature = (entry.st_size or 0, entry.st_mtime or 0)
                seen = state.sightings.get(name)
                if seen is None or seen.signature != signature:
                    state.sightings[name] = seen = _Sighting(signature, now)
                    if settings.stable_seconds > 0:
                        continue  # first look, or it changed since: look again later
                if (now - seen.since).total_seconds() < settings.stable_seconds:
                    continue
                transmission_id = self._take(partner, settings, sftp, name, signature[0])
                state.sightings.pop(name, None)
                if transmission_id is not None:
                    taken.append(transmission_id)
            for gone in set(state.sightings) - listed:
                del state.sightings[gone]
        return taken

    def _take(
        self, partner: PartnerProfile, settings: SftpSettings, sftp: paramiko.SFTPClient, name: str, size: int
    ) -> str | None:
        """Download, take in durably, then clean up remotely; None if the file changed meanwhile."""
        path = posixpath.join(settings.pickup_dir, name) if settings.pickup_dir else name
        with sftp.open(path, "rb") as remote:
            remote.prefetch(size)
            data = remote.read()
        if len(data) != size:
            return None  # it grew or shrank after the listing: not stable after all
        digest = hashlib.sha256(f"{settings.host}:{settings.port}:{path}".encode() + data).hexdigest()
        receipt = accept(
            self.gw,
            Upload(
                channel="sftp",
                data=data,
                partner_id=partner.id,
                actor=ACTOR,
                filename=name,
                idempotency_key=f"sftp-poll:{digest}",
                transport={
                    "mode": "poll",
                    "host": settings.host,
                    "port": settings.port,
                    "path": path,
                    "node": f"{socket.gethostname()}:{os.getpid()}",  # which node polled, among several
                },
            ),
        )
        if settings.after_pickup == "move":
            target = posixpath.join(settings.move_to, name)
            try:
                sftp.posix_rename(path, target)
            except OSError:
                sftp.rename(path, target)
        else:
            sftp.remove(path)
        return receipt.id

    def _succeeded(self, partner: PartnerProfile, settings: SftpSettings, state: _PartnerState) -> None:
        health = state.health
        now = self.gw.clock()
        was = health.state
        health.state, health.failures, health.last_error = "up", 0, None
        health.last_success_at = now
        health.next_poll_at = now + timedelta(seconds=settings.poll_seconds)
        if was != "up":
            self._audit(partner.id, "sftp_channel_up", {"host": settings.host, "port": settings.port})

    def _failed(
        self, partner: PartnerProfile, settings: SftpSettings, state: _PartnerState, exc: Exception
    ) -> None:
        health = state.health
        was = health.state
        health.state = "down"
        health.failures += 1
        health.last_error = _describe(exc)
        delay = min(
            settings.poll_seconds * 2 ** min(health.failures, 16),
            max(settings.poll_seconds, MAX_BACKOFF_SECONDS),
        )
        health.next_poll_at = self.gw.clock() + timedelta(seconds=delay)
        log.warning(
            "SFTP poll of %s failed (%d in a row): %s", partner.id, health.failures, health.last_error
        )
        if was != "down" or isinstance(exc, HostKeyMismatch):
            details: dict[str, object] = {
                "host": settings.host,
                "port": settings.port,
                "error": health.last_error,
            }
            if isinstance(exc, HostKeyMismatch):
                details["host_key_seen"] = exc.seen
            self._audit(partner.id, "sftp_channel_down", details)

    def _audit(self, partner_id: str, action: str, details: dict[str, object]) -> None:
        try:
            with self.gw.sessions.begin() as session:
                append_events(
                    session, [AuditEntry(ACTOR, "partner", partner_id, action, details)], self.gw.clock
                )
        except Exception:
            log.exception("could not audit %s for %s", action, partner_id)


def _is_candidate(entry: paramiko.SFTPAttributes, name: str, pattern: str) -> bool:
    """A plain file matching the profile's pattern that is not visibly an upload in progress."""
    if entry.st_mode is None or not stat.S_ISREG(entry.st_mode):
        return False
    return fnmatch.fnmatchcase(name, pattern) and not is_temporary(name)


def _describe(exc: Exception) -> str:
    """A reason an operator can act on; never a credential (none are put into exception texts)."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
