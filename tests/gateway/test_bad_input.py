"""Bad input is archived, rejected with a precise reason, negatively acknowledged where possible,
and never crashes the worker or loses the bytes."""

from __future__ import annotations

import hashlib

import pytest

from translators.edifact.reader import read_interchange

ORDER = "acme_orders_d96a.edi"


def _uci(raw: str) -> list[list[str]]:
    return next(s.elements for s in read_interchange(raw).messages[0].segments if s.tag == "UCI")


def _process(gateway, submit, fetch, drain, body: bytes, key: str = "demo-acme-key") -> dict:
    response = submit(body, key=key)
    assert response.status_code == 202
    drain(gateway)
    result = fetch(response.json()["id"], key=key)
    assert gateway.archive.get(result["sha256"]) == body  # the bytes are never lost
    assert result["sha256"] == hashlib.sha256(body).hexdigest()
    return result


def test_wrong_unt_count_rejects_the_message_with_contrl_29(gateway, submit, fetch, drain, edifact_fixture):
    body = edifact_fixture(ORDER).replace(b"UNT+35+ME000001", b"UNT+34+ME000001")
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    [error] = result["errors"]
    assert error["code"] == "UNT_COUNT_MISMATCH" and error["syntax_code"] == "29"
    assert error["location"]["segment_tag"] == "UNT" and error["location"]["message_ref"] == "ME000001"
    [ack] = result["acknowledgements"]
    assert ack["status"] == "rejected"
    ucm = next(s for s in read_interchange(ack["raw"]).messages[0].segments if s.tag == "UCM")
    assert ucm.elements[0] == ["ME000001"] and ucm.elements[2] == ["4"]


def test_wrong_unz_count_rejects_the_interchange(gateway, submit, fetch, drain, edifact_fixture):
    body = edifact_fixture(ORDER).replace(b"UNZ+1+", b"UNZ+2+")
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    assert [e["code"] for e in result["errors"]] == ["UNZ_COUNT_MISMATCH"]
    uci = _uci(result["acknowledgements"][0]["raw"])
    assert uci[3] == ["4"] and uci[4] == ["29"]
    assert result["documents"] == []


def test_truncated_interchange_is_rejected_with_negative_contrl(
    gateway, submit, fetch, drain, edifact_fixture
):
    body = edifact_fixture(ORDER)
    body = body[: body.index(b"LIN+2")]
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    codes = {e["code"] for e in result["errors"]}
    assert {"UNT_MISSING", "UNZ_MISSING"} <= codes
    assert result["acknowledgements"][0]["status"] == "rejected"


def test_unknown_sender_is_rejected_with_contrl_23(gateway, submit, fetch, drain, edifact_fixture):
    body = edifact_fixture(ORDER).replace(
        b"5412345000013:14+4000001000005", b"9999999999994:14+4000001000005"
    )
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    [error] = result["errors"]
    assert error["code"] == "UNKNOWN_SENDER" and "9999999999994:14" in error["text"]
    location = {k: v for k, v in error["location"].items() if v is not None}
    assert location == {"segment_index": 1, "segment_tag": "UNB", "element": 2}
    uci = _uci(result["acknowledgements"][0]["raw"])
    assert uci[3] == ["4"] and uci[4] == ["23"]


def test_sender_of_another_partner_is_refused_for_this_api_key(
    gateway, submit, fetch, drain, edifact_fixture
):
    body = edifact_fixture(ORDER)  # UNB sender is acme-retail …
    result = _process(gateway, submit, fetch, drain, body, key="demo-supplier-one-key")  # … key is not
    assert result["status"] == "rejected"
    assert result["partner"] == "supplier-one"
    [error] = result["errors"]
    assert error["code"] == "SENDER_MISMATCH"
    assert "acme-retail" in error["text"] and "supplier-one" in error["text"]
    assert result["documents"] == []


def test_bytes_outside_the_declared_charset_are_rejected(gateway, submit, fetch, drain, edifact_fixture):
    body = edifact_fixture(ORDER).replace(b"UNOC:3", b"UNOA:3")  # latin-1 umlauts under UNOA
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    [error] = [e for e in result["errors"] if e["code"] == "CHARSET_MISMATCH"]
    assert error["syntax_code"] == "21"
    assert "UNOA" in error["text"] and "offset 460" in error["text"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "EMPTY_INPUT"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "UNSUPPORTED_SYNTAX"),
        (bytes(range(256)) * 4, "UNSUPPORTED_SYNTAX"),
        (b"UNB+garbage", "UNSUPPORTED_SYNTAX_VERSION"),
    ],
    ids=["empty", "png", "binary", "broken-unb"],
)
def test_unreadable_input_is_stored_and_rejected_with_a_reason(gateway, submit, fetch, drain, body, code):
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    assert result["errors"][0]["code"] == code
    assert result["errors"][0]["text"]
    # No UNB to answer: a CONTRL would have nothing to reference (see the acknowledgement notes).
    assert result["acknowledgements"] == []


def test_worker_keeps_going_after_bad_input(gateway, submit, fetch, drain, edifact_fixture):
    bad = submit(b"\x00\x01garbage").json()["id"]
    good = submit(edifact_fixture(ORDER)).json()["id"]
    assert drain(gateway) == 2  # two transmissions (the good one's CONTRL goes out with it)
    assert fetch(bad)["status"] == "rejected"
    assert fetch(good)["status"] == "processed"


def test_structure_error_is_answered_with_ucs_and_ucd_pointing_at_the_element(
    gateway, submit, fetch, drain, edifact_fixture
):
    body = edifact_fixture(ORDER).replace(b"DTM+137:20260115:102", b"DTM+137:20260115:999")
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    [error] = result["errors"]
    assert error["code"] == "INVALID_CODE" and error["syntax_code"] == "12"
    assert error["location"]["segment_tag"] == "DTM" and error["location"]["message_segment"] == 3
    assert (error["location"]["element"], error["location"]["component"]) == (1, 3)
    segments = read_interchange(result["acknowledgements"][0]["raw"]).messages[0].segments
    ucs = next(s for s in segments if s.tag == "UCS")
    ucd = next(s for s in segments if s.tag == "UCD")
    assert ucs.elements[0] == ["3"]
    assert ucd.elements == [["12"], ["1", "3"]]


def test_rejected_order_keeps_its_po_number_for_search(gateway, submit, fetch, drain, edifact_fixture):
    body = edifact_fixture(ORDER).replace(b"UNT+35+ME000001", b"UNT+34+ME000001")
    result = _process(gateway, submit, fetch, drain, body)
    assert result["status"] == "rejected"
    assert result["business_number"] == "PO-2026-0042"
    assert result["interchanges"][0]["messages"][0]["business_number"] == "PO-2026-0042"
