"""Sending over AS2: two edigate stations exchange a file over real HTTP, and the sender settles or
retries the delivery according to the MDN (sync and async, signature, MIC)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.config import Settings
from gateway.context import Gateway, open_gateway
from gateway.database.models import Acknowledgement, As2Outbound, AuditEvent, Transmission, WorkItem
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT
from tests.gateway.as2_peers.station import PAYLOAD, PemPair, as2_app, free_port, new_pair, serve

COMPANY = """name = "{name}"
gln = "4000001000005"
[edifact]
id = "4000001000005"
qualifier = "14"
[as2]
id = "{as2_id}"
certificate = "{cert}"
key = "{key}"
{mdn_url}
"""
PARTNER = """id = "{pid}"
name = "{pid}"
role = "customer"
delivery = "as2"
[as2]
id = "{as2_id}"
certificates = ["{cert}"]
{extra}
"""


@pytest.fixture(scope="module")
def pairs() -> dict[str, PemPair]:
    return {"A": new_pair("EDIGATE-A"), "B": new_pair("EDIGATE-B"), "X": new_pair("STRANGER")}


def write_station(
    folder: Path, me: str, my_pair: PemPair, peer: str, peer_cert: PemPair, mdn_url: str = "", extra: str = ""
) -> Path:
    certs = folder / "certs"
    certs.mkdir(parents=True, exist_ok=True)
    (certs / "me.pem").write_bytes(my_pair.certificate)
    (certs / "me.key").write_bytes(my_pair.key)
    (certs / "peer.pem").write_bytes(peer_cert.certificate)
    partners = folder / "partners"
    partners.mkdir(exist_ok=True)
    (partners / "company.toml").write_text(
        COMPANY.format(
            name=me,
            as2_id=me,
            cert=certs / "me.pem",
            key=certs / "me.key",
            mdn_url=f'mdn_url = "{mdn_url}"' if mdn_url else "",
        )
    )
    pid = peer.lower()
    (partners / f"{pid}.toml").write_text(
        PARTNER.format(pid=pid, as2_id=peer, cert=certs / "peer.pem", extra=extra)
    )
    return partners


@pytest.fixture
def second_gateway(tmp_path: Path) -> Iterator[Callable[[Path], Gateway]]:
    opened: list[Gateway] = []

    def build(partners: Path) -> Gateway:
        data = tmp_path / f"b-{len(opened)}"
        gw = open_gateway(
            Settings(data_dir=data, database_url=f"sqlite:///{data}.db", partners_dir=partners, demo=False)
        )
        opened.append(gw)
        return gw

    yield build
    for gw in opened:
        gw.close()


def queue_file(gw: Gateway, partner_id: str, data: bytes = PAYLOAD) -> str:
    """An outgoing file as the pipeline leaves it: an acknowledgement row and its delivery work item."""
    now = gw.clock()
    sha = gw.archive.put(data)
    ack_id = str(uuid.uuid4())
    with gw.sessions.begin() as session:
        transmission = Transmission(
            id=str(uuid.uuid4()),
            direction="inbound",
            channel="rest",
            partner_id=partner_id,
            received_at=now,
            sha256=sha,
            size=len(data),
            status="processed",
            transport={},
            errors=[],
        )
        session.add(transmission)
        session.flush()
        session.add(
            Acknowledgement(
                id=ack_id,
                direction="outbound",
                type="CONTRL",
                status="accepted",
                partner_id=partner_id,
                transmission_id=transmission.id,
                control_reference="42",
                sha256=sha,
                size=len(data),
                created_at=now,
                filename="contrl.edi",
            )
        )
        session.add(
            WorkItem(
                kind=DELIVER_ACKNOWLEDGEMENT,
                subject_id=ack_id,
                state="queued",
                attempts=0,
                available_at=now,
                created_at=now,
            )
        )
    return ack_id


def ack_state(gw: Gateway, ack_id: str) -> str:
    with gw.sessions() as session:
        ack = session.get(Acknowledgement, ack_id)
        assert ack is not None
        return ack.delivery_state


@pytest.mark.parametrize(
    "options",
    [
        'sign = true\nencrypt = true\ncompress = true\ncipher = "aes128_gcm"\nkey_transport = "rsaes_oaep"',
        'sign = true\nencrypt = true\ncipher = "tripledes"',
        'sign = true\nencrypt = false\ndigest = "sha512"\nmicalg_style = "sha256"',
        "sign = false\nencrypt = true\nmdn_signed = false",
    ],
    ids=["gcm-oaep-compressed", "3des", "sign-only-sha512", "encrypt-only"],
)
def test_two_edigate_stations_exchange_with_sync_mdn(
    make_gateway: Callable[..., Gateway],
    second_gateway: Callable[[Path], Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
    options: str,
) -> None:
    receiver_gw = second_gateway(
        write_station(
            tmp_path / "b", "EDIGATE-B", pairs["B"], "EDIGATE-A", pairs["A"], extra="must_sign = false"
        )
    )
    with serve(as2_app(receiver_gw)) as b_url:
        partners = write_station(
            tmp_path / "a",
            "EDIGATE-A",
            pairs["A"],
            "EDIGATE-B",
            pairs["B"],
            extra=f'url = "{b_url}/as2"\n{options}',
        )
        sender_gw = make_gateway(partners_dir=partners)
        ack_id = queue_file(sender_gw, "edigate-b")
        drain(sender_gw)
    assert ack_state(sender_gw, ack_id) == "delivered"
    with receiver_gw.sessions() as session:
        received = session.execute(select(Transmission).where(Transmission.channel == "as2")).scalar_one()
        assert receiver_gw.archive.get(received.sha256) == PAYLOAD
        assert received.partner_id == "edigate-a"
    with sender_gw.sessions() as session:
        row = session.execute(select(As2Outbound)).scalar_one()
        assert row.state == "delivered" and row.sends == 1
        assert received.transport["mic"] == f"{row.mic}, {row.mic_algorithm}"
        inbound_mdn = session.execute(
            select(Acknowledgement).where(
                Acknowledgement.type == "MDN", Acknowledgement.direction == "inbound"
            )
        ).scalar_one()
        assert inbound_mdn.status == "accepted"


def test_async_mdn_between_two_stations_settles_the_delivery(
    make_gateway: Callable[..., Gateway],
    second_gateway: Callable[[Path], Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
) -> None:
    a_port = free_port()
    a_url = f"http://127.0.0.1:{a_port}"
    receiver_gw = second_gateway(
        write_station(
            tmp_path / "b",
            "EDIGATE-B",
            pairs["B"],
            "EDIGATE-A",
            pairs["A"],
            extra=f'async_mdn_urls = ["{a_url}/as2/mdn"]',
        )
    )
    with ExitStack() as stack:
        b_url = stack.enter_context(serve(as2_app(receiver_gw)))
        partners = write_station(
            tmp_path / "a",
            "EDIGATE-A",
            pairs["A"],
            "EDIGATE-B",
            pairs["B"],
            mdn_url=f"{a_url}/as2/mdn",
            extra=f'url = "{b_url}/as2"\nmdn = "async"',
        )
        sender_gw = make_gateway(partners_dir=partners)
        stack.enter_context(serve_on(as2_app(sender_gw), a_port))
        ack_id = queue_file(sender_gw, "edigate-b")
        drain(sender_gw)
        assert ack_state(sender_gw, ack_id) == "awaiting_mdn"
        drain(receiver_gw)  # processes the payload and POSTs the MDN to A
    assert ack_state(sender_gw, ack_id) == "delivered"
    with sender_gw.sessions() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "as2_mdn_received" in actions


def test_negative_mdn_keeps_the_delivery_retrying_with_an_alert(
    make_gateway: Callable[..., Gateway],
    second_gateway: Callable[[Path], Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
) -> None:
    # B trusts a stranger's certificate for A: A's signature fails there.
    receiver_gw = second_gateway(
        write_station(tmp_path / "b", "EDIGATE-B", pairs["B"], "EDIGATE-A", pairs["X"])
    )
    with serve(as2_app(receiver_gw)) as b_url:
        partners = write_station(
            tmp_path / "a", "EDIGATE-A", pairs["A"], "EDIGATE-B", pairs["B"], extra=f'url = "{b_url}/as2"'
        )
        sender_gw = make_gateway(partners_dir=partners)
        ack_id = queue_file(sender_gw, "edigate-b")
        drain(sender_gw)
    assert ack_state(sender_gw, ack_id) == "retrying"
    with sender_gw.sessions() as session:
        item = session.execute(select(WorkItem).where(WorkItem.subject_id == ack_id)).scalar_one()
        failed = session.execute(
            select(AuditEvent).where(AuditEvent.action == "delivery_failed")
        ).scalar_one()
    assert "authentication-failed" in (item.last_error or "")
    assert "authentication-failed" in failed.details["error"]


def test_mdn_signed_by_the_wrong_certificate_is_not_accepted(
    make_gateway: Callable[..., Gateway],
    second_gateway: Callable[[Path], Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
) -> None:
    receiver_gw = second_gateway(
        write_station(
            tmp_path / "b", "EDIGATE-B", pairs["B"], "EDIGATE-A", pairs["A"], extra="must_sign = false"
        )
    )
    with serve(as2_app(receiver_gw)) as b_url:
        # A believes B signs with the stranger's certificate: B's genuine MDN must not verify.
        partners = write_station(
            tmp_path / "a",
            "EDIGATE-A",
            pairs["A"],
            "EDIGATE-B",
            pairs["X"],
            extra=f'url = "{b_url}/as2"\nencrypt = false',
        )
        sender_gw = make_gateway(partners_dir=partners)
        ack_id = queue_file(sender_gw, "edigate-b")
        drain(sender_gw)
    assert ack_state(sender_gw, ack_id) == "retrying"
    with sender_gw.sessions() as session:
        item = session.execute(select(WorkItem).where(WorkItem.subject_id == ack_id)).scalar_one()
    assert "does not verify" in (item.last_error or "")


def serve_on(app: Any, port: int) -> Any:
    """Like ``serve`` but on a port chosen beforehand (A's MDN URL is in B's allow-list first)."""
    import threading
    import time
    from contextlib import contextmanager

    import uvicorn

    @contextmanager
    def run() -> Iterator[str]:
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    return run()


def test_erp_document_goes_to_an_as2_partner_and_its_mdn_is_kept_with_it(
    make_gateway: Callable[..., Gateway],
    second_gateway: Callable[[Path], Gateway],
    drain: Callable[[Gateway], int],
    tmp_path: Path,
    pairs: dict[str, PemPair],
) -> None:
    from gateway.outbound import send_document

    receiver_gw = second_gateway(
        write_station(
            tmp_path / "b", "EDIGATE-B", pairs["B"], "EDIGATE-A", pairs["A"], extra="must_sign = false"
        )
    )
    with serve(as2_app(receiver_gw)) as b_url:
        partners = write_station(
            tmp_path / "a", "EDIGATE-A", pairs["A"], "EDIGATE-B", pairs["B"], extra=f'url = "{b_url}/as2"'
        )
        profile = partners / "edigate-b.toml"
        profile.write_text(profile.read_text() + '\n[[edifact]]\nid = "5412345000013"\nqualifier = "14"\n')
        sender_gw = make_gateway(partners_dir=partners)
        document = {"document_type": "order_response", "number": "OR-7", "order_number": "PO-7",
                    "issue_date": "2026-11-27", "response": "accepted"}  # fmt: skip
        sent = send_document(sender_gw, sender_gw.partners.get("edigate-b"), document, actor="erp")
        drain(sender_gw)
    with sender_gw.sessions() as session:
        outbound = session.get(Transmission, sent.id)
        assert outbound is not None and outbound.status == "sent"
        rendered = sender_gw.archive.get(outbound.sha256)
        row = session.execute(select(As2Outbound)).scalar_one()
        assert row.state == "delivered" and row.acknowledgement_id == sent.id
        mdn = session.execute(select(Acknowledgement).where(Acknowledgement.type == "MDN")).scalar_one()
        assert (mdn.status, mdn.answers_transmission_id) == ("accepted", sent.id)
    with receiver_gw.sessions() as session:
        received = session.execute(select(Transmission).where(Transmission.channel == "as2")).scalar_one()
        assert receiver_gw.archive.get(received.sha256) == rendered  # the ORDRSP, byte for byte
    assert b"ORDRSP:D:96A:UN:EAN005" in rendered
