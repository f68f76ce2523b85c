"""Stored XSS: whatever partners put in their data is shown as text on every dashboard page.

Partner-controlled strings reach the dashboard through many fields: the partner's name (from a
profile an onboarding operator copies from the partner's e-mail), NAD party names, FTX free text,
X12 NTE notes, XML element text, file names of uploads, and error texts that quote bad values.
Each is seeded with a payload that sets ``window.__xss`` (a script tag, an attribute breakout, an
``onerror`` image), every page that can show it is opened in headless Chromium, and the test
asserts that no payload ran (the flag stays undefined, no dialog opened, no element carries an
event-handler attribute from the data) and that the payload is visible as text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.api.app import create_app
from gateway.context import Gateway
from gateway.dashboard.operators import ensure_operator
from gateway.intake import Upload, accept
from partners.loader import demo_directory_path
from tests.gateway.as2_peers.station import serve
from tests.gateway.test_dashboard_browser import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASSWORD = "xss-test-password"
SCRIPT = "<script>window.__xss=1</script>"
BREAKOUT = '"onmouseover="window.__xss=2" x="'
IMAGE = '<img src=x onerror="window.__xss=3">'
X12_NOTE = '"onfocus="window.__xss=4" autofocus <svg onload=window.__xss=4 '  # no '>', X12's ISA16
XML_TEXT = "<script>window.__xss=6</script>"
FILENAME = '<img src=x onerror="window.__xss=7">.edi'
PARTNER_NAME = f"ACME {SCRIPT}{BREAKOUT}"


def _hostile_partners(folder: Path) -> Path:
    shutil.copytree(demo_directory_path(), folder, dirs_exist_ok=True)
    profile = folder / "acme-retail.toml"
    text = profile.read_text()
    assert 'name = "ACME Retail"' in text
    profile.write_text(text.replace('name = "ACME Retail"', f"name = '{PARTNER_NAME}'", 1))
    return folder


def _edifact(reference: bytes, bad_code: bool = False) -> bytes:
    data = (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()
    data = data.replace(b"ACME000123", reference)
    data = data.replace(b"ACME Retail N.V.", SCRIPT.encode())
    data = data.replace(b"Please deliver to ramp 3?+4 before 10 o?'clock", IMAGE.encode())
    if bad_code:  # the error text quotes the value it refuses
        data = data.replace(b"BGM+220+", b"BGM+" + BREAKOUT.replace('"', "").encode() + b"+", 1)
    return data


def _x12() -> bytes:
    data = (FIXTURES / "x12" / "umbrella_850_004010.edi").read_bytes()
    head, sep, rest = data.partition(b"\nPO1*")
    data = head + b"\nNTE*GEN*" + X12_NOTE.encode() + b"~" + sep + rest
    count = data.split(b"\nSE*")[1].split(b"*")[0]
    return data.replace(b"\nSE*" + count + b"*", b"\nSE*" + str(int(count) + 1).encode() + b"*", 1)


def _xml() -> bytes:
    data = (FIXTURES / "xml" / "initech_order_ubl.xml").read_bytes()
    note = b"<cbc:Note><![CDATA[" + XML_TEXT.encode() + b"]]></cbc:Note>"  # literal '<' in the source
    return data.replace(b"</cbc:IssueDate>", b"</cbc:IssueDate>\n  " + note, 1)


@pytest.fixture
def hostile_gateway(make_gateway, tmp_path: Path, drain) -> Iterator[tuple[Gateway, list[str]]]:
    gw = make_gateway(partners_dir=_hostile_partners(tmp_path / "partners"))
    ids = []
    for upload in (
        Upload("rest", _edifact(b"XSS1"), "acme-retail", "partner:acme-retail"),
        Upload("rest", _edifact(b"XSS2", bad_code=True), "acme-retail", "partner:acme-retail"),
        Upload("sftp", _edifact(b"XSS3"), "acme-retail", "partner:acme-retail", filename=FILENAME),
        Upload("rest", _x12(), "umbrella", "partner:umbrella"),
        Upload("rest", _xml(), "initech", "partner:initech"),
    ):
        ids.append(accept(gw, upload).id)
    drain(gw)
    ensure_operator(gw, "root", PASSWORD, "admin")
    yield gw, ids


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


# An attribute breakout or an injected tag shows up as an event-handler attribute in the DOM, whether
# or not the event ever fires (nobody hovers in a headless test); the dashboard itself uses none.
_EVENT_ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(
    e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"""


def test_partner_data_is_shown_as_text_on_every_page_and_never_runs(hostile_gateway, chromium):
    gw, ids = hostile_gateway
    with serve(create_app(gw, run_worker=False)) as base:
        context = chromium.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{base}/ui/login")
        page.fill("input[name=username]", "root")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_selector("header.top")
        paths = [
            "/ui",
            "/ui/messages",
            "/ui/messages?q=" + SCRIPT,
            "/ui/messages?partner=" + BREAKOUT,
            "/ui/partners",
            "/ui/partners/acme-retail",
            "/ui/acknowledgements",
            "/ui/audit",
            "/ui/audit?q=" + IMAGE,
            "/ui/users",
            *(f"/ui/messages/{message_id}" for message_id in ids),
        ]
        shown = ""
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.status < 500, path
            page.wait_for_load_state("load")
            assert page.evaluate("() => window.__xss") is None, f"a payload ran on {path}"
            assert page.evaluate(_EVENT_ATTRIBUTES) == [], path
            shown += page.inner_text("body")
        context.close()
    assert dialogs == []
    for payload in (SCRIPT, IMAGE, X12_NOTE.strip(), XML_TEXT, FILENAME, PARTNER_NAME):
        assert payload in shown, f"{payload!r} is not shown as text anywhere"
