"""End to end: EANCOM ORDERS POSTed to a real `edigate serve --demo`, by 1 and by 4 clients at once.

For each run a fresh node is started (its own data directory, and on PostgreSQL its own database),
the clients POST their share of the orders as fast as the node answers, and the bench waits until
every message is final. The node's own timestamps give each message's latency (``received_at``,
set when intake has stored it, to ``processed_at``, set in the transaction that stores its purchase
order for the ERP and its CONTRL); throughput is messages over the time from the first POST to the
last message processed. The demo's automatic order responses are switched off: this measures the
inbound path. With ``--worker-processes N`` the node is ``serve --worker-processes N``: it processes
in N child ``edigate worker`` processes, so intake and processing use different cores. The
clients are plain ``http.client`` connections kept open, so they take little of the machine the
node runs on. Measures; never fails a build.

    python bench/orders_end_to_end.py [--count 1000] [--clients 1 4] [--worker-processes 0 1]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--data-root DIR]

Besides throughput and latency it prints each process's CPU time per message (user and system:
the kernel's share shows what the filesystem costs), how busy the machine was, and what each
process had written to the disk per message (the database's log and the files).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scratch_database import scratch_database  # noqa: E402

from gateway.database.models import Transmission  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_HERTZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # /proc's tick


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU seconds a process has used so far (Linux ``/proc``; zero elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0, 0.0
    return int(fields[11]) / _HERTZ, int(fields[12]) / _HERTZ


def _disk_bytes_written(pid: int) -> int:
    """Bytes a process has had written to the disk so far (Linux ``/proc``; zero elsewhere)."""
    try:
        lines = Path(f"/proc/{pid}/io").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("write_bytes:")), 0)


def _machine_busy() -> tuple[float, float]:
    """The machine's CPU seconds spent busy, and in all (``/proc/stat``, every core)."""
    try:
        ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / _HERTZ, sum(ticks) / _HERTZ


def _children(pid: int) -> list[int]:
    """The processes ``pid`` has started (its worker processes), from every thread's list in ``/proc``."""
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in listing.read_text().split()]
        except OSError:  # the thread has ended
            continue
    return sorted(found)


def _warm_up(base: str, body: bytes) -> None:
    """One order through the whole node before the clock starts: the worker processes a node
    starts are ready only a second after it answers, and their start would count as the run's."""
    headers = {"Authorization": "Bearer demo-acme-key"}
    payload = body.replace(b"ACME000123", b"WARMUP0001")
    answer = httpx.post(f"{base}/v1/messages", content=payload, headers=headers, timeout=60).json()
    for _ in range(600):
        status = httpx.get(f"{base}/v1/messages/{answer['id']}", headers=headers, timeout=60).json()
        if status["status"] not in ("received", "processing"):
            return
        time.sleep(0.1)
    raise SystemExit(f"the warm-up order was not processed: {status}")


