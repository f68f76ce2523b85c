"""Request bodies read under the upload limit, for every endpoint that takes a partner's file.

The limit is enforced while the body streams in, so an oversized upload is refused (413) before
anything is stored; small bodies stay in memory and a large one spills to a temporary file, so a
100 MB upload is never held whole.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile

from fastapi import HTTPException, Request, status

from translators.numerals import is_digits

SPOOL_IN_MEMORY = 1 << 20  # bodies up to 1 MiB never touch a temporary file


async def read_limited_body(request: Request, limit: int) -> SpooledTemporaryFile[bytes]:
    """The body, rewound; the caller closes it."""
    declared = request.headers.get("content-length")
    if declared is not None and is_digits(declared) and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body exceeds the limit of {limit} bytes")
    spool: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(
                    status.HTTP_413_CONTENT_TOO_LARGE, f"body exceeds the limit of {limit} bytes"
                )
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool
