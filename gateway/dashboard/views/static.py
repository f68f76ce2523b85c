"""The dashboard's own stylesheet and script, served from the package: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter()

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
FILES = {"dashboard.css": "text/css; charset=utf-8", "dashboard.js": "text/javascript; charset=utf-8"}


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """Only the files listed in ``FILES``: a name from the URL never becomes a path on disk."""
    media_type = FILES.get(name)
    if media_type is None:
        return Response(status_code=404)
    return Response(
        (STATIC_DIR / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
