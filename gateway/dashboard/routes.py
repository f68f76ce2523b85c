"""The operator dashboard, server-rendered: works offline, no CDN, no build step."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from gateway.api.dependencies import GatewayDep
from gateway.dashboard.operators import login, logout, operator_for
from gateway.database.models import Transmission

COOKIE = "edigate_session"
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/ui") -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None, "next": _safe_next(next)})


@router.post("/login")
def login_submit(
    request: Request,
    gw: GatewayDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/ui",
) -> Response:
    token = login(gw, username, password)
    if token is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"error": "Wrong user name or password.", "next": _safe_next(next)},
            status_code=401,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/ui"
    )
    return response


@router.post("/logout")
def logout_submit(gw: GatewayDep, edigate_session: Annotated[str | None, Cookie()] = None) -> Response:
    if edigate_session:
        logout(gw, edigate_session)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("", response_class=HTMLResponse)
def message_list(
    request: Request, gw: GatewayDep, edigate_session: Annotated[str | None, Cookie()] = None
) -> Response:
    with gw.sessions() as session:
        operator = operator_for(session, gw, edigate_session)
        if operator is None:
            return RedirectResponse("/ui/login?next=/ui", status_code=303)
        rows = (
            session.execute(select(Transmission).order_by(Transmission.received_at.desc()).limit(100))
            .scalars()
            .all()
        )
        return templates.TemplateResponse(
            request, "messages.html", {"operator": operator, "messages": rows, "partners": gw.partners}
        )


def _safe_next(target: str) -> str:
    """Only same-site paths under /ui, so the login form cannot be turned into an open redirect."""
    return target if target.startswith("/ui") and not target.startswith("//") else "/ui"
