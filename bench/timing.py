"""Best-of-N timing shared by the benches: elapsed and CPU time of this process.

On a shared machine elapsed time mostly measures the neighbours; the CPU time this process spent
is the steadier figure, so the benches print both.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, float]:
    """The best elapsed and the best CPU seconds of ``repeat`` runs of ``fn``."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu
