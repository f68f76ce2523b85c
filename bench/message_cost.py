"""What one small inbound message costs a node, in CPU and statements, without HTTP or a network.

N EANCOM ORDERS (each with its own interchange reference) are accepted the way every channel
accepts an upload (``gateway.intake.accept``), then a ``Worker`` drains the queue: it processes each
message (purchase order for the ERP, CONTRL stored and put into the partner's SFTP mailbox; a
partner on another channel gets it from a delivery work item, booked separately). The figures
are this process's CPU time (user + system, from ``getrusage``) and the SQL
statements the database ran, per message, for intake and for each of the worker's two jobs; CPU
time is the steady figure on a shared machine. ``bench/orders_end_to_end.py`` measures the same
path through a real server.

    python bench/message_cost.py [--count 1000] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

On PostgreSQL the statement count is not available (it is read from SQLite's trace hook).
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import event, func, select

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scratch_database import scratch_database  # noqa: E402

from gateway.config import Settings  # noqa: E402
from gateway.context import open_gateway  # noqa: E402
from gateway.database.models import Transmission, WorkItem  # noqa: E402
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT  # noqa: E402
from gateway.heap import settle_heap  # noqa: E402
from gateway.intake import PROCESS_TRANSMISSION, Upload, accept  # noqa: E402
from gateway.worker import Worker  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"
WARM_UP = 20


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(count: int, admin_url: str | None) -> None:
    with ExitStack() as cleanup:
        data_dir = cleanup.enter_context(tempfile.TemporaryDirectory())
        if admin_url:
            url = cleanup.enter_context(scratch_database(admin_url, "edigate_cost"))
        else:
            url = f"sqlite:///{data_dir}/edigate.db"
        settings = Settings(data_dir=Path(data_dir), demo=True, database_url=url, demo_auto_accept=False)
        gw = open_gateway(settings)
        cleanup.callback(gw.close)
        counted = gw.engine.dialect.name == "sqlite"
        statements = [0]
        if counted:

            @event.listens_for(gw.engine, "connect")
            def _trace(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                dbapi_connection.set_trace_callback(lambda _sql: statements.__setitem__(0, statements[0] + 1))

            gw.engine.dispose()  # reconnect with the hook in place
        body = FIXTURE.read_bytes()
        # A node has imported its channels and settled its heap before the burst comes: warm up
        # on a few messages of another interchange reference, then measure.
        warm_up = Worker(gw)
        for n in range(WARM_UP):
            payload = body.replace(b"ACME000123", f"W{n:09d}".encode())
            accept(gw, Upload("rest", payload, "acme-retail", "bench", content_type="application/edifact"))
        while warm_up.run_once():
            pass
        settle_heap()
        started, before = _cpu(), statements[0]
        for n in range(count):
            payload = body.replace(b"ACME000123", f"C{n:09d}".encode())
            accept(gw, Upload("rest", payload, "acme-retail", "bench", content_type="application/edifact"))
        phases = {"intake": (_cpu() - started, statements[0] - before)}
        # The queue holds the transmissions, then (made while processing them) their CONTRL deliveries;
        # a batch holds one kind, so each batch's cost is booked to the kind it claimed.
        worker = Worker(gw)
        claim = worker._claim
        claimed: list[str] = []

        def claim_and_note(limit: int) -> tuple[list[WorkItem], list[Transmission]]:
            items, transmissions = claim(limit)
            claimed.extend(item.kind for item in items[:1])
            return items, transmissions

        worker._claim = claim_and_note  # type: ignore[method-assign]
        while True:
            started, before = _cpu(), statements[0]
            if not worker.run_once():
                break
            cpu, sql = phases.get(claimed[-1], (0.0, 0))
            phases[claimed[-1]] = (cpu + _cpu() - started, sql + statements[0] - before)
        with gw.sessions() as session:
            processed = (
                session.execute(
                    select(func.count()).select_from(Transmission).where(Transmission.status == "processed")
                ).scalar_one()
                - WARM_UP
            )

    def per_message(phase: str) -> str:
        cpu, sql = phases.get(phase, (0.0, 0))
        figure = f"{cpu / count * 1000:.2f} ms CPU"
        return f"{figure}, {sql / count:.1f} statements" if counted else figure

    print(
        f"{'SQLite' if counted else 'PostgreSQL'}, {count} small ORDERS, {processed} processed; per message:"
    )
    print(f"  intake (archive, transmission, work item, audit): {per_message('intake')}")
    print(f"  worker, processing (documents, CONTRL stored):    {per_message(PROCESS_TRANSMISSION)}")
    if DELIVER_ACKNOWLEDGEMENT in phases:
        print(f"  worker, delivering the CONTRL to the mailbox:     {per_message(DELIVER_ACKNOWLEDGEMENT)}")
    else:  # ACME's mailbox is on this node: the CONTRL went out with its message
        print("  (each CONTRL was put into ACME's SFTP mailbox by the processing transaction)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--database-url", help="a PostgreSQL admin URL: the run gets a fresh database")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    os.environ.setdefault("EDIGATE_LOG_LEVEL", "WARNING")
    run(args.count, args.database_url)


if __name__ == "__main__":
    main()
