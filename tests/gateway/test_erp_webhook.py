"""Webhook delivery to the ERP: Standard Webhooks signatures, retries with back-off, dead letter,
replay, 410 Gone, and per-partner order — against a real HTTP receiver on loopback.

Signatures are checked with the ``standardwebhooks`` package (the reference implementation), not
with edigate's own code. Time moves with the FakeClock; nothing sleeps to wait for a retry.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from gateway.context import Gateway
from gateway.database.models import Document, ErpEndpoint, WorkItem
from gateway.erp.delivery import backoff_seconds
from gateway.erp.outbox import DELIVER_TO_ERP
from gateway.erp.replay import ErpReplayError, enable_webhook, replay_dead, replay_document
from gateway.erp.webhook import Verdict, classify, sign
from gateway.intake import Upload, accept
from tests.gateway.test_erp_support import (
    FIXTURES,
    HANG,
    SECRET,
    SUPPLIER_FILES,
    Receiver,
    audit_actions,
    closed_port_url,
    delivery,
    document_of,
    submit_file,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver().running() as running:
        yield running


@pytest.fixture
def webhook_gateway(make_gateway: Callable[..., Gateway], receiver: Receiver) -> Callable[..., Gateway]:
    def factory(**overrides: object) -> Gateway:
        settings: dict[str, object] = {
            "erp_webhook_url": receiver.url,
            "erp_webhook_secret": SECRET,
            "erp_webhook_backoff_seconds": 60.0,  # far longer than any drain, even on a slow runner
            "erp_webhook_timeout": 5.0,
        }
        settings.update(overrides)
        return make_gateway(**settings)

    return factory


def deliver_one(gw: Gateway, name: str, drain: Callable[[Gateway], int]) -> Document:
    """Submit one fixture and run the worker until nothing is due; returns its document."""
    transmission = submit_file(gw, name)
    drain(gw)
    return document_of(gw, transmission)


def verify_independently(received, *, check_timestamp_window: bool) -> dict:
    """The reference library recomputes the signature from the secret, id, timestamp and body."""
    webhook = Webhook(SECRET)
    headers = received.headers
    if check_timestamp_window:  # only valid while the fake clock has not moved past real time
        return webhook.verify(received.body, headers)
    timestamp = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    expected = webhook.sign(headers["webhook-id"], timestamp, received.body.decode())
    assert headers["webhook-signature"] == expected
    return json.loads(received.body)


def test_signature_matches_the_standard_webhooks_test_vector():
    import base64

    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    assert sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_document_is_posted_signed_with_the_document_id_as_webhook_id(webhook_gateway, receiver, drain):
    gw = webhook_gateway()
    transmission = submit_file(gw, "supplier_one_ordrsp_d96a.edi")
    drain(gw)
    document = document_of(gw, transmission)
    [request] = receiver.requests
    payload = verify_independently(request, check_timestamp_window=True)
    assert request.headers["webhook-id"] == document.id
    assert request.headers["content-type"] == "application/json"
    assert payload["type"] == "document.received"
    data = payload["data"]
    assert data["id"] == document.id
    assert data["document_type"] == "order_response"
    assert data["partner"] == "supplier-one"
    assert data["message_id"] == transmission
    assert data["business_number"] == document.business_number
    assert data["document"] == document.content
    assert datetime.fromisoformat(data["created_at"]) == document.created_at
    row = delivery(gw, document.id, "webhook")
    assert (row.state, row.attempts, row.last_status) == ("delivered", 1, 200)
    assert "erp_delivered" in audit_actions(gw, document.id)


def test_500_is_retried_after_backoff_with_the_same_id_and_body(webhook_gateway, receiver, drain, clock):
    receiver.script = [500, 503]
    gw = webhook_gateway()
    document = deliver_one(gw, "supplier_one_ordrsp_d96a.edi", drain)
    assert len(receiver.requests) == 1
    row = delivery(gw, document.id, "webhook")
    assert (row.state, row.attempts, row.last_status) == ("retrying", 1, 500)
    assert row.next_attempt_at > clock()

    drain(gw)  # not due yet: nothing is sent before the back-off has passed
    assert len(receiver.requests) == 1

    clock.advance(hours=1)
    drain(gw)
    clock.advance(hours=1)
    drain(gw)
    requests = receiver.requests
    assert [r.status for r in requests] == [500, 503, 200]
    assert {r.headers["webhook-id"] for r in requests} == {document.id}
    assert {r.body for r in requests} == {requests[0].body}
    timestamps = [int(r.headers["webhook-timestamp"]) for r in requests]
    assert timestamps == sorted(timestamps) and len(set(timestamps)) == 3
    for request in requests:
        verify_independently(request, check_timestamp_window=False)
    row = delivery(gw, document.id, "webhook")
    assert (row.state, row.attempts, row.last_status) == ("delivered", 3, 200)
    actions = audit_actions(gw, document.id)
    assert actions.count("erp_delivery_retrying") == 2 and actions[-1] == "erp_delivered"


def test_dead_letter_after_the_configured_attempts_then_replay_delivers(
    webhook_gateway, receiver, drain, clock
):
    receiver.default = 500
    gw = webhook_gateway(erp_webhook_max_attempts=3)
    transmission = submit_file(gw, "supplier_one_ordrsp_d96a.edi")
    for _ in range(5):
        drain(gw)
        clock.advance(hours=2)
    document = document_of(gw, transmission)
    assert len(receiver.requests) == 3
    row = delivery(gw, document.id, "webhook")
    assert (row.state, row.attempts, row.last_status) == ("dead", 3, 500)
    assert "erp_delivery_dead" in audit_actions(gw, document.id)

    receiver.default = 200
    assert replay_document(gw, document.id, actor="operator:test", reason="ERP fixed") == ["webhook"]
    drain(gw)
    requests = receiver.requests
    assert len(requests) == 4 and requests[-1].status == 200
    assert requests[-1].headers["webhook-id"] == document.id
    assert delivery(gw, document.id, "webhook").state == "delivered"
    assert "erp_replay_requested" in audit_actions(gw, document.id)


def test_replay_of_all_dead_deliveries_and_refusal_of_unknown_documents(webhook_gateway, receiver, drain):
    receiver.default = 422
    gw = webhook_gateway()
    transmissions = [submit_file(gw, name) for name in SUPPLIER_FILES[:2]]
    drain(gw)
    ids = [document_of(gw, t).id for t in transmissions]
    assert [delivery(gw, i, "webhook").state for i in ids] == ["dead", "dead"]

    receiver.default = 200
    assert replay_dead(gw, actor="operator:test", reason="payload fixed") == ids
    drain(gw)
    assert [delivery(gw, i, "webhook").state for i in ids] == ["delivered", "delivered"]
    assert [r.headers["webhook-id"] for r in receiver.requests[-2:]] == ids
    with pytest.raises(ErpReplayError, match="no document"):
        replay_document(gw, "no-such-document", actor="operator:test", reason="x")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 301])
def test_a_refusal_goes_to_the_dead_letter_at_once_and_does_not_block_later_documents(
    webhook_gateway, receiver, drain, status
):
    receiver.script = [status]
    gw = webhook_gateway()
    first, second = (submit_file(gw, name) for name in SUPPLIER_FILES[:2])
    drain(gw)
    first_row = delivery(gw, document_of(gw, first).id, "webhook")
    assert (first_row.state, first_row.attempts, first_row.last_status) == ("dead", 1, status)
    assert delivery(gw, document_of(gw, second).id, "webhook").state == "delivered"


def test_410_gone_disables_the_endpoint_until_an_operator_enables_it(webhook_gateway, receiver, drain):
    receiver.default = 410
    gw = webhook_gateway()
    first = deliver_one(gw, SUPPLIER_FILES[0], drain)
    assert delivery(gw, first.id, "webhook").state == "disabled"
    with gw.sessions() as session:
        [endpoint] = session.execute(select(ErpEndpoint)).scalars()
        assert endpoint.state == "disabled" and endpoint.display == receiver.url
    assert "erp_webhook_disabled" in audit_actions(gw, endpoint.id)

    receiver.default = 200
    second = deliver_one(gw, SUPPLIER_FILES[1], drain)
    assert len(receiver.requests) == 1  # nothing more is sent to a disabled endpoint
    assert delivery(gw, second.id, "webhook").state == "disabled"

    assert enable_webhook(gw, actor="operator:test", reason="ERP moved back") == 2
    drain(gw)
    assert [r.headers["webhook-id"] for r in receiver.requests[1:]] == [first.id, second.id]
    assert {delivery(gw, d.id, "webhook").state for d in (first, second)} == {"delivered"}
    with gw.sessions() as session:
        assert session.execute(select(ErpEndpoint.state)).scalar_one() == "enabled"


def test_a_retrying_document_holds_back_later_documents_of_the_same_partner(
    webhook_gateway, receiver, drain, clock
):
    receiver.script = [500]
    gw = webhook_gateway()
    first, second, third = (submit_file(gw, name) for name in SUPPLIER_FILES)
    drain(gw)
    ids = [document_of(gw, t).id for t in (first, second, third)]
    assert [r.headers["webhook-id"] for r in receiver.requests] == ids[:1]
    assert [delivery(gw, i, "webhook").state for i in ids] == ["retrying", "queued", "queued"]

    clock.advance(hours=1)
    drain(gw)
    assert [r.headers["webhook-id"] for r in receiver.requests] == [ids[0], *ids]
    assert [delivery(gw, i, "webhook").state for i in ids] == ["delivered"] * 3
    # Waiting spent no attempt.
    assert [delivery(gw, i, "webhook").attempts for i in ids] == [2, 1, 1]


def test_other_partners_are_not_held_back_by_a_retrying_document(webhook_gateway, receiver, drain):
    receiver.script = [500]
    gw = webhook_gateway()
    supplier = submit_file(gw, SUPPLIER_FILES[0])
    customer = submit_file(gw, "acme_orders_d96a.edi", partner="acme-retail")
    drain(gw)
    assert delivery(gw, document_of(gw, supplier).id, "webhook").state == "retrying"
    assert delivery(gw, document_of(gw, customer).id, "webhook").state == "delivered"


def test_a_timeout_is_retried(webhook_gateway, receiver, drain, clock):
    receiver.script = [HANG]
    gw = webhook_gateway(erp_webhook_timeout=0.3)
    document = deliver_one(gw, SUPPLIER_FILES[0], drain)
    row = delivery(gw, document.id, "webhook")
    assert (row.state, row.last_status) == ("retrying", None)
    assert "no answer within 0.3 s" in (row.last_error or "")
    clock.advance(hours=1)
    drain(gw)
    assert delivery(gw, document.id, "webhook").state == "delivered"


def test_a_refused_connection_is_retried(make_gateway, drain):
    gw = make_gateway(erp_webhook_url=closed_port_url(), erp_webhook_secret=SECRET)
    document = deliver_one(gw, SUPPLIER_FILES[0], drain)
    row = delivery(gw, document.id, "webhook")
    assert row.state == "retrying" and "ConnectError" in (row.last_error or "")


def test_a_spare_work_item_never_sends_twice_or_early(webhook_gateway, receiver, drain, clock):
    receiver.script = [500]
    gw = webhook_gateway()
    document = deliver_one(gw, SUPPLIER_FILES[0], drain)
    row = delivery(gw, document.id, "webhook")
    with gw.sessions.begin() as session:  # a duplicate wake-up, due now, during the back-off
        now = clock()
        session.add(
            WorkItem(
                kind=DELIVER_TO_ERP,
                subject_id=str(row.id),
                state="queued",
                attempts=0,
                available_at=now,
                created_at=now,
            )
        )
    drain(gw)
    assert len(receiver.requests) == 1
    clock.advance(hours=1)
    drain(gw)
    assert len(receiver.requests) == 2
    with gw.sessions.begin() as session:
        now = clock()
        session.add(
            WorkItem(
                kind=DELIVER_TO_ERP,
                subject_id=str(row.id),
                state="queued",
                attempts=0,
                available_at=now,
                created_at=now,
            )
        )
    drain(gw)
    assert len(receiver.requests) == 2  # already delivered: the spare item does nothing


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backoff_doubles_up_to_the_cap_with_jitter_and_honours_retry_after(make_gateway):
    settings = make_gateway(erp_webhook_backoff_seconds=10, erp_webhook_backoff_max_seconds=300).settings
    rng = random.Random(7)
    for attempts, step in [(1, 10), (2, 20), (3, 40), (5, 160), (6, 300), (20, 300)]:
        delays = [backoff_seconds(settings, attempts, None, rng) for _ in range(200)]
        assert all(step / 2 <= d <= step for d in delays)
        assert len({round(d, 6) for d in delays}) > 100  # jittered, not one fixed value
    assert backoff_seconds(settings, 1, 120, rng) >= 120
    assert backoff_seconds(settings, 1, 10_000, rng) <= 300


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (500, Verdict.RETRY),
        (502, Verdict.RETRY),
        (408, Verdict.RETRY),
        (429, Verdict.RETRY),
        (410, Verdict.GONE),
        (400, Verdict.DEAD),
        (401, Verdict.DEAD),
        (302, Verdict.DEAD),
    ],
)
def test_answers_are_classified(status, verdict):
    assert classify(status) is verdict


def _invoice(n: int) -> bytes:
    """Supplier One's invoice with its own interchange reference and invoice number."""
    data = (FIXTURES / "supplier_one_invoic_d96a.edi").read_bytes()
    data = data.replace(b"SO000301", f"SOH{n:05d}".encode())
    return data.replace(b"INV-2026-0100", f"INV-H-{n:04d}".encode())


