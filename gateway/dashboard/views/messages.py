"""Messages: the search list, one message in full, its downloads, reprocessing and resending it."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from gateway.api.dependencies import GatewayDep
from gateway.dashboard.access import PostedForm, SignedInDep
from gateway.dashboard.actions import ActionError, NotAllowed, reprocess, resend_interchange
from gateway.dashboard.detail import build_message_page
from gateway.dashboard.downloads import attachment
from gateway.dashboard.search import DIRECTIONS, STATUSES, MessageQuery, search_messages
from gateway.dashboard.templating import render, secure
from gateway.dashboard.views.errors import forbidden, not_found
from gateway.database.models import Document, Transmission
from translators.documents.schema import DOCUMENT_MODELS

router = APIRouter()

SYNTAXES = ("edifact", "x12", "xml")
_EXTENSIONS = {"edifact": "edi", "x12": "x12", "xml": "xml"}


@router.get("/messages")
def message_list(request: Request, gw: GatewayDep, me: SignedInDep) -> Response:
    query = MessageQuery.from_params(request.query_params)
    with gw.sessions() as session:
        result = search_messages(session, query)
        message_types = sorted(
            t
            for t in session.execute(
                select(Transmission.message_type).where(Transmission.message_type.is_not(None)).distinct()
            ).scalars()
            if t
        )
        return render(
            request,
            "messages.html",
            {
                "me": me,
                "active": "messages",
                "result": result,
                "query": result.query,
                "params": result.query.params(),
                "partners": gw.partners,
                "statuses": STATUSES,
                "directions": DIRECTIONS,
                "syntaxes": SYNTAXES,
                "message_types": message_types,
                "document_types": list(DOCUMENT_MODELS),
            },
        )


@router.get("/messages/{message_id}")
def message_page(
    request: Request, message_id: str, gw: GatewayDep, me: SignedInDep, done: str = ""
) -> Response:
    return _detail(request, gw, me, message_id, done=done)


@router.get("/messages/{message_id}/raw")
def download_raw(message_id: str, gw: GatewayDep, me: SignedInDep) -> Response:
    with gw.sessions() as session:
        transmission = session.get(Transmission, message_id)
        if transmission is None:
            return Response(status_code=404)
        name = (
            transmission.filename or f"{transmission.id}.{_EXTENSIONS.get(transmission.syntax or '', 'bin')}"
        )
        data = gw.archive.get(transmission.sha256)
    return attachment(data, name, "application/octet-stream")


@router.get("/messages/{message_id}/documents/{document_id}.json")
def download_document(message_id: str, document_id: str, gw: GatewayDep, me: SignedInDep) -> Response:
    with gw.sessions() as session:
        document = session.get(Document, document_id)
        if document is None or document.transmission_id != message_id:
            return Response(status_code=404)
        body = json.dumps({"id": document.id, **document.content}, indent=2, ensure_ascii=False)
        name = f"{document.document_type}-{document.business_number or document.id}.json"
    return attachment(body.encode("utf-8"), name, "application/json")


@router.post("/messages/{message_id}/reprocess")
def reprocess_message(
    request: Request, message_id: str, gw: GatewayDep, me: SignedInDep, form: PostedForm
) -> Response:
    reason = str(form.get("reason", ""))
    try:
        reprocess(gw, me, message_id, reason)
    except NotAllowed as exc:
        return forbidden(request, me, str(exc))
    except ActionError as exc:
        return _detail(request, gw, me, message_id, action_error=str(exc), status_code=409)
    return secure(RedirectResponse(f"/ui/messages/{message_id}?done=reprocess", status_code=303))


@router.post("/messages/{message_id}/resend")
def resend_message(
    request: Request, message_id: str, gw: GatewayDep, me: SignedInDep, form: PostedForm
) -> Response:
    """Deliver an outgoing interchange again (operator+, with a reason for the audit trail)."""
    message_id = message_id[:64]
    try:
        resend_interchange(gw, me, message_id, str(form.get("reason", "")))
    except NotAllowed as exc:
        return forbidden(request, me, str(exc))
    except ActionError as exc:
        return _detail(request, gw, me, message_id, action_error=str(exc), status_code=409)
    return secure(RedirectResponse(f"/ui/messages/{message_id}?done=resend_interchange", status_code=303))


def _detail(
    request: Request,
    gw: GatewayDep,
    me: SignedInDep,
    message_id: str,
    *,
    done: str = "",
    action_error: str | None = None,
    status_code: int = 200,
) -> Response:
    with gw.sessions() as session:
        transmission = session.get(Transmission, message_id[:64])
        if transmission is None:
            return not_found(request, me, f"There is no message {message_id[:64]!r}.")
        page = build_message_page(gw, session, transmission)
        return render(
            request,
            "message.html",
            {
                "me": me,
                "active": "messages",
                "m": page,
                "t": transmission,
                "done": done,
                "action_error": action_error,
            },
            status_code=status_code,
        )
