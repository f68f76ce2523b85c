"""Soak: mixed partner traffic against a running node for a set time, then the checks an auditor asks.

Traffic, from several client threads at once: REST uploads of EDIFACT (ACME orders), X12 (Umbrella
850s) and XML (Initech UBL invoices), good and bad (broken counts, truncated files, garbage); SFTP
uploads of ACME orders into its mailbox; AS2 messages signed and encrypted as ACME with the
project's own AS2 composer, each answered by a synchronous MDN. Every good file has its own
interchange reference, so nothing is (rightly) refused as a duplicate.

Then it waits for the queue to drain and checks:
  1. counts in = counts out: every message a channel accepted is in the database once and final,
     good ones ``processed``, bad ones ``rejected``; nothing ``failed``, nothing extra;
  2. ``edigate audit verify`` finds the hash chain and the archive intact;
  3. the node's JSON log has no ERROR line that is not about a message rejected as bad input.

Prints a summary and exits 1 if a check fails. Starts its own node (SQLite, or --database-url)
unless --url names one; for a node of your own, also give --data-dir (AS2 keys, audit verify) and
--log (its JSON log) and --sftp-port.

    python bench/soak.py --seconds 300 [--clients 4] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from gateway.channels.as2.outbound import BuiltMessage

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the gateway packages are importable

FIXTURES = REPO / "tests" / "fixtures"
ACME_ORDER = (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()
UMBRELLA_850 = (FIXTURES / "x12" / "umbrella_850_005010.edi").read_bytes()
INITECH_INVOICE = (FIXTURES / "xml" / "initech_invoice_ubl.xml").read_bytes()
FINAL = ("processed", "rejected", "failed")
KEYS = {"edifact": "demo-acme-key", "x12": "demo-umbrella-key", "xml": "demo-initech-key"}
SCHEDULE = ("rest", "sftp", "rest", "as2", "rest", "rest", "sftp", "rest", "rest")
REST_SYNTAXES = ("edifact", "x12", "xml", "edifact", "x12", "xml", "garbage")


# ----------------------------------------------------------------------------------------- payloads


class Payloads:
    """Fresh interchange references per message and per run, so runs against one node never collide."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(2).upper()
        self.x12_base = random.randrange(10**8, 8 * 10**8)

    def edifact(self, n: int, good: bool) -> bytes:
        data = ACME_ORDER.replace(b"ACME000123", f"K{self.token}{n:07d}".encode())
        data = data.replace(b"PO-2026-0042", f"PO-{self.token}-{n}".encode())  # one order, one number
        return data if good else data.replace(b"UNT+35+", b"UNT+99+")  # wrong segment count

    def x12(self, n: int, good: bool) -> bytes:
        data = UMBRELLA_850.replace(b"000000101", f"{self.x12_base + n:09d}".encode())
        return data if good else data[: len(data) // 2]  # cut off: no SE, GE, IEA

    def xml(self, n: int, good: bool) -> bytes:
        data = INITECH_INVOICE.replace(b"INI-2025-00731", f"SOAK-{self.token}-{n}".encode())
        return data if good else data[: len(data) // 2]  # not well-formed

    def make(self, syntax: str, n: int, good: bool) -> bytes:
        if syntax == "garbage":
            return b"\x00\x01 not an interchange at all " + str(n).encode()
        return getattr(self, syntax)(n, good)


def _good(n: int) -> bool:
    """Four in five messages are good; decided per message number, independent of channel and syntax."""
    return random.Random(n * 7919).random() >= 0.2


@dataclass
class Sent:
    channel: str  # rest | sftp | as2
    syntax: str  # edifact | x12 | xml | garbage
    good: bool
    accepted: bool  # the channel said it has the message (202, SFTP close ok, MDN processed)
    lookup: str  # how to find its transmission: id (rest), filename (sftp), idempotency key (as2)
    answer: str = ""

    @property
    def expected(self) -> str:
        return "processed" if self.good else "rejected"


# ------------------------------------------------------------------------------------------ channels


class Channels:
    def __init__(self, base: str, data_dir: Path, sftp_port: int | None) -> None:
        self.base = base
        self.data_dir = data_dir
        self.sftp_port = sftp_port
        self.payloads = Payloads()
        self.as2 = _As2Composer(data_dir) if (data_dir / "certs" / "ACME-RETAIL.key").exists() else None
        self._rest_turn = itertools.count()

    def channel_for(self, n: int) -> str:
        """A fixed cycle (6 REST, 2 SFTP, 1 AS2 in 9), so even a short run uses every channel."""
        kind = SCHEDULE[n % len(SCHEDULE)]
        if (kind == "sftp" and not self.sftp_port) or (kind == "as2" and not self.as2):
            return "rest"
        return kind

    def rest(self, n: int, client: httpx.Client) -> Sent:
        syntax = REST_SYNTAXES[next(self._rest_turn) % len(REST_SYNTAXES)]
        good = syntax != "garbage" and _good(n)
        key = KEYS.get(syntax, "demo-acme-key")
        response = client.post(
            f"{self.base}/v1/messages",
            content=self.payloads.make(syntax, n, good),
            headers={"Authorization": f"Bearer {key}"},
        )
        accepted = response.status_code == 202
        lookup = response.json()["id"] if accepted else ""
        return Sent("rest", syntax, good, accepted, lookup, f"HTTP {response.status_code}")

    def sftp(self, n: int) -> Sent:
        import paramiko

        good = _good(n)
        name = f"soak-{self.payloads.token}-{n}.edi"
        transport = paramiko.Transport(("127.0.0.1", self.sftp_port or 0))
        try:
            transport.connect(username="acme", password="acme-demo")
            sftp = paramiko.SFTPClient.from_transport(transport)
            assert sftp is not None
            with sftp.open(f"/in/{name}", "wb") as remote:
                remote.write(self.payloads.edifact(n, good))
        except (OSError, paramiko.SSHException) as exc:
            return Sent("sftp", "edifact", good, False, name, f"{type(exc).__name__}: {exc}")
        finally:
            transport.close()
        # paramiko ignores a failed close: an upload the server refused shows as missing in the checks.
        return Sent("sftp", "edifact", good, True, name, "closed")

    def as2_send(self, n: int, client: httpx.Client) -> Sent:
        assert self.as2 is not None
        good = _good(n)
        message, key = self.as2.build(self.payloads.edifact(n, good), n)
        response = client.post(f"{self.base}/as2", content=message.body, headers=message.headers)
        processed = response.status_code == 200 and b"processed" in response.content
        failed = b"processed/error" in response.content or b"failed" in response.content
        return Sent("as2", "edifact", good, processed and not failed, key, f"HTTP {response.status_code}")


class _As2Composer:
    """ACME's side of AS2, built with edigate's own composer and the demo's ACME key pair."""

    def __init__(self, data_dir: Path) -> None:
        from gateway.channels.as2.certificates import load_certificates, load_key_pair
        from partners.as2 import As2Settings

        certs = data_dir / "certs"
        pem, key = str(certs / "ACME-RETAIL.pem"), str(certs / "ACME-RETAIL.key")
        self.signer = load_key_pair(pem, key, None, data_dir)
        self.recipient = load_certificates([str(certs / "EDIGATE-DEMO.pem")], data_dir)[0]
        self.settings = As2Settings(id="EDIGATE-DEMO", certificates=[str(certs / "EDIGATE-DEMO.pem")])

    def build(self, payload: bytes, n: int) -> tuple[BuiltMessage, str]:
        import hashlib

        from gateway.channels.as2.outbound import build_message

        message_id = f"soak-{secrets.token_hex(8)}-{n}@ACME-RETAIL"
        message = build_message(
            payload,
            message_id=message_id,
            filename=f"order-{n}.edi",
            content_type="application/EDIFACT",
            our_id="ACME-RETAIL",
            settings=self.settings,
            signer=self.signer,
            recipient=self.recipient,
        )
        # The receiver keys AS2 messages by sender and Message-ID (gateway/channels/as2/reception.py).
        key = "as2:" + hashlib.sha256(f"ACME-RETAIL\n{message_id}".encode()).hexdigest()
        return message, key


# -------------------------------------------------------------------------------------------- a node


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Node:
    base: str
    data_dir: Path
    database_url: str | None
    sftp_port: int | None
    log: Path | None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "gateway.cli", *args, "--demo", "--data-dir", str(self.data_dir)]
        if self.database_url:
            command += ["--database-url", self.database_url]
        return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600)


