"""Pause Python's cyclic garbage collector while readers and validators build many small objects.

Reading allocates hundreds of thousands of small lists that form no cycles. With the collector on,
every allocation burst triggers a collection that rescans all of them (reading a 2 MB file took
three times longer). After a large read, the new objects are moved straight to the oldest
generation (``gc.freeze()`` + ``gc.unfreeze()``) instead of being traversed once more by the first
young collection. That also promotes other young objects of the process, so it is only done after
large reads and never when someone else has frozen objects (``gc.get_freeze_count()``).

The collector is process-wide, so the pause is counted: the first of any number of concurrent
readers (worker threads, nested reader-in-validator calls) switches it off and the last one
switches it back on. Two threads toggling it independently could otherwise leave it off for good.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# Reads that built at least this many segments skip the young generations of the collector.
PROMOTE_AFTER_SEGMENTS = 20_000


@dataclass(slots=True)
class Pause:
    allocated: int = 0  # segments built while the collector was paused; readers add to it


class _CollectorGate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False
        self._allocated = 0

    def enter(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                self._allocated = 0
                gc.disable()
            self._holders += 1

    def leave(self, allocated: int) -> None:
        with self._lock:
            self._holders -= 1
            self._allocated += allocated
            if self._holders:
                return
            if self._allocated >= PROMOTE_AFTER_SEGMENTS and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            if self._was_enabled:
                gc.enable()


# The one process-wide gate, matching the one process-wide collector it guards.
_GATE = _CollectorGate()


@contextmanager
def paused() -> Iterator[Pause]:
    pause = Pause()
    _GATE.enter()
    try:
        yield pause
    finally:
        _GATE.leave(pause.allocated)
