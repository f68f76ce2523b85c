"""The dashboard in a real browser against a real `edigate serve --demo`: the operator's day.

Headless Chromium (Debian's package) driven by Playwright. Screenshots of every screen are saved
to ``$EDIGATE_TEST_ARTIFACTS`` (a temporary folder when unset) so a reviewer can look at them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.cli import main as cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "dashboard-test-pass"
_SERVE = (sys.executable, "-m", "gateway.cli", "serve", "--demo")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`edigate serve --demo` in a child process, as an operator would start it."""

    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / "serve.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGATE_")}
        self.process = subprocess.Popen(
            [*_SERVE, "--data-dir", str(data_dir), "--port", str(self.port)],
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

    def submit(self, name: str) -> str:
        response = httpx.post(
            f"{self.base}/v1/messages",
            content=(FIXTURES / name).read_bytes(),
            headers={"Authorization": "Bearer demo-acme-key"},
        )
        assert response.status_code == 202
        message_id = response.json()["id"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = httpx.get(
                f"{self.base}/v1/messages/{message_id}", headers={"Authorization": "Bearer demo-acme-key"}
            ).json()["status"]
            if status not in ("received", "processing"):
                return message_id
            time.sleep(0.1)
        raise AssertionError(f"{message_id} still {status}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("dashboard") / "data"
    for name, role in (("olga", "operator"), ("vera", "viewer")):
        assert (
            cli(["users", "add", name, "--role", role, "--password", PASSWORD, "--data-dir", str(data_dir)])
            == 0
        )
    running = Server(data_dir)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("EDIGATE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

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
        yield browser
        browser.close()


def _sign_in(chromium: Any, server: Server, username: str, password: str = PASSWORD) -> Any:
    page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{server.base}/ui")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("header.top")
    return page


def test_operator_finds_a_po_sees_the_failing_segment_and_reprocesses_with_a_reason(
    server, chromium, artifacts
):
    original = server.submit("acme_orders_d96a.edi")
    duplicate = server.submit("acme_orders_d96a.edi")  # ACME sent PO-2026-0042 a second time

    page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{server.base}/ui")
    page.screenshot(path=artifacts / "01-login.png")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#cards")
    page.screenshot(path=artifacts / "02-overview.png", full_page=True)

    page.fill("header input[type=search][name=q]", "PO-2026-0042")
    page.press("header input[type=search][name=q]", "Enter")
    page.wait_for_selector("#results")
    assert page.text_content("#result-count").strip() == "Messages 1–2 of 2"
    rows = {row.get_attribute("data-id"): row.inner_text() for row in page.locator("#results tbody tr").all()}
    assert set(rows) == {original, duplicate}
    assert "processed" in rows[original] and "rejected" in rows[duplicate]
    page.screenshot(path=artifacts / "03-search.png", full_page=True)

    page.click(f"#results tr[data-id='{duplicate}'] a")
    page.wait_for_selector("table.raw")
    failing = page.locator("table.raw tr.failing")
    assert failing.count() == 1
    assert failing.inner_text().startswith("1\tUNB")
    assert page.locator("table.raw tr.failing mark").count() >= 1
    explain = page.locator("table.raw tr.explain").inner_text()
    assert "DUPLICATE_INTERCHANGE" in explain and original in explain
    page.screenshot(path=artifacts / "04-detail.png", full_page=True)

    page.fill("#actions input[name=reason]", "ACME confirmed it is a new order, ticket 4711")
    page.click("#actions button[type=submit]")
    page.wait_for_selector("p.notice")
    assert "Queued for processing again" in page.text_content("p.notice")
    timeline = page.text_content("#timeline")
    assert "replay_requested" in timeline and "operator:olga" in timeline
    assert "ACME confirmed it is a new order, ticket 4711" in timeline
    page.screenshot(path=artifacts / "05-reprocessed.png", full_page=True)
    page.context.close()


def test_failing_element_is_highlighted_in_a_message_found_by_its_control_number(server, chromium, artifacts):
    server.submit("contrl_orders_unt_count_wrong.edi")
    page = _sign_in(chromium, server, "vera")
    page.fill("header input[type=search][name=q]", "ACME000124")
    page.press("header input[type=search][name=q]", "Enter")
    page.click("#results tbody tr a")
    page.wait_for_selector("table.raw tr.failing")
    assert page.locator("table.raw tr.failing td.pos").inner_text() == "11"
    assert page.locator("table.raw tr.failing mark").inner_text() == "12"
    assert (
        "UNT says the message has 12 segments; counted 10"
        in page.locator("table.raw tr.explain").inner_text()
    )
    page.screenshot(path=artifacts / "06-detail-unt.png", full_page=True)
    page.context.close()


def test_viewer_is_refused_and_the_refusal_is_in_the_audit_log(server, chromium, artifacts):
    rejected = server.submit("contrl_orders_unt_count_wrong.edi")
    viewer = _sign_in(chromium, server, "vera")
    viewer.goto(f"{server.base}/ui/messages/{rejected}")
    assert viewer.locator("#actions form").count() == 0
    assert "may look but not act" in viewer.text_content("#actions")
    # A viewer who crafts the request anyway (with a valid token of their own session) is refused.
    viewer.evaluate(
        """(target) => {
            const form = document.createElement('form');
            form.method = 'post'; form.action = target;
            for (const [name, value] of [['reason', 'just trying'],
                 ['csrf_token', document.querySelector('input[name=csrf_token]').value]]) {
                const input = document.createElement('input');
                input.name = name; input.value = value; form.appendChild(input);
            }
            document.body.appendChild(form); form.submit();
        }""",
        f"/ui/messages/{rejected}/reprocess",
    )
    viewer.wait_for_selector("p.alert")
    assert "Not allowed" in viewer.text_content("h2")
    assert "may look but not reprocess" in viewer.text_content("p.alert")
    viewer.screenshot(path=artifacts / "07-refused.png")
    viewer.context.close()

    admin = _sign_in(chromium, server, "admin", "admin")
    admin.goto(f"{server.base}/ui/audit?action=action_refused")
    events = admin.text_content("#events")
    assert "operator:vera" in events and "reprocess" in events
    admin.screenshot(path=artifacts / "08-audit.png", full_page=True)
    for name, path in (
        ("09-partners", "/ui/partners"),
        ("10-partner", "/ui/partners/acme-retail"),
        ("11-acknowledgements", "/ui/acknowledgements"),
        ("12-users", "/ui/users"),
        ("13-messages", "/ui/messages"),
    ):
        admin.goto(f"{server.base}{path}")
        assert admin.locator("header.top").count() == 1
        admin.screenshot(path=artifacts / f"{name}.png", full_page=True)
    admin.context.close()
