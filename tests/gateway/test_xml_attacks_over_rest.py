"""XML attacks through the whole REST path: stored exactly, rejected with a precise code, nothing
read from disk, nothing fetched from the network, and the worker goes on.

The parser's own rules are tested in tests/translators/xml/test_parser_hardening.py; this proves
the gateway never takes another route to a tree (the worker, the dashboard's detail view) that
would resolve what the parser refuses.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gateway.operator_session import sign_in
from tests.recording_server import recording_server

INITECH = "demo-initech-key"


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    with recording_server(b'<!ENTITY leak "FETCHED-FROM-NETWORK">') as served:
        yield served


def _laughs() -> bytes:
    entities = b'<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10) for i in range(1, 10)
    )
    return b'<?xml version="1.0"?><!DOCTYPE Order [' + entities + b"]><Order>&l9;</Order>"


def _attacks(url: str) -> dict[str, tuple[bytes, str]]:
    return {
        "xxe file": (
            b'<?xml version="1.0"?><!DOCTYPE Order [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<Order>&x;</Order>",
            "XML_ENTITY_DECLARED",
        ),
        "billion laughs": (_laughs(), "XML_ENTITY_DECLARED"),
        "external dtd over http": (
            f'<?xml version="1.0"?><!DOCTYPE Order SYSTEM "{url}/order.dtd"><Order>&leak;</Order>'.encode(),
            "XML_DTD_REFUSED",
        ),
        "parameter entity over http": (
            f'<!DOCTYPE Order [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]><Order/>'.encode(),
            "XML_ENTITY_DECLARED",
        ),
        "10 000 deep": (b"<Order>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</Order>", "XML_TOO_DEEP"),
    }


def test_every_xml_attack_is_stored_rejected_with_its_code_and_nothing_is_fetched_or_read(
    gateway, client, submit, fetch, drain, dtd_server
):
    url, requests = dtd_server
    attacks = _attacks(url)
    ids = {}
    for name, (body, _code) in attacks.items():
        response = submit(body, key=INITECH, **{"Content-Type": "application/xml"})
        assert response.status_code == 202, name
        ids[name] = response.json()["id"]
    drain(gateway)
    sign_in(client, gateway, "viewer")
    for name, (body, code) in attacks.items():
        result = fetch(ids[name], key=INITECH)
        assert result["status"] == "rejected", name
        assert [e["code"] for e in result["errors"]] == [code], name
        text = str(result)
        assert "root:" not in text and "FETCHED-FROM-NETWORK" not in text and "lollol" not in text, name
        assert gateway.archive.get(result["sha256"]) == body, name
        detail = client.get(f"/ui/messages/{ids[name]}")
        assert detail.status_code == 200 and code in detail.text, name
        assert "root:x:0:0" not in detail.text and "FETCHED-FROM-NETWORK" not in detail.text
    assert requests == []
