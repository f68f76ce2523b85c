"""Raw and translated content as downloads.

Always an attachment of a non-HTML type with ``nosniff``: partner bytes are data, and a browser must
never render them as a page of the dashboard's origin.
"""

from __future__ import annotations

from fastapi.responses import Response

from gateway.dashboard.templating import secure


def attachment(data: bytes, filename: str, media_type: str) -> Response:
    response = Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe_filename(filename)}"'},
    )
    return secure(response)


def safe_filename(name: str) -> str:
    """A file name that cannot break the header or climb directories: letters, digits, ``-_.``."""
    cleaned = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name.rsplit("/", 1)[-1]
    )
    return cleaned.strip(".")[:150] or "download"
