"""How long signing a digest, checking digests, backing up and restoring take for a node of a given size.

Run from the repository root:  python bench/backup_restore.py [--messages N] [--digests N]

Seeds N archived messages (2 KB each, stored durably like intake does) with their transmission rows
and N audit events into a fresh SQLite node in a temporary folder, signs the given number of digests
along the way, then times ``sign_now``, the digest check of ``edigate audit verify``, ``make_backup``
and ``restore_backup``. A benchmark measures; it never fails a build.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from archive.audit import AuditEntry
from gateway.audit_check import check_digests
from gateway.audit_signing import sign_now
from gateway.backup import make_backup
from gateway.config import Settings
from gateway.context import Gateway, open_gateway, utc_now
from gateway.database.audit_log import append_events
from gateway.database.models import Transmission
from gateway.restore import restore_backup


def seed(gw: Gateway, messages: int, digests: int) -> None:
    """One digest per ``messages / digests`` messages, as if a day's traffic came between them."""
    chunk = max(1, messages // max(1, digests))
    for start in range(0, messages, chunk):
        rows, entries = [], []
        for n in range(start, min(messages, start + chunk)):
            sha256 = gw.archive.put(os.urandom(2048))
            tid = str(uuid.UUID(int=n + 1))
            rows.append(
                {"id": tid, "direction": "inbound", "channel": "rest", "partner_id": "acme-retail",
                 "received_at": gw.clock(), "sha256": sha256, "size": 2048, "transport": {},
                 "status": "received", "errors": []}
            )  # fmt: skip
            entries.append(AuditEntry("partner:acme-retail", "transmission", tid, "received", {"n": n}))
        with gw.sessions.begin() as session:
            session.execute(insert(Transmission), rows)
            append_events(session, entries, gw.clock)
        if digests:
            sign_now(gw)


def timed(label: str, action: object) -> object:
    started = time.perf_counter()
    result = action()  # type: ignore[operator]
    print(f"{label:<34} {time.perf_counter() - started:8.2f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--digests", type=int, default=30, help="digests signed while seeding")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        settings = Settings(data_dir=root / "node", demo=True)
        gw = open_gateway(settings, clock=lambda: datetime.now(UTC))
        timed(f"seed {args.messages} messages", lambda: seed(gw, args.messages, args.digests))
        timed("sign_now (one digest)", lambda: sign_now(gw))
        check = timed("check every digest (audit verify)", lambda: check_digests(gw))
        print(f"{'':<34} {check.matched} digests matched, {len(check.problems)} problems")  # type: ignore[attr-defined]
        result = timed("make_backup", lambda: make_backup(settings, root / "backup", utc_now()))
        size = result.size / 1e6  # type: ignore[attr-defined]
        print(f"{'':<34} {result.files} files, {size:.1f} MB")  # type: ignore[attr-defined]
        gw.close()
        restored = Settings(data_dir=root / "restored", demo=True)
        timed("restore_backup", lambda: restore_backup(restored, root / "backup", utc_now()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
