"""The admin API (/v1/admin/partners): who may use it, and credential changes that apply at once."""

from __future__ import annotations

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.channels.as2.certificates import make_self_signed
from gateway.channels.sftp_server import authorized_key_blobs, find_account
from gateway.context import Gateway
from gateway.dashboard.operators import ensure_operator
from gateway.database.models import AuditEvent
from gateway.partner_reload import reload_partners
from partners.apikey import hash_api_key
from partners.skeleton import SkeletonRequest, render_skeleton
from tests.gateway.profile_folder import events, post_order

ADMIN = {"Authorization": "Bearer demo-admin-key"}
ACME_KEY = "demo-acme-key"
PASSWORD = "correct horse battery"


def _all_audit_text(gw: Gateway) -> str:
    with gw.sessions() as session:
        events = session.execute(select(AuditEvent)).scalars().all()
        return json.dumps([[e.actor, e.subject_id, e.details] for e in events])


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-key"}, 401),
        ({"Authorization": f"Bearer {ACME_KEY}"}, 403),  # a partner's key
        ({"Authorization": "Bearer demo-erp-key"}, 403),  # the ERP's key
    ],
)
def test_only_an_admin_key_or_admin_operator_may_use_the_admin_api(api, headers, expected):
    assert api.get("/v1/admin/partners", headers=headers).status_code == expected
    assert api.post("/v1/admin/partners/acme-retail/api-keys", headers=headers).status_code == expected


def test_list_shows_every_partner_with_its_channel_health(api, gw):
    response = api.get("/v1/admin/partners", headers=ADMIN)
    assert response.status_code == 200
    partners = {p["id"]: p for p in response.json()}
    assert set(partners) == set(gw.partners.partners)
    acme = partners["acme-retail"]
    assert acme["channel"] == {
        "channel": "sftp",
        "state": "ok",
        "retrying": 0,
        "failed": 0,
        "last_error": None,
    }
    assert acme["api_keys"] == [hash_api_key(ACME_KEY)[:12]] and acme["problems"] == []


def test_detail_shows_identities_credentials_and_traffic(api):
    assert post_order(api, ACME_KEY) == 202
    detail = api.get("/v1/admin/partners/acme-retail", headers=ADMIN).json()
    assert detail["identities"] == ["5412345000013:14"]
    assert detail["sftp"]["username"] == "acme" and detail["as2"]["id"] == "ACME-RETAIL"
    assert detail["traffic"]["received"] == 1
    assert api.get("/v1/admin/partners/nobody", headers=ADMIN).status_code == 404


def test_a_rotated_key_authenticates_at_once_and_the_retired_one_is_refused(api, gw, folder):
    response = api.post("/v1/admin/partners/acme-retail/api-keys", headers=ADMIN)
    assert response.status_code == 201
    new_key = response.json()["api_key"]
    assert response.json()["api_keys"] == [hash_api_key(ACME_KEY)[:12], hash_api_key(new_key)[:12]]
    assert post_order(api, new_key) == 202
    assert post_order(api, ACME_KEY) == 202  # both work until the old one is retired

    text = (folder / "acme-retail.toml").read_text()
    assert new_key not in text and hash_api_key(new_key) in text
    assert "# demo key: demo-acme-key" in text  # the operator's comments survive the rewrite

    old_prefix = hash_api_key(ACME_KEY)[:10]
    response = api.delete(f"/v1/admin/partners/acme-retail/api-keys/{old_prefix}", headers=ADMIN)
    assert response.status_code == 200 and response.json()["api_keys"] == [hash_api_key(new_key)[:12]]
    assert post_order(api, ACME_KEY) == 401
    assert post_order(api, new_key) == 202

    [added] = events(gw, "partner_api_key_added")
    [retired] = events(gw, "partner_api_key_retired")
    assert added.actor == retired.actor == "admin:" + hash_api_key("demo-admin-key")[:8]
    assert (added.subject_type, added.subject_id) == ("partner", "acme-retail")
    assert added.details["sha256_prefix"] == hash_api_key(new_key)[:12]
    assert new_key not in _all_audit_text(gw)  # never the key itself


