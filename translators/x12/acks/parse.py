"""Read the TA1, 997 and 999 acknowledgements partners send for what we sent them.

Each becomes an :class:`X12AckReport`: what it acknowledges (TA101 interchange control number, or
AK101/AK102 functional id and group control number), the overall status, and per transaction set
its status and the segment/element detail, so the gateway can match it to the outgoing interchange,
group and sets and keep the partner's reasons.

Every code value the standard defines is understood, including those edigate never sends
(AK501/AK901 ``M``, ``W``, ``X``: rejected for security reasons). A missing or unknown status code
raises ``ValueError`` naming it: guessing a status for a partner's acknowledgement would mark an
outgoing message accepted or rejected on no evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from translators.numerals import is_digits
from translators.x12.model import TransactionSet, X12Interchange, X12Segment

AckStatus = Literal["accepted", "accepted_with_errors", "rejected", "partially_accepted"]
ReportKind = Literal["TA1", "997", "999"]

_TA104: Mapping[str, AckStatus] = MappingProxyType(
    {"A": "accepted", "E": "accepted_with_errors", "R": "rejected"}
)
_AK501: Mapping[str, AckStatus] = MappingProxyType(
    {
        "A": "accepted",
        "E": "accepted_with_errors",
        "M": "rejected",  # message authentication code failed
        "R": "rejected",
        "W": "rejected",  # assurance failed validity tests
        "X": "rejected",  # content after decryption could not be analysed
    }
)
_AK901: Mapping[str, AckStatus] = MappingProxyType({**_AK501, "P": "partially_accepted"})


@dataclass(frozen=True, slots=True)
class ContextNote:
    """A 999 CTX: ``name`` is CTX01-1 (``SITUATIONAL TRIGGER`` or a business unit such as
    ``CLM01``), ``reference`` CTX01-2 (the business unit's value); the rest point at a segment."""

    name: str
    reference: str = ""
    segment_tag: str = ""
    segment_position: int | None = None
    loop_id: str = ""
    element: int | None = None
    component: int | None = None


@dataclass(frozen=True, slots=True)
class ElementNote:
    """AK4/IK4: element (AK401-1), component (-2), repetition (-3), AK402 reference number,
    AK403/IK403 error code, AK404/IK404 copy of the bad data."""

    element: int | None
    component: int | None
    repetition: int | None
    reference: str
    code: str
    bad_value: str
    context: tuple[ContextNote, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentNote:
    """AK3/IK3: segment tag, position in the set (ST = 1), loop id, AK304/IK304 error code."""

    segment_tag: str
    position: int | None
    loop_id: str
    code: str
    elements: tuple[ElementNote, ...] = ()
    context: tuple[ContextNote, ...] = ()


@dataclass(frozen=True, slots=True)
class SetReport:
    """One AK2 loop: the set acknowledged (AK201/AK202/AK203) and AK5/IK5."""

    transaction_id: str
    control: str
    implementation_reference: str
    code: str  # AK501/IK501 as sent
    status: AckStatus
    errors: tuple[str, ...] = ()  # AK502-506 / IK502-506
    segments: tuple[SegmentNote, ...] = ()


@dataclass(frozen=True, slots=True)
class X12AckReport:
    """What one TA1, 997 or 999 says.

    TA1: ``interchange_control`` (TA101), ``date``/``time`` (TA102/TA103), ``code`` (TA104),
    ``errors`` = (TA105,). 997/999: ``functional_id``/``group_control``/``version`` (AK101-103),
    ``code`` (AK901), ``errors`` (AK905-909), the counts (AK902-904) and ``sets``.
    ``ack_control`` is the acknowledgement's own ST02 (None for a TA1).
    """

    kind: ReportKind
    status: AckStatus
    code: str
    interchange_control: str | None = None
    date: str = ""
    time: str = ""
    functional_id: str = ""
    group_control: str | None = None
    version: str = ""
    ack_control: str | None = None
    errors: tuple[str, ...] = ()
    included: int | None = None
    received: int | None = None
    accepted: int | None = None
    sets: tuple[SetReport, ...] = ()


def _status(table: Mapping[str, AckStatus], value: str, what: str) -> AckStatus:
    status = table.get(value)
    if status is None:
        raise ValueError(f"{what} is {value!r}; expected one of {', '.join(sorted(table))}")
    return status


def _int(value: str) -> int | None:
    return int(value) if is_digits(value) else None


def _codes(segment: X12Segment, first: int, last: int) -> tuple[str, ...]:
    return tuple(v for v in (segment.get(n) for n in range(first, last + 1)) if v)


def parse_ta1(segment: X12Segment) -> X12AckReport:
    """A TA1 segment into a report."""
    if segment.tag != "TA1":
        raise ValueError(f"expected a TA1 segment, got {segment.tag}")
    code = segment.get(4)
    note = segment.get(5)
    return X12AckReport(
        kind="TA1",
        status=_status(_TA104, code, "TA104 (interchange acknowledgment code)"),
        code=code,
        interchange_control=segment.get(1),
        date=segment.get(2),
        time=segment.get(3),
        errors=(note,) if note else (),
    )


def _context(segment: X12Segment) -> ContextNote:
    return ContextNote(
        name=segment.get(1, 1),
        reference=segment.get(1, 2),
        segment_tag=segment.get(2),
        segment_position=_int(segment.get(3)),
        loop_id=segment.get(4),
        element=_int(segment.get(5, 1)),
        component=_int(segment.get(5, 2)),
    )


class _SetReader:
    """Collects one AK2 loop; AK3/IK3, AK4/IK4 and CTX attach to the last note opened."""

    def __init__(self, ak2: X12Segment) -> None:
        self.ak2 = ak2
        self.segments: list[SegmentNote] = []

    def segment(self, seg: X12Segment) -> None:
        self.segments.append(SegmentNote(seg.get(1), _int(seg.get(2)), seg.get(3), seg.get(4)))

    def element(self, seg: X12Segment) -> None:
        note = ElementNote(
            element=_int(seg.get(1, 1)),
            component=_int(seg.get(1, 2)),
            repetition=_int(seg.get(1, 3)),
            reference=seg.get(2),
            code=seg.get(3),
            bad_value=seg.get(4),
        )
        if not self.segments:  # an AK4 without its AK3: keep it under an anonymous segment note
            self.segments.append(SegmentNote("", None, "", ""))
        last = self.segments[-1]
        self.segments[-1] = SegmentNote(
            last.segment_tag, last.position, last.loop_id, last.code, (*last.elements, note), last.context
        )

    def context(self, seg: X12Segment) -> None:
        if not self.segments:
            return
        last, note = self.segments[-1], _context(seg)
        if last.elements:  # element context (after IK4)
            element = last.elements[-1]
            updated = ElementNote(
                element.element,
                element.component,
                element.repetition,
                element.reference,
                element.code,
                element.bad_value,
                (*element.context, note),
            )
            elements = (*last.elements[:-1], updated)
            self.segments[-1] = SegmentNote(
                last.segment_tag, last.position, last.loop_id, last.code, elements, last.context
            )
        else:  # segment context or business unit (after IK3)
            self.segments[-1] = SegmentNote(
                last.segment_tag, last.position, last.loop_id, last.code, last.elements, (*last.context, note)
            )

    def close(self, trailer: X12Segment) -> SetReport:
        code = trailer.get(1)
        return SetReport(
            transaction_id=self.ak2.get(1),
            control=self.ak2.get(2),
            implementation_reference=self.ak2.get(3),
            code=code,
            status=_status(_AK501, code, f"{trailer.tag}01 (transaction set acknowledgment code)"),
            errors=_codes(trailer, 2, 6),
            segments=tuple(self.segments),
        )


def parse_functional_ack(ts: TransactionSet) -> X12AckReport:
    """A 997 or 999 transaction set into a report. Unknown segments are skipped."""
    if ts.id not in ("997", "999"):
        raise ValueError(f"transaction set {ts.id!r} is not a 997 or 999")
    ak1: X12Segment | None = None
    ak9: X12Segment | None = None
    sets: list[SetReport] = []
    current: _SetReader | None = None
    for segment in ts.body:
        tag = segment.tag
        if tag == "AK1":
            ak1 = segment
        elif tag == "AK2":
            current = _SetReader(segment)
        elif tag in ("AK3", "IK3") and current is not None:
            current.segment(segment)
        elif tag in ("AK4", "IK4") and current is not None:
            current.element(segment)
        elif tag == "CTX" and current is not None:
            current.context(segment)
        elif tag in ("AK5", "IK5") and current is not None:
            sets.append(current.close(segment))
            current = None
        elif tag == "AK9":
            ak9 = segment
    if ak1 is None or ak9 is None:
        missing = "AK1" if ak1 is None else "AK9"
        raise ValueError(f"{ts.id} {ts.control!r} has no {missing} segment")
    code = ak9.get(1)
    return X12AckReport(
        kind=ts.id,  # type: ignore[arg-type]  # checked above
        status=_status(_AK901, code, "AK901 (functional group acknowledge code)"),
        code=code,
        functional_id=ak1.get(1),
        group_control=ak1.get(2),
        version=ak1.get(3),
        ack_control=ts.control,
        errors=_codes(ak9, 5, 9),
        included=_int(ak9.get(2)),
        received=_int(ak9.get(3)),
        accepted=_int(ak9.get(4)),
        sets=tuple(sets),
    )


def parse_acks(interchange: X12Interchange) -> list[X12AckReport]:
    """Every TA1 and every 997/999 of ``interchange``, TA1s first (they stand before any GS)."""
    reports = [parse_ta1(segment) for segment in interchange.ta1]
    for group in interchange.groups:
        for ts in group.transactions:
            if ts.id in ("997", "999"):
                reports.append(parse_functional_ack(ts))
    return reports
