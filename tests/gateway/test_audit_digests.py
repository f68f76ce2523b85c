"""Signed digests of the audit chain head: a chain rewritten and re-hashed is still caught."""

from __future__ import annotations

import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from archive.audit import AuditEntry, event_hash
from archive.digest_folder import DigestFolder
from archive.digests import key_id, parse_digest, sign_digest
from gateway.audit_check import verify_all
from gateway.audit_signing import public_key_path, sign_if_due, sign_now
from gateway.cli import main
from gateway.database.audit_log import append_events
from gateway.database.models import AuditEvent, AuditHead
from gateway.duties import DutyRunner
from gateway.intake import Upload, accept


def _seed(gateway, submit, drain, edifact_fixture) -> None:
    submit(edifact_fixture("acme_orders_d96a.edi"))
    submit(b"garbage")
    drain(gateway)


def _head_seq(gateway) -> int:
    with gateway.sessions() as session:
        return session.get(AuditHead, 1).last_seq


def _rewrite_history(gateway, seq: int) -> None:
    """What an intruder with database access does: alter one event, then recompute every hash from
    there and the head, so the chain on its own verifies again."""
    with gateway.sessions.begin() as session:
        events = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        prev = events[seq - 2].hash if seq > 1 else "0" * 64
        for event in events[seq - 1 :]:
            if event.seq == seq:
                event.details = {**event.details, "rewritten": True}
            event.prev_hash = prev
            event.hash = event_hash(
                seq=event.seq,
                at=event.at,
                actor=event.actor,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                action=event.action,
                details=event.details,
                prev_hash=prev,
            )
            prev = event.hash
        session.get(AuditHead, 1).last_hash = prev


