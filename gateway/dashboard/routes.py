"""The operator dashboard under ``/ui``: server-rendered, works offline, no CDN, no build step.

Each screen is a router of its own in :mod:`gateway.dashboard.views`; this module only mounts them.
"""

from __future__ import annotations

from fastapi import APIRouter

from gateway.dashboard.views import (
    acknowledgements,
    audit,
    login,
    messages,
    overview,
    partners,
    static,
    users,
)

PREFIX = "/ui"

router = APIRouter(include_in_schema=False)
for screen in (static, login, overview, messages, acknowledgements, partners, audit, users):
    router.include_router(screen.router, prefix=PREFIX)
