"""Acknowledgements across partners: ours that did not get out, theirs that did not come, rejections
either way; resending ours."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.api.dependencies import GatewayDep
from gateway.dashboard.access import PostedForm, SignedInDep
from gateway.dashboard.ack_health import (
    DELIVERY_GRACE,
    OWED_STATES,
    PARTNER_STATES,
    VERDICT_STATES,
    overdue_outbound,
    partner_ack_states,
    rejected,
)
from gateway.dashboard.actions import ActionError, NotAllowed, resend_acknowledgement
from gateway.dashboard.downloads import attachment
from gateway.dashboard.templating import render, secure
from gateway.dashboard.views.errors import forbidden
from gateway.database.models import Acknowledgement

router = APIRouter()

VIEWS = {"": PARTNER_STATES, "overdue": OWED_STATES, "rejected": VERDICT_STATES}
"""``state`` filter → which partner-acknowledgement states are listed; "" shows every section."""


@router.get("/acknowledgements")
def acknowledgement_list(
    request: Request,
    gw: GatewayDep,
    me: SignedInDep,
    partner: str = "",
    state: str = "",
    done: str = "",
    error: str = "",
) -> Response:
    partner = partner[:64]
    state = state if state in VIEWS else ""
    with gw.sessions() as session:
        now = gw.clock()
        theirs = partner_ack_states(gw, session, states=VIEWS[state], partner=partner)
        return render(
            request,
            "acknowledgements.html",
            {
                "me": me,
                "active": "acknowledgements",
                "partner": partner,
                "partners": gw.partners,
                "state": state,
                "overdue": overdue_outbound(session, now, partner=partner) if not state else [],
                "rejected": rejected(session, partner=partner) if not state else [],
                "owed": theirs.where(*OWED_STATES),
                "verdicts": theirs.where(*VERDICT_STATES),
                "cut": theirs.cut,
                "grace_minutes": int(DELIVERY_GRACE.total_seconds() // 60),
                "done": done,
                "action_error": None,
            },
        )


@router.get("/acknowledgements/{ack_id}/raw")
def download_acknowledgement(ack_id: str, gw: GatewayDep, me: SignedInDep) -> Response:
    with gw.sessions() as session:
        ack = session.get(Acknowledgement, ack_id[:64])
        if ack is None:
            return Response(status_code=404)
        name = ack.filename or f"{ack.type}-{ack.control_reference}.edi"
        data = gw.archive.get(ack.sha256)
    return attachment(data, name, "application/octet-stream")


@router.post("/acknowledgements/{ack_id}/resend")
def resend(request: Request, ack_id: str, gw: GatewayDep, me: SignedInDep, form: PostedForm) -> Response:
    reason = str(form.get("reason", ""))
    back = str(form.get("back", ""))
    try:
        transmission_id = resend_acknowledgement(gw, me, ack_id[:64], reason)
    except NotAllowed as exc:
        return forbidden(request, me, str(exc))
    except ActionError as exc:
        return render(
            request,
            "error.html",
            {"me": me, "title": "Not resent", "text": str(exc)},
            status_code=409,
        )
    target = (
        "/ui/acknowledgements?done=resend"
        if back == "acknowledgements"
        else f"/ui/messages/{transmission_id}?done=resend"
    )
    return secure(RedirectResponse(target, status_code=303))
