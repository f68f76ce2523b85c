"""Claims queued work from the database and runs it.

A claim is a short transaction that marks the item running under a lease; the work itself runs in
a second transaction that also marks the item done. If the process dies in between, the lease
runs out and any worker takes the item again. On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``
so many workers on many machines never take the same item.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from time import monotonic, sleep
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from archive.audit import AuditEntry
from archive.sync_batch import deferred_sync
from gateway.context import Gateway
from gateway.crash_points import crash_point
from gateway.database.audit_log import append_events, buffered_events
from gateway.database.direct import DirectStatement
from gateway.database.engine import commit_without_waiting_for_disk, writers_waiting
from gateway.database.models import Transmission, WorkItem
from gateway.database.rows import load_row, load_rows, new_row
from gateway.delivery import (
    DELIVER_ACKNOWLEDGEMENT,
    DELIVER_OUTBOUND,
    deliver_acknowledgement,
    deliver_outbound,
    record_delivery_failure,
    record_outbound_failure,
)
from gateway.erp.delivery import DELIVER_TO_ERP, deliver_to_erp, record_erp_failure
from gateway.intake import PROCESS_TRANSMISSION
from gateway.order_loop import AUTO_ACCEPT_ORDER, auto_accept_order
from gateway.pipeline import PreparedTranslation, prepare_translation, process_transmission
from gateway.publication import Publications, deferred_publication, publish_abandoned

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Kinds claimed and committed in batches: processing, and sending our acknowledgements (one each per
# inbound message, so a burst makes as many of them). ERP deliveries keep their own order rules and
# the automatic order answer commits on its own, so those run one at a time.
BATCHED_KINDS = (PROCESS_TRANSMISSION, DELIVER_ACKNOWLEDGEMENT)
# How long one transaction of a batch may hold the database before it commits and lets intake in.
TRANSACTION_SECONDS = 0.02
WRITER_HANDOVER_SECONDS = 0.001
# How soon a worker looks again after the queue ran empty; each empty look doubles it.
FIRST_IDLE_WAIT_SECONDS = 0.01
# A batch of a batched kind with fewer items than this is followed by a pause
# (``worker_gather_seconds``) to let more queue.
GATHER_ITEMS = 16
# How much of a batch's raw input is translated ahead of its transactions and held in memory.
PREPARED_BYTES = 16 * 1024 * 1024


_WORK = WorkItem.__table__
_WORK_COLUMNS = tuple(column.key for column in _WORK.columns)
_ID, _KIND, _SUBJECT = (_WORK_COLUMNS.index(key) for key in ("id", "kind", "subject_id"))
# A claim reads each state's due items in id order (index ``ix_work_items_claim``): queued ones
# that are available, and running ones whose lease has run out. Two statements, not one with OR:
# with OR SQLite sorted every queued item, or went through every item of a kind ever queued.
_QUEUED_DUE = (_WORK.c.state == "queued") & (_WORK.c.available_at <= bindparam("now"))
_EXPIRED = (_WORK.c.state == "running") & (_WORK.c.lease_until < bindparam("now"))
_MORE_OF_KIND = (_WORK.c.kind == bindparam("kind")) & (_WORK.c.id > bindparam("after"))


def _oldest(condition: ColumnElement[bool]) -> DirectStatement:
    return DirectStatement(
        select(_WORK)
        .where(condition)
        .order_by(_WORK.c.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )


_CLAIM_FIRST = (_oldest(_QUEUED_DUE), _oldest(_EXPIRED))
_CLAIM_MORE = (_oldest(_QUEUED_DUE & _MORE_OF_KIND), _oldest(_EXPIRED & _MORE_OF_KIND))
_CLAIMED = DirectStatement(
    update(_WORK).where(_WORK.c.id == bindparam("id")).values(attempts=_WORK.c.attempts + 1),
    column_keys=("state", "lease_owner", "lease_until"),
)
_TRANSMISSIONS = Transmission.__table__
_PROCESSING = DirectStatement(
    update(_TRANSMISSIONS).where(_TRANSMISSIONS.c.id == bindparam("id")).values(status="processing")
)
_LEASE_OWNER = DirectStatement(
    select(_WORK.c.lease_owner).where(_WORK.c.id == bindparam("id")).with_for_update()
)
_FINISHED = DirectStatement(
    update(_WORK).where(_WORK.c.id == bindparam("id")), column_keys=("state", "finished_at", "lease_until")
)


@dataclass(slots=True)
class _ReadAhead:
    """A processing item's transmission row (detached) and, for a small file, its translation,
    read before the item's write transaction."""

    transmission: Transmission
    translation: PreparedTranslation | None


