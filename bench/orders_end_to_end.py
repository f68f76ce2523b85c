"""End to end: POST an EANCOM ORDERS to a real `edigate serve --demo`, wait until it is processed.

Prints per-order latency (POST sent → status `processed` observed, CONTRL stored) and throughput.
Measures; never fails a build.

    python bench/orders_end_to_end.py [--count 200] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    body = FIXTURE.read_bytes()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        command = [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--data-dir", data_dir,
                   "--port", str(port)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        env = {**os.environ, "EDIGATE_POLL_SECONDS": "0.5"}
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            headers = {"Authorization": "Bearer demo-acme-key"}
            latencies: list[float] = []
            with httpx.Client(base_url=base, headers=headers) as client:
                started = time.perf_counter()
                for n in range(args.count):
                    # A fresh UNB reference each time, else the duplicate check (rightly) rejects it.
                    payload = body.replace(b"ACME000123", f"B{n:09d}".encode())
                    t0 = time.perf_counter()
                    message_id = client.post("/v1/messages", content=payload).json()["id"]
                    while True:
                        status = client.get(f"/v1/messages/{message_id}").json()["status"]
                        if status not in ("received", "processing"):
                            break
                        time.sleep(0.001)
                    latencies.append(time.perf_counter() - t0)
                    if status != "processed":
                        raise SystemExit(f"order {n} ended {status}")
                elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=20)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"command: {' '.join(sys.argv)}")
    print(f"database: {args.database_url or 'SQLite (embedded default)'}; orders: {args.count}, one client")
    print(f"end-to-end latency POST -> processed: p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, mean {statistics.mean(latencies) * 1000:.1f} ms")
    print(f"sequential throughput: {args.count / elapsed:.1f} orders/s")


if __name__ == "__main__":
    main()
