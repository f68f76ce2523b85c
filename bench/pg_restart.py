"""PostgreSQL really restarted under load: what the clients saw, and that nothing accepted was lost.

Starts `edigate serve --demo` on a fresh database of the given cluster, has client threads POST
ACME orders (each with its own Idempotency-Key), restarts the cluster with
``pg_ctlcluster --skip-systemctl-redirect VERSION NAME restart`` part-way, and goes on sending. Then
the clients retry what got no 202 with the same key (what a partner does after a 503), the queue
drains, and every message answered 202 must be ``processed``.

Prints the answers per second around the restart (202 / 503 / other / no answer), whether any 5xx
other than 503 came back, and the counts. Restarting a cluster disturbs everyone using it: run this
on a machine (or a cluster, see --cluster) of your own, never next to a shared test suite.

    python bench/pg_restart.py [--seconds 30] [--restart-at 8] [--cluster 15/main]
                               [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import httpx
from soak import FINAL, Database, Payloads, started_node, wait_drained
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@dataclass
class Answer:
    second: int  # since the load started
    key: str
    n: int
    outcome: str  # "202", "503", "500", … or "no answer"
    message_id: str | None


def _post(client: httpx.Client, base: str, body: bytes, key: str) -> tuple[str, str | None]:
    try:
        response = client.post(
            f"{base}/v1/messages",
            content=body,
            headers={"Authorization": "Bearer demo-acme-key", "Idempotency-Key": key},
        )
    except httpx.HTTPError:
        return "no answer", None
    message_id = response.json().get("id") if response.status_code == 202 else None
    return str(response.status_code), message_id


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load runs")
    parser.add_argument("--restart-at", type=float, default=8.0, help="seconds into the load")
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--cluster", default="15/main", help="VERSION/NAME for pg_ctlcluster")
    parser.add_argument(
        "--admin-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a URL on that cluster allowed to CREATE DATABASE",
    )
    args = parser.parse_args()
    version, name = args.cluster.split("/")
    database = f"edigate_pgrestart_{secrets.token_hex(4)}"
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    url = make_url(args.admin_url).set(database=database).render_as_string(hide_password=False)
    try:
        with started_node(url, keep=False) as node:
            return _run(node, args, version, name)
    finally:
        admin.dispose()
        admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
        for _ in range(30):  # the cluster may still be starting up
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                break
            except Exception:
                time.sleep(1)
        admin.dispose()


def _run(node, args: argparse.Namespace, version: str, name: str) -> int:  # type: ignore[no-untyped-def]
    payloads = Payloads()
    answers: list[Answer] = []
    lock = threading.Lock()
    numbers = iter(range(1, 10**9))
    started = time.monotonic()
    deadline = started + args.seconds

    def client_loop() -> None:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    n = next(numbers)
                key = f"pg-restart-{payloads.token}-{n}"
                outcome, message_id = _post(client, node.base, payloads.edifact(n, True), key)
                with lock:
                    answers.append(Answer(int(time.monotonic() - started), key, n, outcome, message_id))

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.restart_at)
    restart_began = time.monotonic() - started
    restart = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    restart_took = time.monotonic() - started - restart_began
    for thread in threads:
        thread.join()
    if restart.returncode != 0:
        print(f"pg_ctlcluster failed: {restart.stderr.strip()}")
        return 1

    # The clients' part after the load: every request without a 202 is sent again with its key.
    retried = Counter()
    accepted = {a.key: a.message_id for a in answers if a.outcome == "202"}
    with httpx.Client(timeout=30) as client:
        for answer in answers:
            if answer.outcome == "202":
                continue
            for _attempt in range(30):
                outcome, message_id = _post(client, node.base, payloads.edifact(answer.n, True), answer.key)
                if outcome == "202":
                    accepted[answer.key] = message_id
                    retried["accepted on retry"] += 1
                    break
                time.sleep(1)
            else:
                retried["still refused"] += 1

    db = Database(node)
    drain = wait_drained(db, timeout=600)
    rows = db.inbound()
    lost = [key for key, message_id in accepted.items() if message_id not in rows]
    not_processed = [k for k, i in accepted.items() if i in rows and rows[i][0] != "processed"]
    extra = len(rows) - len(set(accepted.values()))

    per_second: dict[int, Counter[str]] = defaultdict(Counter)
    for answer in answers:
        per_second[answer.second][answer.outcome] += 1
    outcomes = Counter(a.outcome for a in answers)
    print(f"command: {' '.join(sys.argv)}")
    print(f"cluster {args.cluster}: restart began at {restart_began:.1f} s, "
          f"pg_ctlcluster took {restart_took:.1f} s")
    print("second  answers (202 / 503 / other / no answer)")
    for second in sorted(per_second):
        c = per_second[second]
        other = sum(v for k, v in c.items() if k not in ("202", "503", "no answer"))
        mark = "  <- restart" if second == int(restart_began) else ""
        print(f"{second:6d}  {c['202']:4d} {c['503']:4d} {other:4d} {c['no answer']:4d}{mark}")
    print(f"answers: {dict(outcomes)}; retries after the load: {dict(retried)}")
    print(f"queue drained in {drain:.1f} s; accepted {len(accepted)}, in the database {len(rows)} "
          f"({extra} not answered 202 to anyone), lost {len(lost)}, not processed {len(not_processed)}")
    bad_5xx = {k: v for k, v in outcomes.items() if k.startswith("5") and k != "503"}
    print(f"5xx other than 503: {bad_5xx or 'none'}; final statuses: {Counter(r[0] for r in rows.values())}")
    unfinished = [r for r in rows.values() if r[0] not in FINAL]
    ok = not lost and not not_processed and not bad_5xx and not unfinished and not retried["still refused"]
    print("all checks passed" if ok else "CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
