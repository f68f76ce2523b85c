"""Singleton duties: periodic work that must run on exactly one node at a time.

Queued work needs no such care: any number of workers claim it with ``FOR UPDATE SKIP LOCKED``
and leases. A duty is different: it is a loop that finds work by itself (polling a partner's SFTP
server), so two nodes running it would do everything twice. Each node runs a :class:`DutyRunner`;
a duty runs on the node holding its lock:

- PostgreSQL: a session-level ``pg_try_advisory_lock`` on one connection the runner keeps open for
  as long as the node runs. The server drops the locks with the connection, so when a node dies
  (or loses its database connection) its duties move to the next node that tries.
- SQLite: one node by definition, but ``edigate serve`` and ``edigate worker`` may still share
  the data directory on one machine; an exclusive ``flock`` per duty keeps them apart and
  likewise vanishes with the process.

What is *not* a duty, because it is queued work or computed on read: AS2 asynchronous MDN
follow-ups and resends (work items scheduled with ``available_at``), ERP webhook retries (work
items with back-off), overdue acknowledgements and the ERP pull visibility timeout (compared with
the clock whenever they are read).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text

from gateway.audit_signing import sign_if_due
from gateway.channels.sftp_poller import SftpPoller
from gateway.context import Gateway

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Duty:
    """``run`` is called every ``every_seconds`` on the node holding the duty, and at once on a node
    that takes it over: the schedule lives on the node. A duty that must not repeat within its
    interval across nodes (a daily digest) keeps its own record of the last run in the database."""

    name: str  # the lock's identity across all nodes: the same name means the same duty
    every_seconds: float
    run: Callable[[], object]


def singleton_duties(gw: Gateway) -> Callable[[], list[Duty]]:
    """This node's duties, asked for afresh every round so that they follow partner profile changes.

    Adding a duty is one line in the list below.
    """
    poller = SftpPoller(gw)

    def current() -> list[Duty]:
        return [
            *(
                Duty(f"sftp-poll:{p.id}", 1.0, lambda p=p: poller.poll_if_due(p))
                for p in poller.polled_partners()
            ),
            # Signs when the newest digest (a file every node sees) is a day old: never twice a day.
            Duty("audit-digest", 300.0, lambda: sign_if_due(gw)),
        ]

    return current


def lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for a duty name (PostgreSQL's ``bigint``)."""
    return int.from_bytes(hashlib.sha256(f"edigate-duty:{name}".encode()).digest()[:8], "big", signed=True)


class PostgresDutyLocks:
    """Advisory locks held on one dedicated connection: they live exactly as long as it does."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self._conn: Connection | None = None
        self._held: set[str] = set()

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.gw.engine.connect()
        return self._conn

    def still_held(self) -> set[str]:
        """The locks this node holds; all are lost when the connection was (and they may now be
        held elsewhere), so a node never goes on with a duty it no longer owns."""
        if self._conn is not None and self._held:
            try:
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()
            except Exception:
                log.warning("lost the database connection holding duties %s", sorted(self._held))
                self._drop_connection()
        return set(self._held)

    def try_hold(self, name: str) -> bool:
        if name in self._held:
            return True
        try:
            conn = self._connection()
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key(name)}).scalar())
            conn.commit()
        except Exception:
            log.exception("could not try the lock of duty %s", name)
            self._drop_connection()
            return False
        if got:
            self._held.add(name)
        return got

    def release(self, name: str) -> None:
        if name not in self._held or self._conn is None:
            return
        self._held.discard(name)
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(name)})
            self._conn.commit()
        except Exception:
            self._drop_connection()  # a closed connection releases every lock it held

    def close(self) -> None:
        """Unlock, then close: the server frees a closed connection's locks only once it has noticed
        the disconnect, and a node trying in that moment found them still held."""
        if self._conn is not None and self._held:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
                self._conn.commit()
            except Exception:
                pass  # the close below frees them too, a moment later
        self._drop_connection()

    def _drop_connection(self) -> None:
        """Close the DBAPI connection itself: back in the pool it would keep holding the locks."""
        self._held.clear()
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:
                pass
            self._conn = None


class FileDutyLocks:
    """``flock`` per duty in the data directory: for the processes of one SQLite node."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._handles: dict[str, IO[str]] = {}

    def still_held(self) -> set[str]:
        return set(self._handles)

    def try_hold(self, name: str) -> bool:
        if name in self._handles:
            return True
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = (self.folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.lock").open("a")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handles[name] = handle
        return True

    def release(self, name: str) -> None:
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.close()  # closing the file drops its lock

    def close(self) -> None:
        for name in list(self._handles):
            self.release(name)


class DutyRunner:
    """Runs, on this node, every duty whose lock it holds; tries for the others every round."""

    def __init__(
        self, gw: Gateway, duties: Callable[[], Iterable[Duty]] | None = None, *, tick_seconds: float = 1.0
    ) -> None:
        self.gw = gw
        self.duties = duties if duties is not None else singleton_duties(gw)
        self.tick_seconds = tick_seconds
        self.locks: PostgresDutyLocks | FileDutyLocks = (
            FileDutyLocks(gw.settings.data_dir / "locks")
            if gw.engine.dialect.name == "sqlite"
            else PostgresDutyLocks(gw)
        )
        self._next_run: dict[str, datetime] = {}

    def tick(self) -> list[str]:
        """One round; returns the names of the duties run in it."""
        current = {duty.name: duty for duty in self.duties()}
        for name in self.locks.still_held() - set(current):  # e.g. a partner no longer polled
            self.locks.release(name)
        for name in set(self._next_run) - self.locks.still_held():
            del self._next_run[name]  # lost or given up: start afresh if it comes back
        ran = []
        for name, duty in current.items():
            if not self.locks.try_hold(name):
                continue
            now = self.gw.clock()
            if self._next_run.get(name, now) > now:
                continue
            self._next_run[name] = now + timedelta(seconds=duty.every_seconds)
            try:
                duty.run()
            except Exception:  # one failing duty must not stop the others
                log.exception("duty %s failed", name)
            ran.append(name)
        return ran

    def held(self) -> set[str]:
        return self.locks.still_held()

    def close(self) -> None:
        self.locks.close()
        self._next_run.clear()

    def run_forever(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except Exception:  # e.g. the database briefly unreachable: try again next round
                    log.exception("duty runner error")
                stop.wait(self.tick_seconds)
        finally:
            self.close()


def start_duties(gw: Gateway, stop: threading.Event) -> threading.Thread:
    """The duty runner of this process, in a thread that ends (and lets its locks go) on ``stop``."""
    thread = threading.Thread(
        target=DutyRunner(gw).run_forever, args=(stop,), name="edigate-duties", daemon=True
    )
    thread.start()
    return thread
