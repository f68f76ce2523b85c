"""Partner profiles reloaded while the gateway runs: edit a file, and the next poll applies it.

A reload builds a complete new :class:`~partners.directory.PartnerDirectory` from the folder and swaps
``gw.partners`` in one assignment, so every request and work item sees either the old set of partners
or the new one, never a mixture. A folder that does not lint clean is refused as a whole: the previous
directory stays active (a typo must not take a partner offline), and the refusal is logged and audited
with the located problems. Both outcomes are audit events, since "who could send what, when" is what an
audit trail is asked about.

Polling file contents every ``partners_reload_seconds`` needs no file-system notification library and
works the same on network file systems, where such notifications are unreliable.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Literal

from archive.audit import AuditEntry
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from partners.lint import LintProblem
from partners.loader import ProfileError, load_directory, profile_digests

log = logging.getLogger(__name__)

SUBJECT = ("partner_profiles", "partners")  # audit subject type and id; the folder is in the details


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """``reloaded``: the new directory is active; ``refused``: the old one stays (see ``problems``);
    ``unchanged``: no file changed since the active directory was loaded."""

    status: Literal["reloaded", "refused", "unchanged"]
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[LintProblem] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        return sorted(self.added + self.changed + self.removed)

    def details(self) -> dict[str, object]:
        """The audit event's details: file names and lint problems, which never hold a secret value."""
        out: dict[str, object] = {"added": self.added, "changed": self.changed, "removed": self.removed}
        if self.problems:
            out["problems"] = [
                {"file": p.file, "location": p.location, "code": p.code, "message": p.message}
                for p in self.problems
            ]
        return out


def reload_partners(gw: Gateway, *, actor: str = "system") -> ReloadResult:
    """Load the partners folder again if any profile file changed, and make it active if it is valid."""
    state = gw.profile_files
    folder = gw.settings.resolved_partners_dir()
    with state.lock:
        digests = profile_digests(folder)
        added = sorted(set(digests) - set(state.loaded))
        removed = sorted(set(state.loaded) - set(digests))
        changed = sorted(n for n in digests if n in state.loaded and digests[n] != state.loaded[n])
        if not (added or removed or changed):
            state.refused = None
            return ReloadResult("unchanged")
        try:
            directory = load_directory(folder)
        except ProfileError as exc:
            result = ReloadResult("refused", added, changed, removed, exc.problems)
        except ValueError as exc:  # the directory's own consistency checks, should lint ever miss one
            problem = LintProblem(str(folder), "", "INCONSISTENT_DIRECTORY", str(exc))
            result = ReloadResult("refused", added, changed, removed, [problem])
        else:
            gw.partners = directory
            state.loaded, state.refused = digests, None
            result = ReloadResult("reloaded", added, changed, removed)
            log.info("partner profiles reloaded: %s", ", ".join(result.files), extra={"files": result.files})
            _audit(gw, actor, "partners_reloaded", result)
            return result
        if state.refused == digests:
            return result  # this very state was refused and reported already
        state.refused = digests
        log.warning(
            "partner profiles not reloaded, the previous ones stay active: %s",
            "; ".join(str(p) for p in result.problems),
            extra={"files": result.files},
        )
        _audit(gw, actor, "partners_reload_refused", result)
        return result


def _audit(gw: Gateway, actor: str, action: str, result: ReloadResult) -> None:
    # Every process reloads for itself, so one edit gives one event per serve/worker process.
    process = f"{socket.gethostname()}:{os.getpid()}"
    details = {"folder": str(gw.settings.resolved_partners_dir()), "process": process, **result.details()}
    with gw.sessions.begin() as session:
        append_events(session, [AuditEntry(actor, *SUBJECT, action, details)], gw.clock)


class PartnerWatcher:
    """Polls the partners folder for changes; runs in ``edigate serve`` and ``edigate worker``."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw

    def run_forever(self, stop: threading.Event) -> None:
        interval = self.gw.settings.partners_reload_seconds
        while not stop.wait(interval):
            try:
                reload_partners(self.gw)
            except Exception:  # a database hiccup while auditing must not end hot reload for good
                log.exception("checking the partner profiles for changes failed; trying again")


def start_partner_watcher(gw: Gateway, stop: threading.Event) -> threading.Thread | None:
    """The watcher thread, or None when ``partners_reload_seconds`` is 0 (reload switched off)."""
    if gw.settings.partners_reload_seconds <= 0:
        return None
    thread = threading.Thread(
        target=PartnerWatcher(gw).run_forever, args=(stop,), name="edigate-partner-watcher", daemon=True
    )
    thread.start()
    return thread
