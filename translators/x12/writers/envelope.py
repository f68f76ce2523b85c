"""The X12 envelope around what edigate sends: ISA … IEA around one GS … GE around ST … SE sets.

Built on :mod:`translators.x12.acks.envelope` (the acknowledgement writers' envelope): ISA's fixed
widths, GS/GE and IEA counts are written in one place for everything edigate sends. Control numbers
are inputs, drawn by the gateway from its gapless per-partner counters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

from translators.x12.acks.envelope import Party, wrap_group, wrap_interchange
from translators.x12.model import X12Delimiters, X12Segment
from translators.x12.writers.segments import RELEASES, X12Release

FUNCTIONAL_IDS: Mapping[str, str] = MappingProxyType({"850": "PO", "855": "PR", "856": "SH", "810": "IN"})
"""GS01 functional identifier of each transaction set edigate writes."""

INTERCHANGE_VERSIONS: Mapping[str, str] = MappingProxyType({"004010": "00401", "005010": "00501"})
"""ISA12 for a GS08 release."""


def default_delimiters(version: X12Release) -> X12Delimiters:
    """``*`` elements, ``>`` components, ``~`` + line break; ``^`` repeats from 005010 on."""
    return X12Delimiters("*", ">", "^" if version == "005010" else None, "~\n")


def envelope_x12(
    transaction_sets: Sequence[Sequence[X12Segment]],
    *,
    sender: Party,
    recipient: Party,
    interchange_control: int,
    group_control: int,
    version: X12Release,
    prepared_at: datetime,
    functional_id: str | None = None,
    application_sender: str | None = None,
    application_receiver: str | None = None,
    test: bool = False,
    ack_requested: bool = False,
    delimiters: X12Delimiters | None = None,
) -> str:
    """ISA, GS, the sets (each ST … SE), GE, IEA as text.

    ``sender``/``recipient`` are (ISA qualifier, ISA id); GS02/GS03 default to the ISA ids.
    ``functional_id`` defaults to the one of the first set's ST01 (all sets of a group share it).
    ISA15 is T for ``test``, P otherwise; ISA14 is 1 when a TA1 is requested.
    """
    if version not in RELEASES:
        raise ValueError(f"X12 release {version!r} cannot be written; supported: {', '.join(RELEASES)}")
    if not transaction_sets:
        raise ValueError("an interchange needs at least one transaction set")
    if functional_id is None:
        set_id = transaction_sets[0][0].get(1) if transaction_sets[0] else ""
        if set_id not in FUNCTIONAL_IDS:
            raise ValueError(
                f"no functional identifier known for transaction set {set_id!r}; pass functional_id"
            )
        functional_id = FUNCTIONAL_IDS[set_id]
    group = wrap_group(
        transaction_sets,
        functional_id=functional_id,
        application_sender=application_sender or sender[1],
        application_receiver=application_receiver or recipient[1],
        control_number=group_control,
        version=version,
        prepared_at=prepared_at,
    )
    return wrap_interchange(
        [group],
        sender=sender,
        receiver=recipient,
        control_number=interchange_control,
        version="00401" if INTERCHANGE_VERSIONS[version] == "00401" else "00501",
        usage="T" if test else "P",
        delimiters=delimiters or default_delimiters(version),
        prepared_at=prepared_at,
        ack_requested="1" if ack_requested else "0",
    )