def run(count: int, clients: int, admin_url: str | None, worker_processes: int, data_root: Path) -> None:
    body = FIXTURE.read_bytes()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with ExitStack() as cleanup:
        data_dir = tempfile.mkdtemp(dir=data_root)  # removed with the root, after the last run
        if admin_url:
            url = cleanup.enter_context(scratch_database(admin_url))
        else:
            url = f"sqlite:///{data_dir}/edigate.db"
        command = [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--data-dir", data_dir,
                   "--port", str(port), "--database-url", url]
        if worker_processes:
            command += ["--worker-processes", str(worker_processes)]
        env = {**os.environ, "EDIGATE_DEMO_AUTO_ACCEPT": "false", "EDIGATE_LOG_LEVEL": "WARNING"}
        # The node's log (warnings and errors, its worker processes' too) goes to a file beside the
        # data folder, to be shown should the node stop before the run is over.
        log_path = Path(f"{data_dir}.serve.log")
        log_file = cleanup.enter_context(log_path.open("wb"))
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log_file, env=env)
        try:
            for _ in range(600):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            _warm_up(base, body)
            failures: list[str] = []
            answered: list[float] = []  # each POST's time to its 202, as its client saw it

            def client(number: int) -> None:
                headers = {"Authorization": "Bearer demo-acme-key", "Content-Type": "application/edifact"}
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                try:
                    for n in range(number, count, clients):
                        # A fresh UNB reference each time, else the duplicate check (rightly) rejects it.
                        payload = body.replace(b"ACME000123", f"B{n:09d}".encode())
                        sent = time.perf_counter()
                        connection.request("POST", "/v1/messages", body=payload, headers=headers)
                        response = connection.getresponse()
                        answer = response.read()
                        answered.append(time.perf_counter() - sent)
                        if response.status != 202:
                            failures.append(f"{response.status} {answer[:200]!r}")
                finally:
                    connection.close()

            workers = _children(server.pid)
            processes = {"serve": server.pid, **{f"worker {n}": pid for n, pid in enumerate(workers, 1)}}
            cpu_before = {name: _cpu_seconds(pid) for name, pid in processes.items()}
            written_before = {name: _disk_bytes_written(pid) for name, pid in processes.items()}
            clients_before = os.times()[:2]
            busy_before, all_before = _machine_busy()
            started = time.time()
            threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            posted = time.time()
            engine = create_engine(url)
            while True:
                with engine.connect() as conn:
                    waiting = conn.execute(
                        select(func.count()).select_from(Transmission).where(
                            Transmission.status.in_(("received", "processing"))
                        )
                    ).scalar_one()
                if not waiting:
                    break
                if server.poll() is not None or _children(server.pid) != workers:
                    tail = log_path.read_text(errors="replace")[-3000:]
                    raise SystemExit(f"a process of the node stopped with {waiting} messages left to "
                                     f"process; the node's log ends:\n{tail}")
                time.sleep(0.2)
            cpu = {name: _cpu_seconds(pid) for name, pid in processes.items()}
            written = {name: _disk_bytes_written(pid) - written_before[name]
                       for name, pid in processes.items()}
            cpu["bench (clients)"] = os.times()[:2]
            cpu_before["bench (clients)"] = clients_before
            busy_after, all_after = _machine_busy()
            with engine.connect() as conn:
                rows = conn.execute(
                    select(Transmission.status, Transmission.received_at, Transmission.processed_at)
                    .where(Transmission.received_at >= datetime.fromtimestamp(started, UTC))
                ).all()
            engine.dispose()
        finally:
            server.terminate()  # and it stops its worker processes
            server.wait(timeout=60)
    processed = [r for r in rows if r.status == "processed"]
    latencies = sorted((r.processed_at - r.received_at).total_seconds() for r in processed)
    last = max(r.processed_at for r in processed).timestamp()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    node = f"serve --worker-processes {worker_processes}" if worker_processes else "serve"
    print(f"{'PostgreSQL' if admin_url else 'SQLite'}, {node}, {clients} client(s), {count} orders: "
          f"{len(processed)} processed, {len(failures)} refused; "
          f"intake {count / (posted - started):.0f} msg/s "
          f"(POST answered p50 {statistics.median(answered) * 1000:.1f} ms); "
          f"end to end {len(processed) / (last - started):.0f} msg/s; "
          f"latency received->processed p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms")
    # Where the machine's CPU went, per message: what to cut for more messages a second.
    per_message = {
        name: ((user - cpu_before[name][0]) / count * 1000, (system - cpu_before[name][1]) / count * 1000)
        for name, (user, system) in cpu.items()
    }
    shares = ", ".join(f"{name} {user:.2f} + {system:.2f}" for name, (user, system) in per_message.items())
    busy = (busy_after - busy_before) / (all_after - all_before) if all_after > all_before else 0.0
    print(f"  CPU ms per message (user + system): {shares}; machine busy {busy:.0%}")
    disk = ", ".join(f"{name} {size / count / 1024:.0f}" for name, size in written.items())
    print(f"  written to disk, KB per message: {disk}")
    for failure in failures[:3]:
        print("  refused:", failure)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--worker-processes", type=int, nargs="+", default=[0],
                        help="0: the worker thread inside serve; N: serve --worker-processes N")
    parser.add_argument("--database-url", help="a PostgreSQL admin URL: each run gets a fresh database")
    parser.add_argument("--data-root", type=Path, help="where the runs go (default: the temp folder)")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    # Every run's folder stays until the last run is over: on ext4 without a journal, files created
    # where thousands were deleted in the last minutes cost 10-30 times as much kernel time (it
    # skips recently freed inodes one by one), so a run would pay for the one before it.
    with tempfile.TemporaryDirectory(dir=args.data_root, prefix="edigate-bench-") as data_root:
        for worker_processes in args.worker_processes:
            for clients in args.clients:
                run(args.count, clients, args.database_url, worker_processes, Path(data_root))


if __name__ == "__main__":
    main()
