"""Request-scoped access to the gateway and the caller's identity.

These dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in the
threadpool, and a thread hop costs more CPU than what they do (an attribute read, one SHA-256 and a
dict probe, none of which blocks). Keep them free of I/O so they may stay on the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.context import Gateway
from gateway.erp.keys import ErpClient, authenticate
from partners.profile import PartnerProfile

_bearer = HTTPBearer(auto_error=False, description="A partner's REST API key")
_erp_bearer = HTTPBearer(auto_error=False, scheme_name="ERP key", description="The ERP's API key")


async def get_gateway(request: Request) -> Gateway:
    return request.app.state.gateway


async def get_partner(
    gw: Annotated[Gateway, Depends(get_gateway)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> PartnerProfile:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing API key: send 'Authorization: Bearer <partner key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    partner = gw.partners.by_api_key(credentials.credentials)
    if partner is None and authenticate(gw.settings, credentials.credentials) is not None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "this is an ERP key; the partner endpoints need a partner's key"
        )
    if partner is None or not partner.enabled:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or disabled API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return partner


async def get_erp(
    gw: Annotated[Gateway, Depends(get_gateway)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_erp_bearer)],
) -> ErpClient:
    """The ERP sees every partner's documents, so a partner key must never pass here: it is
    recognised and refused with 403 rather than treated as unknown."""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing API key: send 'Authorization: Bearer <ERP key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    client = authenticate(gw.settings, credentials.credentials)
    if client is not None:
        return client
    if gw.partners.by_api_key(credentials.credentials) is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this is a partner key; ERP endpoints need an ERP key")
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, "unknown ERP API key", headers={"WWW-Authenticate": "Bearer"}
    )


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
PartnerDep = Annotated[PartnerProfile, Depends(get_partner)]
ErpDep = Annotated[ErpClient, Depends(get_erp)]
