"""``edigate audit verify``: prove that neither the audit trail nor the archive was altered."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select, union

from archive.audit import ChainBreak
from archive.store import ArchiveDamage
from gateway.context import Gateway
from gateway.database.audit_log import verify_chain
from gateway.database.models import Acknowledgement, AuditEvent, Transmission
from gateway.records.retention import tombstoned_files


@dataclass
class VerifyReport:
    events: int = 0
    files: int = 0
    tombstoned: int = 0  # files retention deleted on purpose: gone, and rightly so
    chain_break: ChainBreak | None = None
    damaged: list[ArchiveDamage] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.chain_break is None and not self.damaged

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
        return out


def verify_all(gw: Gateway) -> VerifyReport:
    report = VerifyReport()
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
