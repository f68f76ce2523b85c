"""Message search: any number finds its message, filters combine, pages add up, indexes carry it."""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import insert, inspect, text

from gateway.api.app import create_app
from gateway.config import Settings
from gateway.context import Gateway, open_gateway
from gateway.dashboard.operators import ensure_operator
from gateway.dashboard.search import MessageQuery, any_number, list_statement, search_conditions
from gateway.database.models import Base, Document, Interchange, Message, Transmission

INDEXES = importlib.import_module("gateway.database.migrations.versions.0006_dashboard").INDEXES
ROWS = 5000
PARTNERS = ("acme-retail", "globex", "initech", "umbrella", "supplier-one")
STATUSES = ("processed", "processed", "processed", "rejected", "failed")
BASE_TIME = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


def seed(gateway: Gateway, rows: int = ROWS) -> list[str]:
    """``rows`` messages, one interchange, message and (for processed ones) document each.

    Message n: partner PARTNERS[n % 5], status STATUSES[n % 5], received BASE_TIME + n minutes,
    business number PO-n, interchange control reference IC-n, message reference M-n, group G-n.
    """
    ids = [str(uuid.UUID(int=n + 1)) for n in range(rows)]
    transmissions, interchanges, messages, documents = [], [], [], []
    for n, tid in enumerate(ids):
        status = STATUSES[n % 5]
        transmissions.append(
            {
                "id": tid,
                "direction": "outbound" if n % 10 == 9 else "inbound",
                "channel": "rest",
                "partner_id": PARTNERS[n % 5],
                "received_at": BASE_TIME + timedelta(minutes=n),
                "sha256": "0" * 64,
                "size": 100 + n,
                "transport": {},
                "status": status,
                "syntax": "x12" if n % 5 == 1 else "edifact",
                "message_type": "850" if n % 5 == 1 else "ORDERS",
                "business_number": f"PO-{n}" if status == "processed" else None,
                "errors": [],
            }
        )
        interchanges.append(
            {
                "id": n + 1,
                "transmission_id": tid,
                "position": 1,
                "syntax": "edifact",
                "sender_id": "S",
                "sender_qualifier": "14",
                "recipient_id": "R",
                "recipient_qualifier": "14",
                "control_reference": f"IC-{n}",
                "status": "accepted",
                "ack_requested": "",
                "test_indicator": "",
                "errors": [],
            }
        )
        messages.append(
            {
                "id": n + 1,
                "interchange_id": n + 1,
                "transmission_id": tid,
                "position": 1,
                "reference": f"M-{n}",
                "message_type": "ORDERS",
                "identifier": "ORDERS:D:96A:UN",
                "group_reference": f"G-{n}",
                "status": "accepted",
                "business_number": f"PO-{n}" if status == "processed" else None,
                "errors": [],
            }
        )
        if status == "processed":
            documents.append(
                {
                    "id": str(uuid.uuid4()),
                    "message_id": n + 1,
                    "transmission_id": tid,
                    "partner_id": PARTNERS[n % 5],
                    "document_type": "invoice" if n % 2 else "purchase_order",
                    "business_number": f"DOC-{n}",
                    "content": {},
                    "created_at": BASE_TIME,
                }
            )
    with gateway.sessions.begin() as session:
        for model, values in (
            (Transmission, transmissions),
            (Interchange, interchanges),
            (Message, messages),
            (Document, documents),
        ):
            session.execute(insert(model), values)
    return ids


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def gateway(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """One seeded database per backend for the whole module: these tests only read."""
    data_dir = tmp_path_factory.mktemp("search")
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'edigate.db'}"
    else:
        url = request.getfixturevalue("postgres").new()
    gw = open_gateway(Settings(data_dir=data_dir, database_url=url, demo=True))
    gw.seeded = seed(gw)  # type: ignore[attr-defined]
    yield gw
    gw.close()


@pytest.fixture
def seeded(gateway: Gateway) -> list[str]:
    return gateway.seeded  # type: ignore[attr-defined]


