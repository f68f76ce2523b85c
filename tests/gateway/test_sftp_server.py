"""Our SFTP server: partners upload into /in, get acknowledgements from /out; uploads taken in once."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from gateway.channels import sftp_server
from gateway.channels.sftp_server import LoginGuard, SftpServer, host_key_fingerprint, write_key_pair
from gateway.context import Gateway
from gateway.database.models import Acknowledgement
from gateway.demo import prepare_demo
from tests.gateway.test_sftp_support import (
    DEMO_KEY,
    ORDER,
    audit_events,
    mailbox,
    paramiko_sftp,
    run_sftp,
    start_server,
    transmissions,
    wait_until,
    with_partner_sftp,
)


@pytest.fixture
def server(gateway: Gateway) -> Iterator[SftpServer]:
    prepare_demo(gateway)  # acme's demo key pair
    running = start_server(gateway)
    yield running
    running.stop()


@pytest.fixture
def key(gateway: Gateway) -> Path:
    return gateway.settings.data_dir / DEMO_KEY


def test_openssh_upload_is_processed_and_its_contrl_appears_in_out_for_download(
    gateway, server, key, drain, tmp_path
):
    result = run_sftp(server.port, key, f"put {ORDER} /in/order-42.edi\nls /in\n")
    assert result.returncode == 0, result.stderr

    [row] = transmissions(gateway)
    assert (row.channel, row.partner_id, row.filename) == ("sftp", "acme-retail", "order-42.edi")
    assert row.transport["username"] == "acme" and row.transport["path"] == "/in/order-42.edi"
    assert gateway.archive.get(row.sha256) == ORDER.read_bytes()
    assert not (mailbox(gateway) / "in" / "order-42.edi").exists()
    assert (mailbox(gateway) / "archive" / "order-42.edi").read_bytes() == ORDER.read_bytes()

    drain(gateway)
    [row] = transmissions(gateway)
    assert row.status == "processed"
    with gateway.sessions() as session:
        ack = session.query(Acknowledgement).one()
        assert ack.delivery_state == "delivered"
        expected = gateway.archive.get(ack.sha256)

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    listing = run_sftp(
        server.port, key, f"ls /out\nget /out/{ack.filename} {downloads}/\nrm /out/{ack.filename}\n"
    )
    assert listing.returncode == 0, listing.stderr
    assert ack.filename in listing.stdout and ack.filename.startswith("acme-retail_CONTRL_")
    assert (downloads / ack.filename).read_bytes() == expected
    assert not (mailbox(gateway) / "out" / ack.filename).exists()
    [picked] = audit_events(gateway, "sftp_picked_up")
    assert (picked.subject_type, picked.subject_id) == ("acknowledgement", ack.id)
    assert picked.details["complete"] is True and picked.details["filename"] == ack.filename
    [removed] = audit_events(gateway, "sftp_removed")
    assert removed.subject_id == ack.id


def test_paramiko_put_with_its_size_check_is_taken_in_exactly_once(gateway, server, key):
    with paramiko_sftp(server.port, key=key) as sftp:
        attributes = sftp.putfo(io.BytesIO(ORDER.read_bytes()), "/in/order.edi", confirm=True)
        assert attributes.st_size == len(ORDER.read_bytes())
        assert sftp.listdir("/in") == []
        assert sftp.listdir("/archive") == ["order.edi"]
    assert len(transmissions(gateway)) == 1


def test_password_login_works_with_the_demo_password(gateway, server):
    with paramiko_sftp(server.port, password="acme-demo") as sftp:
        assert sorted(sftp.listdir("/")) == ["archive", "in", "out"]
    [started] = audit_events(gateway, "sftp_session_started")
    assert started.details["method"] == "password" and started.subject_id == "acme-retail"


def test_upload_under_a_temporary_name_is_processed_only_when_renamed_winscp_style(gateway, server, key):
    with paramiko_sftp(server.port, key=key) as sftp:
        with sftp.open("/in/order.edi.filepart", "wb") as handle:
            handle.write(ORDER.read_bytes())
        assert transmissions(gateway) == []
        sftp.utime("/in/order.edi.filepart", (1_700_000_000, 1_700_000_000))  # WinSCP keeps the time
        assert sftp.listdir("/in") == ["order.edi.filepart"]
        sftp.rename("/in/order.edi.filepart", "/in/order.edi")
        assert [t.filename for t in transmissions(gateway)] == ["order.edi"]
        sftp.utime("/in/order.edi", (1_700_000_000, 1_700_000_000))  # after the rename: still fine
        assert sftp.stat("/in/order.edi").st_size == len(ORDER.read_bytes())
        assert sftp.listdir("/in") == []
    assert len(transmissions(gateway)) == 1


@pytest.mark.parametrize("name", ["order.edi", "order.edi.filepart"])  # plain, and WinSCP's temporary
def test_a_broken_off_upload_is_deleted_and_never_processed(gateway, server, key, name):
    transport = paramiko.Transport(("127.0.0.1", server.port))
    transport.connect(username="acme", pkey=paramiko.PKey.from_path(key))
    sftp = paramiko.SFTPClient.from_transport(transport)
    assert sftp is not None
    handle = sftp.open(f"/in/{name}", "wb")
    handle.write(ORDER.read_bytes()[:50])
    handle.flush()
    wait_until(lambda: (mailbox(gateway) / "in" / name).exists(), what="the partial upload")
    transport.close()  # the connection drops with the file still open

    wait_until(lambda: audit_events(gateway, "sftp_upload_aborted"), what="the session to end")
    assert not (mailbox(gateway) / "in" / name).exists()
    assert transmissions(gateway) == []


def test_close_reports_failure_when_intake_fails_and_a_retry_is_taken_in(gateway, server, key, monkeypatch):
    def database_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(sftp_server, "accept", database_down)
    result = run_sftp(server.port, key, f"put {ORDER} /in/order.edi\n")
    assert result.returncode != 0 and "Failure" in result.stderr
    assert transmissions(gateway) == []

    monkeypatch.undo()
    assert run_sftp(server.port, key, f"put {ORDER} /in/order.edi\n").returncode == 0
    assert len(transmissions(gateway)) == 1


def test_out_and_archive_cannot_be_written_and_folders_cannot_be_made(gateway, server, key):
    with paramiko_sftp(server.port, key=key) as sftp:
        for path in ("/out/fake-contrl.edi", "/archive/x.edi", "/x.edi"):
            with pytest.raises(PermissionError):
                sftp.open(path, "wb")
        with pytest.raises(PermissionError):
            sftp.mkdir("/in/sub")
        with pytest.raises(PermissionError):
            sftp.rmdir("/in")
    assert transmissions(gateway) == []


def test_a_second_writer_on_the_same_name_is_refused_while_the_first_is_uploading(gateway, server, key):
    with paramiko_sftp(server.port, key=key) as first, paramiko_sftp(server.port, key=key) as second:
        handle = first.open("/in/order.edi", "wb")
        handle.write(ORDER.read_bytes())
        with pytest.raises(OSError):
            second.open("/in/order.edi", "wb")
        handle.close()
    assert len(transmissions(gateway)) == 1


def test_unknown_user_and_wrong_password_are_refused_and_audited(gateway, server):
    for user, password in (("mallory", "guess"), ("acme", "wrong")):
        with (
            pytest.raises(paramiko.AuthenticationException),
            paramiko_sftp(server.port, user, password=password),
        ):
            pass
    failures = audit_events(gateway, "sftp_login_failed")
    reasons = {(e.subject_type, e.subject_id, e.details["reason"]) for e in failures}
    assert ("sftp_account", "mallory", "unknown user") in reasons
    assert ("partner", "acme-retail", "wrong password") in reasons
    assert all("guess" not in str(e.details) and "password" not in e.details for e in failures)


def test_key_not_in_the_profile_is_refused(gateway, server, tmp_path):
    stranger = tmp_path / "stranger"
    write_key_pair(stranger, "stranger")
    result = run_sftp(server.port, stranger, "ls /\n")
    assert result.returncode != 0
    [failure] = [e for e in audit_events(gateway, "sftp_login_failed") if e.details["method"] == "publickey"]
    assert failure.details["reason"] == "wrong key" and failure.details["key"].startswith("SHA256:")


def test_every_key_listed_in_the_profile_logs_in(gateway, tmp_path):
    keys = []
    for name in ("old", "new"):
        write_key_pair(tmp_path / name, name)
        keys.append((tmp_path / f"{name}.pub").read_text().strip())
    with_partner_sftp(gateway, "supplier-one", username="supplier", authorized_keys=keys)
    running = start_server(gateway)
    try:
        for name in ("old", "new"):
            result = run_sftp(running.port, tmp_path / name, "ls /in\n", user="supplier")
            assert result.returncode == 0, result.stderr
    finally:
        running.stop()


def test_a_disabled_partner_cannot_log_in(gateway, tmp_path):
    write_key_pair(tmp_path / "k", "k")
    with_partner_sftp(gateway, "supplier-one", authorized_keys=[(tmp_path / "k.pub").read_text()])
    partners = [
        p.model_copy(update={"enabled": False}) if p.id == "supplier-one" else p for p in gateway.partners
    ]
    gateway.partners = type(gateway.partners)(gateway.partners.company, partners)
    running = start_server(gateway)
    try:
        assert run_sftp(running.port, tmp_path / "k", "ls /\n", user="supplier-one").returncode != 0
    finally:
        running.stop()
    assert audit_events(gateway, "sftp_login_failed")[0].details["reason"] == "partner disabled"


def test_repeated_failures_from_one_address_are_slowed_down_more_each_time():
    waits: list[float] = []
    guard = LoginGuard(base_delay=0.5, max_delay=4.0, sleep=waits.append)
    for _ in range(6):
        guard.failed("192.0.2.7")
    guard.failed("198.51.100.1")  # another address is not held up
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0]
    guard.succeeded("192.0.2.7")
    assert guard.failed("192.0.2.7") == 0.0


def test_host_key_is_kept_across_restarts(gateway):
    first = host_key_fingerprint(gateway.settings.data_dir)
    server = SftpServer(gateway)
    assert server.fingerprint == first == host_key_fingerprint(gateway.settings.data_dir)
    assert first.startswith("SHA256:")
    key_file = gateway.settings.data_dir / "keys" / "sftp_host_ed25519_key"
    assert key_file.stat().st_mode & 0o077 == 0


PARALLEL_CONNECTIONS = 20


def test_twenty_parallel_connections_each_upload_is_taken_in_exactly_once(gateway, server, key):
    bodies = {f"order-{n:02}.edi": ORDER.read_bytes() + b"\n" * n for n in range(PARALLEL_CONNECTIONS)}
    start = threading.Barrier(PARALLEL_CONNECTIONS)
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
