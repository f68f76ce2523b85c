"""The threads an API handler hands its blocking calls to (intake's fsyncs and commit, a health query).

A handler runs on the event loop, so a call that waits on a disk or a database must go to a thread:
otherwise every other request waits too, and concurrent uploads could not share a group commit
(gateway/group_commit.py batches what *concurrent threads* bring). Starlette's ``run_in_threadpool``
does this through anyio, whose capacity limiter, cancel scope and run-variable lookups add CPU to
every call (about 5 % of an upload's HTTP layer, counted in instructions); a plain executor of our own
does the same job without them. It keeps what matters of anyio's behaviour: the caller's context
variables travel with the call, at most ``max_workers`` calls run at once (the rest queue), and
``close`` waits for calls still running, so a node that shuts down finishes storing every upload it
has started. One difference: a cancelled caller stops waiting at once, while its call still runs to
the end in its thread (anyio would hold the caller until then); nothing is left half done either way.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from starlette.requests import HTTPConnection

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_MAX_WORKERS = 40
"""As many as anyio's default limiter: enough that a burst of uploads meets in one group commit."""


class ThreadPool:
    """An executor started on first use and restartable after ``close`` (a test app may run its
    lifespan more than once)."""

    def __init__(self, max_workers: int = DEFAULT_MAX_WORKERS, name: str = "edigate-api") -> None:
        self._max_workers = max_workers
        self._name = name
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in a pool thread, with this task's context variables."""
        call: Callable[[], T] = functools.partial(fn, *args, **kwargs)
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._started(), context.run, call)

    def close(self) -> None:
        """Wait for the calls still running, then let the threads go."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def _started(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is not None:
            return executor
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._max_workers, thread_name_prefix=self._name)
            return self._executor


def thread_pool(connection: HTTPConnection) -> ThreadPool:
    """The pool of the application serving ``connection`` (``create_app`` installs it)."""
    return connection.app.state.thread_pool
