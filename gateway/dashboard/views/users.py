"""Operator accounts, for admins: who exists, with which role, who is locked out; unlocking."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from gateway.api.dependencies import GatewayDep
from gateway.dashboard.access import PostedForm, SignedInDep
from gateway.dashboard.actions import record_refusal
from gateway.dashboard.auth import unlock
from gateway.dashboard.templating import render, secure
from gateway.dashboard.views.errors import forbidden, not_found
from gateway.database.models import Operator

router = APIRouter()


@router.get("/users")
def user_list(request: Request, gw: GatewayDep, me: SignedInDep, done: str = "") -> Response:
    if not me.may("admin"):
        return forbidden(request, me, f"Operator accounts are for admins; your role is {me.role}.")
    with gw.sessions() as session:
        operators = session.execute(select(Operator).order_by(Operator.username)).scalars().all()
        return render(
            request,
            "users.html",
            {"me": me, "active": "users", "operators": operators, "now": gw.clock(), "done": done},
        )


@router.post("/users/{username}/unlock")
def unlock_user(
    request: Request, username: str, gw: GatewayDep, me: SignedInDep, form: PostedForm
) -> Response:
    if not me.may("admin"):
        record_refusal(gw, me, "operator", username, "unlock")
        return forbidden(request, me, f"Unlocking accounts is for admins; your role is {me.role}.")
    if not unlock(gw, me, username[:64]):
        return not_found(request, me, f"There is no operator {username[:64]!r}.")
    return secure(RedirectResponse("/ui/users?done=unlock", status_code=303))