@contextmanager
def started_node(database_url: str | None, keep: bool) -> Iterator[Node]:
    """`edigate serve --demo` with SFTP, JSON log to a file, in a temporary data directory."""
    folder = Path(tempfile.mkdtemp(prefix="edigate-soak-"))
    port, sftp_port = free_port(), free_port()
    node = Node(f"http://127.0.0.1:{port}", folder / "data", database_url, sftp_port, folder / "serve.log")
    command = [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--data-dir", str(node.data_dir)]
    command += ["--port", str(port), "--sftp-port", str(sftp_port)]
    if database_url:
        command += ["--database-url", database_url]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGATE_")}
    env.update(EDIGATE_LOG_FORMAT="json", EDIGATE_POLL_SECONDS="0.2")
    assert node.log is not None
    with node.log.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"edigate serve did not come up:\n{node.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{node.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield node
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if keep:
            print(f"node data kept in {folder}")
        else:
            subprocess.run(["rm", "-rf", str(folder)], check=False)


# ------------------------------------------------------------------------------------------ traffic


def run_traffic(channels: Channels, seconds: float, clients: int) -> list[Sent]:
    sent: list[Sent] = []
    lock = threading.Lock()
    numbers = itertools.count(1)
    deadline = time.monotonic() + seconds
    errors: list[str] = []

    def client_loop() -> None:
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < deadline:
                n = next(numbers)
                kind = channels.channel_for(n)
                try:
                    if kind == "rest":
                        record = channels.rest(n, client)
                    elif kind == "sftp":
                        record = channels.sftp(n)
                    else:
                        record = channels.as2_send(n, client)
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"{kind} #{n}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    sent.append(record)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in errors:
        print(f"client error: {error}")
    return sent


# ------------------------------------------------------------------------------------------- checks


class Database:
    def __init__(self, node: Node) -> None:
        from gateway.config import Settings
        from gateway.database.engine import make_engine

        url = node.database_url or Settings(data_dir=node.data_dir).resolved_database_url()
        self.engine = make_engine(url)

    def rows(self, statement: object) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(statement))  # type: ignore[call-overload]

    def inbound(self) -> dict[str, tuple[str, str | None, str | None, str]]:
        """id -> (status, filename, idempotency key, channel) of every inbound transmission."""
        from sqlalchemy import select

        from gateway.database.models import Transmission as T

        query = select(T.id, T.status, T.filename, T.idempotency_key, T.channel)
        query = query.where(T.direction == "inbound")
        return {r.id: (r.status, r.filename, r.idempotency_key, r.channel) for r in self.rows(query)}

    def open_work(self) -> int:
        from sqlalchemy import func, select

        from gateway.database.models import WorkItem

        query = select(func.count()).select_from(WorkItem).where(WorkItem.state.in_(("queued", "running")))
        return self.rows(query)[0][0]


