"""Partners, read-only: profile, identities, channel and its health, traffic, acknowledgements, lint."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from gateway.api.dependencies import GatewayDep
from gateway.context import Gateway
from gateway.dashboard.access import SignedInDep
from gateway.dashboard.ack_health import count_overdue, count_rejected, partner_acknowledgements_overdue
from gateway.dashboard.certificates import needing_attention, partner_certificates
from gateway.dashboard.channel_health import failing_channels
from gateway.dashboard.partner_health import (
    PartnerRow,
    Traffic,
    lint_problems,
    profile_text,
    traffic_by_partner,
)
from gateway.dashboard.search import start_of
from gateway.dashboard.templating import render
from gateway.dashboard.views.errors import not_found
from gateway.database.models import Transmission

router = APIRouter()

WINDOW = timedelta(days=7)
RECENT = 20


@router.get("/partners")
def partner_list(request: Request, gw: GatewayDep, me: SignedInDep) -> Response:
    directory = gw.settings.resolved_partners_dir()
    by_file, general = lint_problems(directory)
    with gw.sessions() as session:
        now = gw.clock()
        since = start_of(now.date()) - WINDOW + timedelta(days=1)
        traffic = traffic_by_partner(session, since, now)
        failing = {p.partner_id: p for p in failing_channels(session, gw.partners, now)}
    rows = [
        PartnerRow(profile, traffic.get(profile.id, Traffic()), by_file.get(f"{profile.id}.toml", []))
        for profile in gw.partners
    ]
    loaded = {f"{p.id}.toml" for p in gw.partners}
    unloaded = {name: problems for name, problems in by_file.items() if name not in loaded}
    return render(
        request,
        "partners.html",
        {
            "me": me,
            "active": "partners",
            "rows": rows,
            "failing": failing,
            "general_problems": general,
            "unloaded": unloaded,
            "since": since.date(),
            "directory": str(directory),
            "sftp_fingerprint": _sftp_fingerprint(gw),
        },
    )


def _sftp_fingerprint(gw: Gateway) -> str | None:
    """Shown only once the SFTP server has made its host key; the dashboard never creates one."""
    from gateway.channels.sftp_server import HOST_KEY_FILE, host_key_fingerprint, keys_dir

    if not (keys_dir(gw.settings.data_dir) / HOST_KEY_FILE).exists():
        return None
    return host_key_fingerprint(gw.settings.data_dir)


@router.get("/partners/{partner_id}")
def partner_page(request: Request, partner_id: str, gw: GatewayDep, me: SignedInDep) -> Response:
    profile = gw.partners.get(partner_id[:64])
    if profile is None:
        return not_found(request, me, f"There is no partner {partner_id[:64]!r} in the loaded profiles.")
    directory = gw.settings.resolved_partners_dir()
    by_file, _general = lint_problems(directory)
    with gw.sessions() as session:
        now = gw.clock()
        since = start_of(now.date()) - WINDOW + timedelta(days=1)
        traffic = traffic_by_partner(session, since, now).get(profile.id, Traffic())
        recent = (
            session.execute(
                select(Transmission)
                .where(Transmission.partner_id == profile.id)
                .order_by(Transmission.received_at.desc(), Transmission.id.desc())
                .limit(RECENT)
            )
            .scalars()
            .all()
        )
        certificates = partner_certificates(profile, gw.settings.data_dir, now)
        return render(
            request,
            "partner.html",
            {
                "me": me,
                "active": "partners",
                "p": profile,
                "traffic": traffic,
                "recent": recent,
                "since": since.date(),
                "failing": failing_channels(session, gw.partners, now, partner=profile.id),
                "acks_overdue": count_overdue(session, now, partner=profile.id),
                "acks_rejected": count_rejected(session, since=since, partner=profile.id),
                "owed": partner_acknowledgements_overdue(gw, session, partner=profile.id),
                "certificates": certificates,
                "certificates_flagged": needing_attention(certificates),
                "problems": by_file.get(f"{profile.id}.toml", []),
                "file_text": profile_text(directory, profile.id),
                "file_name": f"{profile.id}.toml",
            },
        )
