"""Large EDIFACT files are read from the archive a window at a time and stored message by message.

The streamed path must store exactly what the whole-file path stores: these tests run the same
interchanges through two gateways, one streaming everything (threshold 0), and compare the rows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gateway import pipeline
from gateway.audit_check import verify_all
from gateway.config import Settings
from gateway.context import Gateway, open_gateway
from gateway.database.models import Acknowledgement, AuditEvent, Document, ErpDelivery, Transmission
from gateway.database.models import Interchange as InterchangeRow
from gateway.database.models import Message as MessageRow
from gateway.intake import Upload, accept

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
ACME = (FIXTURES / "acme_orders_d96a.edi").read_bytes()


def many_orders(count: int, *, reference: str = "BIG0001", unz_count: int | None = None) -> bytes:
    """One interchange holding ``count`` copies of the acme order, each with its own numbers."""
    text = ACME.decode("latin-1")
    unh = text.index("UNH+")
    unt = text.index("'", text.index("UNT+")) + 1
    head = text[:unh].replace("ACME000123", reference)
    message = text[unh:unt]
    body = "".join(
        message.replace("ME000001", f"M{n:07d}").replace("PO-2026-0042", f"PO-{n:07d}")
        for n in range(1, count + 1)
    )
    trailer = f"UNZ+{count if unz_count is None else unz_count}+{reference}'"
    return (head + body + trailer).encode("latin-1")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def without_ids(errors: list[dict]) -> list[dict]:
    """Errors with the other gateway's message ids (in duplicate texts) blanked out."""
    return [{**e, "text": _UUID.sub("…", e["text"])} for e in errors]


def stored(gw: Gateway, transmission_id: str) -> dict:
    """Everything the pipeline decided about one transmission, without ids and times."""
    with gw.sessions() as session:
        t = session.get(Transmission, transmission_id)
        interchanges = session.execute(
            select(InterchangeRow)
            .where(InterchangeRow.transmission_id == t.id)
            .order_by(InterchangeRow.position)
        ).scalars()
        messages = session.execute(
            select(MessageRow).where(MessageRow.transmission_id == t.id).order_by(MessageRow.position)
        ).scalars()
        documents = session.execute(
            select(Document).where(Document.transmission_id == t.id).order_by(Document.business_number)
        ).scalars()
        acks = session.execute(
            select(Acknowledgement)
            .where(Acknowledgement.transmission_id == t.id)
            .order_by(Acknowledgement.type)
        ).scalars()
        return {
            "transmission": (t.status, t.syntax, t.message_type, t.business_number, without_ids(t.errors)),
            "interchanges": [
                (i.control_reference, i.status, without_ids(i.errors), i.partner_id) for i in interchanges
            ],
            "messages": [(m.reference, m.status, m.business_number, m.errors) for m in messages],
            "documents": [(d.document_type, d.business_number, d.content) for d in documents],
            "acks": [(a.type, a.status, a.control_reference) for a in acks],
        }


def submit(gw: Gateway, data: bytes, drain: Callable[[Gateway], int]) -> str:
    receipt = accept(gw, Upload("rest", io.BytesIO(data), None, "test"))
    drain(gw)
    return receipt.id


def audit_actions(gw: Gateway, transmission_id: str) -> list[str]:
    with gw.sessions() as session:
        return list(
            session.execute(
                select(AuditEvent.action)
                .where(AuditEvent.subject_id == transmission_id)
                .order_by(AuditEvent.seq)
            ).scalars()
        )


@pytest.fixture
def pair(
    make_gateway: Callable[..., Gateway], database_url: str, tmp_path: Path, request
) -> tuple[Gateway, Gateway]:
    """Two gateways with databases and archives of their own: one reads whole files, one streams."""
    if database_url.startswith("sqlite"):
        second = f"sqlite:///{tmp_path / 'streamed.db'}"
    else:
        second = request.getfixturevalue("postgres").new()
    streamed = make_gateway(stream_threshold_bytes=0, database_url=second, data_dir=tmp_path / "streamed")
    return make_gateway(), streamed


