"""The reader pauses the process-wide garbage collector; concurrent readers must not leave it off."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from translators.edifact.reader import read_interchange

ORDER = (Path(__file__).resolve().parents[2] / "fixtures" / "edifact" / "acme_orders_d96a.edi").read_bytes()


def test_collector_is_enabled_again_after_overlapping_reads_in_many_threads():
    assert gc.isenabled()
    start = threading.Barrier(4)
    results: list[str] = []

    def read_many() -> None:
        start.wait()
        for _ in range(300):
            results.append(read_interchange(ORDER).control_reference)

    threads = [threading.Thread(target=read_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled()
    assert results == ["ACME000123"] * 1200