class _ItemFailed(Exception):
    """An item of a batch run without savepoints failed: its whole transaction rolls back."""


def _due(
    connection: Connection, statements: tuple[DirectStatement, ...], values: dict[str, Any], limit: int
) -> list[tuple[Any, ...]]:
    """The ``limit`` oldest rows the statements find together (each finds at most ``limit``)."""
    found = [row for statement in statements for row in statement.all(connection, {**values, "limit": limit})]
    return sorted(found, key=lambda row: row[_ID])[:limit]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(self, gw: Gateway, *, owner: str | None = None) -> None:
        self.gw = gw
        self.owner = owner or worker_id()

    def recover_abandoned(self) -> int:
        """Put back work that a dead process held. Embedded SQLite has one node by definition, so
        everything 'running' at start was abandoned; on PostgreSQL only expired leases are."""
        now = self.gw.clock()
        condition = WorkItem.state == "running"
        if self.gw.engine.dialect.name != "sqlite":
            condition = condition & (WorkItem.lease_until < now)
        with self.gw.sessions.begin() as session:
            result = session.execute(
                update(WorkItem).where(condition).values(state="queued", lease_owner=None, lease_until=None)
            )
        # Acknowledgements a process committed but died before publishing.
        publish_abandoned(self.gw, self.gw.settings.lease_seconds)
        return result.rowcount or 0

    def claim(self) -> WorkItem | None:
        batch = self.claim_batch(1)
        return batch[0] if batch else None

    def claim_batch(self, limit: int) -> list[WorkItem]:
        """Claim the next due item and, when its kind is batched, up to ``limit`` - 1 more of that
        kind, in one short transaction: one commit for the whole claim. Its statements
        are compiled once (``DirectStatement``): built afresh each time they cost more than the rest
        of the claim, inside SQLite's write lock. The items come back detached, as claimed."""
        return self._claim(limit)[0]

    def _claim(self, limit: int) -> tuple[list[WorkItem], list[Transmission]]:
        """``claim_batch``, and the claimed transmissions' rows as they are now, read in the same
        transaction: reading them in a transaction of their own took SQLite's lock once more per
        batch, and a round trip more on PostgreSQL."""
        now = self.gw.clock()
        with self.gw.sessions.begin() as session:
            connection = session.connection()
            rows = _due(connection, _CLAIM_FIRST, {"now": now}, 1)
            if not rows:
                return [], []
            # A claim lost to a power cut is as if not made yet; the work's own commit syncs it.
            commit_without_waiting_for_disk(connection)
            kind = rows[0][_KIND]
            if kind in BATCHED_KINDS and limit > 1:
                more = {"now": now, "kind": kind, "after": rows[0][_ID]}
                rows += _due(connection, _CLAIM_MORE, more, limit - 1)
            claimed = {
                "state": "running",
                "lease_owner": self.owner,
                "lease_until": now + timedelta(seconds=self.gw.settings.lease_seconds),
            }
            _CLAIMED.executemany(connection, [{"id": row[_ID], **claimed} for row in rows])
            transmissions: list[Transmission] = []
            if kind == PROCESS_TRANSMISSION:
                subjects = [row[_SUBJECT] for row in rows]
                _PROCESSING.executemany(connection, [{"id": subject} for subject in subjects])
                transmissions = load_rows(session, Transmission, subjects)
            items = []
            for row in rows:
                values = dict(zip(_WORK_COLUMNS, row, strict=True))
                values.update(claimed, attempts=values["attempts"] + 1)
                items.append(new_row(WorkItem, **values))
            return items, transmissions

    def run_once(self) -> int:
        """Claim and run due work; how many items that was (0: nothing to do)."""
        return self._run_next()[0]

    def _run_next(self) -> tuple[int, bool]:
        """``run_once``, and whether the batch could have held more items of its kind than were due."""
        items, transmissions = self._claim(self.gw.settings.worker_batch)
        if not items:
            return 0, False
        crash_point("after_claim")
        full = min(GATHER_ITEMS, self.gw.settings.worker_batch)
        short = items[0].kind in BATCHED_KINDS and len(items) < full
        if len(items) > 1:
            self._run_batch(items, transmissions)
            return len(items), short
        item = items[0]
        try:
            if item.kind == AUTO_ACCEPT_ORDER:
                # send_document commits on its own and SQLite has one writer, so this runs before the
                # transaction below, not inside it; it is idempotent should that transaction fail.
                auto_accept_order(self.gw, item.subject_id)
            prepared = self._prepare(transmissions)
            with self._transaction() as (session, _staged):
                self._run_claimed(session, item, prepared)
        except Exception as exc:  # a bug must not stop the worker or lose the message
            self._failed(item, exc)
        return 1, short

    def _run_batch(self, items: list[WorkItem], transmissions: list[Transmission]) -> None:
        """Items claimed together run a few per transaction: one commit for several items instead
        of one each, the same promise (nothing is marked done before it is durable), and one bad
        item fails alone. A transaction ends after ``TRANSACTION_SECONDS``, so uploads waiting for
        SQLite's single writer lock are not held up by a whole batch. A batch that has used a third
        of its lease (a partner's AS2 server answering slowly) hands the rest back to the queue.

        Processing touches only the database and the archive, so its items first run without a
        savepoint each (two statements per item saved); should one fail, its transaction rolls
        back whole and those items run again, each in a savepoint, where the bad one fails alone.
        Deliveries reach partners, which must not see a file twice, so they always run isolated."""
        budget = monotonic() + self.gw.settings.lease_seconds / 3
        prepared = self._prepare(transmissions)
        isolated = items[0].kind != PROCESS_TRANSMISSION
        rest = list(items)
        while rest:
            if len(rest) < len(items) and monotonic() > budget:
                with self.gw.sessions.begin() as session:
                    self._hand_back(session, rest)
                return
            ran: list[WorkItem] = []
            failures: list[tuple[WorkItem, Exception]] = []
            try:
                with self._transaction() as (session, staged):
                    until = min(monotonic() + TRANSACTION_SECONDS, budget)
                    with buffered_events(session, self.gw.clock) as events:
                        while rest and (not ran or monotonic() < until):
                            item = rest.pop(0)
                            ran.append(item)
                            failure = self._run_in_batch(session, item, prepared, events, staged, isolated)
                            if failure is not None:
                                failures.append((item, failure))
            except _ItemFailed:
                # Run them again, isolated, read and translated afresh: a run may have changed its
                # transmission row and added to its translation (a duplicate's error) before it
                # rolled back.
                for item in ran:
                    prepared.pop(item.subject_id, None)
                rest[:0] = ran
                isolated = True
                continue
            except Exception as exc:  # the commit itself failed: nothing of these items was stored
                failures = [(item, exc) for item in ran]
            for item, exc in failures:
                self._failed(item, exc)
            # Neither a thread lock nor a file lock queues its waiters fairly: without a pause the
            # worker takes the database straight back and an upload waits for the whole batch.
            if writers_waiting(self.gw.engine):
                sleep(WRITER_HANDOVER_SECONDS)

    @contextmanager
    def _transaction(self) -> Iterator[tuple[Session, Publications]]:
        """One write transaction of the worker. The files it writes are on disk before it commits
        (one ``syncfs`` for all of them); the files it stages for partners become visible only
        after the commit, and are removed if it rolls back."""
        with deferred_publication() as staged:
            try:
                with deferred_sync() as files, self.gw.sessions.begin() as session:
                    yield session, staged
                    if files is not None:
                        files.flush()
            except BaseException:
                staged.discard()
                raise
            staged.publish()

    def _run_in_batch(
        self,
        session: Session,
        item: WorkItem,
        prepared: dict[str, _ReadAhead],
        events: list[AuditEntry],
        staged: Publications,
        isolated: bool,
    ) -> Exception | None:
        """Run one item of a batch's transaction: isolated, in a savepoint, its failure returned
        (and its buffered audit events and staged files dropped); otherwise its failure raises
        ``_ItemFailed``."""
        if not isolated:
            try:
                self._run_claimed(session, item, prepared)
            except Exception as exc:
                raise _ItemFailed from exc
            return None
        appended, staged_before = len(events), len(staged.staged)
        try:
            with session.begin_nested():
                self._run_claimed(session, item, prepared)
        except Exception as exc:
            del events[appended:]  # rolled back with its savepoint
            staged.discard(staged_before)
            return exc
        return None

    def _hand_back(self, session: Session, items: list[WorkItem]) -> None:
        ids = [item.id for item in items]
        session.execute(
            update(WorkItem)
            .where(WorkItem.id.in_(ids), WorkItem.lease_owner == self.owner, WorkItem.state == "running")
            .values(state="queued", lease_owner=None, lease_until=None, attempts=WorkItem.attempts - 1)
        )
        session.execute(
            update(Transmission)
            .where(Transmission.id.in_([i.subject_id for i in items if i.kind == PROCESS_TRANSMISSION]))
            .where(Transmission.status == "processing")
            .values(status="received")
        )

    def _prepare(self, transmissions: list[Transmission]) -> dict[str, _ReadAhead]:
        """Take the batch's transmissions, as its claim read them, and translate the small ones
        before any write transaction, so SQLite's write lock is held only while rows are written
        (``PreparedTranslation``), and a run does not wait for its transmission's row inside it
        (a round trip per message on PostgreSQL). The columns read here are fixed at intake or
        decided by this run; the run writes back only the latter, and its UPDATE fails should the
        row be gone. A file that cannot be prepared here is simply translated in its transaction,
        which reports what is wrong with it; files from ``stream_threshold_bytes`` on stream there."""
        prepared: dict[str, _ReadAhead] = {}
        budget = PREPARED_BYTES
        for row in transmissions:
            ahead = prepared[row.id] = _ReadAhead(row, None)
            if row.size >= self.gw.settings.stream_threshold_bytes or row.size > budget:
                continue
            try:
                ahead.translation = prepare_translation(self.gw, row.sha256, row.partner_id)
            except Exception:  # its transaction translates it again and records the failure
                continue
            budget -= row.size
        return prepared

    def _run_claimed(self, session: Session, item: WorkItem, prepared: dict[str, _ReadAhead]) -> None:
        """Run ``item`` (as claimed, detached) if this worker still holds its lease. The lease check
        locks the row; both statements are plain SQL, as they run once per item."""
        connection = session.connection()
        if _LEASE_OWNER.scalar(connection, {"id": item.id}) != self.owner:
            return  # lease lost to another worker meanwhile; it owns the item now
        self._execute(session, item, prepared.get(item.subject_id))
        # lease_owner stays: which node ran it, for operators
        _FINISHED.execute(
            connection, {"id": item.id, "state": "done", "finished_at": self.gw.clock(), "lease_until": None}
        )

    def _failed(self, item: WorkItem, exc: Exception) -> None:
        log.exception(
            "work item %s (%s %s) failed",
            item.id,
            item.kind,
            item.subject_id,
            exc_info=exc,
            extra=self._log_fields(item),
        )
        self._record_failure(item, exc)

    def _log_fields(self, item: WorkItem) -> dict[str, str | int]:
        """Structured fields for a failure log line, so the message, partner and channel can be
        searched for; the transmission is read afresh (best effort) since the failed one rolled back."""
        fields: dict[str, str | int] = {"work_item": item.id, "work_kind": item.kind}
        if item.kind != PROCESS_TRANSMISSION:
            return fields
        fields["message_id"] = item.subject_id
        try:
            with self.gw.sessions() as session:
                transmission = session.get(Transmission, item.subject_id)
                if transmission is not None:
                    fields["partner"] = transmission.partner_id or ""
                    fields["channel"] = transmission.channel
        except Exception:  # logging must never turn one failure into two
            pass
        return fields

    def _execute(self, session: Session, item: WorkItem, ahead: _ReadAhead | None) -> None:
        if item.kind == PROCESS_TRANSMISSION:
            transmission = ahead.transmission if ahead else load_row(session, Transmission, item.subject_id)
            if transmission is None:
                raise LookupError(f"transmission {item.subject_id} does not exist")
            process_transmission(self.gw, session, transmission, ahead.translation if ahead else None)
        elif item.kind == DELIVER_ACKNOWLEDGEMENT:
            append_events(session, deliver_acknowledgement(self.gw, session, item.subject_id), self.gw.clock)
        elif item.kind == DELIVER_TO_ERP:
            append_events(session, deliver_to_erp(self.gw, session, item.subject_id), self.gw.clock)
        elif item.kind == DELIVER_OUTBOUND:
            append_events(session, deliver_outbound(self.gw, session, item.subject_id), self.gw.clock)
        elif item.kind == AUTO_ACCEPT_ORDER:
            pass  # done in run_once, before this transaction
        else:
            raise ValueError(f"unknown work item kind {item.kind!r}")

    def _record_failure(self, item: WorkItem, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        with self.gw.sessions.begin() as session:
            current = session.get(WorkItem, item.id)
            if current is None:
                return
            final = current.attempts >= MAX_ATTEMPTS
            current.state = "failed" if final else "queued"
            current.last_error = reason
            current.lease_owner = None
            current.lease_until = None
            # Back off so a failing item does not spin; an operator can replay it at once.
            current.available_at = self.gw.clock() + timedelta(seconds=2**current.attempts)
            subject_type = "transmission"
            if current.kind == DELIVER_ACKNOWLEDGEMENT:
                subject_type = "acknowledgement"
                record_delivery_failure(session, current.subject_id, final)
            if current.kind == DELIVER_OUTBOUND:
                record_outbound_failure(session, current.subject_id, final)
            if current.kind == DELIVER_TO_ERP:
                subject_type = "erp_delivery"
                record_erp_failure(session, current.subject_id, final, reason, self.gw.clock())
            if current.kind == PROCESS_TRANSMISSION:
                transmission = session.get(Transmission, current.subject_id)
                if transmission is not None:
                    transmission.status = "failed" if final else "received"
                    transmission.errors = [
                        {
                            "code": "INTERNAL_ERROR",
                            "text": reason,
                            "location": {},
                            "level": "interchange",
                            "syntax_code": None,
                        }
                    ]
            append_events(
                session,
                [
                    AuditEntry(
                        "worker",
                        subject_type,
                        current.subject_id,
                        "processing_failed" if subject_type == "transmission" else "delivery_failed",
                        {"error": reason, "attempt": current.attempts, "final": final},
                    )
                ],
                self.gw.clock,
            )

    def run_forever(self, stop: threading.Event) -> None:
        """Run work until ``stop``. Work queued by this process wakes the loop at once
        (``work_available``); work queued by another process (``serve --no-worker``, another node)
        is found by looking: soon after the last item, then less and less often up to
        ``poll_seconds``. A steady stream from another process thus waits milliseconds, not a
        whole poll interval, and an idle worker still looks only every ``poll_seconds``.

        A worker that keeps up with a steady stream would claim an item or two at a time, and every
        batch costs about the same whatever its size: its commits, their syncs, and a page of the
        log for every table and index it touches (on SQLite about 70 pages for a batch of one
        message, 9 a message in a batch of 16). So after a small batch it lets the queue fill for
        ``worker_gather_seconds`` before it claims again, as PostgreSQL's ``commit_delay`` does for
        commits: each message waits that much longer, and the node does less work for each. The
        first message after a quiet spell is not held back, nor is a queue deep enough to fill
        batches."""
        self.recover_abandoned()
        lease = self.gw.settings.lease_seconds
        next_sweep = monotonic() + lease
        idle_wait = FIRST_IDLE_WAIT_SECONDS
        while not stop.is_set():
            try:
                if monotonic() > next_sweep:  # what another node left staged, and orphans
                    publish_abandoned(self.gw, lease)
                    next_sweep = monotonic() + lease
                busy, short = self._run_next()
            except Exception:  # database briefly unreachable: wait and try again
                log.exception("worker loop error")
                busy, short, idle_wait = 0, False, self.gw.settings.poll_seconds
            if busy:
                idle_wait = FIRST_IDLE_WAIT_SECONDS
                if short:
                    stop.wait(self.gw.settings.worker_gather_seconds)
                continue
            self.gw.work_available.wait(min(idle_wait, self.gw.settings.poll_seconds))
            self.gw.work_available.clear()
            idle_wait *= 2
