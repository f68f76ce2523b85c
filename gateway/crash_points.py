"""Named places where a fault test can make the process die as if its power had been cut.

The gateway promises that a crash at any step loses nothing and repeats nothing that a partner or
the ERP could tell apart. Tests prove it by running a real node with ``EDIGATE_CRASH_AT=<point>``
(or ``<point>:<n>`` for the n-th pass, default the first): when the process passes that point it
sends itself SIGKILL — no ``finally``, no flush, no rollback, exactly like ``kill -9`` or a power
cut. Without the variable every point is a dictionary lookup and nothing else.

The pass counter is process state by nature (it counts what this process did), so it lives in a
``Crasher`` owned by this module, read-only unless the variable is set.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

ENVIRONMENT_VARIABLE = "EDIGATE_CRASH_AT"

POINTS = frozenset(
    {
        "after_archive_put",  # intake: raw bytes stored, no row yet
        "after_intake_commit",  # intake: row and work item committed, before the channel answers 202
        "after_claim",  # worker: item claimed under a lease, before any work
        "mid_translation",  # pipeline: documents and acks built in the transaction, before its commit
        "after_erp_post",  # ERP webhook answered 2xx, before the delivery row is marked delivered
        "during_ack_send",  # acknowledgement bytes handed to the channel, before it is marked sent
        "after_outbound_send",  # an outgoing document handed to the channel, before it is marked sent
    }
)


class Crasher:
    """Counts passes per point and kills the process at the configured one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._passes: dict[str, int] = {}

    def passed(self, point: str, spec: str) -> None:
        target, _, nth = spec.partition(":")
        if target not in POINTS:
            raise ValueError(f"{ENVIRONMENT_VARIABLE}={spec!r} names no crash point; known: {sorted(POINTS)}")
        if target != point:
            return
        with self._lock:
            count = self._passes.get(point, 0) + 1
            self._passes[point] = count
        if count == (int(nth) if nth else 1):
            print(f"edigate: crash point {point} (pass {count}): SIGKILL", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)


_CRASHER = Crasher()


def crash_point(point: str) -> None:
    """Mark a step; the process dies here only when ``EDIGATE_CRASH_AT`` selects it."""
    spec = os.environ.get(ENVIRONMENT_VARIABLE)
    if spec:
        if point not in POINTS:
            raise ValueError(f"crash point {point!r} is not declared in POINTS")
        _CRASHER.passed(point, spec)
