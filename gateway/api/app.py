"""The ASGI application: REST API, OpenAPI description, dashboard, and the in-process worker."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway.api import health, messages
from gateway.context import Gateway
from gateway.dashboard import routes as dashboard
from gateway.worker import Worker


def create_app(gw: Gateway, *, run_worker: bool | None = None) -> FastAPI:
    """``run_worker`` defaults to the settings; tests pass False and drive a Worker themselves."""
    start_worker = gw.settings.inprocess_worker if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread: threading.Thread | None = None
        if start_worker:
            worker = Worker(gw)
            thread = threading.Thread(
                target=worker.run_forever, args=(stop,), name="edigate-worker", daemon=True
            )
            thread.start()
        try:
            yield
        finally:
            stop.set()
            gw.work_available.set()
            if thread is not None:
                thread.join(timeout=30)

    app = FastAPI(
        title="edigate",
        summary="EDI translation gateway",
        description=(
            "Partners submit interchanges and follow their processing; ERPs read canonical documents."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.gateway = gw
    app.include_router(health.router)
    app.include_router(messages.router)
    app.include_router(dashboard.router)
    return app
