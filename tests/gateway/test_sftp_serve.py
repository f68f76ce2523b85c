"""`edigate serve --demo --sftp-port` really started: the banner's sftp command works end to end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.gateway.test_sftp_support import ORDER, free_port, run_sftp, wait_until


class Serve:
    def __init__(self, data_dir: Path) -> None:
        self.port, self.sftp_port = free_port(), free_port()
        self.log = data_dir.parent / "serve.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGATE_")}
        command = [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--data-dir", str(data_dir)]
        command += ["--port", str(self.port), "--sftp-port", str(self.sftp_port)]
        self.process = subprocess.Popen(command, stdout=self.log.open("w"), stderr=subprocess.STDOUT, env=env)
        wait_until(self._healthy, timeout=60, what="edigate serve to answer")

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"edigate serve exited: {self.log.read_text()}")
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    running = Serve(tmp_path_factory.mktemp("serve-sftp") / "data")
    yield running
    running.stop()


def test_banner_prints_the_host_key_fingerprint_and_the_sftp_command_to_paste(serve):
    text = serve.log.read_text()
    assert re.search(rf"SFTP server on 127\.0\.0\.1:{serve.sftp_port}, host key SHA256:\S{{43}}", text)
    command = re.search(r"sftp -i (\S+) -P (\d+) .* acme@localhost", text)
    assert command is not None and int(command.group(2)) == serve.sftp_port
    key = Path(command.group(1))
    assert key.name == "acme_ed25519" and key.with_name("acme_ed25519.pub").exists()
    assert "acme-demo" in text


def test_an_order_uploaded_with_the_demo_key_is_processed_and_acknowledged_in_out(serve):
    key = Path(re.search(r"sftp -i (\S+)", serve.log.read_text()).group(1))  # type: ignore[union-attr]
    upload = run_sftp(serve.sftp_port, key, f"put {ORDER} /in/order.edi\n")
    assert upload.returncode == 0, upload.stderr

    def contrl_in_out() -> bool:
        listing = run_sftp(serve.sftp_port, key, "ls /out\n")
        return "acme-retail_CONTRL_" in listing.stdout

    wait_until(contrl_in_out, timeout=30, what="the CONTRL in /out")
    messages = httpx.get(
        f"http://127.0.0.1:{serve.port}/v1/messages", headers={"Authorization": "Bearer demo-acme-key"}
    ).json()
    inbound = [m["status"] for m in messages["items"] if m["direction"] == "inbound"]
    assert inbound == ["processed"], messages
