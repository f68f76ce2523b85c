"""Many nodes on one PostgreSQL: real `edigate worker` processes share the queue, a killed worker's
job moves to another after its lease, and a singleton duty (SFTP polling) runs on one node at a time.

PostgreSQL only: SQLite is one node by definition. Waits are bounded only to fail instead of hanging
on a broken build; no assertion depends on how fast anything runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url

from gateway.channels.sftp_server import write_key_pair
from gateway.config import Settings
from gateway.context import Gateway, open_gateway
from gateway.database.models import AuditEvent, Document, Transmission, WorkItem
from gateway.duties import lock_key
from gateway.intake import Upload, accept
from gateway.worker import Worker
from partners.loader import demo_directory_path
from tests.gateway.test_sftp_support import ORDER, Sshd, wait_until

REPO = Path(__file__).resolve().parents[2]
WAIT = 900.0  # seconds; only a guard against hanging, the machine may be busy


@pytest.fixture
def pg_url(postgres: Any) -> str:
    return postgres.new()


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


class Node:
    """One `edigate worker` process; its database sessions carry its name (application_name)."""

    def __init__(self, name: str, database_url: str, data_dir: Path, *args: str, **env: str) -> None:
        self.name = name
        url = make_url(database_url).update_query_dict({"application_name": name})
        self.log = data_dir.parent / f"{name}.log"
        command = [sys.executable, "-m", "gateway.cli", "worker", "--data-dir", str(data_dir), *args]
        command += ["--database-url", url.render_as_string(hide_password=False)]
        environment = {**os.environ, "EDIGATE_POLL_SECONDS": "0.1", "EDIGATE_LOG_FORMAT": "text", **env}
        self.process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )

    @property
    def owner_prefix(self) -> str:
        """How this process names itself in work item leases (gateway.worker.worker_id)."""
        return f"{os.uname().nodename}:{self.process.pid}:"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)  # no clean-up of any kind: as if the machine died
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


@pytest.fixture
def start_node(pg_url: str, tmp_path: Path) -> Iterator[Callable[..., Node]]:
    nodes: list[Node] = []

    def start(name: str, *args: str, **env: str) -> Node:
        node = Node(name, pg_url, tmp_path / "data", *args, **env)
        nodes.append(node)
        return node

    yield start
    for node in nodes:
        node.stop()


@pytest.fixture
def intake_node(pg_url: str, tmp_path: Path) -> Iterator[Gateway]:
    """The node partners send to (here: intake called directly, as the REST route does)."""
    gw = open_gateway(Settings(data_dir=tmp_path / "data", database_url=pg_url, demo=True))
    yield gw
    gw.close()


def submit_orders(gw: Gateway, count: int) -> list[str]:
    body = ORDER.read_bytes()
    return [
        # A fresh UNB reference each, else the duplicate check (rightly) rejects the copies.
        accept(
            gw, Upload("rest", body.replace(b"ACME000123", f"N{n:09d}".encode()), "acme-retail", "test")
        ).id
        for n in range(count)
    ]


def outstanding(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(WorkItem).where(WorkItem.state.in_(("queued", "running")))
        ).scalar_one()


def assert_each_processed_exactly_once(engine: Engine, ids: list[str]) -> None:
    """Counted from the results, not from the workers: a 'processed' audit event and a document per
    message, and no message without them."""
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(Transmission.id, Transmission.status)).all())
        processed = dict(
            conn.execute(
                select(AuditEvent.subject_id, func.count())
                .where(AuditEvent.subject_type == "transmission", AuditEvent.action == "processed")
                .group_by(AuditEvent.subject_id)
            ).all()
        )
        documents = dict(
            conn.execute(
                select(Document.transmission_id, func.count()).group_by(Document.transmission_id)
            ).all()
        )
    assert statuses == dict.fromkeys(ids, "processed")
    assert processed == dict.fromkeys(ids, 1)
    assert documents == dict.fromkeys(ids, 1)


def test_three_worker_processes_share_the_queue_and_process_each_message_once(
    intake_node, start_node, engine
):
    ids = submit_orders(intake_node, 200)
    for name in ("node-a", "node-b", "node-c"):
        start_node(name, "--demo", EDIGATE_DEMO_AUTO_ACCEPT="false")

    wait_until(lambda: outstanding(engine) == 0, timeout=WAIT, what="the queue to empty")

    assert_each_processed_exactly_once(engine, ids)
    with engine.connect() as conn:
        items = conn.execute(
            select(WorkItem.kind, WorkItem.state, WorkItem.attempts, WorkItem.lease_owner)
        ).all()
    # ACME takes its CONTRLs from its mailbox: each is delivered with its order, no work item of its own.
    assert {(kind, state) for kind, state, _, _ in items} == {("process_transmission", "done")}
    assert len(items) == len(ids)
    assert all(attempts == 1 for _, _, attempts, _ in items)  # nothing was run twice
    processes = {owner.rsplit(":", 1)[0] for _, _, _, owner in items}
    assert len(processes) >= 2  # the work really was shared


def test_a_killed_worker_loses_its_lease_and_its_job_is_finished_elsewhere_once(
    intake_node, start_node, engine
):
    ids = submit_orders(intake_node, 30)
    # Hold the audit chain's head: every worker then stops inside its job, with the job leased to it
    # and its transaction open, exactly where a crash does the most harm.
    gate = engine.connect()
    gate.execute(text("SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE"))
    # One job per claim: with a lease this short, a batch could outlive its own lease on a slow runner.
    env = {"EDIGATE_LEASE_SECONDS": "3", "EDIGATE_DEMO_AUTO_ACCEPT": "false", "EDIGATE_WORKER_BATCH": "1"}
    doomed = start_node("node-doomed", "--demo", **env)
    survivor = start_node("node-survivor", "--demo", **env)

    def leased_to(node: Node) -> list[int]:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    select(WorkItem.id).where(
                        WorkItem.state == "running", WorkItem.lease_owner.startswith(node.owner_prefix)
                    )
                ).scalars()
            )

    try:
        wait_until(lambda: leased_to(doomed) and leased_to(survivor), timeout=WAIT, what="both to take a job")
        orphans = leased_to(doomed)  # one job, or a batch of transmissions claimed together
        doomed.kill()
    finally:
        gate.rollback()
        gate.close()

    wait_until(lambda: outstanding(engine) == 0, timeout=WAIT, what="the queue to empty")

    with engine.connect() as conn:
        items = conn.execute(select(WorkItem).where(WorkItem.id.in_(orphans))).all()
    assert len(items) == len(orphans) >= 1
    for item in items:
        assert item.state == "done" and item.attempts == 2  # claimed again once the lease had run out
        assert item.lease_owner.startswith(survivor.owner_prefix)
    assert_each_processed_exactly_once(engine, ids)


def test_nodes_on_one_database_and_a_shared_archive_folder_read_each_others_messages(pg_url, tmp_path):
    shared = tmp_path / "shared-archive"
    first = open_gateway(
        Settings(data_dir=tmp_path / "node-1", database_url=pg_url, archive_dir=shared, demo=True)
    )
    second = open_gateway(
        Settings(data_dir=tmp_path / "node-2", database_url=pg_url, archive_dir=shared, demo=True)
    )
    try:
        [message_id] = submit_orders(first, 1)  # node 1 takes the message in
        worker = Worker(second, owner="node-2")
        while worker.run_once():  # node 2 processes it, reading the bytes node 1 stored
            pass
        with second.sessions() as session:
            transmission = session.get(Transmission, message_id)
            assert transmission is not None and transmission.status == "processed"
            documents = session.execute(select(Document).where(Document.transmission_id == message_id)).all()
        assert len(documents) == 1
        assert second.archive.get(transmission.sha256) == first.archive.get(transmission.sha256)
    finally:
        first.close()
        second.close()


# ------------------------------------------------------------------------------- the SFTP poller duty


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    server = Sshd(tmp_path / "sshd")
    yield server
    server.stop()


@pytest.fixture
def polled_partner(sshd: Sshd, tmp_path: Path) -> Path:
    """Partner profiles where supplier-one is polled on its own SFTP server; returns its pickup folder."""
    pickup = tmp_path / "partner-server" / "out"
    pickup.mkdir(parents=True)
    data_dir = tmp_path / "data"
    key = data_dir / "keys" / "supplier-one_poll"
    write_key_pair(key, "edigate-poller")
    with sshd.authorized_keys.open("a") as keys:
        keys.write(key.with_name(key.name + ".pub").read_text())
    profiles = tmp_path / "partners"
    shutil.copytree(demo_directory_path(), profiles)
    with (profiles / "supplier-one.toml").open("a") as profile:
        profile.write(
            "\n[sftp]\n"
            'mode = "poll"\n'
            'host = "127.0.0.1"\n'
            f"port = {sshd.port}\n"
            f'username = "{sshd.user}"\n'
            f'host_key_fingerprint = "{sshd.fingerprint}"\n'
            'private_key_file = "keys/supplier-one_poll"\n'
            f'pickup_dir = "{pickup}"\n'
            'pattern = "*.edi"\n'
            "stable_seconds = 0\n"
            "poll_seconds = 0.2\n"
            "timeout_seconds = 10\n"
        )
    return pickup


def duty_holders(engine: Engine, duty: str) -> list[str]:
    """The application names of the sessions holding a duty's advisory lock."""
    key = lock_key(duty) & 0xFFFFFFFFFFFFFFFF
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND l.classid::bigint = :high AND l.objid::bigint = :low AND l.objsubid = 1"
                ),
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            ).scalars()
        )


