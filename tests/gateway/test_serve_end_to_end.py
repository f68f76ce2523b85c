"""`edigate serve --demo` really started, spoken to over real HTTP and with a real browser."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "edifact" / "acme_orders_d96a.edi"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / "serve.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGATE_")}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "serve",
                "--demo",
                "--data-dir",
                str(data_dir),
                "--port",
                str(self.port),
            ],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"edigate serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"edigate serve did not come up: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("serve") / "data")
    yield running
    running.stop()


def _wait_for_final_status(server: Server, message_id: str, key: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        result = httpx.get(
            f"{server.base}/v1/messages/{message_id}", headers={"Authorization": f"Bearer {key}"}
        ).json()
        if result["status"] not in ("received", "processing"):
            return result
        time.sleep(0.1)
    raise AssertionError(f"message {message_id} still {result['status']}")


def test_demo_banner_tells_a_newcomer_urls_keys_and_login(server):
    text = server.log.read_text()
    assert f"http://localhost:{server.port}/v1/messages" in text
    assert "demo-acme-key" in text and "demo-supplier-one-key" in text
    assert "admin / admin" in text
    assert "demo-admin-key" in text and "/v1/admin/partners" in text


def test_order_posted_over_http_is_processed_by_the_inprocess_worker(server):
    response = httpx.post(
        f"{server.base}/v1/messages",
        content=FIXTURE.read_bytes(),
        headers={"Authorization": "Bearer demo-acme-key", "Content-Type": "application/edifact"},
    )
    assert response.status_code == 202
    result = _wait_for_final_status(server, response.json()["id"], "demo-acme-key")
    assert result["status"] == "processed"
    assert result["documents"][0]["number"] == "PO-2026-0042"
    assert result["acknowledgements"][0]["raw"].startswith("UNA")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_operator_logs_in_with_a_browser_and_sees_the_message_list(server):
    from playwright.sync_api import sync_playwright

    response = httpx.post(
        f"{server.base}/v1/messages",
        content=b"not an interchange",
        headers={"Authorization": "Bearer demo-supplier-one-key"},
    )
    _wait_for_final_status(server, response.json()["id"], "demo-supplier-one-key")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.goto(f"{server.base}/ui")
        assert page.url.endswith("/ui/login?next=/ui")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "wrong")
        page.click("button[type=submit]")
        assert "Wrong user name or password" in page.text_content("[role=alert]")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_selector("#messages")
        rows = page.locator("#messages tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        browser.close()
    assert any("ACME Retail" in t and "PO-2026-0042" in t and "processed" in t for t in texts), texts
    assert any("Supplier One" in t and "rejected" in t for t in texts), texts
