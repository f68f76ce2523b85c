"""A signed-in operator cannot do more than the role allows by posting the form directly.

The pages hide buttons a role may not use; this posts every dashboard action with a valid session
and a valid CSRF token — the strongest position an insider has — and checks the server refuses,
audits the refusal and changes nothing. (CSRF without or with a foreign token, session fixation
and the viewer's page access are covered in test_dashboard_auth.py.)
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway.api.app import create_app
from gateway.database.models import Acknowledgement, AuditEvent, WorkItem
from tests.gateway.operator_session import csrf_token, sign_in


def _audit(gateway) -> list[tuple[str, str, dict]]:
    with gateway.sessions() as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        return [(row.actor, row.action, row.details) for row in rows]


def _work(gateway) -> int:
    with gateway.sessions() as session:
        return len(session.execute(select(WorkItem)).scalars().all())


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("viewer", "reprocess"),
        ("viewer", "resend message"),
        ("viewer", "resend acknowledgement"),
        ("viewer", "unlock"),
        ("operator", "unlock"),
    ],
)
def test_posting_an_action_above_ones_role_is_refused_audited_and_changes_nothing(
    gateway, submit, drain, edifact_fixture, role, action
):
    message_id = submit(edifact_fixture("contrl_orders_unt_count_wrong.edi")).json()["id"]
    drain(gateway)
    with gateway.sessions() as session:
        ack_id = session.execute(select(Acknowledgement.id)).scalars().first()
    assert ack_id is not None
    path = {
        "reprocess": f"/ui/messages/{message_id}/reprocess",
        "resend message": f"/ui/messages/{message_id}/resend",
        "resend acknowledgement": f"/ui/acknowledgements/{ack_id}/resend",
        "unlock": "/ui/users/admin-account/unlock",
    }[action]
    with TestClient(create_app(gateway, run_worker=False)) as client:
        sign_in(client, gateway, "admin", name="admin-account")  # the account to unlock exists
        client.cookies.clear()
        sign_in(client, gateway, role, name=f"{role}-insider")
        token = csrf_token(client.get(f"/ui/messages/{message_id}").text)
        before_audit, before_work = len(_audit(gateway)), _work(gateway)
        response = client.post(path, data={"reason": "because", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403
    new = _audit(gateway)[before_audit:]
    assert [(actor, what) for actor, what, _details in new] == [
        (f"operator:{role}-insider", "action_refused")
    ]
    assert new[0][2]["role"] == role
    assert _work(gateway) == before_work  # nothing queued: no reprocess, no resend
