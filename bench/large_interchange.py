"""Memory and time for one very large interchange: intake (streamed) → pipeline → documents.

Run from the repository root:

    python bench/large_interchange.py [--megabytes 100] [--database-url URL]

Generates an EANCOM ORDERS interchange of about the given size from the acme-retail demo fixture's
message (a fresh BGM number per message), accepts it through intake from a file object, runs the
worker until it is done, and prints peak RSS (the process's high-water mark, as the kernel counts
it), elapsed time and rows stored. Measures; never fails a build.
"""

from __future__ import annotations

import argparse
import resource
import shlex
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from gateway.config import Settings  # noqa: E402
from gateway.context import open_gateway  # noqa: E402
from gateway.database.models import Document, Message  # noqa: E402
from gateway.intake import Upload, accept  # noqa: E402
from gateway.worker import Worker  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"


def write_interchange(path: Path, megabytes: float) -> int:
    """Write UNA, UNB, N copies of the fixture's message, UNZ; returns N."""
    text = FIXTURE.read_bytes().decode("latin-1")
    unh = text.index("UNH+")
    unt = text.index("'", text.index("UNT+")) + 1
    head, message = text[:unh], text[unh:unt]
    target = int(megabytes * 1024 * 1024)
    count = 0
    with path.open("wb") as out:
        out.write(head.encode("latin-1"))
        written = len(head)
        while written < target:
            count += 1
            ref = f"M{count:09d}"
            one = message.replace("ME000001", ref).replace("PO-2026-0042", f"PO-{count:09d}")
            data = one.encode("latin-1")
            out.write(data)
            written += len(data)
        out.write(f"UNZ+{count}+ACME000123'".encode("latin-1"))
    return count


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "big.edi"
        messages = write_interchange(source, args.megabytes)
        size = source.stat().st_size
        settings = Settings(data_dir=Path(tmp) / "data", demo=True, database_url=args.database_url)
        gw = open_gateway(settings)
        baseline = peak_rss_mb()
        print(f"input: {size / 1e6:.1f} MB, {messages} ORDERS messages"
              f"; peak RSS before intake {baseline:.0f} MB")
        started = time.perf_counter()
        with source.open("rb") as stream:
            receipt = accept(gw, Upload("rest", stream, "acme-retail", "partner:acme-retail"))
        accepted = time.perf_counter()
        print(f"intake: {accepted - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB")
        worker = Worker(gw)
        while worker.run_once():
            pass
        done = time.perf_counter()
        with gw.sessions() as session:
            stored = session.execute(select(func.count()).select_from(Message)).scalar_one()
            documents = session.execute(select(func.count()).select_from(Document)).scalar_one()
            from gateway.database.models import Transmission

            status = session.get(Transmission, receipt.id).status
        print(
            f"processed: status {status}, {stored} message rows, {documents} documents in "
            f"{done - accepted:.1f} s ({size / 1e6 / (done - accepted):.2f} MB/s); "
            f"peak RSS {peak_rss_mb():.0f} MB (target < 300 MB)"
        )
        gw.close()


if __name__ == "__main__":
    main()
