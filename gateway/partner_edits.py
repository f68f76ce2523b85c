"""Applying a credential change to a partner's profile file: write, reload, audit — or undo.

The profile file stays the single source of truth, so a change made through the admin API is a change
to the file (comments kept, see :mod:`partners.profile_edit`), made effective by the same reload an
operator's edit gets. If the folder then does not load (another file was left broken), the file is
put back as it was and the change is refused with the problems: it must never look applied while the
old directory is still the one in use.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.partner_reload import reload_partners
from partners.lint import LintProblem

T = TypeVar("T")


class PartnerEditRefused(Exception):
    """The change was undone because the partners folder would not load with it."""

    def __init__(self, problems: list[LintProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def edit_profile(
    gw: Gateway,
    partner_id: str,
    change: Callable[[str], tuple[str, T]],
    *,
    actor: str,
    action: str,
    details: Callable[[T], dict[str, Any]],
) -> T:
    """Rewrite ``<partner_id>.toml`` with ``change(text) -> (new text, result)`` and reload.

    ``details(result)`` is the audit event's details: it must name what changed (a hash prefix, a
    fingerprint), never a key. Raises what ``change`` raises, or :class:`PartnerEditRefused`.
    """
    path = gw.settings.resolved_partners_dir() / f"{partner_id}.toml"
    with gw.profile_files.lock:  # no reload (watcher) or other edit between write and reload
        old = path.read_text(encoding="utf-8")
        new, result = change(old)
        _replace(path, new)
        reloaded = reload_partners(gw, actor=actor)
        if reloaded.status != "reloaded":
            _replace(path, old)
            reload_partners(gw, actor=actor)
            raise PartnerEditRefused(reloaded.problems)
        with gw.sessions.begin() as session:
            entry = AuditEntry(actor, "partner", partner_id, action, {"file": path.name, **details(result)})
            append_events(session, [entry], gw.clock)
    return result


def store_certificate(gw: Gateway, partner_id: str, pem: bytes, fingerprint: str) -> tuple[str, bool]:
    """Save an uploaded certificate under ``<data dir>/certs``; returns the path a profile names
    (relative to the data directory, as the other AS2 certificate references are) and whether the
    file is new."""
    relative = Path("certs") / f"{partner_id}-{fingerprint[:16]}.pem"
    target = gw.settings.data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return relative.as_posix(), False
    _replace(target, pem.decode("ascii"))
    return relative.as_posix(), True


def _replace(path: Path, text: str) -> None:
    """Write beside the file and rename over it, so a reader (or a crash) never sees half a profile."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_text(text, encoding="utf-8")
    if path.exists():
        shutil.copymode(path, temporary)
    os.replace(temporary, path)
