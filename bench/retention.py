"""How fast retention deletes expired records, and what it costs `audit verify` afterwards.

Run from the repository root:  python bench/retention.py [--records N] [--database-url URL]

Seeds N expired purchase-order records (a transmission seven years old with its interchange,
message, document, ERP delivery, acknowledgement, finished work item and two archived files) into a
fresh SQLite database in a temporary folder - or into the empty database at ``--database-url``
(PostgreSQL) - then times a dry run, the real run (one transaction per record, a tombstone event
each) and `audit verify`. A benchmark measures; it never fails a build.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from gateway.audit_check import verify_all
from gateway.config import Settings
from gateway.context import Gateway, open_gateway
from gateway.database.models import (
    Acknowledgement,
    Document,
    ErpDelivery,
    Interchange,
    Message,
    Transmission,
    WorkItem,
)
from gateway.records.retention import run_retention

CHUNK = 2000


def seed(gw: Gateway, records: int) -> None:
    received = datetime.now(UTC) - timedelta(days=7 * 366)
    for start in range(0, records, CHUNK):
        rows: dict[type, list[dict[str, object]]] = {
            m: []
            for m in (Transmission, Interchange, Message, Document, ErpDelivery, Acknowledgement, WorkItem)
        }
        for n in range(start, min(records, start + CHUNK)):
            tid, did, aid = str(uuid.UUID(int=n + 1)), str(uuid.uuid4()), str(uuid.uuid4())
            raw = gw.archive.put(f"UNB+ORDERS {n}'".encode())
            ack = gw.archive.put(f"UNB+CONTRL {n % 50}'".encode())  # shared by every 50th record
            rows[Transmission].append(
                {"id": tid, "direction": "inbound", "channel": "rest", "partner_id": "acme-retail",
                 "received_at": received, "sha256": raw, "size": 20, "transport": {}, "status": "processed",
                 "syntax": "edifact", "message_type": "ORDERS", "business_number": f"PO-{n}", "errors": []}
            )  # fmt: skip
            rows[Interchange].append(
                {"id": n + 1, "transmission_id": tid, "position": 1, "syntax": "edifact", "sender_id": "S",
                 "sender_qualifier": "14", "recipient_id": "R", "recipient_qualifier": "14",
                 "control_reference": f"IC{n:09d}", "status": "accepted", "ack_requested": "",
                 "test_indicator": "", "errors": []}
            )  # fmt: skip
            rows[Message].append(
                {"id": n + 1, "interchange_id": n + 1, "transmission_id": tid, "position": 1,
                 "reference": "1", "message_type": "ORDERS", "identifier": "ORDERS:D:96A:UN",
                 "status": "accepted", "errors": []}
            )  # fmt: skip
            rows[Document].append(
                {"id": did, "message_id": n + 1, "transmission_id": tid, "partner_id": "acme-retail",
                 "document_type": "purchase_order", "business_number": f"PO-{n}", "content": {},
                 "created_at": received}
            )  # fmt: skip
            rows[ErpDelivery].append(
                {"document_id": did, "channel": "pull", "partner_id": "acme-retail",
                 "document_type": "purchase_order", "state": "delivered", "attempts": 1,
                 "next_attempt_at": received, "created_at": received, "offers": 1}
            )  # fmt: skip
            rows[Acknowledgement].append(
                {"id": aid, "direction": "outbound", "type": "CONTRL", "status": "accepted",
                 "partner_id": "acme-retail", "transmission_id": tid, "interchange_id": n + 1,
                 "control_reference": str(n), "sha256": ack, "size": 20, "created_at": received,
                 "delivery_state": "delivered"}
            )  # fmt: skip
            rows[WorkItem].append(
                {"kind": "process_transmission", "subject_id": tid, "state": "done", "attempts": 1,
                 "available_at": received, "created_at": received}
            )  # fmt: skip
        with gw.sessions.begin() as session:
            for model, values in rows.items():
                session.execute(insert(model), values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--database-url", help="an empty database to seed (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=args.database_url, demo=True)
        gw = open_gateway(settings)
        started = time.perf_counter()
        seed(gw, args.records)
        took = time.perf_counter() - started
        print(f"{gw.engine.dialect.name}: seeded {args.records} expired records in {took:.1f} s")
        now = datetime.now(UTC)
        for dry_run in (True, False):
            started = time.perf_counter()
            report = run_retention(gw, now=now, dry_run=dry_run)
            took = time.perf_counter() - started
            files = sum(len(r.files_deleted) for r in report.deleted)
            label = "dry run" if dry_run else "retention run"
            rate = len(report.deleted) / took if took else 0.0
            print(
                f"  {label:<14} {len(report.deleted)} records, {files} files in {took:6.2f} s ({rate:.0f}/s)"
            )
        started = time.perf_counter()
        verified = verify_all(gw)
        took = time.perf_counter() - started
        files = f"{verified.tombstoned} tombstoned files"
        print(
            f"  audit verify   {verified.events} events, {files} in {took:6.2f} s; intact={verified.intact}"
        )
        gw.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
