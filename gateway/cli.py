"""The ``edigate`` command: one obvious way to run, check and inspect the gateway."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gateway.config import Settings
from gateway.heap import settle_heap


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except ValidationError as exc:  # the settings: what is wrong, not a traceback
        for error in exc.errors():
            where = "".join(f"{part}: " for part in error["loc"])
            print(f"edigate: {where}{error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in ("data_dir", "database_url", "partners_dir", "host", "port", "sftp_port", "worker_processes"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    if getattr(args, "demo", False):
        overrides["demo"] = True
        # The demo ERP answers every customer order unless EDIGATE_DEMO_AUTO_ACCEPT says otherwise.
        if "EDIGATE_DEMO_AUTO_ACCEPT" not in os.environ:
            overrides["demo_auto_accept"] = True
    if getattr(args, "no_worker", False):
        overrides["inprocess_worker"] = False
    return Settings(**overrides)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="data directory (EDIGATE_DATA_DIR)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (EDIGATE_DATABASE_URL)")
    parser.add_argument("--partners", dest="partners_dir", type=Path, help="partner profiles folder")
    parser.add_argument("--demo", action="store_true", help="use the demo partners")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edigate", description="EDI translation gateway")
    sub = parser.add_subparsers(metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the REST API, dashboard and an in-process worker")
    _common(serve)
    serve.add_argument("--host", help="listen address (EDIGATE_HOST)")
    serve.add_argument("--port", type=int, help="HTTP port (EDIGATE_PORT)")
    processing = serve.add_mutually_exclusive_group()
    processing.add_argument("--no-worker", action="store_true", help="leave processing to `edigate worker`")
    processing.add_argument(
        "--worker-processes",
        type=int,
        metavar="N",
        help="process work in N child `edigate worker` processes, not a thread (EDIGATE_WORKER_PROCESSES)",
    )
    serve.add_argument("--sftp-port", type=int, help="run the partners' SFTP server on this port")
    serve.set_defaults(handler=_serve)

    worker = sub.add_parser(
        "worker", help="process queued work and take a share of the singleton duties (run any number)"
    )
    _common(worker)
    worker.add_argument("--once", action="store_true", help="process what is queued, then exit")
    # Set by `edigate serve --worker-processes`: its pipe wakes this worker, and its end stops it.
    worker.add_argument("--wake-on-stdin", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(handler=_worker)

    for name, handler, text in (
        ("translate", _translate, "print the canonical documents of a file as JSON"),
        ("validate", _validate, "check a file and list every located error"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("file", type=Path, help="a file, or a folder to process every file in it")
        cmd.add_argument("--progress", action="store_true", help="progress bar even when not on a terminal")
        if name == "translate":
            cmd.add_argument(
                "--format", choices=("json", "ubl"), default="json", help="canonical JSON or UBL 2.1"
            )
            cmd.add_argument("--output", type=Path, help="write one file per document into this folder")
        cmd.add_argument("--partners", dest="partners_dir", type=Path, help="partner profiles folder")
        cmd.add_argument("--demo", action="store_true", help="use the demo partners")
        cmd.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
        cmd.set_defaults(handler=handler)

    ack = sub.add_parser("ack", help="print the acknowledgements edigate would send for a file")
    ack.add_argument("file", type=Path)
    ack.add_argument("--partners", dest="partners_dir", type=Path, help="partner profiles folder")
    ack.add_argument("--demo", action="store_true", help="use the demo partners")
    ack.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    ack.set_defaults(handler=_ack)

    partners = sub.add_parser("partners", help="partner profiles")
    partners_sub = partners.add_subparsers(metavar="ACTION")
    lint = partners_sub.add_parser("lint", help="check a folder of profiles")
    lint.add_argument("dir", type=Path, nargs="?", help="folder (default: the configured partners folder)")
    lint.add_argument("--data-dir", type=Path)
    lint.set_defaults(handler=_partners_lint)
    _partners_onboarding_parser(partners_sub)

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(metavar="ACTION")
    verify = audit_sub.add_parser(
        "verify", help="recompute the hash chain and the archive hashes, check every signed digest"
    )
    _common(verify)
    verify.add_argument(
        "--public-key",
        dest="public_keys",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="trust digests signed by this public key (PEM; repeatable); default: the configured key",
    )
    verify.set_defaults(handler=_audit_verify)
    sign = audit_sub.add_parser("sign", help="sign the audit chain head now (a singleton duty does so daily)")
    _common(sign)
    sign.set_defaults(handler=_audit_sign)

    backup = sub.add_parser("backup", help="copy a running SQLite node (database, archive, keys) into DIR")
    _common(backup)
    backup.add_argument("dir", type=Path, help="a new or empty folder")
    backup.set_defaults(handler=_backup)
    restore = sub.add_parser("restore", help="restore a backup into the data directory (--data-dir)")
    _common(restore)
    restore.add_argument("dir", type=Path, help="a folder written by `edigate backup`")
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore over a non-empty data directory (old contents are moved aside)",
    )
    restore.set_defaults(handler=_restore)

    schema = sub.add_parser("schema", help="print the JSON Schema of a canonical document")
    schema.add_argument("name", help="purchase_order, …")
    schema.set_defaults(handler=_schema)

    users = sub.add_parser("users", help="dashboard operator accounts")
    users_sub = users.add_subparsers(metavar="ACTION")
    users_add = users_sub.add_parser("add", help="create an operator account (prompts for the password)")
    _common(users_add)
    users_add.add_argument("name", help="user name to sign in with")
    users_add.add_argument("--role", required=True, choices=("viewer", "operator", "admin"))
    users_add.add_argument("--password", help="the password; asked for (twice, not echoed) when left out")
    users_add.set_defaults(handler=_users_add)

    replay = sub.add_parser("replay", help="queue a message for processing again")
    _common(replay)
    replay.add_argument("message_id")
    replay.add_argument("--reason", required=True, help="why (recorded in the audit trail)")
    replay.set_defaults(handler=_replay)
    _erp_parser(sub)
    _records_parser(sub)
    return parser


def _records_parser(sub: Any) -> None:
    from gateway.records.commands import register

    register(sub, _common, lambda args: _open(_settings(args)))


def _partners_onboarding_parser(partners_sub: Any) -> None:
    new = partners_sub.add_parser("new", help="write a commented profile skeleton for a new partner")
    new.add_argument("id", help="partner id: lower-case letters, digits and dashes")
    new.add_argument("--syntax", required=True, choices=("edifact", "x12", "xml"))
    new.add_argument("--role", required=True, choices=("customer", "supplier"))
    new.add_argument("--name", default="", help="the partner's name (else a marked blank)")
    new.add_argument("--delivery", choices=("rest", "sftp", "as2"), default="rest")
    new.add_argument(
        "--identity",
        action="append",
        default=[],
        help="how the partner is recognised: ID[:QUALIFIER] (EDIFACT), QUALIFIER:ID (X12), SCHEME:ID (XML)",
    )
    new.add_argument("--messages", help="comma-separated message types it sends (default: usual ones)")
    new.add_argument("--api-key", action="store_true", help="generate a REST API key (printed once)")
    new.add_argument("--partners", dest="partners_dir", type=Path, help="partner profiles folder")
    new.add_argument("--data-dir", type=Path)
    new.set_defaults(handler=_partners_new)

    test = partners_sub.add_parser(
        "test", help="dry run: a sample file through a partner's profile, nothing stored"
    )
    test.add_argument("id", help="the partner whose profile to use")
    test.add_argument("file", type=Path, help="a sample interchange or document")
    test.add_argument("--partners", dest="partners_dir", type=Path, help="partner profiles folder")
    test.add_argument("--demo", action="store_true", help="use the demo partners")
    test.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    test.set_defaults(handler=_partners_test)


def _erp_parser(sub: Any) -> None:
    erp = sub.add_parser("erp", help="delivery of documents to the ERP")
    erp_sub = erp.add_subparsers(metavar="ACTION")
    replay = erp_sub.add_parser("replay", help="deliver documents to the ERP again")
    _common(replay)
    replay.add_argument("document_ids", nargs="*", metavar="DOCUMENT_ID", help="documents to deliver again")
    replay.add_argument("--dead", action="store_true", help="every delivery in the dead letter")
    replay.add_argument("--reason", required=True, help="why (recorded in the audit trail)")
    replay.set_defaults(handler=_erp_replay)
    enable = erp_sub.add_parser("enable-webhook", help="enable the webhook after a 410 Gone disabled it")
    _common(enable)
    enable.add_argument("--reason", required=True, help="why (recorded in the audit trail)")
    enable.set_defaults(handler=_erp_enable_webhook)
    status = erp_sub.add_parser("status", help="deliveries per channel and state")
    _common(status)
    status.set_defaults(handler=_erp_status)
    key = erp_sub.add_parser("new-key", help="make an ERP API key and the hash to configure")
    key.set_defaults(handler=_erp_new_key)


def _open(settings: Settings) -> Any:
    """Open the gateway, turning a broken partners folder into lint lines instead of a traceback."""
    from gateway.context import open_gateway
    from partners.loader import ProfileError

    try:
        return open_gateway(settings)
    except ProfileError as exc:
        for problem in exc.problems:
            print(f"{problem.file}: {problem.location}: {problem.code}: {problem.message}", file=sys.stderr)
        print(f"partner profiles in {settings.resolved_partners_dir()} are not usable", file=sys.stderr)
        raise SystemExit(2) from exc


def _configure_logging(settings: Settings) -> None:
    """Long-running commands log structured, redacted lines; the one-shot commands keep plain output."""
    from gateway.observability.logging import configure_logging

    configure_logging(settings.log_format, settings.log_level)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.api.app import create_app
    from gateway.channels.as2.certificates_api import warn_about_expiring_certificates
    from gateway.demo import demo_banner, prepare_demo

    settings = _settings(args)
    _configure_logging(settings)
    gw = _open(settings)
    if settings.demo:
        prepare_demo(gw)
        host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host
        print(demo_banner(gw, f"http://{host}:{settings.port}"), flush=True)
    warn_about_expiring_certificates(gw)  # after --demo has created its key pairs
    if settings.sftp_port is not None:
        from gateway.channels.sftp_server import host_key_fingerprint

        sftp_host = settings.sftp_host or settings.host
        fingerprint = host_key_fingerprint(settings.data_dir)
        print(f"SFTP server on {sftp_host}:{settings.sftp_port}, host key {fingerprint}", flush=True)
    app = create_app(gw)
    settle_heap()
    # log_config=None: uvicorn's records go through our redacting handler instead of its own.
    # http and loop stay "auto": uvicorn takes httptools and uvloop (runtime dependencies) where they
    # are installed and falls back to h11 and asyncio where they are not (uvloop has no Windows build).
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=None,
    )
    gw.close()
    return 0


def _worker(args: argparse.Namespace) -> int:
    from gateway.duties import start_duties
    from gateway.partner_reload import start_partner_watcher
    from gateway.worker import Worker
    from gateway.worker_processes import wake_on_input

    settings = _settings(args)
    _configure_logging(settings)
    gw = _open(settings)
    worker = Worker(gw)
    if args.once:
        worker.recover_abandoned()
        count = 0
        while done := worker.run_once():
            count += done
        print(f"processed {count} work item(s)")
        return 0
    stop = threading.Event()
    if args.wake_on_stdin:
        wake_on_input(gw.work_available, stop)
    start_partner_watcher(gw, stop)
    duties = start_duties(gw, stop)
    settle_heap()
    try:
        worker.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()
    duties.join(timeout=30)
    return 0


def _load_partners(args: argparse.Namespace) -> Any:
    from partners.loader import ProfileError, load_directory

    settings = _settings(args)
    try:
        return load_directory(settings.resolved_partners_dir())
    except ProfileError as exc:
        for problem in exc.problems:
            print(f"{problem.file}: {problem.location}: {problem.code}: {problem.message}", file=sys.stderr)
        raise SystemExit(2) from exc


def _translation_results(args: argparse.Namespace) -> tuple[list[Any], Path]:
    from gateway.batch import files_under, translate_files, wants_progress

    directory = _load_partners(args)
    paths = files_under(args.file)
    progress = sys.stderr if args.file.is_dir() and (args.progress or wants_progress()) else None
    return list(translate_files(paths, directory, progress)), args.file


def _report(results: list[Any], root: Path) -> None:
    from gateway.batch import summary_table

    for result in results:
        if result.read_error:
            print(f"{result.path}: {result.read_error}", file=sys.stderr)
        for error in result.errors:
            print(f"{result.path}: {error}", file=sys.stderr)
    if root.is_dir():
        print(summary_table(results, root))


def _render(document: Any, output_format: str) -> str:
    if output_format == "ubl":
        from translators.xml.writer_ubl import to_ubl

        return to_ubl(document).decode("utf-8")
    return json.dumps(document.model_dump(mode="json"), indent=2, ensure_ascii=False)


def _translate(args: argparse.Namespace) -> int:
    results, root = _translation_results(args)
    documents = [(r.path, d) for r in results if r.translation for d in r.translation.documents]
    if args.output is not None:
        args.output.mkdir(parents=True, exist_ok=True)
        suffix = ".xml" if args.format == "ubl" else ".json"
        for number, (path, document) in enumerate(documents, start=1):
            name = f"{path.stem}.{number}.{document.document_type}{suffix}"
            (args.output / name).write_text(_render(document, args.format), encoding="utf-8")
    elif args.format == "ubl":
        print("\n".join(_render(d, "ubl") for _, d in documents))
    elif not root.is_dir():
        print(json.dumps([d.model_dump(mode="json") for _, d in documents], indent=2, ensure_ascii=False))
    _report(results, root)
    return 0 if all(r.ok for r in results) else 1


def _validate(args: argparse.Namespace) -> int:
    results, root = _translation_results(args)
    _report(results, root)
    if not root.is_dir() and results[0].ok:
        print(f"{root}: valid ({len(results[0].translation.documents)} document(s))")
    return 0 if all(r.ok for r in results) else 1


def _ack(args: argparse.Namespace) -> int:
    """Dry run: control numbers start at 1 here, the gateway draws them from its counters."""
    from gateway.context import utc_now
    from translators.dry_run import dry_run

    directory = _load_partners(args)
    run = dry_run(args.file.read_bytes(), directory, now=utc_now())
    _print_acknowledgements(run)
    if not run.acknowledgements:
        reason = "; ".join(str(e) for e in run.translation.errors) or "the partner's policy asks for none"
        print(f"# no acknowledgement would be sent: {reason}", file=sys.stderr)
    return 0


def _print_acknowledgements(run: Any) -> None:
    for ack in run.acknowledgements:
        planned, partner = ack.planned, ack.outcome.partner
        to = partner.id if partner else "?"
        print(f"# {planned.type} ({planned.status}) to {to}, control {planned.control_reference}")
        print(ack.text)


def _partners_lint(args: argparse.Namespace) -> int:
    from partners.lint import lint_directory

    folder = args.dir or _settings(args).resolved_partners_dir()
    problems = lint_directory(folder)
    for problem in problems:
        print(f"{problem.file}: {problem.location}: {problem.code}: {problem.message}")
    if not problems:
        print(f"{folder}: ok")
    return 1 if problems else 0


def _partners_new(args: argparse.Namespace) -> int:
    from partners.apikey import generate_api_key, hash_api_key
    from partners.lint import lint_directory
    from partners.skeleton import SkeletonError, SkeletonRequest, render_skeleton

    folder = _settings(args).resolved_partners_dir()
    target = folder / f"{args.id}.toml"
    key = generate_api_key() if args.api_key else None
    messages = None
    if args.messages is not None:
        messages = tuple(m.strip() for m in args.messages.split(",") if m.strip())
    request = SkeletonRequest(
        partner_id=args.id,
        syntax=args.syntax,
        role=args.role,
        name=args.name,
        delivery=args.delivery,
        identities=tuple(args.identity),
        messages=messages,
        api_key_sha256=(hash_api_key(key),) if key else (),
    )
    try:
        text = render_skeleton(request)
    except SkeletonError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as out:  # "x": a file created meanwhile is not replaced
            out.write(text)
    except FileExistsError:
        print(f"{target} exists; edigate partners new never overwrites a profile", file=sys.stderr)
        return 1
    print(f"wrote {target}")
    if key:
        print(f"REST API key (shown once, give it to the partner): {key}")
    todo = [p for p in lint_directory(folder) if p.file in (target.name, "company.toml")]
    for problem in todo:
        print(f"  to do: {problem}")
    if not todo:
        print(f"  it lints clean; try it: edigate partners test {args.id} SAMPLE-FILE")
    return 0


def _partners_test(args: argparse.Namespace) -> int:
    """Exit 0 when every message translates, 1 with located errors, 2 when the profiles do not load."""
    from gateway.context import utc_now
    from translators.dry_run import dry_run

    directory = _load_partners(args)
    if args.id not in directory:
        print(f"no partner '{args.id}' in {_settings(args).resolved_partners_dir()}", file=sys.stderr)
        return 2
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"{args.file}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    run = dry_run(data, directory, now=utc_now(), partner_id=args.id)
    for note in run.notes:
        print(f"# note: {note}")
    print(f"# {len(run.documents)} canonical document(s)")
    print(json.dumps([d.model_dump(mode="json") for d in run.documents], indent=2, ensure_ascii=False))
    print(f"# {len(run.acknowledgements)} acknowledgement(s) that would be sent (control numbers from 1)")
    _print_acknowledgements(run)
    for error in run.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    print("# dry run: nothing was stored or sent")
    return 1 if run.errors else 0


def _audit_verify(args: argparse.Namespace) -> int:
    from gateway.audit_check import verify_all

    gw = _open(_settings(args))
    report = verify_all(gw, args.public_keys)
    for line in report.lines():
        print(line)
    gw.close()
    return 0 if report.intact else 1


def _audit_sign(args: argparse.Namespace) -> int:
    from archive.digests import key_id
    from gateway.audit_signing import SigningError, load_signing_key, public_key_path, sign_now

    settings = _settings(args)
    gw = _open(settings)
    try:
        path = sign_now(gw)
        key = settings.resolved_audit_signing_key()
        fingerprint = key_id(load_signing_key(key).public_key())
    except SigningError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        gw.close()
    print(f"signed digest written to {path}")
    print(f"public key for auditors: {public_key_path(key)} ({fingerprint})")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from gateway.backup import BackupError, make_backup
    from gateway.context import utc_now

    settings = _settings(args)
    try:
        result = make_backup(settings, args.dir, utc_now())
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for problem in result.problems:
        print(f"WARNING {problem}", file=sys.stderr)
    print(
        f"backup written to {result.path}: {result.files} files, {result.size} bytes, "
        f"audit trail up to event {result.audit_seq}, {result.tables.get('transmissions', 0)} transmissions"
    )
    key = settings.resolved_audit_signing_key()
    if not key.resolve().is_relative_to(settings.data_dir.resolve()):
        print(f"the audit signing key {key} lives outside the data directory: back it up separately")
    return 1 if result.problems else 0


def _restore(args: argparse.Namespace) -> int:
    from gateway.backup import BackupError
    from gateway.context import utc_now
    from gateway.restore import restore_backup

    settings = _settings(args)
    try:
        result = restore_backup(settings, args.dir, utc_now(), force=args.force)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if result.moved_aside is not None:
        print(f"previous contents moved to {result.moved_aside}")
    print(
        f"restored {result.files} files into {settings.data_dir} "
        f"(audit trail up to event {result.audit_seq}); "
        f"check it with: edigate audit verify --data-dir {settings.data_dir}"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from translators.documents.schema import DOCUMENT_MODELS, json_schema

    if args.name not in DOCUMENT_MODELS:
        print(f"unknown document {args.name!r}; known: {', '.join(sorted(DOCUMENT_MODELS))}", file=sys.stderr)
        return 2
    print(json.dumps(json_schema(args.name), indent=2))
    return 0


def _users_add(args: argparse.Namespace) -> int:
    """Only the database is opened: accounts can be created even while partner profiles fail to lint."""
    import getpass

    from gateway.context import utc_now
    from gateway.dashboard.operators import OperatorError, add_operator
    from gateway.database.engine import make_engine, make_session_factory
    from gateway.database.migrate import upgrade

    password = args.password
    if password is None:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Repeat the password: ") != password:
            print("the passwords do not match; nothing was created", file=sys.stderr)
            return 1
    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade(engine)
        add_operator(make_session_factory(engine), utc_now, args.name, password, args.role, actor="cli")
    except OperatorError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"operator {args.name} created with role {args.role}")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from gateway.replay import ReplayError, replay_transmission

    gw = _open(_settings(args))
    try:
        replay_transmission(gw, args.message_id, actor="cli", reason=args.reason)
    except ReplayError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"message {args.message_id} queued again")
    return 0


def _erp_replay(args: argparse.Namespace) -> int:
    from gateway.erp.replay import ErpReplayError, replay_dead, replay_document

    if bool(args.document_ids) == bool(args.dead):
        print("name DOCUMENT_ID(s) or --dead, not both", file=sys.stderr)
        return 2
    gw = _open(_settings(args))
    try:
        if args.dead:
            documents = replay_dead(gw, actor="cli", reason=args.reason)
            print(f"{len(documents)} dead deliver{'y' if len(documents) == 1 else 'ies'} queued again")
            return 0
        for document_id in args.document_ids:
            channels = replay_document(gw, document_id, actor="cli", reason=args.reason)
            print(f"document {document_id} queued again ({', '.join(channels)})")
    except ErpReplayError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        gw.close()
    return 0


def _erp_enable_webhook(args: argparse.Namespace) -> int:
    from gateway.erp.replay import ErpReplayError, enable_webhook

    gw = _open(_settings(args))
    try:
        released = enable_webhook(gw, actor="cli", reason=args.reason)
    except ErpReplayError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        gw.close()
    print(f"webhook enabled; {released} held deliver{'y' if released == 1 else 'ies'} queued again")
    return 0


def _erp_status(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from gateway.database.models import ErpDelivery, ErpEndpoint

    gw = _open(_settings(args))
    with gw.sessions() as session:
        counts = session.execute(
            select(ErpDelivery.channel, ErpDelivery.state, func.count())
            .group_by(ErpDelivery.channel, ErpDelivery.state)
            .order_by(ErpDelivery.channel, ErpDelivery.state)
        ).all()
        endpoints = session.execute(select(ErpEndpoint).order_by(ErpEndpoint.display)).scalars().all()
        for channel, state, count in counts:
            print(f"{channel:<10} {state:<10} {count}")
        for endpoint in endpoints:
            since = f"{endpoint.changed_at:%Y-%m-%d %H:%M:%S}Z"
            print(f"endpoint {endpoint.display} {endpoint.state} since {since}")
    gw.close()
    return 0


def _erp_new_key(_args: argparse.Namespace) -> int:
    from gateway.erp.keys import new_key

    key, digest = new_key()
    print(f"ERP API key (shown once, give it to the ERP): {key}")
    print(f"configure its hash:  EDIGATE_ERP_API_KEY_SHA256={digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
