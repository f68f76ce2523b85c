"""kill -9 at every step of the pipeline, then start again: nothing accepted is lost, nothing reaches
the ERP or the partner twice in a form they could tell apart.

Each test runs real `edigate` processes against SQLite or PostgreSQL with ``EDIGATE_CRASH_AT`` set,
submits ACME orders (good and bad) over real HTTP with an ERP webhook receiver on loopback, waits for
the crash point's SIGKILL, starts the process again without the variable and waits until everything
settled. Then:

- every message a client submitted exists once and is final as its content says (good orders
  processed, a broken one and garbage rejected); a client that got no 202 retries with the same
  Idempotency-Key and gets the id the crashed process had committed;
- the ERP saw exactly the expected document ids, and every repeat of one id carried the same body
  (a crash between the ERP's 2xx and our bookkeeping makes a repeat unavoidable for an at-least-once
  webhook; the same ``webhook-id`` lets the ERP drop it);
- each interchange got exactly one acknowledgement control number, and a CONTRL a crash left
  staged (hidden) in ACME's SFTP ``/out`` was published with the same bytes, and nothing was sent
  twice;
- ``edigate audit verify`` finds the chain intact.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.channels.sftp_mailbox import STAGED_PREFIX
from tests.faults.nodes import Process, Site, acme_order, post, site, wait_for
from tests.gateway.test_erp_support import SECRET, Receiver

GOOD = 4
MESSAGES = [(f"order-{n}", acme_order(n), "processed") for n in range(1, GOOD + 1)] + [
    ("broken-order", acme_order(GOOD + 1, bad=True), "rejected"),
    ("garbage", b"this is not an interchange", "rejected"),
]
INTERCHANGES = GOOD + 1  # the garbage has no UNB, so no acknowledgement can quote it

# A separate worker process: each step that changes something on both databases; "after_claim"
# (nothing done yet but the lease) on one. The whole server: intake's own point on both databases,
# and each worker step once more with the in-process worker, alternating databases, to keep the
# folder's run time modest (every case starts two or three real processes).
WORKER_CASES = [
    pytest.param("sqlite", "after_claim", id="sqlite-after_claim"),
    *(
        pytest.param(database, point, id=f"{database}-{point}")
        for point in ("mid_translation", "after_erp_post", "during_ack_send")
        for database in ("sqlite", "postgresql")
    ),
]
SERVER_CASES = [
    pytest.param("sqlite", "after_archive_put", id="sqlite-after_archive_put"),
    pytest.param("sqlite", "after_intake_commit", id="sqlite-after_intake_commit"),
    pytest.param("postgresql", "after_intake_commit", id="postgresql-after_intake_commit"),
    pytest.param("postgresql", "mid_translation", id="postgresql-mid_translation"),
    pytest.param("sqlite", "after_erp_post", id="sqlite-after_erp_post"),
    pytest.param("postgresql", "during_ack_send", id="postgresql-during_ack_send"),
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver().running() as running:
        yield running


@pytest.fixture
def node(tmp_path: Path, database_url: str, receiver: Receiver) -> Iterator[Site]:
    with site(
        tmp_path / "data",
        database_url,
        EDIGATE_ERP_WEBHOOK_URL=receiver.url,
        EDIGATE_ERP_WEBHOOK_SECRET=SECRET,
        EDIGATE_DEMO_AUTO_ACCEPT="false",  # the demo ERP's order answers are not what these tests watch
    ) as running:
        yield running


def _submit_all(node: Site) -> dict[str, str]:
    """Post every message once; returns the ids answered with 202. A crashed server answers nothing."""
    answered: dict[str, str] = {}
    for key, body, _expected in MESSAGES:
        try:
            response = post(node.base, body, idempotency_key=key)
        except httpx.TransportError:
            continue
        assert response.status_code == 202, response.text
        answered[key] = response.json()["id"]
    return answered


def _retry_unanswered(node: Site, answered: dict[str, str]) -> dict[str, str | None]:
    """The client's part after a crash: resend what got no 202, with the same Idempotency-Key.
    Returns each resent key with the id the crashed process had committed for it, if any."""
    committed_unanswered: dict[str, str | None] = {}
    for key, body, _expected in MESSAGES:
        if key in answered:
            continue
        committed = committed_unanswered[key] = node.id_for_key(key)
        response = post(node.base, body, idempotency_key=key)
        assert response.status_code == 202, response.text
        answered[key] = response.json()["id"]
        if committed is not None:
            assert answered[key] == committed  # the retry is answered with the stored message
    return committed_unanswered


def _outbox_snapshot(node: Site) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_ino, p.read_bytes()) for p in node.outbox().iterdir() if p.is_file()}


def _check_outcome(node: Site, receiver: Receiver, answered: dict[str, str]) -> None:
    statuses = node.statuses()
    assert len(statuses) == len(MESSAGES), statuses  # no retry created a second transmission
    for key, _body, expected in MESSAGES:
        assert statuses[answered[key]] == expected, (key, statuses[answered[key]])

    by_id: dict[str, set[bytes]] = defaultdict(set)
    for request in receiver.requests:
        by_id[request.headers["webhook-id"]].add(request.body)
    assert set(by_id) == node.document_ids() and len(by_id) == GOOD
    assert all(len(bodies) == 1 for bodies in by_id.values()), "a repeat carried a different body"
    assert node.webhook_deliveries() == {"delivered": GOOD}

    acks = node.outbound_acks()
    files = _outbox_snapshot(node)
    assert len(acks) == INTERCHANGES and len(files) == INTERCHANGES
    for ack in acks:
        assert hashlib.sha256(files[ack.filename][1]).hexdigest() == ack.sha256
    numbers: dict[str, set[str]] = defaultdict(set)
    for _inode, data in files.values():
        answered_ref = re.search(rb"UCI\+([^+']+)\+", data)
        ours = re.search(rb"UNB\+[^']*?\+[^']*?\+[^']*?\+[^']*?\+([^+']+)", data)
        assert answered_ref and ours, data
        numbers[answered_ref.group(1).decode()].add(ours.group(1).decode())
    assert len(numbers) == INTERCHANGES and all(len(n) == 1 for n in numbers.values()), numbers

    verified = node.audit_verify()
    assert verified[0] == "intact", verified


def _check_crash_left_its_mark(
    point: str,
    receiver: Receiver,
    before: dict[str, tuple[int, bytes]],
    after: dict[str, tuple[int, bytes]],
    unanswered: dict[str, str | None],
) -> None:
    """Show that the process really died inside the window the point names."""
    if point == "after_archive_put":  # bytes archived, no row: the retry is a first delivery
        assert unanswered and not any(unanswered.values())
    if point == "after_intake_commit":
        assert any(unanswered.values()), "no message was committed without its 202"
    if point == "after_erp_post":
        ids = [r.headers["webhook-id"] for r in receiver.requests]
        assert len(ids) > len(set(ids)), "the ERP saw no repeat of the document posted before the crash"
    if point == "during_ack_send":
        # Killed between the commit and the rename: its CONTRLs were left staged (hidden from the
        # partner); the next worker published those very bytes, and sent nothing else again.
        staged = {name: data for name, (_inode, data) in before.items() if name.startswith(STAGED_PREFIX)}
        assert staged, "no acknowledgement was left staged"
        assert not [name for name in after if name.startswith(STAGED_PREFIX)]
        published = {data for name, (_inode, data) in after.items() if name not in before}
        assert set(staged.values()) <= published
        assert all(after[name] == before[name] for name in before if name not in staged)


@pytest.mark.parametrize(("database_url", "point"), WORKER_CASES, indirect=["database_url"])
def test_worker_killed_at_a_step_resumes_without_loss_or_visible_repeats(
    node: Site, receiver: Receiver, point: str
) -> None:
    node.serve(worker=False)
    answered = _submit_all(node)
    assert len(answered) == len(MESSAGES)
    victim: Process = node.worker(crash_at=f"{point}:2")
    victim.wait_killed()
    before = _outbox_snapshot(node)
    node.worker()
    node.wait_settled()
    _check_crash_left_its_mark(point, receiver, before, _outbox_snapshot(node), {})
    _check_outcome(node, receiver, answered)


@pytest.mark.parametrize(("database_url", "point"), SERVER_CASES, indirect=["database_url"])
def test_server_killed_at_a_step_resumes_and_clients_retry_idempotently(
    node: Site, receiver: Receiver, point: str
) -> None:
    victim = node.serve(crash_at=f"{point}:2")
    answered = _submit_all(node)
    victim.wait_killed()
    before = _outbox_snapshot(node)
    node.serve()
    unanswered = _retry_unanswered(node, answered)
    node.wait_settled()
    _check_crash_left_its_mark(point, receiver, before, _outbox_snapshot(node), unanswered)
    _check_outcome(node, receiver, answered)


def test_worker_killed_after_sending_an_order_response_sends_the_same_file_again(
    tmp_path: Path, receiver: Receiver
) -> None:
    """The demo ERP answers each order with an ORDRSP to ACME's SFTP /out; killed after one went out
    but before it was marked sent, the worker sends that file again: same name, same bytes."""
    with site(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'edigate.db'}",
        EDIGATE_ERP_WEBHOOK_URL=receiver.url,
        EDIGATE_ERP_WEBHOOK_SECRET=SECRET,
    ) as node:
        node.serve(worker=False)
        answered = _submit_all(node)
        node.worker(crash_at="after_outbound_send:2").wait_killed()
        before = _outbox_snapshot(node)
        node.worker()
        node.wait_settled()
        wait_for(lambda: set(node.outbound_statuses()) == {"sent"}, "every order response to be sent")
        after = _outbox_snapshot(node)
        responses = sorted(name for name in after if "_ORDRSP_" in name)
        assert len(responses) == len(node.outbound_statuses()) == GOOD
        assert [name for name in before if after[name][0] != before[name][0]], "nothing was sent again"
        assert all(after[name][1] == before[name][1] for name in before)
        assert {node.statuses()[answered[key]] for key, _body, _expected in MESSAGES[:GOOD]} == {"processed"}
        assert node.audit_verify()[0] == "intact"