def wait_drained(db: Database, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pending = [i for i, row in db.inbound().items() if row[0] not in FINAL]
        if not pending and db.open_work() == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"the queue did not drain within {timeout:.0f} s")


def check_counts(sent: list[Sent], before: set[str], db: Database) -> list[str]:
    problems: list[str] = []
    rows = {i: row for i, row in db.inbound().items() if i not in before}
    by_filename = {row[1]: i for i, row in rows.items() if row[3] == "sftp"}
    by_key = {row[2]: i for i, row in rows.items() if row[2]}
    matched: set[str] = set()
    for record in sent:
        if not record.accepted:
            continue
        if record.channel == "rest":
            found = record.lookup if record.lookup in rows else None
        elif record.channel == "sftp":
            found = by_filename.get(record.lookup)
        else:
            found = by_key.get(record.lookup)
        if found is None:
            problems.append(f"{record.channel} {record.syntax} accepted but not stored: {record.lookup}")
            continue
        matched.add(found)
        status = rows[found][0]
        if status != record.expected:
            problems.append(f"{record.channel} {record.syntax} {found}: {status}, expected {record.expected}")
    extra = set(rows) - matched
    if extra:
        problems.append(f"{len(extra)} stored transmission(s) no client was told about: {sorted(extra)[:5]}")
    return problems