def test_an_erp_down_for_an_hour_gets_every_document_afterwards_in_order_and_once(
    make_gateway, receiver, drain, clock
):
    """With the default retry policy: the ERP answers 503 for a simulated hour while a partner keeps
    sending; nothing goes to the dead letter (with 8 attempts, the old default, the first document
    did), and once the ERP is back every document arrives exactly once, in the order made."""
    gw = make_gateway(erp_webhook_url=receiver.url, erp_webhook_secret=SECRET)
    receiver.default = 503
    transmissions = []
    for minute in range(60):
        if minute % 6 == 0:  # a new invoice every six minutes
            upload = Upload("rest", _invoice(minute), partner_id="supplier-one", actor="test")
            transmissions.append(accept(gw, upload).id)
        drain(gw)
        clock.advance(minutes=1)
    ids = [document_of(gw, t).id for t in transmissions]
    states = {delivery(gw, i, "webhook").state for i in ids}
    assert states <= {"queued", "retrying"}, states  # waiting, none dead
    assert {r.headers["webhook-id"] for r in receiver.requests} == {ids[0]}  # only the oldest was tried

    receiver.default = 200
    outage_attempts = len(receiver.requests)
    for _ in range(24 * 4):  # at most a simulated day in quarter hours; stops once all is delivered
        clock.advance(minutes=15)
        drain(gw)
        if all(delivery(gw, i, "webhook").state == "delivered" for i in ids):
            break
    delivered = [r.headers["webhook-id"] for r in receiver.requests[outage_attempts:] if r.status == 200]
    assert delivered == ids
    assert [delivery(gw, i, "webhook").state for i in ids] == ["delivered"] * len(ids)
