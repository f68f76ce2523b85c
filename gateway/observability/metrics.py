"""``/metrics``: Prometheus numbers computed from the database at scrape time.

The queue, the messages and the ERP outbox all live in the database, so every node of a cluster
reports the same truth and nothing is lost when a process restarts; in-process counters would
instead differ per node and reset on every deploy. The collector therefore keeps no state: each
scrape runs a handful of aggregate queries (``GROUP BY``, bounded by a time window where a table
grows without limit) and reports only counts and durations, never identifiers or content, because
the endpoint is unauthenticated like Prometheus expects.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.context import Gateway
from gateway.database.models import ErpDelivery, Interchange, Transmission, WorkItem

log = logging.getLogger(__name__)

LATENCY_WINDOW = timedelta(hours=24)
"""Only transmissions processed this recently feed the latency histogram: recent behaviour is what an
alert needs, and the window keeps the query small however old the database is."""

LATENCY_SAMPLE_LIMIT = 50_000
"""Upper bound on rows read for the histogram, so a burst cannot make a scrape slow."""

LATENCY_BUCKETS: tuple[float, ...] = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
"""Seconds from receipt to processed; EDI is batchy, so the buckets reach up to an hour."""

UNKNOWN = "unknown"
"""Label value for a missing partner or syntax (unidentified senders, unparsable input)."""


class GatewayCollector(Collector):
    """Reads the gateway's tables on each ``collect()``; holds nothing between scrapes."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    def describe(self) -> list[Metric]:
        # Empty on purpose: registering must not query the database (it may not be reachable yet).
        return []

    def collect(self) -> Iterator[Metric]:
        with self.gw.sessions() as session:
            yield self._messages(session)
            yield from self._queue(session)
            yield from self._erp(session)
            yield self._acks_overdue(session)
            yield self._latency(session)
        certificates = self._certificates()
        if certificates is not None:
            yield certificates

    def _messages(self, session: Session) -> Metric:
        family = GaugeMetricFamily(
            "edigate_messages",
            "Transmissions in the database by direction, partner, syntax, channel and status",
            labels=["direction", "partner", "syntax", "channel", "status"],
        )
        columns = (
            Transmission.direction,
            Transmission.partner_id,
            Transmission.syntax,
            Transmission.channel,
            Transmission.status,
        )
        rows = session.execute(select(*columns, func.count()).group_by(*columns))
        for direction, partner, syntax, channel, status, count in rows:
            family.add_metric(
                [direction, partner or UNKNOWN, syntax or UNKNOWN, channel, status], float(count)
            )
        return family

    def _queue(self, session: Session) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "edigate_queue_depth", "Work items waiting to run, per kind", labels=["kind"]
        )
        oldest = GaugeMetricFamily(
            "edigate_queue_oldest_age_seconds",
            "Age of the oldest waiting work item, per kind (a stuck queue grows this)",
            labels=["kind"],
        )
        now = self.gw.clock()
        rows = session.execute(
            select(WorkItem.kind, func.count(), func.min(WorkItem.created_at))
            .where(WorkItem.state == "queued")
            .group_by(WorkItem.kind)
        )
        for kind, count, first in rows:
            depth.add_metric([kind], float(count))
            age = 0.0
            if first is not None:
                # func.min bypasses the UTC column type on SQLite; normalise like the model does.
                first = _as_utc(first)
                age = max((now - first).total_seconds(), 0.0)
            oldest.add_metric([kind], age)
        yield depth
        yield oldest

    def _erp(self, session: Session) -> Iterator[Metric]:
        deliveries = GaugeMetricFamily(
            "edigate_erp_deliveries",
            "ERP outbox entries by channel and state (dead = gave up after the last attempt)",
            labels=["channel", "state"],
        )
        attempts = GaugeMetricFamily(
            "edigate_erp_delivery_attempts",
            "Delivery attempts made so far over all ERP outbox entries, per channel",
            labels=["channel"],
        )
        per_channel: dict[str, float] = defaultdict(float)
        rows = session.execute(
            select(
                ErpDelivery.channel,
                ErpDelivery.state,
                func.count(),
                func.coalesce(func.sum(ErpDelivery.attempts), 0),
            ).group_by(ErpDelivery.channel, ErpDelivery.state)
        )
        for channel, state, count, tried in rows:
            deliveries.add_metric([channel, state], float(count))
            per_channel[channel] += float(tried)
        for channel, tried in sorted(per_channel.items()):
            attempts.add_metric([channel], tried)
        yield deliveries
        yield attempts

    def _acks_overdue(self, session: Session) -> Metric:
        """Same rule as :func:`gateway.outbound.outbound_ack_state`, applied per partner window."""
        family = GaugeMetricFamily(
            "edigate_acknowledgements_overdue",
            "Outbound interchanges still unacknowledged after the partner's due window",
            labels=["partner"],
        )
        now = self.gw.clock()
        rows = session.execute(
            select(Transmission.partner_id, Transmission.processed_at)
            .join(Interchange, Interchange.transmission_id == Transmission.id)
            .where(
                Transmission.direction == "outbound",
                Transmission.status == "sent",
                Transmission.processed_at.is_not(None),
                Interchange.status == "awaiting_ack",
            )
        )
        overdue: dict[str, int] = defaultdict(int)
        for partner_id, processed_at in rows:
            partner = self.gw.partners.get(partner_id or "")
            hours = partner.acknowledgements.due_hours if partner is not None else 24
            if now > processed_at + timedelta(hours=hours):
                overdue[partner_id or UNKNOWN] += 1
        # Every known partner gets a sample, so an alert sees 0 rather than an absent series.
        for partner in self.gw.partners:
            overdue.setdefault(partner.id, 0)
        for partner_id, count in sorted(overdue.items()):
            family.add_metric([partner_id], float(count))
        return family

    def _latency(self, session: Session) -> Metric:
        now = self.gw.clock()
        rows = session.execute(
            select(Transmission.direction, Transmission.received_at, Transmission.processed_at)
            .where(Transmission.processed_at >= now - LATENCY_WINDOW)
            .order_by(Transmission.processed_at.desc())
            .limit(LATENCY_SAMPLE_LIMIT)
        )
        samples: dict[str, list[float]] = defaultdict(list)
        for direction, received_at, processed_at in rows:
            samples[direction].append(max((processed_at - received_at).total_seconds(), 0.0))
        family = HistogramMetricFamily(
            "edigate_processing_latency_seconds",
            f"Receipt to processed, over transmissions processed in the last "
            f"{int(LATENCY_WINDOW.total_seconds() // 3600)} h",
            labels=["direction"],
        )
        for direction, values in sorted(samples.items()):
            buckets = [
                (_bucket_label(bound), float(sum(v <= bound for v in values))) for bound in LATENCY_BUCKETS
            ]
            buckets.append(("+Inf", float(len(values))))
            family.add_metric([direction], buckets, sum_value=sum(values))
        return family

    def _certificates(self) -> Metric | None:
        """Days to expiry per AS2 certificate; absent when no profile uses AS2."""
        from gateway.channels.as2.certificates_api import certificate_inventory

        try:
            inventory = certificate_inventory(self.gw, self.gw.clock())
        except Exception:  # a broken profile must not take the whole scrape down
            log.warning("certificate inventory failed during a metrics scrape", exc_info=True)
            return None
        if not inventory.certificates:
            return None
        family = GaugeMetricFamily(
            "edigate_certificate_days_to_expiry",
            "Whole days until an AS2 certificate ends (negative once expired); partner '' is ours",
            labels=["partner", "as2_id", "usage", "fingerprint"],
        )
        for cert in inventory.certificates:
            for usage in cert.usage:
                family.add_metric(
                    [cert.partner or "", cert.as2_id, usage, cert.sha256_fingerprint[:16]],
                    float(cert.days_left),
                )
        return family


def _as_utc(value: datetime | str) -> datetime:
    """An aggregate such as ``MIN()`` comes back naive (or as text on SQLite): make it UTC-aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bucket_label(bound: float) -> str:
    return str(float(bound))


def metrics_router(gw: Gateway) -> APIRouter:
    """A router serving this gateway's registry; one registry per app keeps test gateways apart."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(GatewayCollector(gw))
    router = APIRouter(tags=["health"])

    @router.get("/metrics", summary="Prometheus metrics (aggregates only)", include_in_schema=False)
    def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
