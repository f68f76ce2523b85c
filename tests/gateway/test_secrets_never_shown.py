"""No secret leaves the process: not in logs (JSON or text), audit details, error answers or pages.

The gateway runs with known secrets — partner and ERP API keys, an operator password, the SFTP
partner password, the ERP webhook secret, the AS2 and SFTP private keys — through a representative
day: good and bad uploads, wrong keys, a webhook that cannot be reached, AS2 garbage, SFTP and
dashboard logins right and wrong, every dashboard page. Everything an operator or attacker could
read afterwards is collected and searched for each secret. Wrong credentials typed by someone are
secrets too (they are often a real password with a typo), so they are searched for as well.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import shutil
import stat
from pathlib import Path

import httpx
import paramiko
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.api.app import create_app
from gateway.channels.sftp_server import keys_dir, load_host_key
from gateway.dashboard.operators import ensure_operator
from gateway.database.models import AuditEvent
from gateway.demo import DEMO_SFTP_KEY, prepare_demo
from gateway.erp.keys import key_digest
from gateway.observability.logging import RedactingFilter, TextFormatter, configure_logging
from partners.loader import demo_directory_path
from tests.gateway.operator_session import csrf_token
from tests.gateway.test_sftp_support import ORDER, start_server

ERP_KEY = "erp-key-5f1c0a9e-7d4b"
OPERATOR_PASSWORD = "op-pass-9b2e71c4d8"
WRONG_OPERATOR_PASSWORD = "op-pass-typo-77aa19"
WEBHOOK_KEY = bytes(range(32))
WEBHOOK_SECRET = "whsec_" + base64.b64encode(WEBHOOK_KEY).decode()
PARTNER_KEY = "demo-acme-key"
SFTP_PASSWORD = "acme-demo"
WRONG_SFTP_PASSWORD = "sftp-typo-3c9d02"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _private_key_lines(data_dir: Path) -> list[str]:
    """A distinctive line from every private key file the gateway made (base64 body, not headers)."""
    found = []
    for path in data_dir.rglob("*"):
        if path.is_file() and b"PRIVATE KEY" in path.read_bytes()[:100]:
            lines = path.read_text().splitlines()
            found.append(lines[len(lines) // 2])
    return found


def _private_key_files(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and b"PRIVATE KEY" in p.read_bytes()[:100]]


@pytest.fixture
def logs() -> tuple[io.StringIO, io.StringIO]:
    """What the service writes: the JSON handler edigate installs, and a text one beside it."""
    json_out, text_out = io.StringIO(), io.StringIO()
    configure_logging("json", "DEBUG", json_out)
    text = logging.StreamHandler(text_out)
    text.setFormatter(TextFormatter())
    text.addFilter(RedactingFilter())
    logging.getLogger().addHandler(text)
    return json_out, text_out


def _profiles_without_demo_notes(folder: Path) -> Path:
    """The demo profiles, minus the comments that name the demo credentials on purpose (the
    partner page shows a profile with its comments, as the operator wrote it)."""
    shutil.copytree(demo_directory_path(), folder, dirs_exist_ok=True)
    for profile in folder.glob("*.toml"):
        lines = profile.read_text().splitlines(keepends=True)
        profile.write_text("".join(line for line in lines if not line.lstrip().startswith("#")))
    return folder


def test_no_secret_appears_anywhere_after_a_day_of_traffic_and_failures(make_gateway, drain, logs, tmp_path):
    gw = make_gateway(
        partners_dir=_profiles_without_demo_notes(tmp_path / "partners"),
        erp_api_key_sha256=[key_digest(ERP_KEY)],
        erp_webhook_url="http://127.0.0.1:9/unreachable-erp",  # port 9: nothing listens, deliveries fail
        erp_webhook_secret=WEBHOOK_SECRET,
    )
    prepare_demo(gw)
    load_host_key(gw.settings.data_dir)
    seen: list[str] = []  # every answer body and header a client received

    def keep(response: httpx.Response) -> httpx.Response:
        seen.append(response.text)
        seen.append(json.dumps(dict(response.headers)))
        return response

    order = (FIXTURES / "edifact" / "acme_orders_d96a.edi").read_bytes()
    with TestClient(create_app(gw, run_worker=False)) as client:
        partner = {"Authorization": f"Bearer {PARTNER_KEY}"}
        erp = {"Authorization": f"Bearer {ERP_KEY}"}
        ids = [
            keep(client.post("/v1/messages", content=order, headers=partner)).json()["id"],
            keep(client.post("/v1/messages", content=b"not EDI at all", headers=partner)).json()["id"],
        ]
        keep(
            client.post(
                "/v1/messages", content=order, headers={"Authorization": "Bearer " + WRONG_SFTP_PASSWORD}
            )
        )
        keep(client.post("/v1/messages", content=order, headers=erp))  # ERP key on a partner endpoint
        keep(client.get("/v1/documents", headers=partner))  # partner key on an ERP endpoint
        keep(client.get("/v1/documents", headers=erp))
        keep(
            client.post(
                "/as2",
                content=b"garbage",
                headers={
                    "AS2-From": "ACME-RETAIL",
                    "AS2-To": "EDIGATE-DEMO",
                    "Message-ID": "<x@y>",
                    "Content-Type": "application/pkcs7-mime",
                },
            )
        )
        drain(gw)
        for message_id in ids:
            keep(client.get(f"/v1/messages/{message_id}", headers=partner))

        ensure_operator(gw, "olga", OPERATOR_PASSWORD, "admin")
        token = csrf_token(client.get("/ui/login").text)
        keep(
            client.post(
                "/ui/login",
                data={"username": "olga", "password": WRONG_OPERATOR_PASSWORD, "csrf_token": token},
            )
        )
        token = csrf_token(client.get("/ui/login").text)
        keep(
            client.post(
                "/ui/login", data={"username": "olga", "password": OPERATOR_PASSWORD, "csrf_token": token}
            )
        )
        for path in (
            "/ui",
            "/ui/messages",
            "/ui/partners",
            "/ui/partners/acme-retail",
            "/ui/acknowledgements",
            "/ui/audit",
            "/ui/users",
            *(f"/ui/messages/{i}" for i in ids),
        ):
            keep(client.get(path))

    server = start_server(gw)
    try:
        transport = paramiko.Transport(("127.0.0.1", server.port))
        with pytest.raises(paramiko.AuthenticationException):
            transport.connect(username="acme", password=WRONG_SFTP_PASSWORD)
        transport.close()
        transport = paramiko.Transport(("127.0.0.1", server.port))
        transport.connect(username="acme", password=SFTP_PASSWORD)
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        sftp.put(str(ORDER), "/in/sftp-order.edi")
        transport.close()
    finally:
        server.stop()
    drain(gw)

    with gw.sessions() as session:
        audit = [
            json.dumps([e.actor, e.action, e.details], default=str)
            for e in session.execute(select(AuditEvent)).scalars()
        ]
    json_log, text_log = logs[0].getvalue(), logs[1].getvalue()
    actions = {json.loads(row)[1] for row in audit}
    # The day did go wrong where it should: wrong logins, a rejected AS2 message, failing webhooks.
    assert {"login_failed", "sftp_login_failed", "as2_rejected", "erp_delivery_retrying"} <= actions
    assert json_log.count("\n") > 20 and text_log
    haystacks = {
        "json log": json_log,
        "text log": text_log,
        "audit": "\n".join(audit),
        "answers": "\n".join(seen),
    }
    secrets = {
        "partner API key": PARTNER_KEY,
        "ERP API key": ERP_KEY,
        "operator password": OPERATOR_PASSWORD,
        "mistyped operator password": WRONG_OPERATOR_PASSWORD,
        "SFTP password": SFTP_PASSWORD,
        "mistyped SFTP password": WRONG_SFTP_PASSWORD,
        "webhook secret": WEBHOOK_SECRET,
        "webhook key (base64)": base64.b64encode(WEBHOOK_KEY).decode(),
        **{f"private key line {n}": line for n, line in enumerate(_private_key_lines(gw.settings.data_dir))},
    }
    assert len(secrets) >= 8 + 4  # AS2 ours + partner, SFTP host, SFTP demo client
    leaks = [
        f"{name} in {where}"
        for name, secret in secrets.items()
        for where, text in haystacks.items()
        if secret in text
    ]
    assert leaks == []


def test_private_key_files_are_readable_by_the_service_only(make_gateway):
    gw = make_gateway()
    prepare_demo(gw)
    load_host_key(gw.settings.data_dir)
    files = _private_key_files(gw.settings.data_dir)
    names = sorted(p.name for p in files)
    assert len(files) >= 4, names  # AS2 ours and the demo partner's, SFTP host key, demo SFTP client key
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is readable by others"
    assert (gw.settings.data_dir / DEMO_SFTP_KEY).exists()
    assert keys_dir(gw.settings.data_dir).exists()