def test_retiring_needs_a_long_enough_known_prefix(api):
    assert api.delete("/v1/admin/partners/acme-retail/api-keys/a2fb", headers=ADMIN).status_code == 422
    assert api.delete("/v1/admin/partners/acme-retail/api-keys/00000000", headers=ADMIN).status_code == 404
    assert api.delete("/v1/admin/partners/nobody/api-keys/00000000", headers=ADMIN).status_code == 404


def test_a_change_is_undone_when_another_profile_is_broken(api, gw, folder):
    (folder / "globex.toml").write_text("id = \n")
    before = (folder / "acme-retail.toml").read_bytes()
    response = api.post("/v1/admin/partners/acme-retail/api-keys", headers=ADMIN)
    assert response.status_code == 409
    assert response.json()["detail"]["problems"][0]["file"] == "globex.toml"
    assert (folder / "acme-retail.toml").read_bytes() == before
    assert events(gw, "partner_api_key_added") == []
    assert post_order(api, ACME_KEY) == 202


def _openssh_key() -> str:
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    return public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def test_sftp_keys_are_added_and_removed_by_fingerprint(api, gw):
    line = _openssh_key() + " partner@acme"
    response = api.post("/v1/admin/partners/acme-retail/sftp-keys", headers=ADMIN, json={"public_key": line})
    assert response.status_code == 201
    fingerprint = response.json()["fingerprint"]
    assert fingerprint.startswith("SHA256:") and fingerprint in response.json()["authorized_keys"]
    account = find_account(gw, "acme")
    blob = base64.b64decode(line.split()[1])
    assert blob in authorized_key_blobs(gw, account.partner)

    again = api.post("/v1/admin/partners/acme-retail/sftp-keys", headers=ADMIN, json={"public_key": line})
    assert again.status_code == 409
    bad = api.post(
        "/v1/admin/partners/acme-retail/sftp-keys", headers=ADMIN, json={"public_key": "ssh-rsa x"}
    )
    assert bad.status_code == 422

    response = api.delete(
        "/v1/admin/partners/acme-retail/sftp-keys", headers=ADMIN, params={"fingerprint": fingerprint}
    )
    assert response.status_code == 200 and fingerprint not in response.json()["authorized_keys"]
    assert blob not in authorized_key_blobs(gw, find_account(gw, "acme").partner)
    assert [e.details["fingerprint"] for e in events(gw, "partner_sftp_key_added")] == [fingerprint]
    assert [e.details["fingerprint"] for e in events(gw, "partner_sftp_key_removed")] == [fingerprint]


def test_an_uploaded_as2_certificate_is_stored_listed_and_used(api, gw):
    certificate_pem, _key = make_self_signed("ACME-RETAIL-2027")
    response = api.post(
        "/v1/admin/partners/acme-retail/as2-certificates",
        headers=ADMIN,
        json={"certificate_pem": certificate_pem.decode()},
    )
    assert response.status_code == 201
    described = response.json()
    assert described["subject"] == "CN=ACME-RETAIL-2027" and described["partner"] == "acme-retail"
    stored = gw.partners.get("acme-retail").as2.certificates
    assert (
        len(stored) == 2
        and (gw.settings.data_dir / stored[-1]).read_bytes().strip() == certificate_pem.strip()
    )
    [event] = events(gw, "partner_as2_certificate_added")
    assert event.details["sha256_fingerprint"] == described["sha256_fingerprint"]

    not_pem = {"certificate_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}
    assert (
        api.post("/v1/admin/partners/acme-retail/as2-certificates", headers=ADMIN, json=not_pem).status_code
        == 422
    )
    no_as2 = api.post(
        "/v1/admin/partners/umbrella/as2-certificates",
        headers=ADMIN,
        json={"certificate_pem": certificate_pem.decode()},
    )
    assert no_as2.status_code == 409
    assert list((gw.settings.data_dir / "certs").glob("umbrella-*")) == []  # no stray upload left behind


def test_reload_endpoint_applies_an_edited_profile(api, gw, folder):
    profile = folder / "initech.toml"
    profile.write_text(profile.read_text().replace('name = "Initech B.V."', 'name = "Initech Europe B.V."'))
    response = api.post("/v1/admin/partners/reload", headers=ADMIN)
    assert response.json()["status"] == "reloaded" and response.json()["changed"] == ["initech.toml"]
    assert gw.partners.get("initech").name == "Initech Europe B.V."
    [event] = events(gw, "partners_reloaded")
    assert event.actor.startswith("admin:")


def _operator_session(api: TestClient, gw: Gateway, name: str, role: str) -> tuple[str, str]:
    """Sign in through the dashboard's form; returns the session cookie and its CSRF token."""
    ensure_operator(gw, name, PASSWORD, role)
    login = api.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)[1]
    api.post(
        "/ui/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/ui"},
        follow_redirects=False,
    )
    session = api.cookies.get("edigate_session")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', api.get("/ui").text)[1]
    api.cookies.clear()
    return session, csrf


