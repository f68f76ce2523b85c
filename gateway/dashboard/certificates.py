"""AS2 certificates as an operator checks them: whose, which, until when, and which need renewing.

An expired certificate stops AS2 traffic without a single error on our side until the first
message fails, so the dashboard shows every certificate the profiles name - ours and each
partner's - with days left, and flags those that expire within :data:`EXPIRY_WARNING`. The files
are read on each visit (a handful of small PEM files), so a certificate swapped in during a
rollover shows at once. A certificate that cannot be read is shown as a problem with the loader's
reason, never skipped: "no certificate shown" must not be mistaken for "nothing to renew".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.channels.as2.certificates import CertificateError, CertificateInfo, describe, load_certificates
from partners.directory import PartnerDirectory
from partners.profile import PartnerProfile

EXPIRY_WARNING = timedelta(days=30)
"""How far ahead an expiring certificate is flagged: time enough to exchange a new one with a partner."""

_UNREADABLE_FIRST = datetime.min.replace(tzinfo=UTC)
OURS = ""
"""``owner_id`` of our own (company) certificates."""


@dataclass(frozen=True, slots=True)
class CertificateRow:
    """One certificate named in a profile, or the reason it could not be read (``info`` is None)."""

    owner_id: str
    owner_name: str
    use: str
    source: str
    info: CertificateInfo | None
    error: str | None
    now: datetime

    @property
    def days_left(self) -> int | None:
        return self.info.days_left(self.now) if self.info is not None else None

    @property
    def state(self) -> str:
        """``expired``, ``expiring`` (within :data:`EXPIRY_WARNING`), ``valid``, or ``unreadable``."""
        if self.info is None:
            return "unreadable"
        if self.info.not_after <= self.now:
            return "expired"
        if self.info.not_after - self.now <= EXPIRY_WARNING:
            return "expiring"
        return "valid"

    @property
    def needs_attention(self) -> bool:
        return self.state != "valid"


def partner_certificates(partner: PartnerProfile, base: Path, now: datetime) -> list[CertificateRow]:
    """The certificates in the partner's ``[as2]`` section; none at all when it has no such section."""
    settings = partner.as2
    if settings is None:
        return []
    if settings.encryption_certificates:
        named = [(v, "verifies signatures and MDNs") for v in settings.certificates]
        named += [(v, "we encrypt to") for v in settings.encryption_certificates]
    else:
        named = [(v, "verifies signatures and MDNs; we encrypt to") for v in settings.certificates]
    return _rows(partner.id, partner.name, named, base, now)


def our_certificates(partners: PartnerDirectory, base: Path, now: datetime) -> list[CertificateRow]:
    """Our AS2 station's certificate and the retired ones kept for decryption during a rollover."""
    own = partners.company.as2
    if own is None:
        return []
    named = [(own.certificate, "our signing and decryption key")]
    named += [(k.certificate, "our retired key (decryption during rollover)") for k in own.older_keys]
    return _rows(OURS, "us", named, base, now)


def all_certificates(partners: PartnerDirectory, base: Path, now: datetime) -> list[CertificateRow]:
    """Ours and every partner's, the most urgent first (unreadable, then by days left)."""
    rows = our_certificates(partners, base, now)
    for partner in partners:
        rows += partner_certificates(partner, base, now)
    return sorted(rows, key=_urgency)


def needing_attention(rows: Iterable[CertificateRow]) -> list[CertificateRow]:
    return [row for row in rows if row.needs_attention]


def _urgency(row: CertificateRow) -> tuple[datetime, str]:
    return (row.info.not_after if row.info is not None else _UNREADABLE_FIRST, row.owner_name)


def _rows(
    owner_id: str, owner_name: str, named: Sequence[tuple[str, str]], base: Path, now: datetime
) -> list[CertificateRow]:
    rows: list[CertificateRow] = []
    for value, use in named:
        source = _source(value)
        try:
            certificates = load_certificates([value], base)
        except CertificateError as exc:
            rows.append(CertificateRow(owner_id, owner_name, use, source, None, str(exc), now))
            continue
        for certificate in certificates:  # a file may hold several (a chain, or old and new)
            rows.append(CertificateRow(owner_id, owner_name, use, source, describe(certificate), None, now))
    return rows


def _source(value: str) -> str:
    """Where the profile says the certificate is: its path, or "inline PEM" (never the PEM itself)."""
    text = value.strip()
    return "inline PEM" if text.startswith("-----BEGIN ") else text
