"""Error pages in the dashboard's own layout, so a refusal still shows the way back."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from gateway.dashboard.auth import SignedIn
from gateway.dashboard.templating import render


def forbidden(request: Request, me: SignedIn, text: str) -> Response:
    return render(request, "error.html", {"me": me, "title": "Not allowed", "text": text}, status_code=403)


def not_found(request: Request, me: SignedIn, text: str) -> Response:
    return render(request, "error.html", {"me": me, "title": "Not found", "text": text}, status_code=404)