def check_log(log: Path | None, db: Database) -> tuple[list[str], int]:
    """ERROR lines are allowed only when they name a message that was rejected as bad input."""
    if log is None or not log.exists():
        return [], 0
    statuses = {i: row[0] for i, row in db.inbound().items()}
    problems: list[str] = []
    errors = 0
    for line in log.read_text(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # the banner and other plain lines
        if not isinstance(event, dict) or event.get("level") not in ("ERROR", "CRITICAL"):
            continue
        errors += 1
        if statuses.get(str(event.get("message_id"))) == "rejected":
            continue
        problems.append(f"log: {event.get('logger')}: {str(event.get('message'))[:200]}")
    return problems, errors


# --------------------------------------------------------------------------------------------- main


def soak(node: Node, seconds: float, clients: int) -> int:
    db = Database(node)
    before = set(db.inbound())
    channels = Channels(node.base, node.data_dir, node.sftp_port)
    started = time.monotonic()
    sent = run_traffic(channels, seconds, clients)
    elapsed = time.monotonic() - started
    drain = wait_drained(db, timeout=max(300.0, seconds * 2))
    problems = check_counts(sent, before, db)
    verified = node.cli("audit", "verify")
    if verified.returncode != 0:
        problems.append(f"audit verify failed: {(verified.stdout + verified.stderr).strip()[-500:]}")
    log_problems, log_errors = check_log(node.log, db)
    problems += log_problems

    mix = Counter(f"{s.channel}/{s.syntax}/{'good' if s.good else 'bad'}" for s in sent)
    accepted = sum(1 for s in sent if s.accepted)
    refused = Counter(s.answer for s in sent if not s.accepted)
    print(f"command: {' '.join(sys.argv)}")
    print(f"node: {node.base}  database: {node.database_url or 'SQLite (embedded default)'}")
    print(f"traffic: {len(sent)} messages in {elapsed:.1f} s from {clients} clients "
          f"({len(sent) / elapsed:.1f}/s); accepted by the channel: {accepted}; refused: {dict(refused)}")
    for name, count in sorted(mix.items()):
        print(f"  {name:<24} {count}")
    print(f"queue drained {drain:.1f} s after the traffic stopped")
    print(f"audit verify: {'intact' if verified.returncode == 0 else 'FAILED'}")
    if node.log is not None:
        print(f"log: {log_errors} ERROR line(s), {len(log_problems)} not attributed to a rejected bad input")
    else:
        print("log: not checked (give --log for a node of your own)")
    for problem in problems[:50]:
        print(f"PROBLEM: {problem}")
    print("all checks passed" if not problems else f"{len(problems)} check(s) FAILED")
    return 0 if not problems else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send traffic")
    parser.add_argument("--clients", type=int, default=3, help="client threads sending at once")
    parser.add_argument("--url", help="a running node (default: start one)")
    parser.add_argument("--data-dir", type=Path, help="that node's data directory (with --url)")
    parser.add_argument("--database-url", help="its database (default: the SQLite in the data dir)")
    parser.add_argument("--sftp-port", type=int, help="its SFTP port (with --url)")
    parser.add_argument("--log", type=Path, help="its JSON log file (with --url)")
    parser.add_argument("--keep", action="store_true", help="keep the started node's data directory")
    args = parser.parse_args(argv)
    if args.url:
        if args.data_dir is None:
            parser.error("--url needs --data-dir (AS2 keys and audit verify)")
        node = Node(args.url.rstrip("/"), args.data_dir, args.database_url, args.sftp_port, args.log)
        return soak(node, args.seconds, args.clients)
    with started_node(args.database_url, args.keep) as node:
        return soak(node, args.seconds, args.clients)


if __name__ == "__main__":
    raise SystemExit(main())
