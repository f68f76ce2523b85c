"""Running one push delivery (webhook or file drop) as a work item, with its retry policy.

The worker calls ``deliver_to_erp`` inside its transaction. Expected failures — the ERP down, slow
or answering 5xx, a full disk — are outcomes, not exceptions: the delivery row records the attempt
and a new work item is scheduled after an exponential back-off with jitter, or the delivery goes to
the dead letter when its attempts are spent. Only unexpected errors reach the worker's own failure
path, which marks the row through ``record_erp_failure``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.config import Settings
from gateway.context import Gateway
from gateway.crash_points import crash_point
from gateway.database.models import Document, ErpDelivery
from gateway.erp import endpoints, file_drop, webhook
from gateway.erp.outbox import (
    DEAD,
    DELIVER_TO_ERP,
    DELIVERED,
    DISABLED,
    FILE_DROP,
    RETRYING,
    WEBHOOK,
    earlier_unfinished,
    schedule,
    wake_next,
)
from translators.numerals import is_digits

__all__ = ["DELIVER_TO_ERP", "backoff_seconds", "deliver_to_erp", "record_erp_failure"]

ACTOR = "worker"


def backoff_seconds(
    settings: Settings, attempts: int, retry_after: float | None, rng: random.Random
) -> float:
    """Delay before attempt ``attempts + 1``: the step doubles from the base up to the cap, and the
    wait is half the step plus a random share of the other half ("equal jitter"), so a crowd of
    failed deliveries spreads out but none comes back sooner than half its step."""
    cap = settings.erp_webhook_backoff_max_seconds
    step = min(cap, settings.erp_webhook_backoff_seconds * 2 ** max(attempts - 1, 0))
    delay = step / 2 + rng.uniform(0, step / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay


def deliver_to_erp(gw: Gateway, session: Session, delivery_id: str) -> list[AuditEntry]:
    delivery = session.get(ErpDelivery, int(delivery_id), with_for_update=True)
    if delivery is None:
        raise LookupError(f"ERP delivery {delivery_id} does not exist")
    now = gw.clock()
    if delivery.channel not in (WEBHOOK, FILE_DROP) or delivery.state in (DELIVERED, DEAD):
        return []  # a spare wake-up, or a pull row: nothing to push
    if delivery.next_attempt_at > now:
        return []  # a spare wake-up during back-off: the scheduled retry will come
    url = gw.settings.erp_webhook_url
    if delivery.channel == WEBHOOK and url and endpoints.is_disabled(session, url):
        return _hold(session, delivery, now)
    if earlier_unfinished(session, delivery) is not None:
        return []  # waits without spending an attempt; the earlier one wakes it when it finishes
    document = session.get(Document, delivery.document_id)
    if document is None:
        raise LookupError(f"document {delivery.document_id} does not exist")
    if delivery.channel == WEBHOOK:
        return _webhook(gw, session, delivery, document, now)
    return _file_drop(gw, session, delivery, document, now)


def _webhook(
    gw: Gateway, session: Session, delivery: ErpDelivery, document: Document, now: datetime
) -> list[AuditEntry]:
    attempt = webhook.send(gw.settings, document, now)
    delivery.attempts += 1
    delivery.last_status = attempt.status
    delivery.last_error = attempt.error
    url = gw.settings.erp_webhook_url or ""
    details: dict[str, Any] = {
        "channel": WEBHOOK,
        "delivery": delivery.id,
        "endpoint": endpoints.redact(url),
        "webhook_id": document.id,
        "attempt": delivery.attempts,
        "status": attempt.status,
    }
    if attempt.verdict is webhook.Verdict.DELIVERED:
        crash_point("after_erp_post")
        return _delivered(session, delivery, now, details)
    details["error"] = attempt.error
    if attempt.verdict is webhook.Verdict.GONE:
        events = [_event(document.id, "erp_webhook_attempt_failed", details)]
        if endpoints.set_state(session, url, endpoints.DISABLED, "410 Gone from the ERP", now):
            events.append(
                AuditEntry(
                    ACTOR,
                    "erp_endpoint",
                    endpoints.endpoint_id(url),
                    "erp_webhook_disabled",
                    {"endpoint": endpoints.redact(url), "reason": "410 Gone", "document": document.id},
                )
            )
        return events + _hold(session, delivery, now)
    if attempt.verdict is webhook.Verdict.DEAD:
        return _dead(session, delivery, now, details)
    return _retry(
        gw, session, delivery, now, details, attempt.retry_after, gw.settings.erp_webhook_max_attempts
    )


def _file_drop(
    gw: Gateway, session: Session, delivery: ErpDelivery, document: Document, now: datetime
) -> list[AuditEntry]:
    directory = gw.settings.erp_file_drop_dir
    delivery.attempts += 1
    details: dict[str, Any] = {"channel": FILE_DROP, "delivery": delivery.id, "attempt": delivery.attempts}
    if directory is None:
        delivery.last_error = "no file drop folder is configured on this node"
        details["error"] = delivery.last_error
        return _retry(gw, session, delivery, now, details, None, gw.settings.erp_file_drop_max_attempts)
    try:
        path = file_drop.drop(directory, gw.settings.erp_file_drop_format, delivery, document)
    except file_drop.RenderError as exc:
        delivery.last_error = details["error"] = str(exc)
        return _dead(session, delivery, now, details)
    except OSError as exc:
        delivery.last_error = details["error"] = f"{type(exc).__name__}: {exc}"
        return _retry(gw, session, delivery, now, details, None, gw.settings.erp_file_drop_max_attempts)
    delivery.last_error = None
    details.update(file=path.name, format=gw.settings.erp_file_drop_format)
    return _delivered(session, delivery, now, details)


def _delivered(
    session: Session, delivery: ErpDelivery, now: datetime, details: dict[str, Any]
) -> list[AuditEntry]:
    delivery.state = DELIVERED
    delivery.delivered_at = now
    wake_next(session, delivery, now)
    return [_event(delivery.document_id, "erp_delivered", details)]


def _dead(
    session: Session, delivery: ErpDelivery, now: datetime, details: dict[str, Any]
) -> list[AuditEntry]:
    delivery.state = DEAD
    wake_next(session, delivery, now)
    return [_event(delivery.document_id, "erp_delivery_dead", details)]


def _retry(
    gw: Gateway,
    session: Session,
    delivery: ErpDelivery,
    now: datetime,
    details: dict[str, Any],
    retry_after: float | None,
    max_attempts: int,
) -> list[AuditEntry]:
    if delivery.attempts >= max_attempts:
        details["max_attempts"] = max_attempts
        return _dead(session, delivery, now, details)
    delay = backoff_seconds(gw.settings, delivery.attempts, retry_after, random.SystemRandom())
    delivery.state = RETRYING
    delivery.next_attempt_at = now + timedelta(seconds=delay)
    schedule(session, delivery, delivery.next_attempt_at)
    details["next_attempt_at"] = delivery.next_attempt_at.isoformat()
    return [_event(delivery.document_id, "erp_delivery_retrying", details)]


def _hold(session: Session, delivery: ErpDelivery, now: datetime) -> list[AuditEntry]:
    """The endpoint is disabled: park the delivery until an operator enables the endpoint again."""
    delivery.state = DISABLED
    wake_next(session, delivery, now)  # the partner's later documents are parked too, visibly
    return [_event(delivery.document_id, "erp_delivery_held", {"channel": WEBHOOK, "delivery": delivery.id})]


def _event(document_id: str, action: str, details: dict[str, Any]) -> AuditEntry:
    return AuditEntry(ACTOR, "document", document_id, action, details)


def record_erp_failure(session: Session, delivery_id: str, final: bool, reason: str, now: datetime) -> None:
    """Bookkeeping for an unexpected error (the worker's failure path): the row shows it, and a dead
    delivery must not keep the partner's later documents waiting."""
    delivery = session.get(ErpDelivery, int(delivery_id)) if is_digits(delivery_id) else None
    if delivery is None or delivery.state in (DELIVERED, DEAD):
        return
    delivery.last_error = reason
    delivery.state = DEAD if final else RETRYING
    if final:
        wake_next(session, delivery, now)
