"""Shared helpers for the SFTP tests (no tests here): clients, profiles, an OpenSSH sshd, bounded waits.

Kept as plain functions and classes rather than fixtures so each test file states its own fixtures.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paramiko
import pytest
from sqlalchemy import select

from gateway.channels.sftp_server import LoginGuard, SftpServer
from gateway.context import Gateway
from gateway.database.models import AuditEvent, Transmission
from partners.directory import PartnerDirectory
from partners.sftp import SftpSettings, key_fingerprint

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORDER = FIXTURES / "edifact" / "acme_orders_d96a.edi"
SFTP = shutil.which("sftp")
SSHD = "/usr/sbin/sshd"
DEMO_KEY = Path("keys") / "acme_ed25519"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds instead of hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def start_server(gw: Gateway, **kwargs: Any) -> SftpServer:
    """Our SFTP server on a free loopback port, with login slow-down shrunk to keep tests fast."""
    kwargs.setdefault("guard", LoginGuard(base_delay=0.001, max_delay=0.01))
    server = SftpServer(gw, "127.0.0.1", 0, **kwargs)
    server.start()
    return server


def run_sftp(
    port: int, key: Path, commands: str, *, user: str = "acme", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real OpenSSH ``sftp`` client in batch mode; a command prefixed with ``-`` may fail."""
    if SFTP is None:
        pytest.fail("OpenSSH sftp client is missing (apt-get install openssh-client)")
    return subprocess.run(
        [
            SFTP,
            "-b",
            "-",
            "-i",
            str(key),
            "-P",
            str(port),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            f"{user}@127.0.0.1",
        ],
        input=commands,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


@contextmanager
def paramiko_sftp(
    port: int, user: str = "acme", *, key: Path | None = None, password: str | None = None
) -> Iterator[paramiko.SFTPClient]:
    transport = paramiko.Transport(("127.0.0.1", port))
    try:
        transport.connect(
            username=user, pkey=paramiko.PKey.from_path(key) if key else None, password=password
        )
        client = paramiko.SFTPClient.from_transport(transport)
        assert client is not None
        yield client
    finally:
        transport.close()


def with_partner_sftp(gw: Gateway, partner_id: str, **settings: Any) -> None:
    """Give ``partner_id`` these ``[sftp]`` settings (a new directory, as a profile reload would)."""
    partners = [
        p.model_copy(update={"sftp": SftpSettings(**settings), "delivery": "sftp"})
        if p.id == partner_id
        else p
        for p in gw.partners
    ]
    gw.partners = PartnerDirectory(gw.partners.company, partners)


def transmissions(gw: Gateway) -> list[Transmission]:
    with gw.sessions() as session:
        return list(session.execute(select(Transmission).order_by(Transmission.received_at)).scalars())


def audit_events(gw: Gateway, action: str) -> list[AuditEvent]:
    with gw.sessions() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return list(session.execute(query).scalars())


def mailbox(gw: Gateway, partner_id: str = "acme-retail") -> Path:
    return gw.settings.data_dir.resolve() / "sftp" / partner_id


class Sshd:
    """A real OpenSSH server on a loopback port, as a non-daemon child with its own host key.

    It accepts the current user with the keys in ``authorized_keys``; partners' folders are plain
    directories under ``root``.
    """

    def __init__(self, root: Path) -> None:
        if not os.path.exists(SSHD):
            pytest.fail("OpenSSH sshd is missing (apt-get install openssh-server)")
        if not os.path.isdir("/run/sshd"):
            if os.geteuid() != 0:
                pytest.skip("sshd needs /run/sshd, which only root can create")
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.host_key = root / "ssh_host_ed25519_key"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.host_key)], check=True, timeout=30
        )
        self.authorized_keys = root / "authorized_keys"
        self.authorized_keys.write_text("")
        self.port = free_port()
        self.user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
        config = root / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.host_key}",
                    "PidFile none",
                    f"AuthorizedKeysFile {self.authorized_keys}",
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "Subsystem sftp internal-sftp",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )
        self.log = root / "sshd.log"
        self.process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config), "-p", str(self.port)],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self._listening, timeout=15, what="sshd to listen")

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"sshd exited: {self.log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    @property
    def fingerprint(self) -> str:
        public = (self.root / "ssh_host_ed25519_key.pub").read_text().split()[1]
        return key_fingerprint(base64.b64decode(public))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
