"""What the serve process spends per HTTP request, with no worker running: intake alone.

A real ``edigate serve --demo --no-worker`` on SQLite; N clients keep ``http.client`` connections
open and POST small EANCOM ORDERS (each with its own interchange reference) to ``/v1/messages``, or
GET ``--path`` (``/healthz``). The figure is the serve process's CPU time (user + system, read from
/proc, so Linux only) per request, beside requests per second; CPU time is the steady one on a
shared machine. Measures; never fails a build.

    python bench/http_intake.py [--count 1000] [--clients 4] [--path /v1/messages]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"
HEADERS = {"Authorization": "Bearer demo-acme-key", "Content-Type": "application/edifact"}

sys.path.insert(0, str(Path(__file__).resolve().parent))
from orders_end_to_end import _free_port  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_up(port: int) -> None:
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not come up")


def run(count: int, clients: int, path: str) -> None:
    body = FIXTURE.read_bytes()
    port = _free_port()
    env = {**os.environ, "EDIGATE_DEMO_AUTO_ACCEPT": "false", "EDIGATE_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as data_dir:
        command = [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--demo",
            "--no-worker",
            "--data-dir",
            data_dir,
        ]
        command += ["--port", str(port), "--database-url", f"sqlite:///{data_dir}/edigate.db"]
        server = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_until_up(port)
            failures: list[int] = []

            def client(first: int) -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                for n in range(first, count, clients):
                    if path == "/v1/messages":
                        payload = body.replace(b"ACME000123", f"H{n:09d}".encode())
                        connection.request("POST", path, body=payload, headers=HEADERS)
                    else:
                        connection.request("GET", path)
                    response = connection.getresponse()
                    response.read()
                    if response.status not in (200, 202):
                        failures.append(response.status)
                connection.close()

            threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
            cpu, started = _cpu_seconds(server.pid), time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed, cpu = time.perf_counter() - started, _cpu_seconds(server.pid) - cpu
        finally:
            server.terminate()
            server.wait(timeout=30)
    method = "POST" if path == "/v1/messages" else "GET"
    print(
        f"{method} {path}, {clients} client(s), {count} requests: {count / elapsed:.0f} req/s, "
        f"serve CPU {cpu / count * 1000:.2f} ms per request, {len(failures)} failed"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--path", default="/v1/messages", help="/v1/messages (POST) or a GET path")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    run(args.count, args.clients, args.path)


if __name__ == "__main__":
    main()