def polled_by(engine: Engine) -> dict[str, str]:
    """File name → the node that fetched it, for every file taken in from the partner's server."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Transmission.filename, Transmission.transport).where(
                Transmission.direction == "inbound", Transmission.channel == "sftp"
            )
        ).all()
    return {name: transport["node"] for name, transport in rows}


def test_only_the_node_holding_the_duty_polls_and_another_takes_over_when_it_dies(
    polled_partner, start_node, engine, tmp_path
):
    partners = str(tmp_path / "partners")
    first = start_node("node-a", "--partners", partners)
    wait_until(lambda: duty_holders(engine, "sftp-poll:supplier-one") == ["node-a"], timeout=WAIT, what="a")
    second = start_node("node-b", "--partners", partners)
    wait_until(lambda: "node-b" in _sessions(engine), timeout=WAIT, what="node-b to connect")

    body = ORDER.read_bytes()
    before = [f"before-{n}.edi" for n in range(6)]
    for name in before:
        (polled_partner / name).write_bytes(body.replace(b"ACME000123", name[:14].encode()))
    wait_until(lambda: len(polled_by(engine)) == len(before), timeout=WAIT, what="the files to be taken in")
    assert duty_holders(engine, "sftp-poll:supplier-one") == ["node-a"]  # node-b never took the duty
    node_a = f"{os.uname().nodename}:{first.process.pid}"
    assert polled_by(engine) == dict.fromkeys(before, node_a)  # each file fetched once, by node-a

    first.kill()
    wait_until(lambda: duty_holders(engine, "sftp-poll:supplier-one") == ["node-b"], timeout=WAIT, what="b")
    after = [f"after-{n}.edi" for n in range(3)]
    for name in after:
        (polled_partner / name).write_bytes(body.replace(b"ACME000123", name[:14].encode()))
    wait_until(lambda: len(polled_by(engine)) == len(before) + len(after), timeout=WAIT, what="takeover")
    node_b = f"{os.uname().nodename}:{second.process.pid}"
    assert polled_by(engine) == {**dict.fromkeys(before, node_a), **dict.fromkeys(after, node_b)}
    # Each is deleted on the partner's server once taken in: just after its commit, so the last
    # one may still be going when its row appears.
    wait_until(lambda: os.listdir(polled_partner) == [], timeout=WAIT, what="the partner's files to go")


def _sessions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT application_name FROM pg_stat_activity")).scalars())
