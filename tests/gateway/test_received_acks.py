"""Acknowledgements partners send us are read, stored and, when they answer nothing we sent,
kept and reported as unmatched — never dropped, never answered with an acknowledgement."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.database.models import Acknowledgement, AuditEvent

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("fixture", "key", "ack_type", "state"),
    [
        ("x12/ack_partner_997_004010.edi", "demo-globex-key", "997", "partial"),
        ("x12/ack_partner_999_005010.edi", "demo-globex-key", "999", "rejected"),
        ("x12/ack_partner_ta1_00501.edi", "demo-globex-key", "TA1", "rejected"),
        ("edifact/contrl_incoming_syntax4_groups.edi", "demo-acme-key", "CONTRL", "with_errors"),
        ("edifact/aperak_incoming_eancom2002_rejected.edi", "demo-acme-key", "APERAK", "rejected"),
    ],
)
def test_partner_acknowledgement_is_stored_and_reported_unmatched(
    gateway, submit, fetch, drain, fixture, key, ack_type, state
):
    message_id = submit((FIXTURES / fixture).read_bytes(), key=key).json()["id"]
    drain(gateway)
    result = fetch(message_id, key=key)
    assert result["status"] == "processed", result["errors"]
    assert result["documents"] == []
    with gateway.sessions() as session:
        [received] = session.execute(
            select(Acknowledgement).where(Acknowledgement.direction == "inbound")
        ).scalars().all()
        assert (received.type, received.status) == (ack_type, state)
        assert session.execute(
            select(Acknowledgement).where(Acknowledgement.direction == "outbound")
        ).first() is None  # an acknowledgement is never acknowledged
        event = session.execute(
            select(AuditEvent).where(AuditEvent.subject_id == received.id)
        ).scalar_one()
        assert event.action == "acknowledgement_unmatched"
        assert event.details["type"] == ack_type and event.details["answers"] is None
