"""Certificate expiry for operators: ``GET /v1/certificates`` and the warning at ``edigate serve`` start.

An expired AS2 certificate fails silently from the partner's point of view: their messages start
getting ``authentication-failed`` MDNs, or ours stop decrypting on their side. Renewals take weeks
of coordination between companies, so the inventory flags every certificate that ends within
:data:`EXPIRY_WARNING_DAYS` well before that happens. The listing is ERP/admin-facing (an ERP key):
partners must not learn which other partners we trade with.

A certificate that cannot be loaded is reported next to the list instead of failing the request,
since a broken reference is exactly what an operator looking at certificates needs to see.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cryptography import x509
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.api.dependencies import ErpDep, GatewayDep
from gateway.channels.as2.certificates import (
    CertificateError,
    describe,
    fingerprint,
    load_certificates,
)
from gateway.context import Gateway

log = logging.getLogger(__name__)

EXPIRY_WARNING_DAYS = 30
"""Certificates with fewer whole days left than this (or already expired) are flagged ``expiring``."""

Usage = Literal["signing", "encryption"]

router = APIRouter(prefix="/v1", tags=["certificates"])


class CertificateOut(BaseModel):
    """One certificate and where it is used. ``partner`` is null for our own AS2 identity."""

    partner: str | None = Field(description="Partner id owning the certificate; null for our own")
    as2_id: str = Field(description="The AS2 name the certificate belongs to")
    usage: list[Usage] = Field(description="What the certificate is used for in AS2")
    current: bool = Field(
        description="False for our retired key pairs kept only to decrypt during a rollover"
    )
    subject: str
    issuer: str
    serial: str = Field(description="Serial number, hexadecimal")
    sha256_fingerprint: str = Field(description="SHA-256 of the DER certificate, lowercase hex")
    not_before: datetime
    not_after: datetime
    days_left: int = Field(description="Whole days until not_after; negative once expired")
    expired: bool
    expiring: bool = Field(
        description=f"True when fewer than {EXPIRY_WARNING_DAYS} days are left or it has expired"
    )


class CertificateProblem(BaseModel):
    """A certificate reference in a profile that could not be loaded."""

    partner: str | None
    as2_id: str
    error: str


class CertificateList(BaseModel):
    expiring_within_days: int = EXPIRY_WARNING_DAYS
    certificates: list[CertificateOut]
    problems: list[CertificateProblem]


@dataclass
class _Slot:
    """One certificate of one owner; usages accumulate when it is listed for several purposes."""

    certificate: x509.Certificate
    usage: list[Usage] = field(default_factory=list)
    current: bool = True


def certificate_inventory(gw: Gateway, now: datetime) -> CertificateList:
    """Every AS2 certificate in the profiles: ours first (current, then retired), then each partner's.

    A partner's ``certificates`` verify its signatures and MDNs (signing); ``encryption_certificates``,
    or the same certificates when none are listed separately, are what we encrypt to (encryption).
    """
    certificates: list[CertificateOut] = []
    problems: list[CertificateProblem] = []
    base = gw.settings.data_dir

    def collect(partner: str | None, as2_id: str, slots: dict[str, _Slot]) -> None:
        for slot in slots.values():
            info = describe(slot.certificate)
            days = info.days_left(now)
            certificates.append(
                CertificateOut(
                    partner=partner,
                    as2_id=as2_id,
                    usage=slot.usage,
                    current=slot.current,
                    subject=info.subject,
                    issuer=info.issuer,
                    serial=info.serial,
                    sha256_fingerprint=info.sha256_fingerprint,
                    not_before=info.not_before,
                    not_after=info.not_after,
                    days_left=days,
                    expired=info.not_after < now,
                    expiring=days < EXPIRY_WARNING_DAYS,
                )
            )

    def add(
        slots: dict[str, _Slot],
        references: list[str],
        usage: tuple[Usage, ...],
        owner: tuple[str | None, str],
        current: bool = True,
    ) -> None:
        for reference in references:
            try:
                loaded = load_certificates([reference], base)
            except CertificateError as exc:
                problems.append(CertificateProblem(partner=owner[0], as2_id=owner[1], error=str(exc)))
                continue
            for certificate in loaded:
                slot = slots.setdefault(fingerprint(certificate), _Slot(certificate, current=current))
                slot.usage += [u for u in usage if u not in slot.usage]

    own = gw.partners.company.as2
    if own is not None:
        ours: dict[str, _Slot] = {}
        # Our key pair signs MDNs and outgoing messages, and partners encrypt to it.
        add(ours, [own.certificate], ("signing", "encryption"), (None, own.id))
        for older in own.older_keys:
            add(ours, [older.certificate], ("encryption",), (None, own.id), current=False)
        collect(None, own.id, ours)
    for partner in gw.partners:
        if partner.as2 is None:
            continue
        theirs: dict[str, _Slot] = {}
        owner = (partner.id, partner.as2.id)
        add(theirs, partner.as2.certificates, ("signing",), owner)
        add(theirs, partner.as2.encryption_certificates or partner.as2.certificates, ("encryption",), owner)
        collect(partner.id, partner.as2.id, theirs)
    return CertificateList(certificates=certificates, problems=problems)


def warn_about_expiring_certificates(gw: Gateway) -> list[CertificateOut]:
    """Log a warning per certificate that is expired or ends within the warning window, and per
    reference that cannot be loaded; called once when ``edigate serve`` starts so an operator sees it
    in the service log before partners see failed transmissions. Returns the expiring ones."""
    inventory = certificate_inventory(gw, gw.clock())
    expiring = [c for c in inventory.certificates if c.expiring]
    for cert in expiring:
        owner = f"partner {cert.partner}" if cert.partner else "our station"
        when = (
            f"expired {-cert.days_left} day(s) ago" if cert.expired else f"expires in {cert.days_left} day(s)"
        )
        log.warning(
            "AS2 certificate of %s (%s, %s) %s on %s: subject %s, SHA-256 %s",
            owner,
            cert.as2_id,
            "/".join(cert.usage),
            when,
            cert.not_after.isoformat(),
            cert.subject,
            cert.sha256_fingerprint,
        )
    for problem in inventory.problems:
        owner = f"partner {problem.partner}" if problem.partner else "our station"
        log.warning("AS2 certificate of %s (%s) cannot be loaded: %s", owner, problem.as2_id, problem.error)
    return expiring


@router.get(
    "/certificates",
    summary="AS2 certificates and their expiry",
    response_model=CertificateList,
)
def list_certificates(gw: GatewayDep, _erp: ErpDep) -> CertificateList:
    """Our AS2 certificate(s) and every partner's, with ``expiring`` set for those that end within
    the warning window, so renewals can be scheduled before transmissions fail."""
    return certificate_inventory(gw, gw.clock())
