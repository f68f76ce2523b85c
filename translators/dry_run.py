"""A payload run through the pipeline's pure steps — detect, validate, translate, plan acknowledgements —
with nothing stored, for ``edigate partners test`` and ``edigate ack``.

The gateway adds what needs a database on top of exactly these steps: the duplicate check and the
gapless control-number counters. Here control numbers start at 1 per partner and counter, so the
acknowledgements printed are byte for byte what would be sent, except for their control references.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from partners.directory import PartnerDirectory
from translators.acknowledge import PlannedAck, plan_acknowledgements
from translators.errors import EdiError
from translators.outcome import InterchangeOutcome, Translation
from translators.translate import translate


@dataclass(frozen=True, slots=True)
class DryRunAck:
    """An acknowledgement that would be sent, and the interchange it answers."""

    outcome: InterchangeOutcome
    planned: PlannedAck

    @property
    def text(self) -> str:
        """The raw acknowledgement as text: XML is UTF-8; EDI is shown in Latin-1 so no byte is lost."""
        encoding = "utf-8" if self.outcome.syntax == "xml" else "latin-1"
        return self.planned.raw.decode(encoding, errors="replace")


@dataclass(frozen=True, slots=True)
class DryRun:
    translation: Translation
    acknowledgements: list[DryRunAck]
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[EdiError]:
        return self.translation.all_errors

    @property
    def documents(self) -> list[object]:
        return self.translation.documents


def dry_run(
    data: bytes, directory: PartnerDirectory, *, now: datetime, partner_id: str | None = None
) -> DryRun:
    """Translate ``data`` and plan its acknowledgements.

    With ``partner_id`` the payload is treated as submitted by that partner (its envelope sender must
    then be that partner, as on an authenticated channel). A partner still ``enabled = false`` — the
    usual state while it is being onboarded — is tested as if enabled, and a note says so.
    """
    notes: list[str] = []
    if partner_id is not None:
        profile = directory.get(partner_id)
        if profile is None:
            raise KeyError(partner_id)
        if not profile.enabled:
            notes.append(f"partner '{partner_id}' is disabled in its profile; tested as if enabled")
            others = [p for p in directory if p.id != partner_id]
            enabled = profile.model_copy(update={"enabled": True})
            directory = PartnerDirectory(directory.company, [*others, enabled])
    translation = translate(data, directory, channel_partner=partner_id)
    counters: Counter[tuple[str, str]] = Counter()

    def next_number(owner: str, kind: str) -> int:
        counters[owner, kind] += 1
        return counters[owner, kind]

    acknowledgements = [
        DryRunAck(outcome, planned)
        for outcome in translation.interchanges
        for planned in plan_acknowledgements(outcome, directory.company, next_number=next_number, now=now)
    ]
    return DryRun(translation, acknowledgements, notes)