@pytest.fixture
def client(gateway: Gateway) -> Iterator[TestClient]:
    ensure_operator(gateway, "vera", "correct horse", "viewer")  # once per database: it is idempotent
    with TestClient(create_app(gateway, run_worker=False)) as test_client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', test_client.get("/ui/login").text).group(1)
        test_client.post(
            "/ui/login", data={"username": "vera", "password": "correct horse", "csrf_token": token}
        )
        yield test_client


@pytest.fixture
def listed(client: TestClient) -> Callable[..., tuple[str, list[str]]]:
    """The result line and the message ids on one page of the search."""

    def get(**params: str) -> tuple[str, list[str]]:
        page = client.get("/ui/messages", params=params)
        assert page.status_code == 200
        count = re.search(r'<p id="result-count">(.*?)</p>', page.text, re.S).group(1)
        return count, re.findall(r'<tr data-id="([^"]+)"', page.text)

    return get


def test_pages_add_up_to_the_total_on_5000_messages(seeded, listed):
    count, rows = listed()
    assert count == f"Messages 1–50 of {ROWS}" and len(rows) == 50
    assert rows[0] == seeded[-1]  # newest first
    count, rows = listed(page="100")
    assert count == f"Messages 4951–5000 of {ROWS}" and rows[-1] == seeded[0]
    count, _ = listed(page="999")  # past the end: the last page, not an empty one
    assert count == f"Messages 4951–5000 of {ROWS}"


@pytest.mark.parametrize(
    ("number", "index"),
    [
        ("PO-4711", 4711),  # business number (PO) on the transmission, message and document
        ("IC-4321", 4321),  # interchange control reference
        ("M-17", 17),  # message reference (UNH 0062 / ST02)
        ("G-2500", 2500),  # group reference
        ("DOC-1000", 1000),  # document business number only
        ("  PO-4711 ", 4711),  # pasted with spaces
    ],
)
def test_the_search_box_finds_a_message_by_any_business_or_control_number(seeded, listed, number, index):
    count, rows = listed(q=number)
    assert count == "Messages 1–1 of 1" and rows == [seeded[index]]


def test_the_message_id_itself_is_a_number_the_box_finds(seeded, listed):
    assert listed(q=seeded[3])[1] == [seeded[3]]


def test_filters_combine(seeded, listed):
    # acme-retail is n % 5 == 0, always "processed"; outbound is n % 10 == 9 (never acme).
    assert listed(partner="acme-retail")[0] == f"Messages 1–50 of {ROWS // 5}"
    assert listed(partner="acme-retail", status="processed")[0] == f"Messages 1–50 of {ROWS // 5}"
    assert listed(partner="acme-retail", status="rejected")[0].startswith("No messages match")
    assert listed(status="error")[0] == f"Messages 1–50 of {2 * ROWS // 5}"
    assert listed(direction="outbound")[0] == f"Messages 1–50 of {ROWS // 10}"
    assert listed(syntax="x12", message_type="850")[0] == f"Messages 1–50 of {ROWS // 5}"
    assert listed(document_type="invoice")[0] == f"Messages 1–50 of {3 * ROWS // 10}"
    assert listed(interchange="IC-42")[1] == [seeded[42]]
    assert listed(message="M-43")[1] == [seeded[43]]
    assert listed(group="G-44")[1] == [seeded[44]]
    assert listed(business="DOC-45")[1] == [seeded[45]]
    assert listed(business="PO-45", partner="acme-retail")[1] == [seeded[45]]
    assert listed(business="PO-45", partner="globex")[1] == []


def test_date_range_is_whole_utc_days(seeded, listed):
    # BASE_TIME is 08:00; 960 minutes later the next day starts.
    assert listed(received_from="2026-03-02", received_to="2026-03-02")[0] == "Messages 1–50 of 960"
    assert listed(received_from="2026-03-03", received_to="2026-03-03")[0] == "Messages 1–50 of 1440"
    count, _ = listed(received_from="not-a-date")
    assert count == f"Messages 1–50 of {ROWS}"


def test_a_bad_filter_value_is_explained_and_ignored(seeded, client):
    page = client.get("/ui/messages", params={"received_from": "yesterday", "status": "lost"}).text
    assert "is not a date (YYYY-MM-DD); it was ignored" in page and "unknown status" in page


