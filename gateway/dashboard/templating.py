"""Rendering dashboard pages: one Jinja2 environment per application, strict response headers.

Autoescaping is on for every template, so whatever a partner wrote into an FTX or NAD segment is
shown as text, never run as markup. The Content-Security-Policy is a second wall: even markup that
slipped through could not load or run a script that is not the dashboard's own file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from translators.errors import Location

TEMPLATES_DIR = Path(__file__).with_name("templates")

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def templates_for(request: Request) -> Jinja2Templates:
    """The application's template set, built on first use and kept on ``app.state``, not in a global."""
    state = request.app.state
    templates: Jinja2Templates | None = getattr(state, "dashboard_templates", None)
    if templates is None:
        templates = Jinja2Templates(directory=TEMPLATES_DIR)
        env = templates.env
        env.autoescape = True  # every template, whatever its file name
        env.filters["when"] = format_time
        env.filters["size"] = format_size
        env.filters["pretty_json"] = pretty_json
        env.filters["where"] = describe_location
        env.globals["url_with"] = with_query
        state.dashboard_templates = templates
    return templates


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    response = templates_for(request).TemplateResponse(request, name, context, status_code=status_code)
    secure(response)
    return response


def secure(response: Response) -> Response:
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def format_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """Times in UTC, as stored; the header says so once instead of every cell."""
    return value.strftime(fmt) if value is not None else "—"


def format_size(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{value} B"


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


def describe_location(location: Mapping[str, Any] | None) -> str:
    """Where an error sits, in the words the rest of edigate uses (``UNT #11, element 1.1``)."""
    if not location:
        return ""
    known = {k: v for k, v in location.items() if k in Location.__dataclass_fields__}
    return Location(**known).describe()


def with_query(base: Mapping[str, str], path: str, **changes: object) -> str:
    """``path`` with the current filters in ``base``, some of them changed; empty values dropped.

    Used for sort headers and page links so they keep every other filter the operator set.
    """
    params: dict[str, str] = {k: v for k, v in base.items() if v}
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = urlencode(params)
    return f"{path}?{encoded}" if encoded else path
