"""What the API answers when its own infrastructure fails, rather than the request.

A database that is restarting or unreachable is temporary: the caller gets ``503`` with
``Retry-After`` and tries again. Intake commits before it answers ``202``, so a 503 is never a
promise; in the rare case that a commit reached the database just as the connection broke, the
message is stored all the same, and a retry with the same ``Idempotency-Key`` is answered with its
id. A full archive is ``507 Insufficient Storage``: intake refuses what it could not keep. Neither is
a bug, so neither is answered ``500``; both are logged for the operator.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from archive.store import ArchiveError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def database_unavailable(error: Exception) -> bool:
    """Connection refused or lost, server shutting down, pool exhausted, SQLite busy: all temporary."""
    if isinstance(error, OperationalError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        raise exc  # a real bug: the default 500 handling and its traceback apply
    log.warning(
        "database unavailable during %s %s: %s",
        request.method,
        request.url.path,
        type(exc.__cause__ or exc).__name__,
        extra={"path": request.url.path},
    )
    return JSONResponse(
        {"detail": "the database is unavailable; send again shortly, with the same Idempotency-Key"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _archive_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("archive cannot store data during %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": f"not accepted: {exc}"}, status_code=507)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(ArchiveError, _archive_error)
