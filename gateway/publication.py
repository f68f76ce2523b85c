"""Files that partners may see only once the transaction recording them has committed.

The worker writes a message's CONTRL into the partner's SFTP mailbox while it processes the
message, instead of queueing a second work item to deliver it. A partner must never find a CONTRL
for a message that was rolled back, so the file is written hidden (``Mailbox.stage``) and made
durable with the transaction's sync batch; after the commit it is renamed to its name, and if the
transaction rolls back it is removed. A process that dies between the commit and the rename leaves
the hidden file behind: ``publish_abandoned`` publishes it when its acknowledgement was committed
and removes it when not.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from gateway.channels.sftp_mailbox import OUTBOX, Mailbox, PathRefused, mailboxes_root
from gateway.context import Gateway
from gateway.crash_points import crash_point
from gateway.database.models import Acknowledgement

log = logging.getLogger(__name__)

_current: contextvars.ContextVar[Publications | None] = contextvars.ContextVar("publications", default=None)


@dataclass(slots=True)
class Publications:
    """The files staged by one transaction, each with the path it is published under."""

    staged: list[tuple[Path, Path]] = field(default_factory=list)

    def add(self, staged: Path, target: Path) -> None:
        self.staged.append((staged, target))

    def publish(self) -> None:
        """After the commit. A rename that fails leaves the file staged for ``publish_abandoned``;
        the transaction stands."""
        staged, self.staged = self.staged, []
        for path, target in staged:
            crash_point("during_ack_send")  # dying here leaves the rest for publish_abandoned
            try:
                os.replace(path, target)
            except FileNotFoundError:
                pass  # published meanwhile by another node's recovery
            except OSError as exc:
                log.warning("could not publish %s as %s: %s; it is retried later", path, target, exc)

    def discard(self, since: int = 0) -> None:
        """The transaction (or, from ``since`` on, the savepoint) that staged them rolled back."""
        for path, _target in self.staged[since:]:
            path.unlink(missing_ok=True)
        del self.staged[since:]


@contextmanager
def deferred_publication() -> Iterator[Publications]:
    """Writers in this thread stage their files here; the caller publishes or discards them."""
    publications = Publications()
    token = _current.set(publications)
    try:
        yield publications
    finally:
        _current.reset(token)


def current_publications() -> Publications | None:
    """The transaction's publications, or None where nobody would publish them (deliver instead)."""
    return _current.get()


def publish_abandoned(gw: Gateway, orphan_age_seconds: float) -> int:
    """Publish staged files whose acknowledgement was committed, whatever their age: the process
    that staged them renames them to the same name, so the two cannot disagree. Remove those with no
    committed acknowledgement once older than ``orphan_age_seconds``: a younger one may belong to a
    transaction still running (another node, or a worker of this one). How many were handled."""
    root = mailboxes_root(gw.settings.data_dir)
    if not root.is_dir():
        return 0
    found: dict[str, tuple[Mailbox, Path]] = {}
    for partner_dir in sorted(root.iterdir()):
        if not partner_dir.is_dir() or partner_dir.is_symlink():
            continue
        try:
            mailbox = Mailbox(gw.settings.data_dir, partner_dir.name)
            found.update((key, (mailbox, path)) for key, path in mailbox.staged(OUTBOX))
        except (OSError, PathRefused) as exc:
            log.warning("could not look for staged files in %s: %s", partner_dir, exc)
    if not found:
        return 0
    acks = Acknowledgement.__table__
    with gw.sessions() as session:
        rows = session.execute(select(acks.c.id, acks.c.filename).where(acks.c.id.in_(list(found))))
        names = {ack_id: filename for ack_id, filename in rows}
    settled, handled = time.time() - orphan_age_seconds, 0
    for key, (mailbox, path) in found.items():
        name = names.get(key)
        try:
            if not name:  # not committed: rolled back long ago, or still running
                if path.stat().st_mtime <= settled:
                    path.unlink()
                    handled += 1
                continue
            os.replace(path, mailbox.folder(OUTBOX) / name)
        except FileNotFoundError:
            continue  # published or removed meanwhile by the process that staged it
        except (OSError, PathRefused) as exc:
            log.warning("could not publish or remove %s: %s", path, exc)
            continue
        handled += 1
        log.info("published %s, staged by a process that stopped before it could", name)
    return handled