SYNTHETIC = {
    "many_orders": many_orders(3),
    "unz_count_wrong": many_orders(3, unz_count=4),
    "unz_reference_wrong": many_orders(2).replace(b"UNZ+2+BIG0001", b"UNZ+2+OTHER"),
}


@pytest.fixture
def sqlite_pair(tmp_path: Path, clock) -> Iterator[tuple[Gateway, Gateway]]:
    """The fixture files need not run on both databases: storage is the same code either way."""
    gateways = [
        open_gateway(
            Settings(
                data_dir=tmp_path / name,
                database_url=f"sqlite:///{tmp_path / name}.db",
                demo=True,
                stream_threshold_bytes=threshold,
            ),
            clock=clock,
        )
        for name, threshold in (("whole", 1 << 30), ("streamed", 0))
    ]
    yield gateways[0], gateways[1]
    for gw in gateways:
        gw.close()


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.edi")), ids=lambda p: p.name)
def test_streamed_storage_equals_whole_file_storage(path: Path, sqlite_pair, drain) -> None:
    whole, streamed = sqlite_pair
    data = path.read_bytes()
    assert stored(streamed, submit(streamed, data, drain)) == stored(whole, submit(whole, data, drain))


def test_envelope_errors_at_the_end_are_stored_alike_on_both_databases(pair, drain) -> None:
    whole, streamed = pair
    for data in SYNTHETIC.values():
        assert stored(streamed, submit(streamed, data, drain)) == stored(whole, submit(whole, data, drain))


def test_a_repeated_large_interchange_is_a_duplicate_on_both_paths(pair, drain) -> None:
    whole, streamed = pair
    data = many_orders(2, reference="DUP0001")
    results = []
    for gw in (whole, streamed):
        submit(gw, data, drain)
        results.append(stored(gw, submit(gw, data, drain)))
    assert results[0] == results[1]
    assert results[1]["interchanges"][0][1] == "duplicate"
    assert results[1]["documents"] == []


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    """Flush every few messages, so a short file crosses several flushes."""
    monkeypatch.setattr(pipeline, "STREAM_BATCH", 5)
    return 5


def test_an_interchange_rejected_only_at_its_end_stores_no_document(
    make_gateway, drain, small_batches
) -> None:
    gw = make_gateway(stream_threshold_bytes=0)
    transmission = submit(gw, many_orders(12, unz_count=7), drain)
    result = stored(gw, transmission)
    assert result["transmission"][0] == "rejected"
    assert [e["code"] for e in result["interchanges"][0][2]] == ["UNZ_COUNT_MISMATCH"]
    assert {m[1] for m in result["messages"]} == {"rejected"} and len(result["messages"]) == 12
    assert result["documents"] == []
    with gw.sessions() as session:
        assert session.execute(select(func.count()).select_from(ErpDelivery)).scalar_one() == 0
    assert [a[:2] for a in result["acks"]] == [("CONTRL", "rejected")]


def test_many_messages_cross_several_flushes_and_all_arrive(make_gateway, drain, small_batches) -> None:
    gw = make_gateway(stream_threshold_bytes=0)
    count = 4 * small_batches + 3
    transmission = submit(gw, many_orders(count), drain)
    result = stored(gw, transmission)
    assert result["transmission"][0] == "processed"
    assert [m[2] for m in result["messages"]] == [f"PO-{n:07d}" for n in range(1, count + 1)]
    assert len(result["documents"]) == count
    with gw.sessions() as session:
        deliveries = session.execute(select(func.count()).select_from(ErpDelivery)).scalar_one()
    assert deliveries == count  # one pull-API delivery per document
    actions = audit_actions(gw, transmission)
    assert actions.count("translated") == count and actions[-1] == "processed"
    assert verify_all(gw).intact
