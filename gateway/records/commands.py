"""``edigate retention``, ``edigate hold`` and ``edigate export``: records management from the shell.

Registered by gateway/cli.py, which lends its option set and its way of opening the gateway.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
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
    run.set_defaults(handler=_command(open_gateway, _retention_run))

    hold = sub.add_parser("hold", help="legal holds: records retention must keep")
    hold_sub = hold.add_subparsers(metavar="ACTION")
    add = hold_sub.add_parser("add", help="hold a partner's or one message's records")
    common(add)
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument("--partner", help="partner id")
    target.add_argument("--message", help="message (transmission) id")
    add.add_argument("--reason", required=True, help="why (recorded in the audit trail)")
    add.set_defaults(handler=_command(open_gateway, _hold_add))
    release = hold_sub.add_parser("release", help="end a legal hold")
    common(release)
    release.add_argument("hold_id", metavar="ID")
    release.add_argument("--reason", help="why (recorded in the audit trail)")
    release.set_defaults(handler=_command(open_gateway, _hold_release))
    listing = hold_sub.add_parser("list", help="the holds in force")
    common(listing)
    listing.add_argument("--all", action="store_true", help="released holds too")
    listing.set_defaults(handler=_command(open_gateway, _hold_list))

    export = sub.add_parser("export", help="write a partner's records for a period into an auditor's package")
    common(export)
    export.add_argument("--partner", required=True, help="partner id")
    export.add_argument("--from", dest="start", required=True, type=_day, help="first day (YYYY-MM-DD, UTC)")
    export.add_argument("--to", dest="end", required=True, type=_day, help="last day, inclusive")
    export.add_argument("dir", metavar="DIR", help="an empty or new folder")
    export.set_defaults(handler=_command(open_gateway, _export))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _command(
    open_gateway: Callable[[argparse.Namespace], Any],
    action: Callable[[Any, argparse.Namespace], tuple[list[str], int]],
) -> Callable[[argparse.Namespace], int]:
    """Open the gateway, run the action, print its lines; a refusal is one line on stderr and exit 1."""

    def handler(args: argparse.Namespace) -> int:
        from gateway.records.export import ExportError
        from gateway.records.legal_hold import HoldError

        gw = open_gateway(args)
        try:
            lines, code = action(gw, args)
        except (HoldError, ExportError) as exc:
            print(str(exc), file=sys.stderr)
            return 1
        finally:
            gw.close()
        for line in lines:
            print(line)
        return code

    return handler


def _retention_run(gw: Any, args: argparse.Namespace) -> tuple[list[str], int]:
    from gateway.records.retention import run_retention

    now = gw.clock() if args.as_of is None else datetime.combine(args.as_of, datetime.min.time(), UTC)
    return run_retention(gw, now=now, dry_run=args.dry_run, actor=ACTOR).lines(), 0


def _hold_add(gw: Any, args: argparse.Namespace) -> tuple[list[str], int]:
    from gateway.records.legal_hold import place_hold

    scope, subject = ("partner", args.partner) if args.partner else ("message", args.message)
    hold = place_hold(gw, scope, subject, reason=args.reason, actor=ACTOR)
    return [f"legal hold {hold.id} placed on {hold.scope} {hold.subject_id}"], 0


def _hold_release(gw: Any, args: argparse.Namespace) -> tuple[list[str], int]:
    from gateway.records.legal_hold import release_hold

    hold = release_hold(gw, args.hold_id, actor=ACTOR, reason=args.reason)
    return [f"legal hold {hold.id} on {hold.scope} {hold.subject_id} released"], 0


def _hold_list(gw: Any, args: argparse.Namespace) -> tuple[list[str], int]:
    from gateway.records.legal_hold import list_holds

    lines = []
    for hold in list_holds(gw, include_released=args.all):
        state = "in force" if hold.released_at is None else f"released {hold.released_at:%Y-%m-%d}"
        since = f"since {hold.placed_at:%Y-%m-%d}"
        lines.append(f"{hold.id}  {hold.scope:<8} {hold.subject_id}  {since}  {state}  {hold.reason}")
    return lines or ["no legal holds" if args.all else "no legal holds in force"], 0


def _export(gw: Any, args: argparse.Namespace) -> tuple[list[str], int]:
    from gateway.records.export import export_records

    report = export_records(gw, args.partner, args.start, args.end, Path(args.dir), actor=ACTOR)
    return report.lines(), 1 if report.problems else 0
