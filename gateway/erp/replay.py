"""Operator actions on ERP delivery: replay documents, and enable a webhook endpoint again.

Replay queues a document's push deliveries afresh (a full attempt budget, the same webhook id) and
puts it back in the pull queue if the ERP had acknowledged it, so "send it again" means the same on
every channel. Every action is audited with who asked and why.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import Document, ErpDelivery
from gateway.erp import endpoints
from gateway.erp.outbox import DEAD, DELIVERED, DISABLED, PULL, PUSH_CHANNELS, QUEUED, WEBHOOK, schedule


class ErpReplayError(Exception):
    pass


def replay_document(gw: Gateway, document_id: str, *, actor: str, reason: str) -> list[str]:
    """Deliver one document again by each channel it was queued for; returns those channels.

    Dead and delivered deliveries are replayed; ones still queued, retrying or held by a disabled
    endpoint are already on their way and are left alone.
    """
    with gw.sessions.begin() as session:
        if session.get(Document, document_id) is None:
            raise ErpReplayError(f"no document {document_id}")
        deliveries = session.execute(
            select(ErpDelivery)
            .where(ErpDelivery.document_id == document_id, ErpDelivery.state.in_((DEAD, DELIVERED)))
            .order_by(ErpDelivery.id)
            .with_for_update()
        ).scalars()
        channels = _requeue(gw, session, deliveries)
        if not channels:
            raise ErpReplayError(f"document {document_id} has no dead or delivered delivery to replay")
        append_events(
            session,
            [
                AuditEntry(
                    actor,
                    "document",
                    document_id,
                    "erp_replay_requested",
                    {"channels": channels, "reason": reason},
                )
            ],
            gw.clock,
        )
    gw.work_available.set()
    return channels


def replay_dead(gw: Gateway, *, actor: str, reason: str) -> list[str]:
    """Every dead push delivery, in outbox order; returns the document ids."""
    with gw.sessions.begin() as session:
        deliveries = list(
            session.execute(
                select(ErpDelivery)
                .where(ErpDelivery.state == DEAD, ErpDelivery.channel.in_(PUSH_CHANNELS))
                .order_by(ErpDelivery.id)
                .with_for_update()
            ).scalars()
        )
        _requeue(gw, session, deliveries)
        append_events(
            session,
            [
                AuditEntry(
                    actor,
                    "document",
                    d.document_id,
                    "erp_replay_requested",
                    {"channels": [d.channel], "reason": reason},
                )
                for d in deliveries
            ],
            gw.clock,
        )
    gw.work_available.set()
    return [d.document_id for d in deliveries]


def enable_webhook(gw: Gateway, *, actor: str, reason: str) -> int:
    """Enable the configured endpoint and release the deliveries it held; returns how many."""
    url = gw.settings.erp_webhook_url
    if not url:
        raise ErpReplayError("no ERP webhook is configured (EDIGATE_ERP_WEBHOOK_URL)")
    now = gw.clock()
    with gw.sessions.begin() as session:
        changed = endpoints.set_state(session, url, endpoints.ENABLED, reason, now)
        held = list(
            session.execute(
                select(ErpDelivery)
                .where(ErpDelivery.channel == WEBHOOK, ErpDelivery.state == DISABLED)
                .order_by(ErpDelivery.id)
                .with_for_update()
            ).scalars()
        )
        _requeue(gw, session, held)
        append_events(
            session,
            [
                AuditEntry(
                    actor,
                    "erp_endpoint",
                    endpoints.endpoint_id(url),
                    "erp_webhook_enabled",
                    {
                        "endpoint": endpoints.redact(url),
                        "was_disabled": changed,
                        "released": len(held),
                        "reason": reason,
                    },
                )
            ],
            gw.clock,
        )
    gw.work_available.set()
    return len(held)


def _requeue(gw: Gateway, session: Session, deliveries: Iterable[ErpDelivery]) -> list[str]:
    now = gw.clock()
    channels: list[str] = []
    for delivery in deliveries:
        delivery.state = QUEUED
        delivery.attempts = 0
        delivery.next_attempt_at = now
        delivery.delivered_at = None
        if delivery.channel == PULL:
            delivery.offered_until = None  # offered again on the next page
        else:
            schedule(session, delivery, now)
        channels.append(delivery.channel)
    return channels
