"""`edigate serve --worker-processes N`: the node's processing in N child `edigate worker` processes.

One Python process runs one thread at a time. In `edigate serve` with its worker thread, intake and
processing take turns on one core of the machine; in child processes they use every core, as
`serve --no-worker` beside `edigate worker` does, but started, watched and stopped by one command.

Each child's standard input is a pipe from here, used two ways:

- a byte written to it wakes the child at once when this process has queued work
  (``work_available``), so the first message after a quiet spell does not wait for the child's
  next look at the queue (``poll_seconds``);
- its end of file tells the child to stop: when this process closes the pipes at shutdown, and when
  it dies without closing them (SIGKILL, a crash), so no child outlives its node.

A child that exits while the node runs is started again after a pause that doubles while children
keep failing at once (a database that refuses them), up to ``RESTART_MAX_SECONDS``; its claimed
work goes back to the queue when its lease runs out, as with any worker that dies.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from contextlib import suppress
from dataclasses import dataclass
from time import monotonic

from gateway.config import Settings

log = logging.getLogger(__name__)

RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
STEADY_SECONDS = 60.0  # a child that ran this long before it exited was not failing at start
STOP_SECONDS = 30.0  # as the worker thread's join: then SIGKILL
CHECK_SECONDS = 0.5  # how often exited children are looked for
WAKE_OPTION = "--wake-on-stdin"


def worker_command(settings: Settings) -> list[str]:
    """The child's command line: the settings that came as flags to `edigate serve` come as the
    same flags; those from ``EDIGATE_*`` variables reach it through the inherited environment."""
    command = [sys.executable, "-m", "gateway.cli", "worker", WAKE_OPTION]
    command += ["--data-dir", str(settings.data_dir.resolve())]
    if settings.database_url is not None:
        command += ["--database-url", settings.database_url]
    if settings.partners_dir is not None:
        command += ["--partners", str(settings.partners_dir.resolve())]
    if settings.demo:
        command.append("--demo")
    return command


@dataclass
class _Child:
    popen: subprocess.Popen[bytes]
    started: float


class WorkerProcesses:
    def __init__(self, command: list[str], count: int, work_available: threading.Event) -> None:
        self._command = command
        self._count = count
        self._work_available = work_available
        self._stop = threading.Event()
        self._children: list[_Child] = []
        self._restart_at: dict[int, float] = {}  # child's position -> when to start it again
        self._pause = RESTART_FIRST_SECONDS
        self._thread = threading.Thread(target=self._watch, name="edigate-worker-processes", daemon=True)

    def start(self) -> None:
        self._children = [self._spawn(number) for number in range(self._count)]
        self._thread.start()

    def pids(self) -> list[int]:
        return [child.popen.pid for child in self._children]

    def close(self) -> None:
        """Ask every child to stop (end of file), wait for them to finish what they hold, and kill
        one that has not after ``STOP_SECONDS``."""
        self._stop.set()
        self._work_available.set()
        self._thread.join(timeout=STOP_SECONDS)
        for child in self._children:
            _close_input(child.popen)
        deadline = monotonic() + STOP_SECONDS
        for child in self._children:
            try:
                child.popen.wait(timeout=max(0.0, deadline - monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker process %d did not stop; killing it", child.popen.pid)
                child.popen.kill()
                child.popen.wait()

    def _spawn(self, number: int) -> _Child:
        popen = subprocess.Popen(self._command, stdin=subprocess.PIPE, close_fds=True)
        assert popen.stdin is not None
        os.set_blocking(popen.stdin.fileno(), False)  # a busy child's full pipe needs no more bytes
        log.info("worker process %d started (pid %d)", number, popen.pid)
        return _Child(popen, monotonic())

    def _watch(self) -> None:
        """Hand wake-ups on at once; look for exited children twice a second, not at every wake-up
        (a busy node wakes its children for every upload)."""
        next_look = monotonic() + CHECK_SECONDS
        while not self._stop.is_set():
            woken = self._work_available.wait(timeout=CHECK_SECONDS)
            if self._stop.is_set():
                return
            if woken:
                self._work_available.clear()
                for child in self._children:
                    _wake(child.popen)
            if monotonic() >= next_look:
                self._restart_exited()
                next_look = monotonic() + CHECK_SECONDS

    def _restart_exited(self) -> None:
        now = monotonic()
        for number, child in enumerate(self._children):
            code = child.popen.poll()
            if code is None:
                continue
            due = self._restart_at.get(number)
            if due is None:
                if now - child.started > STEADY_SECONDS:
                    self._pause = RESTART_FIRST_SECONDS
                log.error(
                    "worker process %d (pid %d) exited with %s; starting it again in %.0f s",
                    number,
                    child.popen.pid,
                    code,
                    self._pause,
                )
                _close_input(child.popen)
                self._start_later(number, now)
            elif now >= due:
                try:
                    self._children[number] = self._spawn(number)
                except OSError:  # cannot even start (no memory, no processes left): try later
                    log.exception("worker process %d could not be started", number)
                    self._start_later(number, now)
                else:
                    del self._restart_at[number]

    def _start_later(self, number: int, now: float) -> None:
        self._restart_at[number] = now + self._pause
        self._pause = min(self._pause * 2, RESTART_MAX_SECONDS)


def _wake(popen: subprocess.Popen[bytes]) -> None:
    if popen.stdin is None or popen.stdin.closed:
        return
    # BlockingIOError: it already has wake-ups to read; BrokenPipeError: it has exited.
    with suppress(BlockingIOError, BrokenPipeError):
        os.write(popen.stdin.fileno(), b"\n")


def _close_input(popen: subprocess.Popen[bytes]) -> None:
    if popen.stdin is not None and not popen.stdin.closed:
        with suppress(BrokenPipeError):
            popen.stdin.close()


def wake_on_input(work_available: threading.Event, stop: threading.Event) -> threading.Thread:
    """The child's side: every read from standard input wakes the worker; end of file stops it."""

    def read() -> None:
        fd = sys.stdin.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                stop.set()
                work_available.set()
                return
            work_available.set()

    thread = threading.Thread(target=read, name="edigate-wake-on-stdin", daemon=True)
    thread.start()
    return thread
