"""Dashboard sign-in, sessions, roles and CSRF: the rules an operator's account lives by."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.api.app import create_app
from gateway.cli import main as cli
from gateway.context import Gateway
from gateway.dashboard.auth import MAX_FAILED_LOGINS
from gateway.dashboard.operators import ensure_operator
from gateway.database.models import AuditEvent, Operator, OperatorSession

PASSWORD = "correct horse battery"


@pytest.fixture
def browser(gateway: Gateway) -> Iterator[Callable[[], TestClient]]:
    """A fresh cookie jar per call: each one is a separate browser."""
    opened: list[TestClient] = []

    def new() -> TestClient:
        client = TestClient(create_app(gateway, run_worker=False))
        client.__enter__()
        opened.append(client)
        return client

    yield new
    for client in opened:
        client.__exit__(None, None, None)


def _login_token(client: TestClient, path: str = "/ui/login") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _sign_in(client: TestClient, username: str, password: str = PASSWORD, next: str = "/ui"):
    token = _login_token(client)
    return client.post(
        "/ui/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next},
        follow_redirects=False,
    )


def _csrf(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui").text).group(1)


def _actions(gateway: Gateway, subject: str) -> list[str]:
    with gateway.sessions() as session:
        return list(
            session.execute(
                select(AuditEvent.action).where(AuditEvent.subject_id == subject).order_by(AuditEvent.seq)
            ).scalars()
        )


def test_every_page_sends_a_visitor_without_a_session_to_sign_in_and_back(browser):
    client = browser()
    for path in ("/ui", "/ui/messages?q=PO-1", "/ui/partners", "/ui/acknowledgements", "/ui/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/ui/login?next=/ui")
    assert client.get("/ui", follow_redirects=False).headers["location"] == "/ui/login?next=/ui"
    assert (
        "next=/ui/messages%3Fq%3DPO-1"
        in client.get("/ui/messages?q=PO-1", follow_redirects=False).headers["location"]
    )


def test_sign_in_sets_an_httponly_samesite_strict_cookie_and_audits_it(gateway, browser):
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    response = _sign_in(browser(), "anna")
    assert response.status_code == 303 and response.headers["location"] == "/ui"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("edigate_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain http here; over https the flag is set (next test)
    assert _actions(gateway, "anna") == ["operator_created", "login"]


def test_cookie_is_secure_when_the_dashboard_is_served_over_https(gateway):
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    with TestClient(create_app(gateway, run_worker=False), base_url="https://testserver") as client:
        response = _sign_in(client, "anna")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("edigate_session="))
    assert "Secure" in cookie


def test_wrong_and_unknown_users_get_the_same_answer_and_both_are_audited(gateway, browser):
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    client = browser()
    wrong = _sign_in(client, "anna", "nope")
    unknown = _sign_in(client, "mallory", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password." in wrong.text and "Wrong user name or password." in unknown.text
    assert _actions(gateway, "anna")[-1] == "login_failed"
    assert _actions(gateway, "mallory") == ["login_failed"]


def test_account_locks_after_repeated_failures_even_for_the_right_password_and_the_lock_is_audited(
    gateway, browser, clock
):
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    client = browser()
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert _sign_in(client, "anna", "guess").status_code == 401
    locked = _sign_in(client, "anna", "guess")
    assert locked.status_code == 423 and "locked" in locked.text
    assert _sign_in(client, "anna", PASSWORD).status_code == 423  # right password, still locked
    actions = _actions(gateway, "anna")
    assert actions.count("login_failed") == MAX_FAILED_LOGINS
    assert "operator_locked" in actions and actions[-1] == "login_refused"

    clock.advance(minutes=16)
    assert _sign_in(client, "anna", PASSWORD).status_code == 303
    with gateway.sessions() as session:
        anna = session.execute(select(Operator).where(Operator.username == "anna")).scalar_one()
        assert anna.failed_logins == 0 and anna.locked_until is None


def test_admin_unlocks_a_locked_account_and_that_is_audited(gateway, browser):
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    ensure_operator(gateway, "root", PASSWORD, "admin")
    attacker = browser()
    for _ in range(MAX_FAILED_LOGINS):
        _sign_in(attacker, "anna", "guess")
    admin = browser()
    _sign_in(admin, "root")
    page = admin.get("/ui/users")
    assert 'action="/ui/users/anna/unlock"' in page.text
    response = admin.post("/ui/users/anna/unlock", data={"csrf_token": _csrf(admin)}, follow_redirects=False)
    assert response.status_code == 303
    assert _actions(gateway, "anna")[-1] == "operator_unlocked"
    assert _sign_in(browser(), "anna").status_code == 303


def test_signing_in_issues_a_new_session_and_revokes_the_one_the_browser_brought(gateway, browser):
    """Session fixation: a token planted in the browser before sign-in is worthless afterwards."""
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    attacker = browser()
    _sign_in(attacker, "anna")
    planted = attacker.cookies.get("edigate_session")
    victim = browser()
    victim.cookies.set("edigate_session", planted, domain="testserver.local", path="/ui")
    assert _sign_in(victim, "anna").status_code == 303
    fresh = victim.cookies.get("edigate_session")
    assert planted and fresh and fresh != planted
    assert attacker.get("/ui", follow_redirects=False).status_code == 303  # the planted token is dead
    with gateway.sessions() as session:
        assert len(session.execute(select(OperatorSession)).scalars().all()) == 1
        stored = session.execute(select(OperatorSession.token_sha256)).scalar_one()
    assert fresh not in stored  # only the hash is kept


def test_login_form_without_its_own_token_is_refused(gateway, browser):
    """Login CSRF: another site cannot sign a victim's browser in to the attacker's account."""
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    client = browser()
    response = client.post(
        "/ui/login", data={"username": "anna", "password": PASSWORD, "next": "/ui"}, follow_redirects=False
    )
    assert response.status_code == 400 and "expired" in response.text
    assert "edigate_session" not in client.cookies


def test_every_post_without_the_session_csrf_token_is_refused(
    gateway, browser, submit, drain, edifact_fixture
):
    ensure_operator(gateway, "anna", PASSWORD, "operator")
    message_id = submit(edifact_fixture("contrl_orders_unt_count_wrong.edi")).json()["id"]
    drain(gateway)
    client = browser()
    _sign_in(client, "anna")
    other = browser()
    _sign_in(other, "anna")
    foreign_token = _csrf(other)  # a valid token - of another session
    for path, data in (
        (f"/ui/messages/{message_id}/reprocess", {"reason": "x"}),
        ("/ui/logout", {}),
    ):
        assert client.post(path, data=data, follow_redirects=False).status_code == 403
        assert (
            client.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False).status_code
            == 403
        )
        assert (
            client.post(path, data={**data, "csrf_token": foreign_token}, follow_redirects=False).status_code
            == 403
        )
    assert "replay_requested" not in _actions(gateway, message_id)
    assert client.get("/ui", follow_redirects=False).status_code == 200  # still signed in: logout refused


def test_logout_ends_the_session_on_the_server(gateway, browser):
    ensure_operator(gateway, "anna", PASSWORD, "viewer")
    client = browser()
    _sign_in(client, "anna")
    token = client.cookies.get("edigate_session")
    response = client.post("/ui/logout", data={"csrf_token": _csrf(client)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/login"
    replay = browser()
    replay.cookies.set("edigate_session", token, path="/ui")
    assert replay.get("/ui", follow_redirects=False).status_code == 303
    assert _actions(gateway, "anna")[-1] == "logout"


def test_sessions_expire(gateway, browser, clock):
    ensure_operator(gateway, "anna", PASSWORD, "viewer")
    client = browser()
    _sign_in(client, "anna")
    clock.advance(hours=13)
    assert client.get("/ui", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/ui", "/uix/../../", "/ui\\@evil"]
)
def test_sign_in_never_redirects_off_the_dashboard(gateway, browser, target):
    ensure_operator(gateway, "anna", PASSWORD, "viewer")
    response = _sign_in(browser(), "anna", next=target)
    assert response.headers["location"] == "/ui"


def test_roles_viewer_sees_everything_but_users_and_admin_sees_users(gateway, browser):
    ensure_operator(gateway, "vera", PASSWORD, "viewer")
    ensure_operator(gateway, "root", PASSWORD, "admin")
    viewer, admin = browser(), browser()
    _sign_in(viewer, "vera")
    _sign_in(admin, "root")
    for path in ("/ui", "/ui/messages", "/ui/acknowledgements", "/ui/partners", "/ui/audit"):
        assert viewer.get(path).status_code == 200, path
    assert viewer.get("/ui/users").status_code == 403
    assert 'href="/ui/users"' not in viewer.get("/ui").text
    users = admin.get("/ui/users")
    assert users.status_code == 200 and "vera" in users.text and "viewer" in users.text


def test_users_add_creates_an_account_prompting_for_the_password(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    prompts = iter(["s3cret-pass", "s3cret-pass"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(prompts))
    assert cli(["users", "add", "anna", "--role", "operator", "--data-dir", str(data), "--demo"]) == 0
    assert "anna" in capsys.readouterr().out
    assert (
        cli(
            [
                "users",
                "add",
                "anna",
                "--role",
                "operator",
                "--password",
                "another-one",
                "--data-dir",
                str(data),
                "--demo",
            ]
        )
        == 1
    )
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse refuses an unknown role before anything happens
        cli(["users", "add", "bob", "--role", "root", "--password", "long-enough", "--data-dir", str(data)])
    assert (
        cli(
            [
                "users",
                "add",
                "bob",
                "--role",
                "viewer",
                "--password",
                "short",
                "--data-dir",
                str(data),
                "--demo",
            ]
        )
        == 1
    )
    assert "at least 8" in capsys.readouterr().err

    from gateway.config import Settings
    from gateway.context import open_gateway
    from gateway.dashboard.auth import sign_in

    gw = open_gateway(Settings(data_dir=data, demo=True))
    try:
        assert sign_in(gw, "anna", "s3cret-pass").outcome == "ok"
        with gw.sessions() as session:
            event = session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "operator_created", AuditEvent.subject_id == "anna"
                )
            ).scalar_one()
        assert event.actor == "cli" and event.details == {"role": "operator"}
    finally:
        gw.close()


def test_users_add_refuses_mismatched_password_confirmation(tmp_path, monkeypatch, capsys):
    prompts = iter(["s3cret-pass", "typo-pass"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(prompts))
    code = cli(["users", "add", "anna", "--role", "viewer", "--data-dir", str(tmp_path / "d"), "--demo"])
    assert code == 1 and "do not match" in capsys.readouterr().err
