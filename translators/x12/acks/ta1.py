"""X12 TA1: the interchange acknowledgement, and when to send one.

TA1 answers the ISA … IEA envelope only. TA104 says what edigate did with the interchange, TA105
says why (the ``"TA1:nnn"`` codes the reader and the partner checks attach to interchange errors).

TA104 follows what the gateway does, not a fixed table per note code: edigate does not process the
content of an interchange that has an envelope error (see ``translators.x12.translate``), so any
interchange-level error gives ``R``. Telling the partner ``E`` ("accepted with errors: do not
resend") while dropping its data would lose orders. ``E`` is given when the caller processes the
interchange anyway (``processed=True``, e.g. a profile that tolerates a wrong IEA01), or for TA1
codes on errors below the interchange level.

A rejected envelope gets a TA1 and no 997/999: the groups of an interchange whose envelope cannot
be trusted are not acknowledged one by one (reference notes §1). :func:`interchange_rejected`
tells the caller which case it is in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from translators.errors import EdiError
from translators.numerals import is_digits
from translators.x12 import syntax_codes
from translators.x12.acks.envelope import Party, answer_delimiters, answer_version, wrap_interchange
from translators.x12.model import X12Delimiters, X12Interchange, X12Segment

TA1Policy = Literal["always", "on_request", "on_error", "never"]

ACCEPTED = "A"
ACCEPTED_WITH_ERRORS = "E"
REJECTED = "R"
NO_ERROR = "000"


def _combined(interchange: X12Interchange, errors: Iterable[EdiError]) -> list[EdiError]:
    """The reader's interchange errors plus the caller's, each once (callers often pass both)."""
    out = list(interchange.errors)
    for error in errors:
        if error not in out:
            out.append(error)
    return out


def _ta1_errors(errors: Iterable[EdiError]) -> list[tuple[EdiError, str]]:
    """(error, TA105 note code) for each error that carries a ``TA1:nnn`` code."""
    out: list[tuple[EdiError, str]] = []
    for error in errors:
        parts = syntax_codes.split(error.syntax_code)
        if parts is not None and parts[0] == syntax_codes.TA1 and is_digits(parts[1]):
            out.append((error, parts[1].zfill(3)))
    return out


def _rejects(error: EdiError) -> bool:
    return error.level == "interchange"


def interchange_rejected(interchange: X12Interchange, errors: Iterable[EdiError] = ()) -> bool:
    """Whether the envelope itself is rejected: any interchange-level error (the reader's or the
    caller's, e.g. unknown sender, duplicate ISA13). Then a TA1 is due and no 997/999."""
    return any(_rejects(e) for e in _combined(interchange, errors))


def ta1_needed(
    interchange: X12Interchange, errors: Iterable[EdiError] = (), policy: TA1Policy = "on_request"
) -> bool:
    """Whether the partner gets a TA1 for ``interchange`` under its profile's ``policy``.

    ``always``: every interchange. ``on_request``: when ISA14 = 1, and whenever the envelope is in
    error (the standard's default: a bad envelope is always answered). ``on_error``: only when the
    envelope is in error. ``never``: not at all.
    """
    if policy == "never":
        return False
    if policy == "always":
        return True
    in_error = bool(_ta1_errors(_combined(interchange, errors))) or interchange_rejected(interchange, errors)
    if policy == "on_error":
        return in_error
    if policy == "on_request":
        return interchange.ack_requested == "1" or in_error
    raise ValueError(f"unknown TA1 policy {policy!r}; expected always, on_request, on_error or never")


def ta1_codes(
    interchange: X12Interchange, errors: Iterable[EdiError] = (), *, processed: bool | None = None
) -> tuple[str, str]:
    """(TA104, TA105) for ``interchange``.

    TA105 is the note code of the first error that has one (the reader reports in interchange
    order, so that is the earliest problem); an interchange-level error without a TA1 code is
    reported as ``024`` (invalid interchange content). ``processed`` overrides whether the content
    was processed despite the errors (True → E, False → R); by default any interchange-level error
    means it was not (R).
    """
    combined = _combined(interchange, errors)
    coded = _ta1_errors(combined)
    rejecting = [e for e in combined if _rejects(e)]
    if not coded and not rejecting:
        return ACCEPTED, NO_ERROR
    note = coded[0][1] if coded else "024"
    if processed is None:
        processed = not rejecting
    return (ACCEPTED_WITH_ERRORS if processed else REJECTED), note


def build_ta1(
    interchange: X12Interchange, errors: Iterable[EdiError] = (), *, processed: bool | None = None
) -> X12Segment:
    """TA1*ISA13*ISA09*ISA10*TA104*TA105 answering ``interchange``.

    ``errors`` are interchange problems found outside the reader (unknown sender ``006``, unknown
    receiver ``009``, duplicate ``025``); the reader's own ``interchange.errors`` always count, and
    passing them again is harmless.
    """
    ack, note = ta1_codes(interchange, errors, processed=processed)
    return X12Segment(
        "TA1",
        [[interchange.control_number], [interchange.date], [interchange.time], [ack], [note]],
    )


def ta1_interchange(
    interchange: X12Interchange,
    errors: Iterable[EdiError] = (),
    *,
    control_number: int,
    prepared_at: datetime,
    sender: Party | None = None,
    receiver: Party | None = None,
    delimiters: X12Delimiters | None = None,
    processed: bool | None = None,
) -> str:
    """A TA1 as its own interchange: ISA … TA1 … IEA*0, no GS.

    Addressed back to the received ISA sender, from the received ISA receiver (override with
    ``sender``/``receiver``: our identity from the company profile), in the received interchange
    version and delimiters, with the received usage indicator (``T`` stays test).
    """
    version = answer_version(interchange.version)
    return wrap_interchange(
        [],
        sender=sender or (interchange.receiver_qualifier, interchange.receiver_id),
        receiver=receiver or (interchange.sender_qualifier, interchange.sender_id),
        control_number=control_number,
        version=version,
        usage="P" if interchange.usage == "P" else "T",
        delimiters=delimiters or answer_delimiters(interchange.delimiters, version),
        prepared_at=prepared_at,
        ta1=[build_ta1(interchange, errors, processed=processed)],
    )
