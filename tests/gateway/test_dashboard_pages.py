"""Dashboard screens: what an operator sees about real messages, and the actions taken from them."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway import pipeline
from gateway.api.app import create_app
from gateway.channels.as2.certificates import fingerprint, make_self_signed
from gateway.context import Gateway
from gateway.dashboard.operators import ensure_operator
from gateway.dashboard.partner_health import redact
from gateway.database.models import Acknowledgement, AuditEvent, Interchange, Transmission, WorkItem
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT, DELIVER_OUTBOUND
from gateway.demo import prepare_demo
from gateway.worker import Worker
from partners.loader import demo_directory_path

PASSWORD = "correct horse battery"
UNT_WRONG = "contrl_orders_unt_count_wrong.edi"
GOOD = "acme_orders_d96a.edi"


@pytest.fixture
def signed_in(gateway: Gateway) -> Iterator[Callable[[str], TestClient]]:
    """``signed_in(role)``: a browser signed in as a new account with that role."""
    opened: list[TestClient] = []

    def new(role: str) -> TestClient:
        name = f"{role}-{len(opened)}"
        ensure_operator(gateway, name, PASSWORD, role)
        client = TestClient(create_app(gateway, run_worker=False))
        client.__enter__()
        opened.append(client)
        form = client.get("/ui/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        response = client.post(
            "/ui/login",
            data={"username": name, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        return client

    yield new
    for client in opened:
        client.__exit__(None, None, None)


def _csrf(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def _text(page_html: str) -> str:
    """The page as a reader sees it: tags gone, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


def _events(gateway: Gateway, subject: str) -> list[AuditEvent]:
    with gateway.sessions() as session:
        return list(
            session.execute(
                select(AuditEvent).where(AuditEvent.subject_id == subject).order_by(AuditEvent.seq)
            ).scalars()
        )


@pytest.fixture
def traffic(gateway, submit, drain, edifact_fixture) -> dict[str, str]:
    """One good ACME order and one with a wrong UNT count, processed, CONTRLs delivered."""
    ids = {
        "good": submit(edifact_fixture(GOOD)).json()["id"],
        "bad": submit(edifact_fixture(UNT_WRONG)).json()["id"],
    }
    drain(gateway)
    return ids


def test_overview_counts_today_and_links_each_number_to_the_list_it_counts(signed_in, traffic):
    client = signed_in("viewer")
    page = client.get("/ui").text
    assert re.search(r'id="today-total" href="([^"]+)">2<', page)
    errors_link = html.unescape(re.search(r'id="today-errors" href="([^"]+)">1<', page).group(1))
    assert "status=error" in errors_link
    listed = client.get(errors_link).text
    assert "Messages 1–1 of 1" in listed and traffic["bad"] in listed and traffic["good"] not in listed
    volume = re.search(r'<table id="volumes">.*?</table>', page, re.S).group(0)
    assert "ACME Retail" in volume and "inbound" in volume
    assert "error rate 50.0 %" in _text(page)
    assert "<svg" in page and "Messages per day this week" in page  # the chart is inline SVG
    # Nothing was sent to a partner, so nothing is owed: a real zero, linked to the filtered list.
    assert re.search(r'id="partner-acks" href="/ui/acknowledgements\?state=overdue#owed">0<', page)
    assert "not tracked yet" not in page


def test_message_detail_highlights_the_failing_segment_and_element_with_its_error(signed_in, traffic):
    page = signed_in("viewer").get(f"/ui/messages/{traffic['bad']}").text
    failing = re.findall(r'<tr class="failing" id="failing-1-(\d+)">(.*?)</tr>', page, re.S)
    assert [number for number, _ in failing] == ["11"]
    assert "UNT" in failing[0][1] and "<mark>12</mark>" in failing[0][1]  # element 1: the count
    text = _text(page)
    assert "UNT_COUNT_MISMATCH (code 29): UNT says the message has 12 segments; counted 10" in text
    assert "UNT #11, element 1.1" in text
    # Every segment is there with its position; the UNA advice is shown but not counted.
    assert re.search(r'<td class="pos">1</td>\s*<td>UNB', page)
    assert re.search(r'<td class="pos">12</td>\s*<td>UNZ', page)


