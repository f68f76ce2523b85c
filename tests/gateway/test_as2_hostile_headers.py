"""AS2 headers are the sender's to choose: absurd lengths and bytes get an answer, never a 500.

Labels taken from headers end up in columns of fixed width (AS2 ids, Message-IDs, file names,
content types); PostgreSQL refuses an over-long value where SQLite silently keeps it, so these run
on both databases.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.context import Gateway
from partners.loader import demo_directory_path
from tests.gateway.as2_peers.station import (
    ACME_AS2,
    OUR_AS2,
    PemPair,
    Pyas2libPeer,
    as2_app,
    headers_of,
    install_demo_keys,
    new_pair,
    pyas2lib,
)


@pytest.fixture(scope="module")
def pairs() -> tuple[PemPair, PemPair]:
    return new_pair(OUR_AS2), new_pair(ACME_AS2)


@pytest.fixture
def station(make_gateway: Callable[..., Gateway], tmp_path: Path, pairs) -> Gateway:
    partners = tmp_path / "partners"
    shutil.copytree(demo_directory_path(), partners, dirs_exist_ok=True)
    gw = make_gateway(partners_dir=partners)
    install_demo_keys(gw.settings.data_dir, *pairs)
    return gw


LONG = "x" * 1000


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("AS2-From", LONG),
        ("AS2-To", LONG),
        ("Message-ID", f"<{LONG}@{LONG}>"),
        ("Subject", LONG),
        ("Disposition-Notification-To", LONG),
        ("Disposition-Notification-Options", "signed-receipt-protocol=required," + LONG),
        ("Receipt-Delivery-Option", "http://" + LONG),
        ("Content-Type", "application/pkcs7-mime; smime-type=enveloped-data; name=" + LONG),
        ("User-Agent", LONG),
    ],
)
def test_over_long_headers_are_answered_without_a_server_error(station, pairs, header, value):
    ours, acme = pairs
    message = Pyas2libPeer(acme=acme, ours=ours, module=pyas2lib()).message()
    headers = {k: v for k, v in headers_of(message).items() if k.lower() != header.lower()}
    headers[header] = value
    with TestClient(as2_app(station), raise_server_exceptions=False) as client:
        response = client.post("/as2", content=message.content, headers=headers)
    assert response.status_code < 500, response.text[:300]
