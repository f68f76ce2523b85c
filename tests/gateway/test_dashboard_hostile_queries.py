"""Dashboard URLs are typed, pasted and forged: whatever the query or path, an answer, never a 500.

Found by hand after the readers' fuzzing: ``?page=²`` passed ``str.isdigit`` and broke ``int()``,
and so did a page number of 5 000 digits (above Python's int conversion limit).
"""

from __future__ import annotations

import pytest

from tests.gateway.operator_session import csrf_token, sign_in

HOSTILE_VALUES = ["²", "9" * 5000, "-1", "0", "1e9", "\x00", "<script>", "' OR 1=1 --", "%ff", "ü" * 300]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_query_values_never_break_a_list_page(gateway, client, value):
    sign_in(client, gateway, "viewer")
    for path in ("/ui/messages", "/ui/audit", "/ui/acknowledgements"):
        for name in (
            "page",
            "q",
            "status",
            "partner",
            "sort",
            "order",
            "received_from",
            "received_to",
            "verify",
        ):
            response = client.get(path, params={name: value})
            assert response.status_code < 500, (path, name, value[:20])


@pytest.mark.parametrize("value", ["²", "..%2F..%2Fetc%2Fpasswd", "x" * 3000, "%00", "<script>"])
def test_hostile_ids_in_paths_are_not_found_not_errors(gateway, client, value):
    sign_in(client, gateway, "viewer")
    for path in (
        f"/ui/messages/{value}",
        f"/ui/messages/{value}/raw",
        f"/ui/messages/{value}/documents/{value}.json",
        f"/ui/acknowledgements/{value}/raw",
        f"/ui/partners/{value}",
    ):
        response = client.get(path)
        assert response.status_code in (400, 404, 422), (path[:60], response.status_code)


@pytest.mark.parametrize("username", ["a\x00b", "\x00", "x" * 5000])
def test_hostile_sign_in_names_are_refused_like_any_wrong_name(gateway, client, username):
    page = client.get("/ui/login").text
    response = client.post(
        "/ui/login",
        data={"username": username, "password": "whatever", "csrf_token": csrf_token(page)},
        follow_redirects=False,
    )
    assert response.status_code in (200, 400, 401, 403, 422), response.status_code
    assert "edigate_session" not in response.cookies
