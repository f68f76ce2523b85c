"""Who may see a dashboard page and who may post to it, as FastAPI dependencies.

Pages declare ``SignedInDep``; forms declare ``PostedForm`` - which also checks the CSRF token - so
a handler cannot forget either check: it does not receive its arguments without them.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, status
from starlette.datastructures import FormData

from gateway.api.dependencies import GatewayDep
from gateway.dashboard.auth import SignedIn, signed_in_operator
from gateway.dashboard.csrf import FIELD, csrf_valid

COOKIE = "edigate_session"
COOKIE_PATH = "/ui"


def login_url(target: str) -> str:
    return "/ui/login?" + urlencode({"next": safe_next(target)}, safe="/")


def safe_next(target: str) -> str:
    """Only paths inside the dashboard, so the sign-in form cannot be turned into an open redirect."""
    if not (target == "/ui" or target.startswith(("/ui/", "/ui?"))):
        return "/ui"
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/ui"
    return target


def signed_in(request: Request, gw: GatewayDep) -> SignedIn:
    """The operator of this request; anyone else is sent to sign in and brought back afterwards."""
    operator = signed_in_operator(gw, request.cookies.get(COOKIE))
    if operator is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/ui"
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": login_url(target)})
    return operator


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


async def posted_form(request: Request, operator: SignedInDep) -> FormData:
    """The submitted form, only if it carries this session's CSRF token."""
    form = await request.form()
    if not csrf_valid(operator.token, form.get(FIELD)):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "the form's security token is missing or belongs to another session; reload the page and retry",
        )
    return form


PostedForm = Annotated[FormData, Depends(posted_form)]
