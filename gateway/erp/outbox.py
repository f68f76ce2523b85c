"""The ERP outbox: every canonical document enters it in the transaction that creates it.

The pipeline calls ``enqueue_document`` next to the ``Document`` insert, so a document and its
outbox rows commit together or not at all; nothing can be created and then forgotten. The channels
are chosen once, from the settings in force when the document is made: one ``erp_deliveries`` row
per channel, and a work item for each push channel (webhook, file drop). Pull rows wait for the ERP.

Order: deliveries of one partner on one channel go out in creation (row id) order. A delivery that
finds an earlier unfinished one of the same partner waits without spending an attempt; whoever
finishes (delivered, dead, disabled) wakes the next one. A dead delivery does not block the ones
behind it: one poison document must not stop a partner's traffic, and replay sends it late.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.config import Settings
from gateway.context import Gateway
from gateway.database.models import Document, ErpDelivery
from gateway.database.rows import insert_row, new_row
from gateway.delivery import queue_work

DELIVER_TO_ERP = "deliver_to_erp"

WEBHOOK = "webhook"
FILE_DROP = "file_drop"
PULL = "pull"
PUSH_CHANNELS = (WEBHOOK, FILE_DROP)

QUEUED = "queued"
DELIVERED = "delivered"  # for pull: acknowledged by the ERP
RETRYING = "retrying"
DEAD = "dead"
DISABLED = "disabled"
UNFINISHED = (QUEUED, RETRYING, DISABLED)


def channels_for(settings: Settings) -> tuple[str, ...]:
    channels: list[str] = []
    if settings.erp_webhook_url:
        channels.append(WEBHOOK)
    if settings.erp_file_drop_dir is not None:
        channels.append(FILE_DROP)
    if settings.erp_pull:
        channels.append(PULL)
    return tuple(channels)


def enqueue_document(gw: Gateway, session: Session, document: Document) -> list[AuditEntry]:
    """Add the document to the outbox inside the caller's transaction; returns its audit event."""
    now = document.created_at
    rows = [
        new_row(
            ErpDelivery,
            document_id=document.id,
            channel=channel,
            partner_id=document.partner_id,
            document_type=document.document_type,
            state=QUEUED,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            offers=0,
        )
        for channel in channels_for(gw.settings)
    ]
    if not rows:
        return []
    for row in rows:
        insert_row(session, row, generated_id=True)  # the ids are the order and the work items' subjects
    for row in rows:
        if row.channel in PUSH_CHANNELS:
            schedule(session, row, now)
    return [
        AuditEntry(
            "worker",
            "document",
            document.id,
            "erp_outbox_added",
            {"channels": [r.channel for r in rows], "deliveries": [r.id for r in rows]},
        )
    ]


def schedule(session: Session, delivery: ErpDelivery, at: datetime) -> None:
    """Queue a work item that runs the delivery at ``at``; running it twice is harmless."""
    queue_work(session, DELIVER_TO_ERP, str(delivery.id), at)


def earlier_unfinished(session: Session, delivery: ErpDelivery) -> ErpDelivery | None:
    """The oldest delivery of the same partner and channel that must go out before this one."""
    return session.execute(
        select(ErpDelivery)
        .where(
            ErpDelivery.channel == delivery.channel,
            ErpDelivery.partner_id.is_not_distinct_from(delivery.partner_id),
            ErpDelivery.id < delivery.id,
            ErpDelivery.state.in_(UNFINISHED),
        )
        .order_by(ErpDelivery.id)
        .limit(1)
    ).scalar_one_or_none()


def wake_next(session: Session, delivery: ErpDelivery, now: datetime) -> None:
    """Give the next waiting delivery of this partner and channel a work item.

    Always a new item, even if the next one may still hold one: checking would race with a worker
    that is just deciding to wait, and a spare item finds the delivery done and does nothing.
    """
    following = session.execute(
        select(ErpDelivery)
        .where(
            ErpDelivery.channel == delivery.channel,
            ErpDelivery.partner_id.is_not_distinct_from(delivery.partner_id),
            ErpDelivery.id > delivery.id,
            ErpDelivery.state == QUEUED,
        )
        .order_by(ErpDelivery.id)
        .limit(1)
    ).scalar_one_or_none()
    if following is not None:
        schedule(session, following, now)
