"""The archive's disk is full: intake refuses on every channel, says why, and stores no row.

A message is acknowledged only once its bytes are durable, so a gateway that cannot store bytes
must refuse them instead of answering 202 for something it would lose. The archive lives on a real
64 KiB tmpfs here, filled to the last page with a ballast file; no store is faked. After the
ballast is removed, the same channels accept again.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gateway.api.app import create_app
from gateway.channels.sftp_server import write_key_pair
from gateway.context import Gateway
from gateway.database.models import Transmission
from gateway.demo import DEMO_SFTP_KEY
from tests.faults.nodes import acme_order
from tests.gateway.test_sftp_support import run_sftp, start_server

ACME = {"Authorization": "Bearer demo-acme-key"}
AS2_HEADERS = {
    "AS2-From": "ACME-RETAIL",
    "AS2-To": "EDIGATE-DEMO",
    "AS2-Version": "1.2",
    "Message-ID": "<disk-full-1@acme>",
    "Content-Type": "application/EDIFACT",
}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs of our own; the test skips where mounting is not permitted."""
    mount_point = tmp_path / "archive"
    mount_point.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a small tmpfs: {exc}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def fill(directory: Path) -> Path:
    """Write a ballast file until the filesystem says ENOSPC; returns it."""
    ballast = directory / "ballast"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return ballast


def transmissions(gw: Gateway) -> int:
    with gw.sessions() as session:
        return session.execute(select(func.count()).select_from(Transmission)).scalar_one()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_archive_refuses_rest_as2_and_sftp_with_a_clear_error_and_stores_nothing(
    make_gateway: Callable[..., Gateway], small_disk: Path, drain: Callable[[Gateway], int], tmp_path: Path
) -> None:
    gw = make_gateway(archive_dir=small_disk)
    order = acme_order(1)
    second = tmp_path / "order-2.edi"
    second.write_bytes(acme_order(2))
    key = gw.settings.data_dir / DEMO_SFTP_KEY
    write_key_pair(key, "acme@faults")
    ballast = fill(small_disk)
    sftp_server = start_server(gw)
    try:
        with TestClient(create_app(gw, run_worker=False)) as client:
            refused = client.post("/v1/messages", content=order, headers=ACME)
            assert refused.status_code == 507
            assert "the archive is full" in refused.json()["detail"]

            as2 = client.post("/as2", content=order, headers=AS2_HEADERS)
            assert as2.status_code == 507 and "the archive is full" in as2.json()["detail"]

            # OpenSSH's client, since paramiko's ignores a failed close: the failure shows on `put`.
            upload = run_sftp(sftp_server.port, key, f"put {second} /in/order-2.edi\n")
            assert upload.returncode != 0 and "Failure" in upload.stderr
            assert transmissions(gw) == 0
            ready = client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["failing"] == ["archive"]

            ballast.unlink()
            assert client.get("/readyz").status_code == 200
            accepted = client.post("/v1/messages", content=order, headers=ACME)
            assert accepted.status_code == 202, accepted.text
            assert run_sftp(sftp_server.port, key, f"put {second} /in/order-2.edi\n").returncode == 0
            assert transmissions(gw) == 2
            drain(gw)
            message = client.get(f"/v1/messages/{accepted.json()['id']}", headers=ACME).json()
            assert message["status"] == "processed"
    finally:
        sftp_server.stop()
