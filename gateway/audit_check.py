"""``edigate audit verify``: prove that neither the audit trail nor the archive was altered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from archive.audit import ChainBreak
from archive.digest_folder import DigestFile
from archive.digests import SignedDigest, signature_problem
from archive.store import ArchiveDamage
from gateway.audit_signing import SigningError, digest_folder, public_key_path, trusted_keys
from gateway.context import Gateway
from gateway.database.audit_log import verify_chain
from gateway.database.models import Acknowledgement, AuditEvent, Transmission
from gateway.records.retention import tombstoned_files


@dataclass(frozen=True, slots=True)
class DigestProblem:
    path: Path
    problem: str


@dataclass
class DigestCheck:
    """Signed digests against the chain: each must be genuine and name a hash the chain still has."""

    matched: int = 0
    newest: SignedDigest | None = None
    problems: list[DigestProblem] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"BROKEN digest {p.path}: {p.problem}" for p in self.problems]
        if self.problems:
            return out
        if self.newest is None:
            return ["signed digests: none yet (`edigate audit sign`; a duty signs one a day)"]
        signed = self.newest.signed_at.strftime("%Y-%m-%d %H:%M:%SZ")
        return [
            f"signed digests: {self.matched} match the chain "
            f"(newest covers event {self.newest.seq}, signed {signed})"
        ]


@dataclass
class VerifyReport:
    events: int = 0
    files: int = 0
    tombstoned: int = 0  # files retention deleted on purpose: gone, and rightly so
    chain_break: ChainBreak | None = None
    damaged: list[ArchiveDamage] = field(default_factory=list)
    digests: DigestCheck = field(default_factory=DigestCheck)

    @property
    def intact(self) -> bool:
        return self.chain_break is None and not self.damaged and not self.digests.problems

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.chain_break is not None:
            out.append(f"BROKEN audit event {self.chain_break.seq}: {self.chain_break.reason}")
        for damage in self.damaged:
            out.append(f"BROKEN archive file {damage.path}: {damage.problem}")
        if self.intact:
            files = f"{self.files} archived files match their hashes"
            line = f"intact: {self.events} audit events chained, {files}"
            if self.tombstoned:
                line += f", {self.tombstoned} deleted by retention (tombstoned)"
            out.append(line)
        out.extend(self.digests.lines())
        return out


def verify_all(gw: Gateway, public_keys: Sequence[Path] = ()) -> VerifyReport:
    report = VerifyReport()
    report.digests = check_digests(gw, public_keys)
    with gw.sessions() as session:
        report.chain_break = verify_chain(session)
        report.events = session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())).scalar() or 0
        referenced = (
            session.execute(union(select(Transmission.sha256), select(Acknowledgement.sha256)))
            .scalars()
            .all()
        )
        tombstoned = tombstoned_files(session)
    hashes = sorted(set(referenced) | set(gw.archive.stored_hashes()))
    for sha256 in hashes:
        damage = gw.archive.check(sha256)
        if damage is not None and damage.problem == "missing" and sha256 in tombstoned:
            # Retention deletes only unreferenced files, so a row pointing here arrived while it ran.
            damage = replace(damage, problem="missing: deleted by retention, yet a row still points at it")
        if damage is not None:
            report.damaged.append(damage)
    report.files = len(hashes)
    report.tombstoned = len(tombstoned - set(hashes))
    return report


def check_digests(gw: Gateway, public_keys: Sequence[Path] = ()) -> DigestCheck:
    """Every digest file must carry a good signature from a trusted key, and the event at its
    sequence number must still have exactly the hash it signed: a chain rewritten and re-hashed
    from some event on is internally consistent, but no longer matches an older digest."""
    check = DigestCheck()
    files = list(digest_folder(gw.settings).files())
    if not files:
        return check
    key_path = gw.settings.resolved_audit_signing_key()
    try:
        keys = trusted_keys(gw.settings, public_keys)
    except SigningError as exc:
        check.problems.append(DigestProblem(key_path, str(exc)))
        return check
    if not keys:
        check.problems.append(
            DigestProblem(
                key_path,
                f"{len(files)} digest(s) but no key to check them with: neither {key_path} nor "
                f"{public_key_path(key_path)} exists (give the public key with --public-key)",
            )
        )
        return check
    with gw.sessions() as session:
        for file in files:
            problem = _digest_problem(session, file, keys)
            if problem is not None:
                check.problems.append(DigestProblem(file.path, problem))
            elif file.digest is not None:
                check.matched += 1
                if check.newest is None or file.digest.seq >= check.newest.seq:
                    check.newest = file.digest
    return check


def _digest_problem(session: Session, file: DigestFile, keys: dict[str, Ed25519PublicKey]) -> str | None:
    digest = file.digest
    if digest is None:
        return file.problem
    bad_signature = signature_problem(digest, keys)
    if bad_signature is not None:
        return bad_signature
    event = session.get(AuditEvent, digest.seq)
    if event is None:
        return f"audit event {digest.seq} that it signed is missing"
    if event.hash != digest.head_hash:
        return (
            f"audit event {digest.seq} has hash {event.hash}, the digest signed {digest.head_hash}: "
            f"the trail was rewritten at or before event {digest.seq}"
        )
    return None
