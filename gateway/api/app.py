"""The ASGI application: REST API, OpenAPI description, dashboard, the in-process worker, and this
node's share of the singleton duties (gateway/duties.py)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from gateway.api import acknowledgements, admin, documents, health, messages, orders, outbound
from gateway.api.errors import install_error_handlers
from gateway.api.thread_pool import ThreadPool
from gateway.channels.as2 import certificates_api
from gateway.channels.as2 import receiver as as2_receiver
from gateway.context import Gateway
from gateway.dashboard import routes as dashboard
from gateway.duties import start_duties
from gateway.observability.metrics import metrics_router
from gateway.partner_reload import start_partner_watcher
from gateway.worker import Worker
from gateway.worker_processes import WorkerProcesses, worker_command

if TYPE_CHECKING:
    from gateway.channels.sftp_server import SftpServer


def create_app(gw: Gateway, *, run_worker: bool | None = None) -> FastAPI:
    """``run_worker`` defaults to the settings; tests pass False and drive a Worker themselves."""
    start_worker = gw.settings.inprocess_worker if run_worker is None else run_worker
    pool = ThreadPool()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread: threading.Thread | None = None
        children: WorkerProcesses | None = None
        if start_worker and gw.settings.worker_processes:
            children = WorkerProcesses(
                worker_command(gw.settings), gw.settings.worker_processes, gw.work_available
            )
            children.start()
        elif start_worker:
            worker = Worker(gw)
            thread = threading.Thread(
                target=worker.run_forever, args=(stop,), name="edigate-worker", daemon=True
            )
            thread.start()
        watcher = start_partner_watcher(gw, stop)
        server = _start_sftp_server(gw)
        duties = start_duties(gw, stop)
        try:
            yield
        finally:
            stop.set()
            gw.work_available.set()
            if thread is not None:
                thread.join(timeout=30)
            if children is not None:
                children.close()
            if watcher is not None:
                watcher.join(timeout=30)
            duties.join(timeout=30)
            if server is not None:
                server.stop()
            pool.close()  # uploads still being stored finish before the gateway closes

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
    app.state.thread_pool = pool
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics_router(gw))
    app.include_router(messages.router)
    app.include_router(documents.router)
    app.include_router(outbound.router)
    app.include_router(acknowledgements.router)
    app.include_router(orders.router)
    app.include_router(as2_receiver.router)
    app.include_router(certificates_api.router)
    app.include_router(admin.router)
    app.include_router(dashboard.router)
    return app


def _start_sftp_server(gw: Gateway) -> SftpServer | None:
    """The partners' SFTP server when a port is configured (every node may run one)."""
    if gw.settings.sftp_port is None:
        return None
    from gateway.channels.sftp_server import SftpServer

    server = SftpServer(gw, gw.settings.sftp_host or gw.settings.host, gw.settings.sftp_port)
    server.start()
    return server