def test_sorting_by_column_both_ways(seeded, listed):
    _, ascending = listed(sort="received", order="asc")
    assert ascending[:2] == seeded[:2]
    _, by_size = listed(sort="size", order="desc")
    assert by_size[0] == seeded[-1]
    _, by_partner = listed(sort="partner", order="asc", status="failed")
    assert by_partner and all(i in seeded[4::5] for i in by_partner)  # failed = n % 5 == 4 = supplier-one


def test_sort_and_page_links_keep_the_filters(seeded, client):
    page = client.get("/ui/messages", params={"partner": "globex", "q": ""}).text
    assert 'href="/ui/messages?partner=globex&amp;sort=partner&amp;order=desc"' in page
    assert 'href="/ui/messages?partner=globex&amp;page=2" rel' in page or (
        'rel="next" href="/ui/messages?partner=globex&amp;page=2"' in page
    )


def _plans(gateway: Gateway, statements: list) -> list[str]:
    out = []
    with gateway.engine.connect() as conn:
        if gateway.engine.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))  # what the planner can do, not what is cheap
        for statement in statements:
            compiled = statement.compile(gateway.engine, compile_kwargs={"literal_binds": True})
            prefix = "EXPLAIN QUERY PLAN " if gateway.engine.dialect.name == "sqlite" else "EXPLAIN "
            rows = conn.execute(text(prefix + str(compiled))).all()
            out.append("\n".join(str(r[-1]) for r in rows))
    return out


@pytest.mark.parametrize(
    "params",
    [
        {"q": "PO-4711"},
        {"partner": "globex"},
        {"status": "rejected"},
        {"direction": "outbound"},
        {"syntax": "x12"},
        {"message_type": "850"},
        {"document_type": "invoice"},
        {"interchange": "IC-1"},
        {"group": "G-1"},
        {"message": "M-1"},
        {"business": "PO-1"},
        {"received_from": "2026-03-03"},
    ],
)
def test_every_filter_is_answered_from_an_index(gateway, seeded, params):
    query = MessageQuery.from_params(params)
    conditions = search_conditions(query)
    statements = [list_statement(query, conditions, 50)]
    if query.q:
        statements.append(any_number(query.q))
    for plan in _plans(gateway, statements):
        if gateway.engine.dialect.name == "sqlite":
            full_scans = [
                line
                for line in plan.splitlines()
                if re.search(r"\bSCAN (transmissions|interchanges|messages|documents)\b", line)
                and "INDEX" not in line
            ]
            assert not full_scans, plan
        else:
            assert "Seq Scan" not in plan, plan


def test_migration_0006_creates_exactly_the_indexes_and_columns_the_models_declare(gateway):
    """Only what this migration owns is compared: other migrations are checked by their own tests."""
    with gateway.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
    mine = {name for _table, name, _columns in INDEXES}
    about_mine = [
        d
        for d in flat
        if (d[0] in ("add_index", "remove_index") and d[1].name in mine)
        or (len(d) > 2 and d[2] == "operators")
        or (d[0] in ("add_column", "remove_column") and d[2] == "operators")
    ]
    assert about_mine == []
    inspector = inspect(gateway.engine)
    present = {(t, i["name"]) for t in {t for t, _n, _c in INDEXES} for i in inspector.get_indexes(t)}
    assert {(t, n) for t, n, _c in INDEXES} <= present
    columns = {c["name"] for c in inspector.get_columns("operators")}
    assert {"failed_logins", "locked_until", "last_login_at"} <= columns


def test_migration_0011_drops_the_transmission_indexes_others_cover(gateway):
    """(status) and (partner_id) went: the composite indexes that lead with them answer the same
    filters (``test_every_filter_is_answered_from_an_index``), at two index writes less a change."""
    with gateway.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        indexes = {index["name"] for index in inspect(conn).get_indexes("transmissions")}
    flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
    assert [
        d for d in flat if d[0] in ("add_index", "remove_index") and d[1].table.name == "transmissions"
    ] == []
    assert not indexes & {"ix_transmissions_status", "ix_transmissions_partner_id"}
    assert {"ix_transmissions_status_received", "ix_transmissions_partner_received"} <= indexes
