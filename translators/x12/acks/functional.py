"""X12 997 and 999: the functional acknowledgement of each functional group received.

One 997/999 transaction set per group: AK1 names the group, one AK2 loop per transaction set (every
set, accepted ones with ``AK5*A`` — a full 997 — unless ``include_accepted=False``), AK3/AK4 (997)
or IK3/IK4 (999) for each segment and element error, AK5/IK5 closing each set and AK9 rolling the
group up. Codes come from the errors' ``syntax_code`` (:mod:`translators.x12.syntax_codes`):
``AK9:n`` → AK905…, ``AK5:n`` → AK502…, ``AK3:n`` → AK304, ``AK4:n`` → AK403. An error without an
X12 code is an application-level finding (mapping, business rules): a 997 reports syntax only, so it
is left to the 824/855/APERAK side and does not change the 997.

Roll-up (reference notes §2, Azure/Stedi practice):

- a set is ``R`` when it has an error that is not tolerated, ``E`` when every error it has was
  tolerated (``tolerated``: the caller processed the set anyway, e.g. a lenient profile), ``A``
  when it has none. edigate does not translate a set with errors, so by default every error
  rejects (``R``): an ``E`` would tell the partner we took data we dropped;
- every set of a group with a (not tolerated) group error is ``R``;
- AK9: ``R`` if the group is in error or no set was accepted, ``P`` if some were, ``E`` if all
  were with at least one ``E``, else ``A``. AK902 = GE01 as received (the received count when it
  is not a number), AK903 = sets received, AK904 = sets accepted (``A`` and ``E``).

Differences of the 999 (005010X231A1): ST03 and AK103 required, IK3/IK4/IK5, and CTX: an element
context ``CTX*SITUATIONAL TRIGGER*…`` after an IK4 whose error depends on another element of the
segment (a broken paired/conditional/exclusion note: IK403 2 or 10), and a business unit
identifier after each IK3 when the caller supplies one (``business_units``). Segment contexts need
situational rules between segments, which edigate's definitions do not have, so none is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from translators.errors import EdiError, Location
from translators.numerals import is_digits
from translators.x12 import syntax_codes
from translators.x12.acks.envelope import (
    IMPLEMENTATION_999,
    AckKind,
    Party,
    X12Version,
    ack_release,
    answer_delimiters,
    answer_version,
    wrap_group,
    wrap_interchange,
    wrap_transaction,
)
from translators.x12.acks.ta1 import interchange_rejected
from translators.x12.definitions import load
from translators.x12.model import FunctionalGroup, TransactionSet, X12Delimiters, X12Interchange, X12Segment

ACCEPTED = "A"
ACCEPTED_WITH_ERRORS = "E"
PARTIALLY_ACCEPTED = "P"
REJECTED = "R"

SEGMENTS_IN_ERROR = "5"  # AK502/IK502: one or more segments in error
DATA_ELEMENT_ERRORS = "8"  # AK304/IK304: segment has data element errors
SITUATIONAL_TRIGGER = "SITUATIONAL TRIGGER"

MAX_CODES = 5  # AK502-506, AK905-909
MAX_ELEMENT_NOTES = 99  # AK4/IK4 per AK3/IK3
MAX_COPY = 99  # AK404/IK404 AN 1/99
MAX_CONTEXT = 35  # CTX01 components AN 1/35

_TRIGGERED = frozenset({"2", "10"})  # AK403: conditional required element missing, exclusion violated
_NO_COPY = frozenset({"1", "6"})  # AK403: nothing to copy (missing) / must not be copied (invalid character)

_WITHOUT_X12_CODE: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # the partner may not send this set type: "transaction set not supported" (AK502 1)
        "MESSAGE_TYPE_NOT_AGREED": (syntax_codes.TRANSACTION, "1"),
    }
)

_BUSINESS_NUMBERS: Mapping[str, tuple[str, int]] = MappingProxyType(
    {"850": ("BEG", 3), "855": ("BAK", 3), "856": ("BSN", 2), "810": ("BIG", 2)}
)

Tolerated = Callable[[EdiError], bool]
SetErrors = Mapping[str, Sequence[EdiError]]


def _classify(error: EdiError) -> tuple[str, str] | None:
    """(where, code) of an error a 997/999 reports; None for an application-level one."""
    parts = syntax_codes.split(error.syntax_code)
    if parts is not None and parts[0] in (
        syntax_codes.GROUP,
        syntax_codes.TRANSACTION,
        syntax_codes.SEGMENT,
        syntax_codes.ELEMENT,
    ):
        return parts
    return _WITHOUT_X12_CODE.get(error.code)


def _unique(errors: Iterable[EdiError]) -> list[EdiError]:
    out: list[EdiError] = []
    for error in errors:
        if error not in out:
            out.append(error)
    return out


def _codes(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out[:MAX_CODES]


def duplicate_group_error(group: FunctionalGroup) -> EdiError:
    """A group whose GS06 was already received (within the profile's window): AK905 ``19`` from
    005010 ("not unique within the interchange"), ``6`` before (possible duplicate)."""
    code = "19" if group.release >= "005010" else "6"
    return EdiError(
        "DUPLICATE_GS_CONTROL",
        f"group control number {group.control!r} was already received",
        Location(segment_index=group.header.index, segment_tag="GS", element=6, group_ref=group.control),
        "group",
        syntax_codes.code(syntax_codes.GROUP, code),
    )


def duplicate_set_error(ts: TransactionSet, group: FunctionalGroup) -> EdiError:
    """A set whose ST02 was already received: AK502 ``23`` from 005010, ``7`` before."""
    code = "23" if group.release >= "005010" else "7"
    st = ts.segments[0] if ts.segments else None
    return EdiError(
        "DUPLICATE_ST_CONTROL",
        f"transaction set control number {ts.control!r} was already received",
        Location(
            segment_index=st.index if st else None,
            segment_tag="ST",
            element=2,
            message_ref=ts.control,
            message_segment=1,
            group_ref=group.control,
        ),
        "message",
        syntax_codes.code(syntax_codes.TRANSACTION, code),
    )


def business_unit(ts: TransactionSet) -> tuple[str, str] | None:
    """The business number of a supply-chain set as a 999 business unit context, e.g.
    ``("BEG03", "PO-1")`` for an 850; None when unknown or empty.

    005010X231A1 lists health-care names only (CLM01, NM109, TRN02 …), so strict 999 readers
    reject other names: pass these to ``business_units`` only for partners that want them.
    """
    where = _BUSINESS_NUMBERS.get(ts.id)
    if where is None:
        return None
    tag, element = where
    segment = next((s for s in ts.body if s.tag == tag), None)
    value = segment.get(element) if segment is not None else ""
    return (f"{tag}{element:02d}", value[:MAX_CONTEXT]) if value else None


@dataclass(frozen=True, slots=True)
class _Style:
    """What differs between the acknowledgements being written."""

    kind: AckKind
    release: str  # 004010 / 005010: element and code sets of the ack itself

    @property
    def is_999(self) -> bool:
        return self.kind == "999"

    @property
    def segment_tag(self) -> str:
        return "IK3" if self.is_999 else "AK3"

    @property
    def element_tag(self) -> str:
        return "IK4" if self.is_999 else "AK4"

    @property
    def set_tag(self) -> str:
        return "IK5" if self.is_999 else "AK5"

    @property
    def with_references(self) -> bool:
        """AK103/AK203 (and AK401-3 repetition) exist from 005010 on."""
        return self.is_999 or self.release >= "005010"

    def group_code(self, code: str) -> str:
        """004010 has no AK905 19 ("not unique within interchange"); its duplicate code is 6."""
        return "6" if code == "19" and self.release < "005010" else code


@dataclass(slots=True)
class _SetAnswer:
    status: str
    segments: list[X12Segment]


class _Builder:
    """Answers one group. Its state is the group being answered and its routed errors."""

    def __init__(
        self,
        style: _Style,
        group: FunctionalGroup,
        set_errors: SetErrors | None,
        group_errors: Sequence[EdiError],
        tolerated: Tolerated | None,
        include_accepted: bool,
        business_units: Mapping[str, tuple[str, str]] | None,
    ) -> None:
        self.style = style
        self.group = group
        self.set_errors = set_errors or {}
        self.tolerated = tolerated or (lambda _error: False)
        self.include_accepted = include_accepted
        self.business_units = business_units or {}
        self.group_errors = [
            e for e in _unique([*group.errors, *group_errors]) if _where(e) == syntax_codes.GROUP
        ]
        # AK9-coded errors handed in with a set (a set outcome carries its group's errors) count once
        for ts in group.transactions:
            for error in self._own(ts):
                if _where(error) == syntax_codes.GROUP and error not in self.group_errors:
                    self.group_errors.append(error)

    def _own(self, ts: TransactionSet) -> list[EdiError]:
        return _unique([*ts.errors, *self.set_errors.get(ts.control, ())])

    # -- the transaction set ------------------------------------------------------------------

    def build(self, control_number: str) -> list[X12Segment]:
        group_rejected = any(not self.tolerated(e) for e in self.group_errors)
        answers = [self._answer(ts, group_rejected) for ts in self.group.transactions]
        body = [self._ak1()]
        for answer in answers:
            if answer.status != ACCEPTED or self.include_accepted:
                body.extend(answer.segments)
        body.append(self._ak9(answers, group_rejected))
        return wrap_transaction(
            body,
            transaction_id=self.style.kind,
            control_number=control_number,
            implementation_reference=IMPLEMENTATION_999 if self.style.is_999 else None,
        )

    def _ak1(self) -> X12Segment:
        control = self.group.control
        elements = [[self.group.functional_id], [control if _digits(control, 9) else "0"]]
        if self.style.with_references:
            elements.append([self.group.version])
        return X12Segment("AK1", elements)

    def _ak9(self, answers: list[_SetAnswer], group_rejected: bool) -> X12Segment:
        received = len(answers)
        accepted = sum(a.status in (ACCEPTED, ACCEPTED_WITH_ERRORS) for a in answers)
        if group_rejected or (received and not accepted):
            status = REJECTED
        elif accepted < received:
            status = PARTIALLY_ACCEPTED
        elif self.group_errors or any(a.status == ACCEPTED_WITH_ERRORS for a in answers):
            status = ACCEPTED_WITH_ERRORS
        else:
            status = ACCEPTED
        trailer = self.group.trailer
        included = trailer.get(1) if trailer is not None else ""
        if not _digits(included, 6):
            included = str(received)
        codes = _codes(self.style.group_code(_code(e)) for e in self.group_errors)
        return X12Segment(
            "AK9", [[status], [included], [str(received)], [str(accepted)], *([c] for c in codes)]
        )

    def _answer(self, ts: TransactionSet, group_rejected: bool) -> _SetAnswer:
        errors = [e for e in self._own(ts) if _where(e) in _SET_LEVELS]
        if group_rejected:
            status = REJECTED
        elif not errors:
            status = ACCEPTED
        elif all(self.tolerated(e) for e in errors):
            status = ACCEPTED_WITH_ERRORS
        else:
            status = REJECTED
        located = [e for e in errors if _where(e) in (syntax_codes.SEGMENT, syntax_codes.ELEMENT)]
        notes = self._segment_notes(ts, located)
        codes = [_code(e) for e in errors if _where(e) == syntax_codes.TRANSACTION]
        if located:
            codes.append(SEGMENTS_IN_ERROR)
        ak2 = [[ts.id], [ts.control]]
        if self.style.with_references and ts.implementation_reference:
            ak2.append([ts.implementation_reference])
        trailer = X12Segment(self.style.set_tag, [[status], *([c] for c in _codes(codes))])
        return _SetAnswer(status, [X12Segment("AK2", ak2), *notes, trailer])

    # -- segment and element notes ------------------------------------------------------------

    def _segment_notes(self, ts: TransactionSet, errors: list[EdiError]) -> list[X12Segment]:
        """One AK3/IK3 per segment error and one (AK304 8) above each segment's element errors,
        in the order of the segments in the set."""
        by_position: dict[int, list[EdiError]] = {}
        for error in errors:
            position = _position(ts, error.location)
            if position is not None:
                by_position.setdefault(position, []).append(error)
        unit = self.business_units.get(ts.control) if self.style.is_999 else None
        out: list[X12Segment] = []
        for position in sorted(by_position):
            found = by_position[position]
            segment = ts.segments[position - 1] if position <= len(ts.segments) else None
            seen: set[tuple[str, str]] = set()
            for error in found:
                if _where(error) != syntax_codes.SEGMENT:
                    continue
                tag = error.location.segment_tag or (segment.tag if segment else "")
                if (tag, _code(error)) in seen:
                    continue
                seen.add((tag, _code(error)))
                out.append(self._ak3(tag, position, _code(error)))
                out.extend(_business_context(unit))
            elements = sorted(
                (e for e in found if _where(e) == syntax_codes.ELEMENT),
                key=lambda e: (e.location.element or 0, e.location.component or 0),
            )
            if elements:
                tag = elements[0].location.segment_tag or (segment.tag if segment else "")
                out.append(self._ak3(tag, position, DATA_ELEMENT_ERRORS))
                out.extend(_business_context(unit))
                real = segment if segment is not None and segment.tag == tag else None
                for error in elements[:MAX_ELEMENT_NOTES]:
                    out.extend(self._ak4(ts, real, tag, position, error))
        return out

    def _ak3(self, tag: str, position: int, code: str) -> X12Segment:
        return X12Segment(self.style.segment_tag, [[tag], [str(position)], [""], [code]])

    def _ak4(
        self, ts: TransactionSet, segment: X12Segment | None, tag: str, position: int, error: EdiError
    ) -> list[X12Segment]:
        location = error.location
        element = location.element or 1
        code = _code(error)
        where = [str(element)] + ([str(location.component)] if location.component else [])
        reference = _reference(ts.id, self.group.version, tag, element, location.component)
        copy = _copy(segment, element, location.component) if code not in _NO_COPY else ""
        out = [X12Segment(self.style.element_tag, [where, [reference], [code], [copy]])]
        if self.style.is_999 and code in _TRIGGERED and segment is not None:
            trigger = _trigger(ts.id, self.group.version, segment, element)
            if trigger is not None:
                out.append(
                    X12Segment("CTX", [[SITUATIONAL_TRIGGER], [tag], [str(position)], [""], [str(trigger)]])
                )
        return out


_SET_LEVELS = frozenset({syntax_codes.TRANSACTION, syntax_codes.SEGMENT, syntax_codes.ELEMENT})


def _where(error: EdiError) -> str | None:
    parts = _classify(error)
    return parts[0] if parts else None


def _code(error: EdiError) -> str:
    parts = _classify(error)
    return parts[1] if parts else ""


def _digits(value: str, most: int) -> bool:
    return is_digits(value) and 1 <= len(value) <= most


def _position(ts: TransactionSet, location: Location) -> int | None:
    """Position of the error's segment within the set (ST = 1)."""
    if location.message_segment is not None:
        return location.message_segment
    if location.segment_index is not None:
        for position, segment in enumerate(ts.segments, start=1):
            if segment.index == location.segment_index:
                return position
    return None


def _business_context(unit: tuple[str, str] | None) -> list[X12Segment]:
    if unit is None:
        return []
    name, value = unit
    return [X12Segment("CTX", [[name[:MAX_CONTEXT], value[:MAX_CONTEXT]]])]


def _reference(ts_id: str, version: str, tag: str, element: int, component: int | None) -> str:
    """AK402: the data element number from edigate's definitions, "" when not known (it is optional)."""
    definition = load(ts_id, version)
    segment = definition.segments.get(tag) if definition is not None else None
    if segment is None or element > len(segment.elements):
        return ""
    rule = segment.elements[element - 1]
    if rule.components is not None:
        if not component or component > len(rule.components):
            return ""
        rule = rule.components[component - 1]
    return rule.number if is_digits(rule.number) else ""


def _copy(segment: X12Segment | None, element: int, component: int | None) -> str:
    """AK404: the bad value as received, when there is one that can be copied."""
    if segment is None:
        return ""
    value = segment.get(element, component or 1)
    if not value.isprintable():
        return ""
    return value[:MAX_COPY]


def _trigger(ts_id: str, version: str, segment: X12Segment, element: int) -> int | None:
    """The element whose presence makes ``element`` required or forbidden (a P/C/L/E note)."""
    definition = load(ts_id, version)
    seg_def = definition.segments.get(segment.tag) if definition is not None else None
    if seg_def is None:
        return None
    for rule in seg_def.rules:
        if element in rule.positions and rule.kind in ("P", "C", "L", "E"):
            present = [p for p in rule.positions if p != element and segment.get(p)]
            if present:
                return present[0]
    return None


def _style(kind: AckKind, version: X12Version | None, interchange: X12Interchange) -> _Style:
    release = ack_release(kind, version or answer_version(interchange.version))
    return _Style(kind, release[:6])


def build_997(
    interchange: X12Interchange,
    group: FunctionalGroup,
    set_errors: SetErrors | None = None,
    group_errors: Sequence[EdiError] = (),
    *,
    control_number: str = "0001",
    version: X12Version | None = None,
    tolerated: Tolerated | None = None,
    include_accepted: bool = True,
) -> list[X12Segment]:
    """The 997 transaction set (ST … SE, SE01 counted) acknowledging ``group``.

    ``set_errors`` maps ST02 to errors found after reading (validation, mapping); the reader's own
    ``ts.errors`` and ``group.errors`` always count, and passing them again is harmless. Errors
    of another level inside them (an ``AK9:`` code carried with a set) are reported where they
    belong. ``version`` is the release the 997 is written in (default: the received interchange's,
    00401 → 004010, 00501 → 005010 with AK103/AK203). A GS06 that is not 1-9 digits (already an
    ``AK9:6`` error) is answered as AK102 ``0``: AK102 must be numeric, the AK905 code says why.
    """
    style = _style("997", version, interchange)
    builder = _Builder(style, group, set_errors, group_errors, tolerated, include_accepted, None)
    return builder.build(control_number)


def build_999(
    interchange: X12Interchange,
    group: FunctionalGroup,
    set_errors: SetErrors | None = None,
    group_errors: Sequence[EdiError] = (),
    *,
    control_number: str = "0001",
    tolerated: Tolerated | None = None,
    include_accepted: bool = True,
    business_units: Mapping[str, tuple[str, str]] | None = None,
) -> list[X12Segment]:
    """The 999 transaction set (005010X231A1) acknowledging ``group``; arguments as :func:`build_997`.

    ``business_units`` maps ST02 to a (context name, value) written as a business unit CTX after
    each IK3 of that set (see :func:`business_unit`).
    """
    style = _style("999", "00501", interchange)
    builder = _Builder(style, group, set_errors, group_errors, tolerated, include_accepted, business_units)
    return builder.build(control_number)


def _errors_for(
    errors_by_set: Mapping[str | tuple[str, str], Sequence[EdiError]], group: FunctionalGroup
) -> dict[str, list[EdiError]]:
    """Per-ST02 errors of ``group``: (GS06, ST02) keys, and ST02 keys whose errors name this group
    or none (ST02 is unique only within a group)."""
    out: dict[str, list[EdiError]] = {}
    for ts in group.transactions:
        found = list(errors_by_set.get((group.control, ts.control), ()))
        found += [
            e
            for e in errors_by_set.get(ts.control, ())
            if e.location.group_ref is None or e.location.group_ref == group.control
        ]
        if found:
            out[ts.control] = found
    return out


def functional_ack(
    interchange: X12Interchange,
    *,
    kind: AckKind,
    control_number: int,
    group_control_number: int,
    prepared_at: datetime,
    errors_by_set: Mapping[str | tuple[str, str], Sequence[EdiError]] | None = None,
    group_errors: Mapping[str, Sequence[EdiError]] | None = None,
    interchange_errors: Iterable[EdiError] = (),
    sender: Party | None = None,
    receiver: Party | None = None,
    application_sender: str | None = None,
    application_receiver: str | None = None,
    version: X12Version | None = None,
    delimiters: X12Delimiters | None = None,
    usage: str | None = None,
    tolerated: Tolerated | None = None,
    include_accepted: bool = True,
    business_units: Mapping[str, tuple[str, str]] | None = None,
    ta1: X12Segment | None = None,
) -> str | None:
    """The whole acknowledgement interchange: ISA, [TA1,] GS*FA, one 997/999 per group, GE, IEA.

    None when nothing may be answered: the envelope is rejected (``interchange_errors`` or the
    reader's; a TA1 answers that, not a 997), or every group is itself a functional
    acknowledgement (GS01 ``FA``: acknowledgements are never acknowledged).

    ``control_number`` (ISA13) and ``group_control_number`` (GS06) come from the gateway's
    counters; our sets are numbered 0001, 0002 … within our group. Addressing defaults to the
    reverse of the received ISA and first GS; ``version`` to the received interchange's (a 999 is
    always 00501); ``delimiters`` to the partner's own; ``usage`` to the received ISA15 (P/T).
    ``errors_by_set`` is keyed by ST02 or (GS06, ST02), ``group_errors`` by GS06.
    """
    if interchange_rejected(interchange, interchange_errors):
        return None
    groups = [g for g in interchange.groups if g.functional_id != "FA"]
    if not groups:
        return None
    if kind == "999":
        if version == "00401":
            raise ValueError("a 999 exists only from 005010; it cannot be sent in a 00401 interchange")
        version = "00501"
    version = version or answer_version(interchange.version)
    per_set = errors_by_set or {}
    per_group = group_errors or {}
    sets: list[list[X12Segment]] = []
    for number, group in enumerate(groups, start=1):
        arguments = (interchange, group, _errors_for(per_set, group), per_group.get(group.control, ()))
        if kind == "999":
            sets.append(
                build_999(
                    *arguments,
                    control_number=f"{number:04d}",
                    tolerated=tolerated,
                    include_accepted=include_accepted,
                    business_units=business_units,
                )
            )
        else:
            sets.append(
                build_997(
                    *arguments,
                    control_number=f"{number:04d}",
                    version=version,
                    tolerated=tolerated,
                    include_accepted=include_accepted,
                )
            )
    first = groups[0]
    group = wrap_group(
        sets,
        functional_id="FA",
        application_sender=application_sender or first.receiver,
        application_receiver=application_receiver or first.sender,
        control_number=group_control_number,
        version=ack_release(kind, version),
        prepared_at=prepared_at,
    )
    return wrap_interchange(
        [group],
        sender=sender or (interchange.receiver_qualifier, interchange.receiver_id),
        receiver=receiver or (interchange.sender_qualifier, interchange.sender_id),
        control_number=control_number,
        version=version,
        usage=usage or ("P" if interchange.usage == "P" else "T"),
        delimiters=delimiters or answer_delimiters(interchange.delimiters, version),
        prepared_at=prepared_at,
        ta1=[ta1] if ta1 is not None else (),
    )
