"""What one small inbound message costs a node, in CPU and statements, without HTTP or a network.

N EANCOM ORDERS (each with its own interchange reference) are accepted the way every channel
accepts an upload (``gateway.intake.accept``), then a ``Worker`` drains the queue: it processes each
message (purchase order for the ERP, CONTRL stored) and delivers each CONTRL to the partner's SFTP
mailbox. The figures are this process's CPU time (user + system, from ``getrusage``) and the SQL
statements the database ran, per message, for each phase; CPU time is the steady figure on a
shared machine. ``bench/orders_end_to_end.py`` measures the same path through a real server.

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
import uuid
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gateway.config import Settings  # noqa: E402
from gateway.context import open_gateway  # noqa: E402
from gateway.database.models import Transmission  # noqa: E402
from gateway.intake import Upload, accept  # noqa: E402
from gateway.worker import Worker  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(count: int, admin_url: str | None) -> None:
    body = FIXTURE.read_bytes()
    database = f"edigate_cost_{uuid.uuid4().hex[:8]}" if admin_url else None
    if admin_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            url = (
                make_url(admin_url).set(database=database).render_as_string(hide_password=False)
                if admin_url
                else f"sqlite:///{data_dir}/edigate.db"
            )
            settings = Settings(data_dir=Path(data_dir), demo=True, database_url=url, demo_auto_accept=False)
            gw = open_gateway(settings)
            statements = [0]
            if gw.engine.dialect.name == "sqlite":

                @event.listens_for(gw.engine, "connect")
                def _trace(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                    dbapi_connection.set_trace_callback(
                        lambda _sql: statements.__setitem__(0, statements[0] + 1)
                    )

                gw.engine.dispose()  # reconnect with the hook in place
            started, before = _cpu(), statements[0]
            for n in range(count):
                payload = body.replace(b"ACME000123", f"C{n:09d}".encode())
                accept(
                    gw, Upload("rest", payload, "acme-retail", "bench", content_type="application/edifact")
                )
            intake_cpu, intake_statements = _cpu() - started, statements[0] - before
            started, before = _cpu(), statements[0]
            worker = Worker(gw)
            while worker.run_once():
                pass
            worker_cpu, worker_statements = _cpu() - started, statements[0] - before
            with gw.sessions() as session:
                processed = session.execute(
                    select(func.count()).select_from(Transmission).where(Transmission.status == "processed")
                ).scalar_one()
            gw.close()
    finally:
        if admin_url:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
    counted = gw.engine.dialect.name == "sqlite"

    def per_message(cpu: float, sql: int) -> str:
        figure = f"{cpu / count * 1000:.2f} ms CPU"
        return f"{figure}, {sql / count:.1f} statements" if counted else figure

    print(
        f"{'SQLite' if counted else 'PostgreSQL'}, {count} small ORDERS, {processed} processed; per message:"
    )
    print(f"  intake (archive, transmission, work item, audit): {per_message(intake_cpu, intake_statements)}")
    print(f"  worker (process, then deliver the CONTRL):        {per_message(worker_cpu, worker_statements)}")


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
