"""``edigate retention``, ``edigate hold`` and ``edigate export``: records management from the shell.

Registered by gateway/cli.py, which lends its option set and its way of opening the gateway.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

ACTOR = "cli"


def register(
    sub: Any,
    common: Callable[[argparse.ArgumentParser], None],
    open_gateway: Callable[[argparse.Namespace], Any],
) -> None:
    retention = sub.add_parser("retention", help="delete records whose retention period has ended")
    retention_sub = retention.add_subparsers(metavar="ACTION")
    run = retention_sub.add_parser(
        "run", help="delete expired records, leaving tombstones in the audit trail"
    )
    common(run)
    run.add_argument("--dry-run", action="store_true", help="only print what would be deleted")
    run.add_argument("--as-of", type=_day, help="pretend today is this date (YYYY-MM-DD, UTC)")
    run.set_defaults(handler=lambda args: _retention_run(args, open_gateway))

    hold = sub.add_parser("hold", help="legal holds: records retention must keep")
    hold_sub = hold.add_subparsers(metavar="ACTION")
    add = hold_sub.add_parser("add", help="hold a partner's or one message's records")
    common(add)
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument("--partner", help="partner id")
    target.add_argument("--message", help="message (transmission) id")
    add.add_argument("--reason", required=True, help="why (recorded in the audit trail)")
    add.set_defaults(handler=lambda args: _hold_add(args, open_gateway))
    release = hold_sub.add_parser("release", help="end a legal hold")
    common(release)
    release.add_argument("hold_id", metavar="ID")
    release.add_argument("--reason", help="why (recorded in the audit trail)")
    release.set_defaults(handler=lambda args: _hold_release(args, open_gateway))
    listing = hold_sub.add_parser("list", help="the holds in force")
    common(listing)
    listing.add_argument("--all", action="store_true", help="released holds too")
    listing.set_defaults(handler=lambda args: _hold_list(args, open_gateway))

    export = sub.add_parser("export", help="write a partner's records for a period into an auditor's package")
    common(export)
    export.add_argument("--partner", required=True, help="partner id")
    export.add_argument("--from", dest="start", required=True, type=_day, help="first day (YYYY-MM-DD, UTC)")
    export.add_argument("--to", dest="end", required=True, type=_day, help="last day, inclusive")
    export.add_argument("dir", metavar="DIR", help="an empty or new folder")
    export.set_defaults(handler=lambda args: _export(args, open_gateway))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _retention_run(args: argparse.Namespace, open_gateway: Callable[[argparse.Namespace], Any]) -> int:
    from gateway.records.retention import run_retention

    gw = open_gateway(args)
    try:
        now = gw.clock() if args.as_of is None else datetime.combine(args.as_of, datetime.min.time(), UTC)
        report = run_retention(gw, now=now, dry_run=args.dry_run, actor=ACTOR)
    finally:
        gw.close()
    for line in report.lines():
        print(line)
    return 0


def _hold_add(args: argparse.Namespace, open_gateway: Callable[[argparse.Namespace], Any]) -> int:
    from gateway.records.legal_hold import HoldError, place_hold

    gw = open_gateway(args)
    try:
        scope, subject = ("partner", args.partner) if args.partner else ("message", args.message)
        hold = place_hold(gw, scope, subject, reason=args.reason, actor=ACTOR)
    except HoldError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        gw.close()
    print(f"legal hold {hold.id} placed on {hold.scope} {hold.subject_id}")
    return 0


def _hold_release(args: argparse.Namespace, open_gateway: Callable[[argparse.Namespace], Any]) -> int:
    from gateway.records.legal_hold import HoldError, release_hold

    gw = open_gateway(args)
    try:
        hold = release_hold(gw, args.hold_id, actor=ACTOR, reason=args.reason)
    except HoldError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        gw.close()
    print(f"legal hold {hold.id} on {hold.scope} {hold.subject_id} released")
    return 0


def _hold_list(args: argparse.Namespace, open_gateway: Callable[[argparse.Namespace], Any]) -> int:
    from gateway.records.legal_hold import list_holds

    gw = open_gateway(args)
    try:
        holds = list_holds(gw, include_released=args.all)
    finally:
        gw.close()
    for hold in holds:
        state = "in force" if hold.released_at is None else f"released {hold.released_at:%Y-%m-%d}"
        since = f"since {hold.placed_at:%Y-%m-%d}"
        print(f"{hold.id}  {hold.scope:<8} {hold.subject_id}  {since}  {state}  {hold.reason}")
    if not holds:
        print("no legal holds in force" if not args.all else "no legal holds")
    return 0


def _export(args: argparse.Namespace, open_gateway: Callable[[argparse.Namespace], Any]) -> int:
    from pathlib import Path

    from gateway.records.export import ExportError, export_records

    gw = open_gateway(args)
    try:
        report = export_records(gw, args.partner, args.start, args.end, Path(args.dir), actor=ACTOR)
    except ExportError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        gw.close()
    for line in report.lines():
        print(line)
    return 1 if report.problems else 0
