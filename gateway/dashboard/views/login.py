"""Signing in and out of the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from gateway.api.dependencies import GatewayDep
from gateway.dashboard.access import COOKIE, COOKIE_PATH, PostedForm, SignedInDep, safe_next
from gateway.dashboard.auth import LOCKOUT, sign_in, sign_out
from gateway.dashboard.csrf import LOGIN_COOKIE, login_token_valid, new_login_token
from gateway.dashboard.templating import render, secure

router = APIRouter()

WRONG = "Wrong user name or password."
EXPIRED = "The sign-in form had expired. Please sign in again."


def _locked_text() -> str:
    minutes = int(LOCKOUT.total_seconds() // 60)
    return (
        f"Too many failed sign-ins: this account is locked. Try again in {minutes} minutes or ask an admin."
    )


@router.get("/login")
def login_form(request: Request, next: str = "/ui") -> Response:
    """Always the form, even with a session cookie: a planted cookie must not decide who is signed in;
    signing in replaces whatever session the browser had."""
    return _form(request, next, None, 200)


@router.post("/login")
def login_submit(
    request: Request,
    gw: GatewayDep,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/ui",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not login_token_valid(request.cookies.get(LOGIN_COOKIE), csrf_token):
        return _form(request, next, EXPIRED, 400)
    if not username or not password:
        return _form(request, next, WRONG, 401)
    result = sign_in(gw, username, password, presented_token=request.cookies.get(COOKIE))
    if result.outcome == "locked":
        return _form(request, next, _locked_text(), 423)
    if result.token is None:
        return _form(request, next, WRONG, 401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        result.token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=COOKIE_PATH,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/ui/login")
    return secure(response)


@router.post("/logout")
def logout_submit(gw: GatewayDep, me: SignedInDep, form: PostedForm) -> Response:
    sign_out(gw, me.token)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return secure(response)


def _form(request: Request, next: str, error: str | None, status_code: int) -> Response:
    """The sign-in page with a fresh double-submit token in its cookie and its hidden field."""
    token = new_login_token()
    response = render(
        request,
        "login.html",
        {"error": error, "next": safe_next(next), "csrf_token": token},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/ui/login",
        max_age=3600,
    )
    return response
