"""A real S3-compatible server for tests: moto's server mode on a free loopback port (no tests here).

boto3 talks HTTP to it exactly as to AWS or MinIO, so the S3 store is tested through the wire.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

ACCESS_KEY = "edigate-test"
SECRET_KEY = "edigate-test-secret"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3_server() -> Iterator[str]:
    """Yields the endpoint URL of a running moto S3 server."""
    server_module = pytest.importorskip("moto.server", reason="moto[server] is in the test extra")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def new_bucket(client: Any) -> str:
    name = f"edigate-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name