def test_message_detail_shows_timeline_documents_acknowledgements_and_transport(signed_in, traffic):
    page = signed_in("viewer").get(f"/ui/messages/{traffic['good']}").text
    text = _text(page)
    timeline = _text(re.search(r'<ol class="timeline" id="timeline">.*?</ol>', page, re.S).group(0))
    for action in ("received", "archived", "parsed", "validated", "translated", "processed"):
        assert action in timeline
    assert "partner:acme-retail" in timeline and "worker" in timeline
    assert "acknowledgement_created" in timeline and "acknowledgement_delivered" in timeline
    assert '"number": "PO-2026-0042"' in html.unescape(page)  # the canonical document, beside the raw
    assert "CONTRL outbound · accepted" in text and "delivery delivered" in text
    assert re.search(r"<pre>UNA:\+\.\? &#39;UNB\+UNOC:3\+4000001000005", page)  # our CONTRL, raw
    transport = _text(re.search(r'<dl class="facts" id="transport">.*?</dl>', page, re.S).group(0))
    assert "channel rest" in transport and "remote_addr testclient" in transport


def test_downloads_are_attachments_with_the_exact_bytes(signed_in, traffic, edifact_fixture, gateway):
    client = signed_in("viewer")
    raw = client.get(f"/ui/messages/{traffic['good']}/raw")
    assert raw.content == edifact_fixture(GOOD)
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"].startswith("attachment;")
    assert raw.headers["x-content-type-options"] == "nosniff"
    page = client.get(f"/ui/messages/{traffic['good']}").text
    document_link = re.search(r'href="(/ui/messages/[^"]+/documents/[^"]+\.json)"', page).group(1)
    document = client.get(document_link)
    assert document.json()["number"] == "PO-2026-0042"
    assert document.headers["content-disposition"].startswith("attachment;")
    with gateway.sessions() as session:
        ack = session.execute(
            select(Acknowledgement).where(Acknowledgement.transmission_id == traffic["good"])
        ).scalar_one()
    assert client.get(f"/ui/acknowledgements/{ack.id}/raw").content == gateway.archive.get(ack.sha256)


