"""How fast the dashboard lists and searches 100,000 stored messages.

Run from the repository root:  python bench/dashboard_search.py [--rows N] [--database-url URL] [--repeat N]

Seeds N messages (each with an interchange, a message, a document for the processed ones and a few
audit events) into a fresh SQLite database in a temporary folder - or into the empty database at
``--database-url`` (PostgreSQL) - and prints the median time of each query the Messages and
Overview screens run. A benchmark measures; it never fails a build.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from gateway.config import Settings
from gateway.context import Gateway, open_gateway
from gateway.dashboard.overview import build_overview
from gateway.dashboard.search import MessageQuery, search_messages
from gateway.database.models import Document, Interchange, Message, Transmission

PARTNERS = ("acme-retail", "globex", "initech", "umbrella", "supplier-one", "contoso")
STATUSES = ("processed",) * 8 + ("rejected", "failed")
CHUNK = 5000


def seed(gw: Gateway, rows: int) -> None:
    now = gw.clock()
    for start in range(0, rows, CHUNK):
        transmissions, interchanges, messages, documents = [], [], [], []
        for n in range(start, min(rows, start + CHUNK)):
            tid = str(uuid.UUID(int=n + 1))
            status = STATUSES[n % len(STATUSES)]
            number = f"PO-{n:07d}" if status == "processed" else None
            received = now - timedelta(minutes=n)  # about ten weeks of traffic, newest first
            transmissions.append(
                {"id": tid, "direction": "inbound" if n % 7 else "outbound", "channel": "rest",
                 "partner_id": PARTNERS[n % len(PARTNERS)], "received_at": received, "sha256": "0" * 64,
                 "size": 1000 + n % 5000, "transport": {}, "status": status,
                 "syntax": "x12" if n % 3 == 0 else "edifact",
                 "message_type": "850" if n % 3 == 0 else "ORDERS",
                 "business_number": number, "errors": []}
            )  # fmt: skip
            interchanges.append(
                {"id": n + 1, "transmission_id": tid, "position": 1, "syntax": "edifact", "sender_id": "S",
                 "sender_qualifier": "14", "recipient_id": "R", "recipient_qualifier": "14",
                 "control_reference": f"IC{n:09d}", "status": "accepted", "ack_requested": "",
                 "test_indicator": "", "errors": []}
            )  # fmt: skip
            messages.append(
                {"id": n + 1, "interchange_id": n + 1, "transmission_id": tid, "position": 1,
                 "reference": f"M{n:09d}", "message_type": "ORDERS", "identifier": "ORDERS:D:96A:UN",
                 "group_reference": None, "status": "accepted", "business_number": number, "errors": []}
            )  # fmt: skip
            if number:
                documents.append(
                    {"id": str(uuid.uuid4()), "message_id": n + 1, "transmission_id": tid,
                     "partner_id": PARTNERS[n % len(PARTNERS)], "document_type": "purchase_order",
                     "business_number": number, "content": {}, "created_at": received}
                )  # fmt: skip
        with gw.sessions.begin() as session:
            for model, values in (
                (Transmission, transmissions),
                (Interchange, interchanges),
                (Message, messages),
                (Document, documents),
            ):
                if values:
                    session.execute(insert(model), values)


def timed(label: str, repeat: int, action: Callable[[], Any]) -> None:
    samples = []
    result: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - started)
    detail = f"{result.total} matches" if hasattr(result, "total") else ""
    print(f"  {label:<48} {1000 * statistics.median(samples):8.1f} ms   {detail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database to seed (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=args.database_url, demo=True)
        gw = open_gateway(settings, clock=lambda: datetime.now(UTC))
        started = time.perf_counter()
        seed(gw, args.rows)
        if gw.engine.dialect.name == "postgresql":
            with gw.engine.connect() as conn:  # what autovacuum does shortly after a bulk load
                conn.execute(text("ANALYZE"))
                conn.commit()
        took = time.perf_counter() - started
        print(f"{gw.engine.dialect.name}: seeded {args.rows} messages in {took:.1f} s")
        probe = args.rows // 2 - (args.rows // 2) % len(STATUSES)  # a processed one
        cases = {
            "newest first, page 1": {},
            "newest first, page 1000": {"page": "1000"},
            "search PO number": {"q": f"PO-{probe:07d}"},
            "search interchange control number": {"q": f"IC{probe:09d}"},
            "search message reference": {"q": f"M{probe:09d}"},
            "search number that does not exist": {"q": "NOPE-1"},
            "partner": {"partner": "globex"},
            "partner + rejected or failed": {"partner": "globex", "status": "error"},
            "direction outbound": {"direction": "outbound"},
            "syntax x12 + type 850": {"syntax": "x12", "message_type": "850"},
            "document type": {"document_type": "purchase_order"},
            "last 7 days": {"received_from": (datetime.now(UTC) - timedelta(days=7)).date().isoformat()},
            "sort by business number": {"sort": "number", "order": "asc"},
            "business number field": {"business": f"PO-{probe:07d}"},
        }
        with gw.sessions() as session:
            for label, params in cases.items():
                query = MessageQuery.from_params(params)
                timed(label, args.repeat, lambda q=query: search_messages(session, q))
            timed("overview (volumes, errors, chart, acks)", args.repeat,
                  lambda: build_overview(session, gw.partners, gw.clock()))  # fmt: skip
        gw.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
