"""What the retention, legal hold and export tests share: the rows of one record, and time travel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from gateway.context import Gateway
from gateway.database.models import Acknowledgement, As2Inbound, Document, Transmission

SUPPLIER_KEY = "demo-supplier-one-key"


@dataclass(frozen=True)
class Stored:
    """One record as the database holds it after processing."""

    id: str
    received_at: datetime
    sha256: str
    documents: list[str]
    acknowledgements: list[str]
    ack_hashes: list[str]


def stored(gw: Gateway, transmission_id: str) -> Stored:
    with gw.sessions() as session:
        transmission = session.get(Transmission, transmission_id)
        assert transmission is not None
        documents = session.execute(
            select(Document.id).where(Document.transmission_id == transmission_id)
        ).scalars()
        acks = session.execute(
            select(Acknowledgement.id, Acknowledgement.sha256).where(
                Acknowledgement.transmission_id == transmission_id
            )
        ).all()
        return Stored(
            transmission.id,
            transmission.received_at,
            transmission.sha256,
            list(documents),
            [a.id for a in acks],
            [a.sha256 for a in acks],
        )


def end_of_period(created: datetime, years: int) -> datetime:
    """The first instant a record created at ``created`` may go after ``years`` years."""
    return datetime(created.astimezone(UTC).year + 1 + years, 1, 1, tzinfo=UTC)


def move_clock_to(clock, moment: datetime) -> datetime:  # type: ignore[no-untyped-def]
    clock.advance(seconds=(moment - clock()).total_seconds())
    return clock()


def receive_over_as2(gw: Gateway, drain) -> str:  # type: ignore[no-untyped-def]
    """ACME (played by pyas2lib) sends its order signed and encrypted, asking for a signed sync MDN;
    returns the transmission id. Skips when pyas2lib is not installed."""
    from fastapi.testclient import TestClient

    from tests.gateway.as2_peers.station import (
        ACME_AS2,
        OUR_AS2,
        Pyas2libPeer,
        as2_app,
        headers_of,
        install_demo_keys,
        new_pair,
        pyas2lib,
    )

    ours, acme = new_pair(OUR_AS2), new_pair(ACME_AS2)
    install_demo_keys(gw.settings.data_dir, ours, acme)
    message = Pyas2libPeer(acme=acme, ours=ours, module=pyas2lib()).message()
    with TestClient(as2_app(gw)) as client:
        response = client.post("/as2", content=message.content, headers=headers_of(message))
    assert response.status_code == 200, response.text
    drain(gw)
    with gw.sessions() as session:
        row = session.execute(select(As2Inbound)).scalar_one()
        assert row.transmission_id and row.request_sha256 and row.mdn_sha256
        return row.transmission_id