def test_a_viewer_operator_is_refused_and_an_admin_operator_allowed_with_csrf(api, gw):
    viewer, viewer_csrf = _operator_session(api, gw, "vera", "viewer")
    cookie = {"Cookie": f"edigate_session={viewer}"}
    assert api.get("/v1/admin/partners", headers=cookie).status_code == 403
    assert (
        api.post(
            "/v1/admin/partners/acme-retail/api-keys", headers={**cookie, "X-CSRF-Token": viewer_csrf}
        ).status_code
        == 403
    )

    admin, admin_csrf = _operator_session(api, gw, "anna", "admin")
    cookie = {"Cookie": f"edigate_session={admin}"}
    assert api.get("/v1/admin/partners", headers=cookie).status_code == 200
    assert api.post("/v1/admin/partners/acme-retail/api-keys", headers=cookie).status_code == 403  # no CSRF
    forged = {**cookie, "X-CSRF-Token": viewer_csrf}  # a token of another session
    assert api.post("/v1/admin/partners/acme-retail/api-keys", headers=forged).status_code == 403
    response = api.post(
        "/v1/admin/partners/acme-retail/api-keys", headers={**cookie, "X-CSRF-Token": admin_csrf}
    )
    assert response.status_code == 201
    [event] = events(gw, "partner_api_key_added")
    assert event.actor == "operator:anna"


def test_a_partner_without_sftp_gets_a_mailbox_section_that_loads(api, gw, folder):
    line = _openssh_key()
    response = api.post("/v1/admin/partners/umbrella/sftp-keys", headers=ADMIN, json={"public_key": line})
    assert response.status_code == 201
    assert "[sftp]" in (folder / "umbrella.toml").read_text()
    account = find_account(gw, "umbrella")  # the mailbox user name defaults to the partner id
    assert account is not None and account.partner.id == "umbrella"


def test_the_admin_api_is_described_in_openapi(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/v1/admin/partners", "/v1/admin/partners/{partner_id}/api-keys"} <= set(paths)


def test_a_new_partner_whose_last_missing_piece_is_its_sftp_key_goes_live_with_the_upload(api, gw, folder):
    request = SkeletonRequest("newco", "edifact", "customer", name="NewCo", delivery="sftp",
                              identities=("5412345000099:14",))  # fmt: skip
    (folder / "newco.toml").write_text(render_skeleton(request))
    assert reload_partners(gw).status == "refused" and "newco" not in gw.partners  # no key yet

    response = api.post(
        "/v1/admin/partners/newco/sftp-keys", headers=ADMIN, json={"public_key": _openssh_key()}
    )

    assert response.status_code == 201
    assert find_account(gw, "newco").partner.id == "newco"
    [line] = [x for x in (folder / "newco.toml").read_text().splitlines() if x.startswith("authorized_keys")]
    assert "FILL IN" not in line  # the skeleton's note went with the blank it marked


def test_partner_ids_that_are_not_profile_files_are_not_found(api):
    for partner_id in ("..%2Fcompany", "company", "nobody"):
        response = api.post(f"/v1/admin/partners/{partner_id}/api-keys", headers=ADMIN)
        assert response.status_code == 404, partner_id


def test_a_certificate_upload_takes_pem_text_only_never_a_server_path(api, gw):
    (gw.settings.data_dir / "certs").mkdir(parents=True, exist_ok=True)
    certificate_pem, _key = make_self_signed("ON-THE-SERVER")
    (gw.settings.data_dir / "certs" / "server.pem").write_bytes(certificate_pem)
    response = api.post(
        "/v1/admin/partners/acme-retail/as2-certificates",
        headers=ADMIN,
        json={"certificate_pem": "certs/server.pem"},
    )
    assert response.status_code == 422 and len(gw.partners.get("acme-retail").as2.certificates) == 1
