"""SFTP under load and tricks not covered by test_sftp_confinement / test_sftp_server.

Already covered there: ``..`` and absolute paths (openssh and paramiko), a symlink to a file
outside, links planted on disk, a mailbox folder replaced by a link, renames out of /in, and a
connection dropped mid-upload (test_a_broken_off_upload_is_deleted_and_never_processed).
Here: twenty partners' connections uploading at the same moment, links that point *inside* the
mailbox (refused too: a link is never created), and an upload broken off under a temporary name.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from gateway.channels.sftp_server import SftpServer
from gateway.context import Gateway
from gateway.demo import prepare_demo
from tests.gateway.test_sftp_support import (
    DEMO_KEY,
    ORDER,
    audit_events,
    mailbox,
    paramiko_sftp,
    start_server,
    transmissions,
    wait_until,
)

CONNECTIONS = 20


@pytest.fixture
def server(gateway: Gateway) -> Iterator[SftpServer]:
    prepare_demo(gateway)
    running = start_server(gateway)
    yield running
    running.stop()


@pytest.fixture
def key(gateway: Gateway) -> Path:
    return gateway.settings.data_dir / DEMO_KEY


def test_twenty_parallel_connections_each_upload_is_taken_in_exactly_once(gateway, server, key):
    bodies = {f"order-{n:02}.edi": ORDER.read_bytes() + b"\n" * n for n in range(CONNECTIONS)}
    start = threading.Barrier(CONNECTIONS)
    failures: list[BaseException] = []

    def upload(name: str, body: bytes) -> None:
        try:
            with paramiko_sftp(server.port, key=key) as sftp:
                start.wait(timeout=30)  # every connection is open before the first byte is written
                with sftp.open(f"/in/{name}", "wb") as handle:
                    for at in range(0, len(body), 97):  # many small writes interleave across sessions
                        handle.write(body[at : at + 97])
        except BaseException as exc:  # reported below; a thread must not die silently
            failures.append(exc)

    threads = [threading.Thread(target=upload, args=item) for item in bodies.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    received = transmissions(gateway)
    assert sorted(t.filename for t in received) == sorted(bodies)
    for row in received:
        assert row.sha256 == hashlib.sha256(bodies[row.filename]).hexdigest()
        assert gateway.archive.get(row.sha256) == bodies[row.filename]
    assert sorted(p.name for p in (mailbox(gateway) / "in").iterdir()) == []


def test_links_are_never_created_even_inside_the_mailbox(gateway, server, key):
    with paramiko_sftp(server.port, key=key) as sftp:
        with sftp.open("/in/real.edi.part", "wb") as handle:
            handle.write(b"UNA")
        for target in ("/in/real.edi.part", "real.edi.part", "/out", "/"):
            with pytest.raises(OSError):
                sftp.symlink(target, "/in/link.edi")
        with pytest.raises(OSError):
            sftp.readlink("/in/real.edi.part")
        assert sftp.listdir("/in") == ["real.edi.part"]
    assert not any(p.is_symlink() for p in mailbox(gateway).rglob("*"))
    assert transmissions(gateway) == []


def test_an_upload_broken_off_under_a_temporary_name_is_removed_and_never_processed(gateway, server, key):
    transport = paramiko.Transport(("127.0.0.1", server.port))
    transport.connect(username="acme", pkey=paramiko.PKey.from_path(key))
    sftp = paramiko.SFTPClient.from_transport(transport)
    assert sftp is not None
    handle = sftp.open("/in/order.edi.filepart", "wb")
    handle.write(ORDER.read_bytes()[:80])
    handle.flush()
    partial = mailbox(gateway) / "in" / "order.edi.filepart"
    wait_until(partial.exists, what="the partial upload")
    transport.close()
    wait_until(lambda: audit_events(gateway, "sftp_upload_aborted"), what="the session to end")
    assert not partial.exists()
    assert transmissions(gateway) == []
