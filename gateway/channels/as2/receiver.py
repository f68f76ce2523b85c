"""HTTP endpoints of the AS2 station: ``POST /as2`` (messages) and ``POST /as2/mdn`` (async MDNs).

Only transport concerns live here: the body is spooled to disk while it streams in and refused with
413 as soon as it passes the limit, so a huge or endless upload costs neither memory nor archive
space. Everything else is delegated to ``reception`` (messages) and ``sender`` (MDNs for what we sent).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from gateway.api.body import read_limited_body
from gateway.api.dependencies import get_gateway
from gateway.channels.as2.reception import As2Request, receive
from gateway.channels.as2.sender import receive_async_mdn
from gateway.context import Gateway

router = APIRouter(prefix="/as2", tags=["as2"])

GatewayDep = Annotated[Gateway, Depends(get_gateway)]


def _as2_request(request: Request, body: bytes) -> As2Request:
    headers = {name.lower(): value for name, value in request.headers.items()}
    return As2Request(headers=headers, body=body, peer=request.client.host if request.client else None)


def _response(answer_status: int, headers: dict[str, str], body: bytes) -> Response:
    return Response(content=body, status_code=answer_status, headers=headers)


@router.post(
    "",
    summary="Receive an AS2 message (RFC 4130)",
    responses={
        200: {"description": "synchronous MDN, or empty when the MDN is asynchronous or not requested"},
        400: {"description": "not an AS2 request (AS2-From, AS2-To, Message-ID missing)"},
        413: {"description": "body larger than EDIGATE_MAX_BODY_BYTES"},
    },
)
async def receive_message(request: Request, gw: GatewayDep) -> Response:
    """Partners POST signed/encrypted/compressed EDI here; the MDN is returned only after the payload
    is durably stored."""
    with await read_limited_body(request, gw.settings.max_body_bytes) as spool:
        body = spool.read()  # signatures and MICs are computed over the whole message
    answer = await run_in_threadpool(receive, gw, _as2_request(request, body))
    return _response(answer.status, answer.headers, answer.body)


@router.post("/mdn", summary="Receive an asynchronous MDN for a message we sent")
async def receive_mdn(request: Request, gw: GatewayDep) -> Response:
    with await read_limited_body(request, gw.settings.max_body_bytes) as spool:
        body = spool.read()  # signatures and MICs are computed over the whole message
    answer = await run_in_threadpool(receive_async_mdn, gw, _as2_request(request, body))
    return _response(answer.status, answer.headers, answer.body)
