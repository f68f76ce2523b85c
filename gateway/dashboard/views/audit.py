"""The audit trail: proof that it is intact, and the log filtered by actor, action and subject."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from gateway.api.dependencies import GatewayDep
from gateway.audit_check import verify_all
from gateway.dashboard.access import SignedInDep
from gateway.dashboard.templating import render
from gateway.database.models import AuditEvent

router = APIRouter()

PAGE_SIZE = 100


@router.get("/audit")
def audit_log(
    request: Request,
    gw: GatewayDep,
    me: SignedInDep,
    actor: str = "",
    action: str = "",
    subject: str = "",
    page: int = 1,
    verify: str = "",
) -> Response:
    actor, action, subject = actor.strip()[:128], action.strip()[:64], subject.strip()[:64]
    page = max(1, min(page, 1_000_000))
    conditions = []
    if actor:
        conditions.append(AuditEvent.actor == actor)
    if action:
        conditions.append(AuditEvent.action == action)
    if subject:
        conditions.append(AuditEvent.subject_id == subject)
    # Verifying reads every event and every archived file: only when asked, never on every visit.
    report = verify_all(gw) if verify else None
    with gw.sessions() as session:
        total = session.execute(select(func.count()).select_from(AuditEvent).where(*conditions)).scalar_one()
        events = (
            session.execute(
                select(AuditEvent)
                .where(*conditions)
                .order_by(AuditEvent.seq.desc())
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            )
            .scalars()
            .all()
        )
        actions = sorted(session.execute(select(AuditEvent.action).distinct()).scalars())
        return render(
            request,
            "audit.html",
            {
                "me": me,
                "active": "audit",
                "events": events,
                "total": total,
                "page": page,
                "pages": max(1, -(-total // PAGE_SIZE)),
                "params": {"actor": actor, "action": action, "subject": subject},
                "actions": actions,
                "report": report,
            },
        )