def test_operator_reprocesses_a_rejected_message_with_a_reason_and_it_is_audited(
    signed_in, traffic, gateway, drain
):
    client = signed_in("operator")
    page = client.get(f"/ui/messages/{traffic['bad']}").text
    response = client.post(
        f"/ui/messages/{traffic['bad']}/reprocess",
        data={"csrf_token": _csrf(page), "reason": "ACME fixed their UNT counter, ticket 4711"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/messages/{traffic['bad']}?done=reprocess"
    [event] = [e for e in _events(gateway, traffic["bad"]) if e.action == "replay_requested"]
    assert event.actor == "operator:operator-0"
    assert event.details == {"reason": "ACME fixed their UNT counter, ticket 4711"}
    after = client.get(response.headers["location"]).text
    assert "Queued for processing again" in after
    assert "ACME fixed their UNT counter, ticket 4711" in _text(after)  # in the timeline, with the actor
    drain(gateway)
    assert "replay_requested" in [e.action for e in _events(gateway, traffic["bad"])]


def test_reprocess_needs_a_reason_and_a_replayable_message(signed_in, traffic, gateway):
    client = signed_in("operator")
    token = _csrf(client.get("/ui").text)
    blank = client.post(
        f"/ui/messages/{traffic['bad']}/reprocess", data={"csrf_token": token, "reason": "  "}
    )
    assert blank.status_code == 409 and "say why" in blank.text
    processed = client.post(
        f"/ui/messages/{traffic['good']}/reprocess", data={"csrf_token": token, "reason": "again"}
    )
    assert processed.status_code == 409 and "delivered twice" in processed.text
    assert not [e for e in _events(gateway, traffic["good"]) if e.action == "replay_requested"]
    # The page offers no reprocess button for a processed message in the first place.
    assert "/reprocess" not in client.get(f"/ui/messages/{traffic['good']}").text


def test_viewer_is_refused_reprocessing_and_the_refusal_is_audited(signed_in, traffic, gateway):
    client = signed_in("viewer")
    page = client.get(f"/ui/messages/{traffic['bad']}").text
    assert "/reprocess" not in page and "may look but not act" in page
    response = client.post(
        f"/ui/messages/{traffic['bad']}/reprocess", data={"csrf_token": _csrf(page), "reason": "let me"}
    )
    assert response.status_code == 403 and "may look but not reprocess" in response.text
    actions = [(e.actor, e.action, e.details.get("action")) for e in _events(gateway, traffic["bad"])]
    assert ("operator:viewer-0", "action_refused", "reprocess") in actions
    assert "replay_requested" not in [a for _, a, _ in actions]


def test_operator_resends_an_acknowledgement_which_is_delivered_again(signed_in, traffic, gateway, drain):
    with gateway.sessions() as session:
        ack = session.execute(
            select(Acknowledgement).where(Acknowledgement.transmission_id == traffic["good"])
        ).scalar_one()
    client = signed_in("operator")
    page = client.get(f"/ui/messages/{traffic['good']}").text
    assert f'action="/ui/acknowledgements/{ack.id}/resend"' in page
    response = client.post(
        f"/ui/acknowledgements/{ack.id}/resend",
        data={"csrf_token": _csrf(page), "reason": "ACME lost it", "back": "message"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/ui/messages/{traffic['good']}?done=resend"
    with gateway.sessions() as session:
        assert session.get(Acknowledgement, ack.id).delivery_state == "pending"
        item = session.execute(
            select(WorkItem).where(WorkItem.kind == DELIVER_ACKNOWLEDGEMENT, WorkItem.subject_id == ack.id)
        ).scalar_one()
        assert item.state == "queued"
    assert drain(gateway) == 1
    events = [(e.actor, e.action) for e in _events(gateway, ack.id)]
    assert events[-2:] == [
        ("operator:operator-0", "resend_requested"),
        ("worker", "acknowledgement_delivered"),
    ]
    assert _events(gateway, ack.id)[-2].details["reason"] == "ACME lost it"


def test_viewer_cannot_resend(signed_in, traffic, gateway):
    with gateway.sessions() as session:
        ack_id = session.execute(select(Acknowledgement.id)).scalars().first()
    client = signed_in("viewer")
    token = _csrf(client.get("/ui").text)
    response = client.post(f"/ui/acknowledgements/{ack_id}/resend", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403
    assert [e.action for e in _events(gateway, ack_id)][-1] == "action_refused"


def test_acknowledgements_page_lists_overdue_and_rejected(
    signed_in, gateway, submit, drain, edifact_fixture, clock, monkeypatch
):
    good = submit(edifact_fixture(GOOD)).json()["id"]
    bad = submit(edifact_fixture(UNT_WRONG)).json()["id"]
    worker = Worker(gateway, owner="processing-only")
    # As for a partner on a remote channel: the CONTRLs are queued, not put into the mailbox.
    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "current_publications", lambda: None)
        assert worker.run_once() == 2  # both processed, in one batch; their CONTRLs wait for delivery
    client = signed_in("viewer")
    first = client.get("/ui/acknowledgements").text
    assert "None: every acknowledgement we made has reached its partner." in first  # not overdue yet
    clock.advance(minutes=20)
    page = client.get("/ui/acknowledgements").text
    overdue = re.search(r'<table id="overdue-table">.*?</table>', page, re.S).group(0)
    assert good in overdue and bad in overdue
    rejected = re.search(r'<table id="rejected-table">.*?</table>', page, re.S).group(0)
    assert bad in rejected and good not in rejected
    assert re.search(r'id="acks-overdue" href="/ui/acknowledgements#overdue">2<', client.get("/ui").text)
    drain(gateway)
    assert "None: every acknowledgement" in client.get("/ui/acknowledgements").text


def test_partner_supplied_markup_is_shown_as_text_never_run(
    signed_in, gateway, submit, drain, edifact_fixture
):
    """Stored XSS: an FTX or NAD a partner wrote must be inert on every page that shows it."""
    body = edifact_fixture(GOOD)
    body = body.replace(b"Please deliver to ramp 3?+4 before 10 o?'clock", b"<script>alert(1)</script>")
    body = body.replace(b"ACME Retail N.V.", b"<img src=x onerror=alert(2)>")
    body = body.replace(b"ACME000123", b"<b>X</b>")
    message_id = submit(body).json()["id"]
    drain(gateway)
    client = signed_in("viewer")
    for path in (
        f"/ui/messages/{message_id}",
        "/ui",
        "/ui/messages",
        "/ui/audit",
        "/ui/messages?q=%3Cb%3EX%3C%2Fb%3E",
    ):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>X</b>" not in page, path
    detail = client.get(f"/ui/messages/{message_id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in detail.text
    assert "script-src 'self'" in detail.headers["content-security-policy"]


def test_every_page_carries_strict_security_headers(signed_in, traffic):
    client = signed_in("admin")
    for path in (
        "/ui",
        "/ui/messages",
        f"/ui/messages/{traffic['bad']}",
        "/ui/partners",
        "/ui/audit",
        "/ui/login",
    ):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_partner_pages_show_profile_file_identities_traffic_and_hide_secrets(signed_in, traffic):
    client = signed_in("viewer")
    listing = client.get("/ui/partners").text
    row = re.search(r'<tr data-id="acme-retail">.*?</tr>', listing, re.S).group(0)
    assert "ACME Retail" in row and "lint ok" in row
    assert re.search(r'status=error">1<', html.unescape(row))
    page = client.get("/ui/partners/acme-retail").text
    text = _text(page)
    assert "UNB sender 5412345000013:14" in text and "CONTRL always" in text
    profile = html.unescape(re.search(r'<pre id="profile-file">(.*?)</pre>', page, re.S).group(1))
    assert 'name = "ACME Retail"' in profile and "[codes.units]" in profile
    assert 'api_key_sha256 = "(hidden)"' in profile and "a2fb8545" not in profile
    recent = re.search(r'<table id="recent">.*?</table>', page, re.S).group(0)
    assert traffic["good"] in recent and traffic["bad"] in recent


def test_lint_problems_of_a_profile_edited_after_start_are_shown(tmp_path, make_gateway):
    folder = tmp_path / "profiles"
    shutil.copytree(demo_directory_path(), folder)
    gateway = make_gateway(partners_dir=folder)
    ensure_operator(gateway, "vera", PASSWORD, "viewer")
    profile = folder / "globex.toml"
    profile.write_text('colour = "blue"\n' + profile.read_text())
    with TestClient(create_app(gateway, run_worker=False)) as client:
        token = _csrf(client.get("/ui/login").text)
        client.post("/ui/login", data={"username": "vera", "password": PASSWORD, "csrf_token": token})
        listing = client.get("/ui/partners").text
        assert "1 lint problem" in re.search(r'<tr data-id="globex">.*?</tr>', listing, re.S).group(0)
        page = _text(client.get("/ui/partners/globex").text)
    assert "unknown key 'colour'" in page


def test_audit_page_filters_by_actor_and_action_and_verifies_the_chain(signed_in, traffic):
    client = signed_in("operator")
    token = _csrf(client.get("/ui").text)
    client.post(f"/ui/messages/{traffic['bad']}/reprocess", data={"csrf_token": token, "reason": "fixed"})
    page = client.get("/ui/audit", params={"actor": "operator:operator-0"}).text
    rows = re.search(r'<table id="events">.*?</table>', page, re.S).group(0)
    assert "replay_requested" in rows and "login" in rows and "worker" not in rows
    only = client.get("/ui/audit", params={"action": "replay_requested"}).text
    assert "1 event" in _text(only)
    verified = client.get("/ui/audit", params={"verify": "1"}).text
    assert re.search(r"intact: \d+ audit events chained, \d+ archived files match", verified)
    assert "match their hashes<br>signed digests: none yet" in verified


def test_message_list_without_matches_says_so(signed_in, traffic):
    page = signed_in("viewer").get("/ui/messages", params={"q": "NO-SUCH-PO"}).text
    assert "No messages match “NO-SUCH-PO”." in page


def test_unknown_message_and_partner_are_404_pages(signed_in):
    client = signed_in("viewer")
    assert client.get("/ui/messages/does-not-exist").status_code == 404
    assert client.get("/ui/partners/nobody").status_code == 404


def test_static_files_are_served_from_the_package_and_nothing_else(signed_in):
    client = signed_in("viewer")
    assert client.get("/ui/static/dashboard.css").status_code == 200
    assert client.get("/ui/static/dashboard.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/ui/static/..%2F..%2Fpasswords.py").status_code == 404
    page = client.get("/ui").text
    assert "http://" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", page)  # no CDN, nothing remote


def test_secret_values_are_blanked_in_profile_text():
    text = """id = "x"
sftp_password = "hunter2"
api_key_sha256 = [
  "aaaa",
  "bbbb",
]
private_key = \"\"\"
-----BEGIN KEY-----
abc
-----END KEY-----
\"\"\"
name = "kept"
"""
    shown = redact(text)
    assert "hunter2" not in shown and "aaaa" not in shown and "abc" not in shown
    assert 'name = "kept"' in shown and 'id = "x"' in shown
    assert shown.count('"(hidden)"') == 3


def test_transmission_not_yet_processed_still_shows_its_raw_segments(signed_in, submit, edifact_fixture):
    message_id = submit(edifact_fixture(GOOD)).json()["id"]
    page = signed_in("viewer").get(f"/ui/messages/{message_id}").text
    assert "received" in page and re.search(r'<td class="pos">2</td>\s*<td>UNH', page)


def test_x12_and_xml_raw_views(signed_in, gateway, submit, drain):
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    x12 = submit((fixtures / "x12" / "umbrella_850_004010.edi").read_bytes(), key="demo-umbrella-key").json()[
        "id"
    ]
    xml = submit((fixtures / "xml" / "contoso_bestellung.xml").read_bytes(), key="demo-contoso-key").json()[
        "id"
    ]
    drain(gateway)
    client = signed_in("viewer")
    x12_page = client.get(f"/ui/messages/{x12}").text
    assert re.search(r'<td class="pos">1</td>\s*<td>ISA', x12_page)
    assert re.search(r'<td class="pos">3</td>\s*<td>ST<span class="sep">\*</span>850', x12_page)
    xml_page = client.get(f"/ui/messages/{xml}").text
    assert re.search(r'<td class="pos">3</td>\s*<td>&lt;Bestellung version=&#34;1.2&#34;&gt;', xml_page)
    with gateway.sessions() as session:
        assert session.get(Transmission, xml).status == "processed"


def test_partners_page_shows_the_sftp_host_key_fingerprint_once_it_exists(signed_in, gateway):
    from gateway.channels.sftp_server import host_key_fingerprint

    client = signed_in("viewer")
    assert 'id="sftp-host-key"' not in client.get("/ui/partners").text  # the dashboard makes no key
    fingerprint = host_key_fingerprint(gateway.settings.data_dir)  # what the server does at start
    page = client.get("/ui/partners").text
    shown = re.search(r'<p id="sftp-host-key">.*?<code>(.*?)</code>', page).group(1)
    assert shown == fingerprint and fingerprint.startswith("SHA256:")


# --- Outgoing interchanges: resending them, and the acknowledgements partners owe us -------------

ERP = {"Authorization": "Bearer demo-erp-key"}
ORDER_RESPONSE = {
    "document_type": "order_response",
    "number": "OR-1",
    "order_number": "PO-4711",
    "issue_date": "2026-11-27",
    "response": "accepted",
}


@pytest.fixture
def sent(gateway, client, drain) -> str:
    """One order response sent to ACME and delivered to its SFTP out folder; returns its message id."""
    response = client.post(
        "/v1/outbound", json={"partner": "acme-retail", "document": ORDER_RESPONSE}, headers=ERP
    )
    assert response.status_code == 202, response.text
    drain(gateway)
    return response.json()["id"]


def _outbound_items(gateway: Gateway, transmission_id: str) -> list[WorkItem]:
    with gateway.sessions() as session:
        return list(
            session.execute(
                select(WorkItem).where(
                    WorkItem.kind == DELIVER_OUTBOUND, WorkItem.subject_id == transmission_id
                )
            ).scalars()
        )


def test_operator_resends_an_outgoing_interchange_which_is_delivered_again(signed_in, sent, gateway, drain):
    client = signed_in("operator")
    page = client.get(f"/ui/messages/{sent}").text
    assert f'action="/ui/messages/{sent}/resend"' in page and "/reprocess" not in page
    assert "Partner's acknowledgement awaiting_ack" in _text(page)
    response = client.post(
        f"/ui/messages/{sent}/resend",
        data={"csrf_token": _csrf(page), "reason": "ACME restored its SFTP folder from backup, ticket 88"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/messages/{sent}?done=resend_interchange"
    with gateway.sessions() as session:
        assert session.get(Transmission, sent).status == "queued"
    [item] = _outbound_items(gateway, sent)  # the existing work item is reset, not duplicated
    assert (item.state, item.attempts) == ("queued", 0)
    after = client.get(response.headers["location"]).text
    assert "The interchange is queued for delivery again." in after
    assert "ACME restored its SFTP folder from backup, ticket 88" in _text(after)
    assert drain(gateway) == 1
    events = _events(gateway, sent)
    assert [(e.actor, e.action) for e in events[-2:]] == [
        ("operator:operator-0", "resend_requested"),
        ("worker", "outbound_delivered"),
    ]
    assert events[-2].details == {
        "reason": "ACME restored its SFTP folder from backup, ticket 88",
        "previous_state": "sent",
    }
    with gateway.sessions() as session:
        assert session.get(Transmission, sent).status == "sent"
    delivered = list((Path(gateway.settings.data_dir) / "sftp" / "acme-retail" / "out").glob("*ORDRSP*"))
    assert len(delivered) == 1  # the same file name again: the same interchange, not a new one


def test_resend_queues_a_new_work_item_when_the_old_one_is_gone(signed_in, sent, gateway, drain):
    with gateway.sessions.begin() as session:
        for item in session.execute(select(WorkItem).where(WorkItem.subject_id == sent)).scalars():
            session.delete(item)
    client = signed_in("operator")
    token = _csrf(client.get(f"/ui/messages/{sent}").text)
    response = client.post(f"/ui/messages/{sent}/resend", data={"csrf_token": token, "reason": "lost"})
    assert response.status_code == 200  # followed the redirect to the detail page
    [item] = _outbound_items(gateway, sent)
    assert (item.state, item.attempts) == ("queued", 0) and item.available_at == item.created_at
    assert drain(gateway) == 1


def test_resend_of_an_outgoing_interchange_needs_a_reason_and_an_outbound_message(
    signed_in, sent, traffic, gateway
):
    client = signed_in("operator")
    token = _csrf(client.get("/ui").text)
    blank = client.post(f"/ui/messages/{sent}/resend", data={"csrf_token": token, "reason": " "})
    assert blank.status_code == 409 and "say why" in blank.text
    inbound = client.post(f"/ui/messages/{traffic['good']}/resend", data={"csrf_token": token, "reason": "x"})
    assert inbound.status_code == 409 and "only what we send can be sent again" in inbound.text
    page = client.get(f"/ui/messages/{traffic['good']}").text
    assert f"/ui/messages/{traffic['good']}/resend" not in page  # its CONTRL can be resent, not it
    assert "resend_requested" not in [e.action for e in _events(gateway, sent)]
    assert client.get("/ui/messages/no-such-id").status_code == 404


def test_viewer_cannot_resend_an_outgoing_interchange_and_the_refusal_is_audited(signed_in, sent, gateway):
    client = signed_in("viewer")
    page = client.get(f"/ui/messages/{sent}").text
    assert f"/ui/messages/{sent}/resend" not in page and "may look but not act" in page
    response = client.post(f"/ui/messages/{sent}/resend", data={"csrf_token": _csrf(page), "reason": "x"})
    assert response.status_code == 403 and "may look but not resend" in response.text
    actions = [(e.actor, e.action, e.details.get("action")) for e in _events(gateway, sent)]
    assert ("operator:viewer-0", "action_refused", "resend") in actions
    assert [i.state for i in _outbound_items(gateway, sent)] == ["done"]


def test_resend_without_csrf_token_is_refused(signed_in, sent, gateway):
    response = signed_in("operator").post(f"/ui/messages/{sent}/resend", data={"reason": "x"})
    assert response.status_code in (400, 403)
    assert "resend_requested" not in [e.action for e in _events(gateway, sent)]


def test_acknowledgements_partners_owe_us_once_their_window_has_passed(signed_in, sent, gateway, clock):
    client = signed_in("viewer")
    assert re.search(r'id="partner-acks" href="[^"]+">0<', client.get("/ui").text)  # within the window
    assert "owed-none" in client.get("/ui/acknowledgements").text
    clock.advance(hours=25)  # ACME's window is 24 hours
    client = signed_in("viewer")  # a dashboard session lasts 12 hours: sign in again
    overview = client.get("/ui").text
    link = html.unescape(re.search(r'id="partner-acks" href="([^"]+)">1<', overview).group(1))
    assert link == "/ui/acknowledgements?state=overdue#owed"
    listed = client.get(link).text
    owed = re.search(r'<table id="owed-table">.*?</table>', listed, re.S).group(0)
    assert f'data-id="{sent}"' in owed
    row = _text(owed)
    assert "ACME Retail" in row and "ORDRSP OR-1" in row and "CONTRL" in row
    assert 'id="overdue-table"' not in listed and "Show all acknowledgements" in listed  # filtered
    detail = client.get(f"/ui/messages/{sent}").text
    assert "Partner's acknowledgement overdue" in _text(detail)
    partner = client.get("/ui/partners/acme-retail").text
    assert re.search(
        r'id="partner-acks-owed" href="[^"]*partner=acme-retail&amp;state=overdue#owed">1<', partner
    )
    assert re.search(r'id="partner-acks-owed" href="[^"]+">0<', client.get("/ui/partners/globex").text)
    other = client.get("/ui/acknowledgements", params={"partner": "globex", "state": "overdue"}).text
    assert "owed-table" not in other and "owed-none" in other


def test_acknowledgement_window_restarts_when_an_overdue_interchange_is_resent(
    signed_in, sent, gateway, drain, clock
):
    clock.advance(hours=25)
    client = signed_in("operator")
    page = client.get(f"/ui/messages/{sent}").text
    client.post(f"/ui/messages/{sent}/resend", data={"csrf_token": _csrf(page), "reason": "never arrived"})
    drain(gateway)
    assert re.search(r'id="partner-acks" href="[^"]+">0<', client.get("/ui").text)
    clock.advance(hours=25)
    assert re.search(r'id="partner-acks" href="[^"]+">1<', signed_in("viewer").get("/ui").text)


def test_partner_contrl_settles_what_is_owed_and_a_rejection_is_listed(
    signed_in, sent, gateway, submit, drain, clock
):
    contrl = (
        b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4000001000005:14+261127:1000+C0001'"
        b"UNH+1+CONTRL:D:3:UN'UCI+1+4000001000005:14+5412345000013:14+4'UNT+3+1'UNZ+1+C0001'"
    )
    submit(contrl)
    drain(gateway)
    clock.advance(hours=25)
    client = signed_in("viewer")
    assert re.search(r'id="partner-acks" href="[^"]+">0<', client.get("/ui").text)  # answered: not owed
    with gateway.sessions() as session:
        state = session.execute(
            select(Interchange.status).where(Interchange.transmission_id == sent)
        ).scalar_one()
    assert state == "rejected"  # UCI action 4: the partner rejected our interchange
    page = client.get("/ui/acknowledgements", params={"state": "rejected"}).text
    table = re.search(r'<table id="partner-rejected-table">.*?</table>', page, re.S).group(0)
    assert f'data-id="{sent}"' in table and "rejected" in _text(table)
    detail = _text(client.get(f"/ui/messages/{sent}").text)
    assert "Partner's acknowledgement rejected" in detail
    assert "CONTRL from the partner · rejected" in detail  # their acknowledgement, beside what we sent


# --- AS2 certificates ----------------------------------------------------------------------------------


def _certificate_rows(page: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}" class="certificates">.*?</table>', page, re.S).group(0)
    return re.findall(r"<tr class=\"cert-.*?</tr>", table, re.S)


def test_certificates_are_shown_with_fingerprint_and_days_left(signed_in, gateway):
    prepare_demo(gateway)  # what --demo does: our key pair and ACME's, valid for two years
    certs = gateway.settings.data_dir / "certs"
    acme = x509_load(certs / "ACME-RETAIL.pem")
    client = signed_in("viewer")
    overview = client.get("/ui").text
    assert re.search(r'id="certs-expiring" href="#certificates">0<', overview)
    rows = _certificate_rows(overview, "certificates-table")
    assert len(rows) == 2  # ours (company.toml) and ACME's; no other demo partner speaks AS2
    acme_row = _text(next(r for r in rows if "ACME Retail" in r))
    assert "CN=ACME-RETAIL" in acme_row and fingerprint(acme) in acme_row
    assert acme.not_valid_after_utc.strftime("%Y-%m-%d %H:%M:%S") in acme_row
    assert " 729 valid" in acme_row or " 730 valid" in acme_row
    assert "CN=EDIGATE-DEMO" in _text(next(r for r in rows if "ACME Retail" not in r))
    partner = client.get("/ui/partners/acme-retail").text
    [row] = _certificate_rows(partner, "partner-certificates")
    assert fingerprint(acme) in row and "certs/ACME-RETAIL.pem" in row and 'data-state="valid"' in row
    # A partner without an [as2] section shows no certificate at all, and says why.
    globex = client.get("/ui/partners/globex").text
    assert 'id="no-as2"' in globex and "partner-certificates" not in globex


def test_certificates_expiring_within_30_days_or_expired_are_flagged(signed_in, gateway, clock):
    prepare_demo(gateway)
    certs = gateway.settings.data_dir / "certs"
    expired, _key = make_self_signed("ACME-OLD", days=-3)
    current, _key = make_self_signed("ACME-RETAIL", days=10)
    (certs / "ACME-RETAIL.pem").write_bytes(current + expired)  # a rollover file: new and old together
    client = signed_in("viewer")
    overview = client.get("/ui").text
    assert re.search(r'id="certs-expiring" href="#certificates">2<', overview)
    rows = _certificate_rows(overview, "certificates-table")
    assert 'data-state="expired"' in rows[0] and "CN=ACME-OLD" in rows[0]  # most urgent first
    assert 'data-state="expiring"' in rows[1] and "expires in 9 days" in _text(rows[1])
    assert 'data-state="valid"' in rows[2]  # ours, two years
    partner = client.get("/ui/partners/acme-retail").text
    assert re.search(r'id="certs-flagged" href="#certificates">2<', partner)
    states = [
        re.search(r'data-state="(\w+)"', r).group(1)
        for r in _certificate_rows(partner, "partner-certificates")
    ]
    assert states == ["expiring", "expired"]
    clock.advance(days=715)  # two years on, our own certificate is in its last two weeks too
    overview = signed_in("viewer").get("/ui").text
    assert re.search(r'id="certs-expiring" href="#certificates">3<', overview)


def test_a_certificate_that_cannot_be_read_is_shown_as_a_problem(signed_in, gateway):
    # No prepare_demo: the profiles name certificate files that do not exist in this data directory.
    client = signed_in("viewer")
    rows = _certificate_rows(client.get("/ui").text, "certificates-table")
    assert len(rows) == 2 and all('data-state="unreadable"' in r for r in rows)
    assert "cannot be read: cannot read" in _text(rows[0])
    partner = client.get("/ui/partners/acme-retail").text
    assert re.search(r'id="certs-flagged" href="#certificates">1<', partner)


def x509_load(path: Path):
    from cryptography import x509

    return x509.load_pem_x509_certificate(path.read_bytes())
