"""Request-scoped access to the gateway and the caller's identity."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.context import Gateway
from partners.profile import PartnerProfile

_bearer = HTTPBearer(auto_error=False, description="A partner's REST API key")


def get_gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def get_partner(
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
    if partner is None or not partner.enabled:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or disabled API key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return partner


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
PartnerDep = Annotated[PartnerProfile, Depends(get_partner)]