def test_signed_digest_of_an_untouched_trail_verifies_intact(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    path = sign_now(gateway)
    digest = parse_digest(path.read_bytes())
    assert digest.seq == _head_seq(gateway) and digest.event_count == digest.seq
    report = verify_all(gateway)
    assert report.intact, report.lines()
    assert report.digests.matched == 1 and report.digests.newest == digest
    assert f"signed digests: 1 match the chain (newest covers event {digest.seq}" in report.lines()[-1]


def test_signing_key_is_created_owner_only_with_its_public_key_beside_it(gateway, submit, drain):
    submit(b"garbage")
    drain(gateway)
    sign_now(gateway)
    key = gateway.settings.data_dir / "keys" / "audit-signing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    public = serialization.load_pem_public_key(public_key_path(key).read_bytes())
    assert key_id(public) == key_id(private.public_key())
    sign_now(gateway)  # the second digest is signed with the same key, not a new one
    ids = {f.digest.key_id for f in DigestFolder(gateway.settings.resolved_archive_dir()).files()}
    assert ids == {key_id(public)}


def test_chain_rewritten_and_rehashed_is_caught_by_the_older_digest(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    signed_path = sign_now(gateway)
    signed_seq = parse_digest(signed_path.read_bytes()).seq
    submit(b"more garbage")
    drain(gateway)
    _rewrite_history(gateway, 3)
    report = verify_all(gateway)
    assert report.chain_break is None  # the chain alone no longer shows anything
    assert not report.intact
    [problem] = report.digests.problems
    assert problem.path == signed_path
    assert f"rewritten at or before event {signed_seq}" in problem.problem
    assert report.lines()[0].startswith(f"BROKEN digest {signed_path}: audit event {signed_seq} has hash")


def test_rewrite_after_the_newest_digest_is_not_claimed_as_detected(gateway, submit, drain, edifact_fixture):
    """A digest vouches only for the past it signed; events after it rely on the chain alone."""
    _seed(gateway, submit, drain, edifact_fixture)
    sign_now(gateway)
    signed_seq = _head_seq(gateway)
    submit(b"more garbage")
    drain(gateway)
    _rewrite_history(gateway, signed_seq + 1)
    assert verify_all(gateway).intact


def test_digest_altered_after_signing_fails_its_signature(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    path = sign_now(gateway)
    _rewrite_history(gateway, 2)
    document = json.loads(path.read_bytes())
    with gateway.sessions() as session:
        document["head_hash"] = session.get(AuditEvent, document["seq"]).hash  # "fix" the digest too
    path.chmod(0o644)
    path.write_text(json.dumps(document))
    [problem] = verify_all(gateway).digests.problems
    assert problem.path == path and "signature does not verify" in problem.problem


def test_digest_signed_with_an_intruders_key_is_not_trusted(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    sign_now(gateway)
    with gateway.sessions() as session:
        head = session.get(AuditHead, 1)
        forged = sign_digest(
            Ed25519PrivateKey.generate(),
            seq=head.last_seq,
            head_hash=head.last_hash,
            event_count=head.last_seq,
            signed_at=gateway.clock(),
        )
    path = DigestFolder(gateway.settings.resolved_archive_dir()).write(forged)
    report = verify_all(gateway)
    [problem] = report.digests.problems
    assert problem.path == path
    assert f"signed by key {forged.key_id}, which is not a trusted key" in problem.problem
    assert report.digests.matched == 1


def test_file_that_is_not_a_digest_is_reported(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    sign_now(gateway)
    junk = gateway.settings.resolved_archive_dir() / "digests" / "20990101T000000000000Z-1.json"
    junk.write_text('{"format": "edigate-audit-digest/1", "seq": 1}')
    [problem] = verify_all(gateway).digests.problems
    assert problem.path == junk and "not a signed digest: missing field(s) head_hash" in problem.problem


def test_digests_without_any_key_to_check_them_are_reported(gateway, submit, drain, edifact_fixture):
    _seed(gateway, submit, drain, edifact_fixture)
    sign_now(gateway)
    key = gateway.settings.resolved_audit_signing_key()
    key.unlink()
    public_key_path(key).unlink()
    [problem] = verify_all(gateway).digests.problems
    assert "no key to check them with" in problem.problem


@pytest.fixture
def keyed_gateway(make_gateway, tmp_path):
    """A node with its signing key configured, as every node sharing a PostgreSQL database needs."""
    return make_gateway(audit_signing_key=tmp_path / "secrets" / "audit.key")


def _record_something(gateway) -> None:
    with gateway.sessions.begin() as session:
        append_events(
            session, [AuditEntry("operator:admin", "operator", "admin", "signed_in")], gateway.clock
        )


def test_sign_if_due_signs_once_a_day_and_only_when_the_chain_grew(keyed_gateway, clock):
    gateway = keyed_gateway
    assert sign_if_due(gateway) is None  # empty trail: nothing to sign
    _record_something(gateway)
    first = sign_if_due(gateway)
    assert first is not None  # no digest yet: due at once
    _record_something(gateway)
    assert sign_if_due(gateway) is None
    clock.advance(hours=23)
    assert sign_if_due(gateway) is None
    clock.advance(hours=2)
    second = sign_if_due(gateway)
    assert second is not None and parse_digest(second.read_bytes()).seq == _head_seq(gateway) == 2
    clock.advance(hours=25)
    assert sign_if_due(gateway) is None  # a day passed but nothing happened: nothing new to vouch for
    assert DigestFolder(gateway.settings.resolved_archive_dir()).paths() == [first, second]
    assert gateway.settings.resolved_audit_signing_key().parent.name == "secrets"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_node_without_a_configured_key_leaves_daily_signing_alone(gateway, submit, drain):
    submit(b"garbage")
    drain(gateway)
    assert sign_if_due(gateway) is None
    assert not gateway.settings.resolved_audit_signing_key().exists()
    assert sign_now(gateway).exists()  # on demand it still signs, with the key it names


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_daily_digest_is_a_singleton_duty_of_every_node(gateway, drain):
    accept(gateway, Upload("rest", b"garbage", None, "test"))  # no app here: its runner would hold the duty
    drain(gateway)
    folder = DigestFolder(gateway.settings.resolved_archive_dir())
    runner = DutyRunner(gateway)
    try:
        assert "audit-digest" in runner.tick()  # due: signs
        [path] = folder.paths()
        assert parse_digest(path.read_bytes()).seq == _head_seq(gateway)
        gateway.clock.advance(minutes=10)  # type: ignore[attr-defined]
        assert "audit-digest" in runner.tick()  # runs again, but a digest of today exists
        assert folder.paths() == [path]
    finally:
        runner.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_sign_then_auditor_verifies_with_the_exported_public_key(
    tmp_path, gateway, submit, drain, edifact_fixture, capsys
):
    _seed(gateway, submit, drain, edifact_fixture)
    common = ["--demo", "--data-dir", str(gateway.settings.data_dir)]
    common += ["--database-url", gateway.settings.resolved_database_url()]
    assert main(["audit", "sign", *common]) == 0
    out = capsys.readouterr().out
    assert "signed digest written to" in out and "public key for auditors:" in out
    key = gateway.settings.resolved_audit_signing_key()
    auditor_copy = tmp_path / "auditor.pub"
    auditor_copy.write_bytes(public_key_path(key).read_bytes())
    key.unlink()  # the auditor has only the public key
    assert main(["audit", "verify", *common, "--public-key", str(auditor_copy)]) == 0
    assert "signed digests: 1 match the chain" in capsys.readouterr().out
    _rewrite_history(gateway, 2)
    assert main(["audit", "verify", *common, "--public-key", str(auditor_copy)]) == 1
    out = capsys.readouterr().out
    assert "BROKEN digest" in out and "rewritten at or before" in out
    other = tmp_path / "other.pub"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert main(["audit", "verify", *common, "--public-key", str(other)]) == 1
    assert "which is not a trusted key" in capsys.readouterr().out
