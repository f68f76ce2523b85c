"""Envelopes for what edigate sends in X12: ISA … IEA around GS … GE around ST … SE.

Control numbers are inputs. The gateway draws ISA13 and GS06 from its gapless per-partner counters
(unique and safe under concurrent workers); deriving them from the clock, as some engines do, gives
duplicates and gaps that partners' duplicate checks then reject.

Dates come from ``prepared_at``: an aware datetime is written in UTC (edigate's convention for
X12's zone-less dates, the same the reader applies), a naive one as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from translators.x12.acks.writer import check_delimiters, write_segments
from translators.x12.model import X12Delimiters, X12Segment

X12Version = Literal["00401", "00501"]
AckKind = Literal["997", "999"]
Party = tuple[str, str]
"""(ISA05/07 qualifier, ISA06/08 identifier)."""

IMPLEMENTATION_999 = "005010X231A1"
"""GS08 and ST03 of a 999: the implementation guide it follows."""

DEFAULT_REPETITION = "^"
"""ISA11 for 00501 when the interchange being answered declared no repetition separator."""

_MAX_CONTROL = 999_999_999


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def _control(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_CONTROL:
        raise ValueError(f"{what} must be an integer 1-{_MAX_CONTROL}, got {value!r}")
    return value


def _id_field(value: str, width: int, what: str) -> str:
    if not value.strip() or len(value) > width:
        raise ValueError(f"{what} {value!r} must be 1-{width} characters")
    return f"{value:<{width}}"


def _qualifier(value: str, what: str) -> str:
    if len(value) != 2:
        raise ValueError(f"{what} {value!r} must be 2 characters")
    return value


def ack_release(kind: AckKind, version: X12Version) -> str:
    """GS08 of a functional acknowledgement group.

    A 997 is written in the release of its envelope (``004010`` / ``005010``); a 999 only exists
    in 005010 and names its implementation guide, ``005010X231A1``.
    """
    if kind == "999":
        return IMPLEMENTATION_999
    if kind == "997":
        return "004010" if version == "00401" else "005010"
    raise ValueError(f"unknown acknowledgement kind {kind!r}; expected '997' or '999'")


def answer_version(received: str) -> X12Version:
    """The interchange version we answer a received ISA12 in: 00501 from 00501 on, else 00401."""
    return "00501" if received >= "00501" else "00401"


def answer_delimiters(received: X12Delimiters, version: X12Version) -> X12Delimiters:
    """The partner's own delimiters (and line layout), adjusted to what ``version`` can declare.

    00401 has no repetition separator (ISA11 is the standards id ``U``); 00501 needs one, so
    ``^`` is used when the received interchange had none (and ``^`` is free), else the first free
    of a few usual candidates.
    """
    if version == "00401":
        return X12Delimiters(received.element, received.component, None, received.segment)
    repetition = received.repetition
    if repetition is None:
        taken = {received.element, received.component, received.terminator}
        repetition = next(c for c in (DEFAULT_REPETITION, "{", "|", "!", "`") if c not in taken)
    return X12Delimiters(received.element, received.component, repetition, received.segment)


def isa_segment(
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    version: X12Version,
    usage: str,
    delimiters: X12Delimiters,
    prepared_at: datetime,
    ack_requested: str = "0",
) -> X12Segment:
    """An ISA with its fixed widths applied: ISA02/04 ten blanks (no authorisation or security
    information), ISA06/08 padded to 15, ISA13 nine digits zero-padded, ISA11 the repetition
    separator for 00501 and ``U`` for 00401, ISA16 the component separator."""
    if version not in ("00401", "00501"):
        raise ValueError(f"interchange version {version!r} must be '00401' or '00501'")
    if usage not in ("P", "T"):
        raise ValueError(f"usage indicator {usage!r} must be 'P' (production) or 'T' (test)")
    if ack_requested not in ("0", "1"):
        raise ValueError(f"acknowledgment requested {ack_requested!r} must be '0' or '1'")
    if version == "00501" and delimiters.repetition is None:
        raise ValueError("version 00501 declares a repetition separator in ISA11; the delimiters have none")
    isa11 = delimiters.repetition if version == "00501" and delimiters.repetition else "U"
    moment = _utc(prepared_at)
    values = [
        "00",
        " " * 10,
        "00",
        " " * 10,
        _qualifier(sender[0], "ISA05 sender qualifier"),
        _id_field(sender[1], 15, "ISA06 sender id"),
        _qualifier(receiver[0], "ISA07 receiver qualifier"),
        _id_field(receiver[1], 15, "ISA08 receiver id"),
        moment.strftime("%y%m%d"),
        moment.strftime("%H%M"),
        isa11,
        version,
        f"{_control(control_number, 'ISA13 control number'):09d}",
        ack_requested,
        usage,
        delimiters.component,
    ]
    return X12Segment("ISA", [[v] for v in values])


def gs_segment(
    *,
    functional_id: str,
    application_sender: str,
    application_receiver: str,
    control_number: int,
    version: str,
    prepared_at: datetime,
) -> X12Segment:
    """GS with GS04 CCYYMMDD, GS05 HHMM, GS06 the group control number, GS07 ``X``, GS08 ``version``."""
    moment = _utc(prepared_at)
    return X12Segment(
        "GS",
        [
            [functional_id],
            [application_sender],
            [application_receiver],
            [moment.strftime("%Y%m%d")],
            [moment.strftime("%H%M")],
            [str(_control(control_number, "GS06 group control number"))],
            ["X"],
            [version],
        ],
    )


def wrap_transaction(
    body: Sequence[X12Segment],
    *,
    transaction_id: str,
    control_number: str,
    implementation_reference: str | None = None,
) -> list[X12Segment]:
    """ST + ``body`` + SE, SE01 counting ST … SE inclusive. ST02 is 4-9 characters (AN 4/9)."""
    if not 4 <= len(control_number) <= 9:
        raise ValueError(f"ST02 {control_number!r} must be 4-9 characters")
    st = [[transaction_id], [control_number]]
    if implementation_reference:
        st.append([implementation_reference])
    return [
        X12Segment("ST", st),
        *body,
        X12Segment("SE", [[str(len(body) + 2)], [control_number]]),
    ]


def wrap_group(
    transaction_sets: Sequence[Sequence[X12Segment]],
    *,
    functional_id: str,
    application_sender: str,
    application_receiver: str,
    control_number: int,
    version: str,
    prepared_at: datetime,
) -> list[X12Segment]:
    """GS + every set (each already ST … SE) + GE, GE01 the number of sets, GE02 = GS06."""
    segments = [
        gs_segment(
            functional_id=functional_id,
            application_sender=application_sender,
            application_receiver=application_receiver,
            control_number=control_number,
            version=version,
            prepared_at=prepared_at,
        )
    ]
    for transaction in transaction_sets:
        if not transaction or transaction[0].tag != "ST" or transaction[-1].tag != "SE":
            raise ValueError("each transaction set must run from ST to SE")
        segments.extend(transaction)
    segments.append(X12Segment("GE", [[str(len(transaction_sets))], [str(control_number)]]))
    return segments


def wrap_interchange(
    segments_of_groups: Sequence[Sequence[X12Segment]],
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    version: X12Version,
    usage: str,
    delimiters: X12Delimiters,
    prepared_at: datetime,
    ack_requested: str = "0",
    ta1: Sequence[X12Segment] = (),
) -> str:
    """The interchange text: ISA, then ``ta1`` segments (before any GS, where TA1 belongs), then
    each group (GS … GE) as given, then IEA with IEA01 = number of groups and IEA02 = ISA13.

    A TA1-only interchange is ``wrap_interchange([], ta1=[segment], …)``: ISA … TA1 … IEA*0.
    """
    check_delimiters(delimiters)
    for group in segments_of_groups:
        if not group or group[0].tag != "GS" or group[-1].tag != "GE":
            raise ValueError("each group must run from GS to GE (use wrap_group)")
    if any(segment.tag != "TA1" for segment in ta1):
        raise ValueError("only TA1 segments may stand between ISA and the first GS")
    isa = isa_segment(
        sender=sender,
        receiver=receiver,
        control_number=control_number,
        version=version,
        usage=usage,
        delimiters=delimiters,
        prepared_at=prepared_at,
        ack_requested=ack_requested,
    )
    segments = [isa, *ta1]
    for group in segments_of_groups:
        segments.extend(group)
    segments.append(X12Segment("IEA", [[str(len(segments_of_groups))], [f"{control_number:09d}"]]))
    return write_segments(segments, delimiters)
