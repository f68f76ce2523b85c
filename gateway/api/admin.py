"""The admin API: partners as an administrator sees them, and their credentials changed without a restart.

Every change rewrites the partner's profile file (comments kept), reloads the partners folder and is
audited with the administrator's name and what changed — a hash prefix or a fingerprint, never a key.
A new API key is returned exactly once; only its SHA-256 is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from gateway.api.admin_access import AdminDep
from gateway.api.dependencies import GatewayDep
from gateway.channels.as2.certificates import CertificateError, fingerprint, load_certificates
from gateway.channels.as2.certificates_api import CertificateOut, certificate_inventory
from gateway.context import Gateway
from gateway.dashboard.channel_health import ChannelProblem, failing_channels
from gateway.dashboard.partner_health import Traffic, lint_problems, traffic_by_partner
from gateway.partner_edits import PartnerEditRefused, edit_profile, store_certificate
from gateway.partner_reload import ReloadResult, reload_partners
from partners.apikey import generate_api_key, hash_api_key
from partners.lint import LintProblem
from partners.profile import PartnerId, PartnerProfile
from partners.profile_edit import (
    ProfileEditError,
    add_api_key_hash,
    add_as2_certificate,
    add_authorized_key,
    fingerprints,
    remove_api_key_hashes,
    remove_authorized_key,
)

router = APIRouter(prefix="/v1/admin", tags=["admin"])

TRAFFIC_WINDOW = timedelta(days=7)
PREFIX_LENGTH = 12  # digits of a key's SHA-256 shown to name it
_PARTNER_ID: TypeAdapter[str] = TypeAdapter(PartnerId)

_EDIT_STATUS = {
    "NOT_FOUND": status.HTTP_404_NOT_FOUND,
    "NO_AS2": status.HTTP_409_CONFLICT,
    "SFTP_POLL_MODE": status.HTTP_409_CONFLICT,
    "DUPLICATE_KEY": status.HTTP_409_CONFLICT,
    "DUPLICATE_CERTIFICATE": status.HTTP_409_CONFLICT,
}


class Problem(BaseModel):
    file: str
    location: str
    code: str
    message: str


class ChannelHealth(BaseModel):
    """The partner's outbound channel, judged like the dashboard's Overview does."""

    channel: str = Field(description="rest, sftp or as2: how we deliver to the partner")
    state: Literal["ok", "failing"]
    retrying: int = 0
    failed: int = Field(0, description="deliveries given up on in the last 7 days")
    last_error: str | None = None


class TrafficOut(BaseModel):
    """The last 7 days."""

    received: int
    errors: int
    last_at: datetime | None
    acks_overdue: int
    acks_rejected: int


class PartnerSummary(BaseModel):
    id: str
    name: str
    role: str
    syntax: str
    enabled: bool
    delivery: str
    api_keys: list[str] = Field(description=f"first {PREFIX_LENGTH} hex digits of each key's SHA-256")
    channel: ChannelHealth
    problems: list[Problem] = Field(
        description="lint problems of the file as it is on disk now (not yet active if any)"
    )


class SftpOut(BaseModel):
    mode: str
    username: str
    authorized_keys: list[str] = Field(description="SHA-256 fingerprints, as ssh-keygen -lf prints them")
    authorized_keys_file: str


class As2Out(BaseModel):
    id: str
    certificates: list[CertificateOut]


class PartnerDetail(PartnerSummary):
    identities: list[str]
    inbound_messages: list[str]
    traffic: TrafficOut
    sftp: SftpOut | None
    as2: As2Out | None


class NewApiKey(BaseModel):
    api_key: str = Field(description="the new key; shown this once and stored nowhere")
    sha256_prefix: str
    api_keys: list[str]


class ApiKeys(BaseModel):
    removed: str
    api_keys: list[str]


class SftpKeyIn(BaseModel):
    public_key: str = Field(max_length=16384, description="one OpenSSH authorized_keys line")


class SftpKeyOut(BaseModel):
    fingerprint: str
    authorized_keys: list[str]


class CertificateIn(BaseModel):
    certificate_pem: str = Field(max_length=65536, description="the partner's certificate, PEM")


class ReloadOut(BaseModel):
    status: Literal["reloaded", "refused", "unchanged"]
    added: list[str]
    changed: list[str]
    removed: list[str]
    problems: list[Problem]


@router.get("/partners", summary="Every partner with its channel health", response_model=list[PartnerSummary])
def list_partners(gw: GatewayDep, _admin: AdminDep) -> list[PartnerSummary]:
    now = gw.clock()
    by_file, _ = lint_problems(gw.settings.resolved_partners_dir())
    with gw.sessions() as session:
        failing = {p.partner_id: p for p in failing_channels(session, gw.partners, now)}
    return [_summary(p, failing.get(p.id), by_file.get(f"{p.id}.toml", [])) for p in gw.partners]


@router.get("/partners/{partner_id}", summary="One partner: identities, credentials, health, traffic")
def get_partner(partner_id: str, gw: GatewayDep, _admin: AdminDep) -> PartnerDetail:
    return _detail(gw, _partner(gw, partner_id))


@router.post("/partners/reload", summary="Load the partner profiles again now", response_model=ReloadOut)
def reload(gw: GatewayDep, admin: AdminDep) -> ReloadOut:
    return _reload_out(reload_partners(gw, actor=admin.actor))


@router.post(
    "/partners/{partner_id}/api-keys",
    status_code=status.HTTP_201_CREATED,
    summary="Add a new REST API key (returned once); the existing keys keep working",
)
def add_api_key(partner_id: str, gw: GatewayDep, admin: AdminDep) -> NewApiKey:
    _profile_file(gw, partner_id)
    key = generate_api_key()
    digest = hash_api_key(key)
    _edit(
        gw,
        partner_id,
        lambda text: (add_api_key_hash(text, digest), digest),
        admin.actor,
        "partner_api_key_added",
        lambda d: {"sha256_prefix": d[:PREFIX_LENGTH]},
    )
    prefix = digest[:PREFIX_LENGTH]
    return NewApiKey(api_key=key, sha256_prefix=prefix, api_keys=_key_prefixes(gw, partner_id))


@router.delete(
    "/partners/{partner_id}/api-keys/{sha256_prefix}",
    summary="Retire the API key whose SHA-256 starts with these hex digits (at least 8)",
)
def retire_api_key(partner_id: str, sha256_prefix: str, gw: GatewayDep, admin: AdminDep) -> ApiKeys:
    _profile_file(gw, partner_id)
    removed = _edit(
        gw,
        partner_id,
        lambda text: remove_api_key_hashes(text, sha256_prefix[:64]),
        admin.actor,
        "partner_api_key_retired",
        lambda d: {"sha256_prefix": d[:PREFIX_LENGTH]},
    )
    return ApiKeys(removed=removed[:PREFIX_LENGTH], api_keys=_key_prefixes(gw, partner_id))


@router.post(
    "/partners/{partner_id}/sftp-keys",
    status_code=status.HTTP_201_CREATED,
    summary="Authorize a public key for the partner's SFTP mailbox",
)
def add_sftp_key(partner_id: str, body: SftpKeyIn, gw: GatewayDep, admin: AdminDep) -> SftpKeyOut:
    _profile_file(gw, partner_id)
    found = _edit(
        gw,
        partner_id,
        lambda text: add_authorized_key(text, body.public_key),
        admin.actor,
        "partner_sftp_key_added",
        lambda f: {"fingerprint": f},
    )
    return SftpKeyOut(fingerprint=found, authorized_keys=_sftp_fingerprints(_partner(gw, partner_id)))


@router.delete("/partners/{partner_id}/sftp-keys", summary="Remove an authorized SFTP key by fingerprint")
def remove_sftp_key(
    partner_id: str,
    gw: GatewayDep,
    admin: AdminDep,
    fingerprint: str = Query(max_length=100, description="SHA256:… as ssh-keygen -lf prints it"),
) -> SftpKeyOut:
    _profile_file(gw, partner_id)
    _edit(
        gw,
        partner_id,
        lambda text: (remove_authorized_key(text, fingerprint), fingerprint),
        admin.actor,
        "partner_sftp_key_removed",
        lambda f: {"fingerprint": f},
    )
    return SftpKeyOut(fingerprint=fingerprint, authorized_keys=_sftp_fingerprints(_partner(gw, partner_id)))


@router.post(
    "/partners/{partner_id}/as2-certificates",
    status_code=status.HTTP_201_CREATED,
    summary="Upload the partner's AS2 certificate; it is added next to the current ones (rollover)",
)
def upload_as2_certificate(
    partner_id: str, body: CertificateIn, gw: GatewayDep, admin: AdminDep
) -> CertificateOut:
    _profile_file(gw, partner_id)
    text = body.certificate_pem.strip()
    # Only PEM text: the loader would also take a file path, and an upload must not read server files.
    if not (text.startswith("-----BEGIN CERTIFICATE-----") and text.isascii()):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "expected a PEM certificate")
    try:
        certificates = load_certificates([text], gw.settings.data_dir)
    except CertificateError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if len(certificates) != 1:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "expected exactly one certificate")
    digest = fingerprint(certificates[0])
    reference, created = store_certificate(gw, partner_id, text.encode("ascii") + b"\n", digest)
    try:
        _edit(
            gw,
            partner_id,
            lambda text: (add_as2_certificate(text, reference), digest),
            admin.actor,
            "partner_as2_certificate_added",
            lambda d: {"sha256_fingerprint": d, "path": reference},
        )
    except HTTPException:
        if created:  # not referenced by any profile: leave no stray file behind
            (gw.settings.data_dir / reference).unlink(missing_ok=True)
        raise
    listed = [c for c in _certificates(gw, partner_id) if c.sha256_fingerprint == digest]
    return listed[0]


def _edit(gw: Gateway, partner_id: str, change: Any, actor: str, action: str, details: Any) -> Any:
    try:
        return edit_profile(gw, partner_id, change, actor=actor, action=action, details=details)
    except ProfileEditError as exc:
        code = _EDIT_STATUS.get(exc.code, status.HTTP_422_UNPROCESSABLE_CONTENT)
        raise HTTPException(code, str(exc)) from None
    except PartnerEditRefused as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {
                "message": "the partner profiles do not load; nothing was changed",
                "problems": [p.model_dump() for p in _problems(exc.problems)],
            },
        ) from None


def _profile_file(gw: Gateway, partner_id: str) -> None:
    """Changes go to the profile *file*, which may not be loaded yet: a new partner's profile loads
    only once its last missing credential is added, and that may be the very change requested."""
    try:
        _PARTNER_ID.validate_python(partner_id)  # the id becomes a file name: no "../" here
    except ValidationError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not a partner id") from None
    if not (gw.settings.resolved_partners_dir() / f"{partner_id}.toml").is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no profile file for partner '{partner_id}'")


def _partner(gw: Gateway, partner_id: str) -> PartnerProfile:
    partner = gw.partners.get(partner_id[:64])
    if partner is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no partner '{partner_id[:64]}'")
    return partner


def _key_prefixes(gw: Gateway, partner_id: str) -> list[str]:
    return [digest[:PREFIX_LENGTH] for digest in _partner(gw, partner_id).api_key_sha256]


def _sftp_fingerprints(partner: PartnerProfile) -> list[str]:
    return fingerprints(partner.sftp.authorized_keys) if partner.sftp else []


def _problems(problems: list[LintProblem]) -> list[Problem]:
    return [Problem(file=p.file, location=p.location, code=p.code, message=p.message) for p in problems]


def _summary(partner: PartnerProfile, failing: ChannelProblem | None, problems: list[LintProblem]) -> Any:
    channel = ChannelHealth(channel=partner.delivery, state="ok")
    if failing is not None:
        channel = ChannelHealth(
            channel=partner.delivery,
            state="failing",
            retrying=failing.retrying,
            failed=failing.failed,
            last_error=failing.last_error,
        )
    return PartnerSummary(
        id=partner.id,
        name=partner.name,
        role=partner.role,
        syntax=partner.syntax,
        enabled=partner.enabled,
        delivery=partner.delivery,
        api_keys=[d[:PREFIX_LENGTH] for d in partner.api_key_sha256],
        channel=channel,
        problems=_problems(problems),
    )


def _certificates(gw: Gateway, partner_id: str) -> list[CertificateOut]:
    return [c for c in certificate_inventory(gw, gw.clock()).certificates if c.partner == partner_id]


def _detail(gw: Gateway, partner: PartnerProfile) -> PartnerDetail:
    now = gw.clock()
    by_file, _ = lint_problems(gw.settings.resolved_partners_dir())
    with gw.sessions() as session:
        failing = failing_channels(session, gw.partners, now, partner=partner.id)
        traffic = traffic_by_partner(session, now - TRAFFIC_WINDOW, now).get(partner.id, Traffic())
    summary = _summary(partner, failing[0] if failing else None, by_file.get(f"{partner.id}.toml", []))
    identities = [i.describe() for i in (*partner.edifact, *partner.x12, *partner.xml)]
    sftp = None
    if partner.sftp is not None:
        sftp = SftpOut(
            mode=partner.sftp.mode,
            username=partner.sftp.account_name(partner.id),
            authorized_keys=_sftp_fingerprints(partner),
            authorized_keys_file=partner.sftp.authorized_keys_file,
        )
    as2 = As2Out(id=partner.as2.id, certificates=_certificates(gw, partner.id)) if partner.as2 else None
    return PartnerDetail(
        **summary.model_dump(),
        identities=identities,
        inbound_messages=list(partner.inbound_messages),
        traffic=TrafficOut(
            received=traffic.received,
            errors=traffic.errors,
            last_at=traffic.last_at,
            acks_overdue=traffic.acks_overdue,
            acks_rejected=traffic.acks_rejected,
        ),
        sftp=sftp,
        as2=as2,
    )


def _reload_out(result: ReloadResult) -> ReloadOut:
    return ReloadOut(
        status=result.status,
        added=result.added,
        changed=result.changed,
        removed=result.removed,
        problems=_problems(result.problems),
    )
