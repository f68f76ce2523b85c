"""Many workers on one PostgreSQL: throughput for 1, 2 and 4 `edigate worker` processes, and proof
that none of the queued messages was lost or processed twice.

The queue is filled once, through the real intake (``gateway.intake.accept``: archive + transmission
row + work item + audit events, one transaction per message), in a template database. Each run
then starts from its own copy (``CREATE DATABASE … TEMPLATE``), so 1, 2 and 4 workers process the
very same queue. The workers are real ``edigate worker`` processes sharing one archive folder.

Per run it prints messages/s measured two ways: wall time from starting the workers until the queue
is empty (includes the workers' start-up and the final idle poll), and the steady rate between the
first and the last work item finished (processing and the CONTRL delivery of each message).
Then it checks every message: processed, exactly one "processed" audit event,
exactly one document, exactly one ERP delivery per document, no work item left undone.

Measures; never fails a build. The database is the bottleneck (about 30 statements and one audit
chain lock per message), so on a small, busy machine the default 20,000 messages take minutes per
run with 4 workers and over an hour with one: pass ``--messages`` for a shorter run.

    python bench/scale_workers.py [--messages 20000] [--workers 1 2 4] [--pg-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gateway.config import Settings  # noqa: E402
from gateway.context import open_gateway  # noqa: E402
from gateway.database.models import (  # noqa: E402
    AuditEvent,
    Document,
    ErpDelivery,
    Transmission,
    WorkItem,
)
from gateway.intake import Upload, accept  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"
DEFAULT_PG = os.environ.get("EDIGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _database_url(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _create_database(admin_url: str, name: str, template: str | None = None) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return _database_url(admin_url, name)


def _drop_databases(admin_url: str, names: list[str]) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _queue(url: str, work: Path, count: int) -> float:
    """Fill the queue through the real intake; returns the seconds it took."""
    settings = Settings(
        data_dir=work / "queue-node", database_url=url, archive_dir=work / "archive", demo=True
    )
    gw = open_gateway(settings)
    body = FIXTURE.read_bytes()

    def submit(n: int) -> None:
        # A fresh UNB reference each time, else the duplicate check (rightly) rejects the copies.
        payload = body.replace(b"ACME000123", f"S{n:09d}".encode())
        accept(gw, Upload(channel="rest", data=payload, partner_id="acme-retail", actor="bench"))
        if n and n % 2000 == 0:
            print(f"  queued {n}", flush=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:  # as concurrent REST clients would
        list(pool.map(submit, range(count)))
    elapsed = time.perf_counter() - started
    gw.close()
    return elapsed


def _outstanding(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        left = conn.execute(
            select(func.count()).select_from(WorkItem).where(WorkItem.state.in_(("queued", "running")))
        ).scalar_one()
    engine.dispose()
    return left


def _run(url: str, work: Path, workers: int, count: int) -> tuple[float, float]:
    """Start ``workers`` processes on a fresh copy of the queue, wait until it is empty."""
    data_dir = work / f"node-{workers}"
    env = {
        **os.environ,
        "EDIGATE_ARCHIVE_DIR": str(work / "archive"),
        "EDIGATE_POLL_SECONDS": "0.2",
        "EDIGATE_LOG_LEVEL": "WARNING",
        "EDIGATE_LOG_FORMAT": "text",
        "EDIGATE_DEMO_AUTO_ACCEPT": "false",  # measure inbound processing, not the demo ERP's answers
    }
    command = [
        sys.executable,
        "-m",
        "gateway.cli",
        "worker",
        "--demo",
        "--data-dir",
        str(data_dir),
        "--database-url",
        url,
    ]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(workers)
    ]
    try:
        while _outstanding(url):
            if any(p.poll() is not None for p in processes):
                errors = b"".join(p.stderr.read() for p in processes if p.poll() is not None and p.stderr)
                raise SystemExit(f"a worker exited early: {errors.decode(errors='replace')[-2000:]}")
            time.sleep(0.5)
        wall = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    engine = create_engine(url)
    with engine.connect() as conn:
        finished = select(func.min(WorkItem.finished_at), func.max(WorkItem.finished_at))
        first, last = conn.execute(finished).one()
    engine.dispose()
    steady = count / max((last - first).total_seconds(), 1e-9)
    return count / wall, steady


def _multiplicity(conn: Connection, key: Any, *where: Any) -> dict[int, int]:
    """How many keys occur how many times: {1: 20000} means every key exactly once."""
    per_key = select(key, func.count().label("n")).where(*where).group_by(key).subquery()
    return dict(conn.execute(select(per_key.c.n, func.count()).group_by(per_key.c.n)).all())


def _check(url: str, count: int) -> list[str]:
    """Every message processed exactly once, with exactly one document and one ERP delivery."""
    engine = create_engine(url)
    problems = []
    once = {1: count}
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(select(Transmission.status, func.count()).group_by(Transmission.status)).all()
        )
        if statuses != {"processed": count}:
            problems.append(f"transmission states {statuses}, expected {{'processed': {count}}}")
        for what, found in (
            (
                "'processed' audit events per message",
                _multiplicity(
                    conn,
                    AuditEvent.subject_id,
                    AuditEvent.subject_type == "transmission",
                    AuditEvent.action == "processed",
                ),
            ),
            ("documents per message", _multiplicity(conn, Document.transmission_id)),
            ("ERP deliveries per document", _multiplicity(conn, ErpDelivery.document_id)),
        ):
            if found != once:
                problems.append(f"{what} {found}, expected {once}")
        undone = dict(
            conn.execute(
                select(WorkItem.state, func.count()).where(WorkItem.state != "done").group_by(WorkItem.state)
            ).all()
        )
        if undone:
            problems.append(f"work items not done: {undone}")
    engine.dispose()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="an existing database to connect as admin")
    args = parser.parse_args()
    run_id = uuid.uuid4().hex[:8]
    template = f"edigate_scale_{run_id}_queue"
    created = [template]
    work = Path(tempfile.mkdtemp(prefix="edigate-scale-"))
    results = []
    try:
        print(f"queueing {args.messages} ORDERS through intake.accept into {template} …", flush=True)
        queue_seconds = _queue(_create_database(args.pg_url, template), work, args.messages)
        print(f"queued in {queue_seconds:.1f} s ({args.messages / queue_seconds:.0f} messages/s)", flush=True)
        for workers in args.workers:
            name = f"edigate_scale_{run_id}_w{workers}"
            created.append(name)
            url = _create_database(args.pg_url, name, template)
            wall_rate, steady_rate = _run(url, work, workers, args.messages)
            problems = _check(url, args.messages)
            verdict = "none lost, none processed twice" if not problems else "; ".join(problems)
            results.append((workers, wall_rate, steady_rate, verdict))
            print(
                f"{workers} worker(s): {wall_rate:.1f} messages/s wall, {steady_rate:.1f} steady; {verdict}",
                flush=True,
            )
    finally:
        _drop_databases(args.pg_url, created)
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"command: python bench/scale_workers.py {' '.join(sys.argv[1:])}".rstrip())
    cores = os.cpu_count()
    print(f"PostgreSQL, {args.messages} EANCOM ORDERS (1 document + 1 CONTRL each), {cores} CPU core(s)")
    print("workers  messages/s (wall, incl. start-up)  messages/s (steady)  check")
    for workers, wall_rate, steady_rate, verdict in results:
        print(f"{workers:>7}  {wall_rate:>32.1f}  {steady_rate:>19.1f}  {verdict}")
    if (os.cpu_count() or 1) < max(args.workers):
        print(f"note: {os.cpu_count()} core(s) for {max(args.workers)} workers plus PostgreSQL: not linear")


if __name__ == "__main__":
    main()
