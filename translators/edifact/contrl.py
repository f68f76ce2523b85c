"""EDIFACT CONTRL: the syntax and service report we send back for an interchange, and reading one.

A CONTRL tells the partner, level by level, what we did with its interchange: UCI for the interchange,
UCF per group, UCM per message, UCS/UCD for the segment and element in error. Action 7 acknowledges
a level (and every lower level not explicitly rejected), action 4 rejects a level and everything in
it, action 8 only says the interchange arrived. The partner's EDI team reads these to fix their data,
so every error carries the 0085 syntax error code and the position we located it at.

Rules kept here, from the reference notes (§4):

- never answer a CONTRL with a CONTRL: CONTRLs inside an interchange are ignored, and an interchange
  of nothing but CONTRLs gets no answer (``build_contrl`` returns None);
- SG1 (UCM …) when the interchange has no groups, SG3 (UCF + SG4 UCM …) when it has; never both;
- accepted messages get a UCM only when the partner wants it (``report_accepted_messages``);
- a receipt (UNB 0031 = 2, or a profile that asks only for receipt) is a UCI and nothing else;
- action codes 1, 2, 3, 5, 6 were withdrawn in 2001: never emitted, tolerated when read.

Syntax versions. The answer is written in the syntax version of the interchange it answers, because
that is the version the partner's translator is set up for:

============  ===================  ======================================================
              syntax 1–3           syntax 4
============  ===================  ======================================================
UNH S009      ``CONTRL:D:3:UN``    ``CONTRL:4:1:UN``
UNB S004      YYMMDD:HHMM          CCYYMMDD:HHMM
S002 / S003   3 components         4 components (adds internal sub-identification)
UCM S009      5 components         7 components (adds 0110 and 0113)
S011          element:component    element:component:occurrence (0136, the repetition)
tag element   0135                 0013 (same values: UNA, UNB, UNG, UNH, UNT, UNE, UNZ)
============  ===================  ======================================================

The text is produced by :func:`translators.edifact.writer.write_segments` with the separators of the
received interchange, so the partner can read our answer with the settings it already uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Literal, NamedTuple, Protocol

from translators.edifact.model import Group, Interchange, Message, Segment
from translators.edifact.writer import write_segments
from translators.errors import EdiError
from translators.numerals import is_digits

ACCEPTED = "7"
REJECTED = "4"
RECEIVED = "8"
UNSPECIFIED_ERROR = "18"  # 0085: unspecified error, for problems without a syntax code of their own
TOO_MANY_REPETITIONS = "35"

INTERCHANGE_TAGS = frozenset({"UNA", "UNB", "UNZ"})  # 0135/0013 values UCI06 may name
GROUP_TAGS = frozenset({"UNG", "UNE"})  # UCF06
MESSAGE_TAGS = frozenset({"UNH", "UNT"})  # UCM05

# Withdrawn in 2001 (UNSL D.01A), still sent by old translators: 1 acknowledged, 2 acknowledged with
# errors detected and reported, 3 one or more rejected at the next lower level, 5 UNB/UNZ accepted,
# 6 UNB/UNZ rejected. Never emitted; read with these meanings.
_ACCEPTING_ACTIONS = frozenset({"1", "2", "5", ACCEPTED, RECEIVED})
_REJECTING_ACTIONS = frozenset({REJECTED, "6"})
_ACCEPTED_WITH_ERRORS_ACTIONS = frozenset({"2", "3"})

MAX_SEGMENT_REPORTS = 999  # SG2/SG5 repetitions of UCS per message
MAX_ELEMENT_REPORTS = 99  # UCD per UCS

# 0085 for edigate error codes, used only when an error arrives without its own ``syntax_code``
# (e.g. restored from an older store): the reader, validator and gateway codes and the ISO 9735
# syntax error each one is.
SYNTAX_CODES: Mapping[str, str] = MappingProxyType(
    {
        "UNSUPPORTED_SYNTAX_VERSION": "2",
        "INVALID_CODE": "12",
        "UNB_DATE_INVALID": "12",
        "UNT_COUNT_INVALID": "12",
        "MISSING_SEGMENT": "13",
        "ELEMENT_MISSING": "13",
        "COMPONENT_MISSING": "13",
        "UNB_ELEMENT_MISSING": "13",
        "UNH_ELEMENT_MISSING": "13",
        "UNT_ELEMENT_MISSING": "13",
        "UNT_MISSING": "13",
        "UNE_MISSING": "13",
        "UNZ_MISSING": "13",
        "SEGMENT_UNEXPECTED": "15",
        "TOO_MANY_ELEMENTS": "16",
        "TOO_MANY_COMPONENTS": "16",
        "MESSAGE_TYPE_NOT_AGREED": "17",
        "CHARSET_MISMATCH": "21",
        "UNKNOWN_SENDER": "23",
        "DUPLICATE_INTERCHANGE": "26",
        "DUPLICATE_GROUP": "26",
        "DUPLICATE_MESSAGE": "26",
        "UNT_REFERENCE_MISMATCH": "28",
        "UNE_REFERENCE_MISMATCH": "28",
        "UNZ_REFERENCE_MISMATCH": "28",
        "UNT_COUNT_MISMATCH": "29",
        "UNE_COUNT_MISMATCH": "29",
        "UNZ_COUNT_MISMATCH": "29",
        "GROUPS_AND_MESSAGES_MIXED": "30",
        "INTERCHANGE_EMPTY": "32",
        "SEGMENT_OUTSIDE_MESSAGE": "33",
        "LEADING_DATA": "33",
        "TRAILING_DATA": "33",
        "SEGMENT_TOO_MANY": "35",
        "TOO_MANY_REPETITIONS": "35",
        "GROUP_TOO_MANY": "36",
        "INVALID_CHARACTER_TYPE": "37",
        "VALUE_TOO_LONG": "39",
        "VALUE_TOO_SHORT": "40",
        "UNSUPPORTED_CHARSET": "46",
    }
)


def syntax_code(error: EdiError) -> str:
    """The 0085 code a CONTRL reports for ``error``: its own, else the one its edigate code means,
    else 18 (unspecified): a CONTRL must name a code wherever it reports an error."""
    return error.syntax_code or SYNTAX_CODES.get(error.code, UNSPECIFIED_ERROR)


class EdifactParty(Protocol):
    """Our UNB identity: ``partners.profile.EdifactIdentity`` or anything with ``id`` and ``qualifier``."""

    @property
    def id(self) -> str: ...

    @property
    def qualifier(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Layout:
    """What differs between the syntax-3 and the syntax-4 CONTRL (see the module docstring)."""

    identifier: tuple[str, ...]  # our UNH S009
    party_components: int  # S002 / S003 in UCI
    message_components: int  # S009 in UCM
    position_components: int  # S011 in UCI/UCF/UCM/UCD


_SYNTAX_3 = _Layout(("CONTRL", "D", "3", "UN"), 3, 5, 2)
_SYNTAX_4 = _Layout(("CONTRL", "4", "1", "UN"), 4, 7, 3)


def _layout(syntax_version: int) -> _Layout:
    return _SYNTAX_4 if syntax_version >= 4 else _SYNTAX_3


@dataclass(slots=True)
class _Errors:
    """Errors sorted by the level they are reported at."""

    interchange: list[EdiError] = field(default_factory=list)
    groups: dict[str, list[EdiError]] = field(default_factory=dict)
    messages: dict[str, list[EdiError]] = field(default_factory=dict)


def _route(extra_errors: Iterable[EdiError]) -> _Errors:
    """Place errors found outside the reader at the level they name; unplaceable ones go to UCI."""
    routed = _Errors()
    for error in extra_errors:
        location = error.location
        if error.level in ("message", "segment", "element") and location.message_ref is not None:
            routed.messages.setdefault(location.message_ref, []).append(error)
        elif error.level == "group" and location.group_ref is not None:
            routed.groups.setdefault(location.group_ref, []).append(error)
        else:
            routed.interchange.append(error)
    return routed


def _is_contrl(message: Message) -> bool:
    return message.type == "CONTRL"


def receipt_requested(interchange: Interchange) -> bool:
    """UNB 0031 = 2: the partner asks for an indication of receipt only (a UCI with action 8)."""
    return interchange.ack_requested == "2"


def contrl_action(
    interchange: Interchange, extra_errors: Iterable[EdiError] = (), *, receipt_only: bool = False
) -> str:
    """UCI action: ``"4"`` when the interchange itself is rejected, else ``"7"`` (``"8"`` for a receipt).

    Message and group errors do not reject the interchange: they are rejected at their own level
    (UCM/UCF action 4) under a UCI that acknowledges the rest.
    """
    interchange_errors = [*interchange.errors, *_route(extra_errors).interchange]
    if interchange_errors:
        return REJECTED
    return RECEIVED if receipt_only else ACCEPTED


def answerable(interchange: Interchange) -> bool:
    """Whether a valid CONTRL can be addressed at all: it needs the received sender (our recipient),
    the received UNB 0020 (what UCI01 refers to) and a syntax version 1–4 to write our UNB in."""
    return bool(
        interchange.sender_id and interchange.control_reference and 1 <= interchange.syntax_version <= 4
    )


def build_contrl(
    interchange: Interchange,
    *,
    sender: EdifactParty,
    control_reference: str,
    prepared_at: datetime,
    message_reference: str = "1",
    report_accepted_messages: bool = False,
    receipt_only: bool = False,
    extra_errors: Iterable[EdiError] = (),
    message_errors: Mapping[str, Sequence[EdiError]] | None = None,
) -> str | None:
    """The full CONTRL interchange (UNA … UNZ) answering ``interchange``, or None when none may be sent.

    None when every message is a CONTRL (never answer a CONTRL), or when the UNB is too broken to
    answer (see :func:`answerable`): the problem must then be reported by other means.

    ``sender`` is our own UNB identity and ``control_reference`` our UNB 0020 for the answer.
    ``extra_errors`` are problems found outside the reader (unknown sender "23", duplicate "26", …);
    each is reported at the level its ``level``/location names, interchange level when it names none.
    ``message_errors`` adds errors per UNH 0062 found after reading (mapping, partner agreement):
    they reject that message like the reader's own errors do.

    ``receipt_only`` (UNB 0031 = 2, see :func:`receipt_requested`, or a profile that wants receipts
    only) gives a UCI and nothing below it: action 8, "received". An interchange whose own envelope
    is rejected still gets action 4 with its error: a receipt must not let the partner believe an
    interchange we will never process is on its way.
    """
    if interchange.messages and all(_is_contrl(m) for m in interchange.messages):
        return None
    if not answerable(interchange):
        return None
    layout = _layout(interchange.syntax_version)
    routed = _route(extra_errors)
    for reference, errors in (message_errors or {}).items():
        routed.messages.setdefault(reference, []).extend(errors)

    segments: list[Segment] = [
        reply_unb(interchange, sender, control_reference, prepared_at),
        Segment("UNH", [[message_reference], list(layout.identifier)]),
        _uci(interchange, [*interchange.errors, *routed.interchange], layout, receipt_only),
    ]
    if not receipt_only:  # a receipt is the UCI alone
        segments.extend(_lower_levels(interchange, routed, report_accepted_messages, layout))
    unh_position = 1  # UNB is segments[0]; UNH is segments[1]
    segments.append(Segment("UNT", [[str(len(segments) - unh_position + 1)], [message_reference]]))
    segments.append(Segment("UNZ", [["1"], [control_reference]]))
    return interchange.separators.una() + write_segments(segments, interchange.separators)


def _lower_levels(
    interchange: Interchange, routed: _Errors, report_accepted_messages: bool, layout: _Layout
) -> list[Segment]:
    """SG3 (UCF + its UCMs) per group when the interchange has groups, else SG1 (UCMs)."""
    if not interchange.groups:
        members = [m for m in interchange.messages if not _is_contrl(m)]
        return _message_reports(members, routed, report_accepted_messages, layout)
    segments: list[Segment] = []
    for group in interchange.groups:
        in_group = [m for m in interchange.messages if m.group_reference == group.reference]
        members = [m for m in in_group if not _is_contrl(m)]
        if in_group and not members:
            continue  # a group of CONTRLs only: never answered
        segments.append(_ucf(group, [*group.errors, *routed.groups.get(group.reference, [])], layout))
        segments.extend(_message_reports(members, routed, report_accepted_messages, layout))
    return segments


def reply_unb(
    interchange: Interchange, sender: EdifactParty, control_reference: str, prepared_at: datetime
) -> Segment:
    """The UNB of an answer to ``interchange`` (CONTRL, APERAK): the received syntax identifier and
    version, us as sender, the partner as recipient, and a test answer for a test interchange.

    Shared with :mod:`translators.edifact.aperak` so that every answer is addressed the same way.
    """
    date = prepared_at.strftime("%Y%m%d" if interchange.syntax_version >= 4 else "%y%m%d")
    elements = [
        [interchange.syntax_identifier, str(interchange.syntax_version)],
        _trim([sender.id, sender.qualifier]),
        _trim([interchange.sender_id, interchange.sender_qualifier]),
        [date, prepared_at.strftime("%H%M")],
        [control_reference],
    ]
    if interchange.test_indicator == "1":
        # A test interchange gets a test answer: 0035 is the 11th UNB element.
        elements.extend([[""]] * 5 + [["1"]])
    return Segment("UNB", elements)


def _received(segment: Segment | None, element: int, fallback: list[str], components: int) -> list[str]:
    """A composite as the partner sent it (S002, S003, S006, S009 …), cut to the components the
    CONTRL layout has and with trailing empties dropped."""
    if segment is not None and len(segment.elements) >= element:
        received = _trim(segment.elements[element - 1][:components])
        if received != [""]:
            return received
    return _trim(fallback[:components])


def _uci(interchange: Interchange, errors: list[EdiError], layout: _Layout, receipt: bool) -> Segment:
    parties = layout.party_components
    elements = [
        [interchange.control_reference],
        _received(interchange.header, 2, [interchange.sender_id, interchange.sender_qualifier], parties),
        _received(
            interchange.header, 3, [interchange.recipient_id, interchange.recipient_qualifier], parties
        ),
        [REJECTED if errors else RECEIVED if receipt else ACCEPTED],
    ]
    if errors:
        elements.extend(_error_elements(errors[0], INTERCHANGE_TAGS, layout))
    return Segment("UCI", _trim_elements(elements))


def _ucf(group: Group, errors: list[EdiError], layout: _Layout) -> Segment:
    elements = [
        [group.reference],
        _received(group.header, 2, [group.sender], 2),
        _received(group.header, 3, [group.recipient], 2),
        [REJECTED if errors else ACCEPTED],
    ]
    if errors:
        elements.extend(_error_elements(errors[0], GROUP_TAGS, layout))
    return Segment("UCF", _trim_elements(elements))


def _error_elements(error: EdiError, service_tags: frozenset[str], layout: _Layout) -> list[list[str]]:
    """0085 error code, 0135/0013 service segment tag and S011 position, the tag only when it is a
    service one (a UCI/UCF/UCM can only point into its own envelope segments)."""
    tag = error.location.segment_tag if error.location.segment_tag in service_tags else None
    elements = [[syntax_code(error)], [tag or ""]]
    if tag is not None and error.location.element is not None:
        elements.append(_position(error, layout, None))
    return elements


def _position(error: EdiError, layout: _Layout, occurrence: int | None) -> list[str]:
    """S011: data element position in the segment, component position when known, and (syntax 4
    only) the occurrence of a repeated element."""
    location = error.location
    components = [str(location.element or ""), str(location.component or "")]
    if layout.position_components >= 3 and occurrence is not None:
        components.append(str(occurrence))
    return _trim(components)


def _occurrence(error: EdiError, segment: Segment | None) -> int | None:
    """0136 for an element error: the location's own occurrence when it carries one; for "too many
    repetitions" (35) of an element the definition does not repeat, the first excess one (2)."""
    own = getattr(error.location, "occurrence", None)
    if isinstance(own, int):
        return own
    element = error.location.element
    if syntax_code(error) != TOO_MANY_REPETITIONS or element is None or segment is None:
        return None
    repeats = (segment.repetitions or {}).get(element - 1, [])
    return 2 if len(repeats) > 1 else None


def _message_reports(
    messages: list[Message], routed: _Errors, report_accepted_messages: bool, layout: _Layout
) -> list[Segment]:
    segments: list[Segment] = []
    for message in messages:
        errors = [*message.errors, *routed.messages.get(message.reference, [])]
        if not errors and not report_accepted_messages:
            continue
        segments.extend(_message_report(message, errors, layout))
    return segments


def _message_report(message: Message, errors: list[EdiError], layout: _Layout) -> list[Segment]:
    """UCM for the message, then one UCS (+ UCDs) per segment position in error, in message order."""
    envelope: list[EdiError] = []
    by_position: dict[int, list[EdiError]] = {}
    for error in errors:
        position = _message_position(message, error)
        if _is_envelope_error(error) or position is None:
            envelope.append(error)
        else:
            by_position.setdefault(position, []).append(error)

    unh = message.segments[0] if message.segments and message.segments[0].tag == "UNH" else None
    identifier = message.identifier.split(":")
    elements = [
        [message.reference],
        _received(unh, 2, identifier, layout.message_components),
        [REJECTED if errors else ACCEPTED],
    ]
    if envelope:
        elements.extend(_error_elements(envelope[0], MESSAGE_TAGS, layout))
    segments = [Segment("UCM", _trim_elements(elements))]

    for position in sorted(by_position)[:MAX_SEGMENT_REPORTS]:
        found = by_position[position]
        segment_level = [e for e in found if e.location.element is None]
        element_level = [e for e in found if e.location.element is not None]
        ucs = [[str(position)]]
        if segment_level:
            ucs.append([syntax_code(segment_level[0])])
        segments.append(Segment("UCS", ucs))
        in_error = message.segments[position - 1] if position <= len(message.segments) else None
        for error in element_level[:MAX_ELEMENT_REPORTS]:
            occurrence = _occurrence(error, in_error)
            segments.append(Segment("UCD", [[syntax_code(error)], _position(error, layout, occurrence)]))
    return segments


def _is_envelope_error(error: EdiError) -> bool:
    """Reported in UCM itself: a problem of UNH/UNT, except a missing segment anchored at UNH.

    A missing segment is reported the CONTRL way, as UCS at the last segment processed — which may
    be UNH (a message without BGM) without UNH itself being wrong.
    """
    return error.location.segment_tag in MESSAGE_TAGS and error.code != "MISSING_SEGMENT"


def _message_position(message: Message, error: EdiError) -> int | None:
    """UCS01 for an error: its message position, or the one of the interchange index it names."""
    location = error.location
    if location.message_segment is not None:
        return location.message_segment
    if location.segment_index is not None:
        for position, segment in enumerate(message.segments, start=1):
            if segment.index == location.segment_index:
                return position
    return None


def _trim(components: list[str]) -> list[str]:
    """Drop trailing empty components; keep at least one so the element exists."""
    out = list(components)
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return out or [""]


def _trim_elements(elements: list[list[str]]) -> list[list[str]]:
    """Drop trailing empty elements: EDIFACT forbids trailing separators (0085 code 45)."""
    out = [_trim(e) for e in elements]
    while len(out) > 1 and out[-1] == [""]:
        out.pop()
    return out


# -- reading a CONTRL ----------------------------------------------------------------------------

AckState = Literal["accepted", "accepted_with_errors", "rejected", "received", "unknown"]
"""What an acknowledgement says about one level: what the gateway records for an outgoing message."""


class ElementError(NamedTuple):
    """UCD: the 0085 code and the S011 position as written (``"3:2"``, ``"3::2"`` in syntax 4).

    A tuple so that ``("12", "1:2")`` compares equal; the properties read the position's parts.
    """

    code: str
    position: str

    def _part(self, index: int) -> int | None:
        parts = self.position.split(":")
        value = parts[index] if len(parts) > index else ""
        return int(value) if is_digits(value) else None

    @property
    def element(self) -> int | None:
        """0098: data element position in the segment."""
        return self._part(0)

    @property
    def component(self) -> int | None:
        """0104: component position in the composite, when the error is in one."""
        return self._part(1)

    @property
    def occurrence(self) -> int | None:
        """0136 (syntax 4): which repetition of the element is in error."""
        return self._part(2)


@dataclass(frozen=True, slots=True)
class SegmentReport:
    """UCS (+ its UCDs): a segment position in error and the element errors in it."""

    position: int | None
    error: str | None
    element_errors: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class LevelReport:
    """UCI, UCF or UCM: one envelope level's reference, action and error."""

    reference: str
    action: str
    error: str | None = None
    segment_tag: str | None = None
    identifier: str | None = None  # UCM: S009 of the message, e.g. "INVOIC:D:96A:UN:EAN008"
    segments: tuple[SegmentReport, ...] = ()
    position: str | None = None  # S011 of the level's own error, as written
    sender: str | None = None  # UCI S002 / UCF S006 as written ("id:qualifier")
    recipient: str | None = None  # UCI S003 / UCF S007
    group_reference: str | None = None  # UCM in SG4: the UCF group it reports on

    @property
    def accepted(self) -> bool:
        """This level was taken: 7, 8, or a withdrawn code that meant so (1, 2, 5).

        Withdrawn 2 ("acknowledged, errors detected and reported") took the level; 3 ("one or more
        rejected at the next lower level") does not say which, so it does not count as accepted;
        4 and withdrawn 6 ("UNB/UNZ rejected") reject it.
        """
        return self.action in _ACCEPTING_ACTIONS

    @property
    def state(self) -> AckState:
        """accepted / accepted_with_errors (errors reported but the level taken) / rejected / received."""
        if self.action in _REJECTING_ACTIONS:
            return "rejected"
        if self.action == RECEIVED:
            return "received"
        if self.action in _ACCEPTED_WITH_ERRORS_ACTIONS:
            return "accepted_with_errors"
        if self.action in _ACCEPTING_ACTIONS:
            return "accepted_with_errors" if self.error or self.segments else "accepted"
        return "unknown"


@dataclass(frozen=True, slots=True)
class ContrlReport:
    """What a partner's CONTRL says about one of our interchanges.

    ``interchange.reference`` is the UNB 0020 it answers, ``groups`` the UNG 0048 and ``messages``
    the UNH 0062 it reports on (in syntax 4 also with their group). ``contrl_reference`` and
    ``syntax_version`` describe the CONTRL message itself.
    """

    interchange: LevelReport
    groups: tuple[LevelReport, ...] = ()
    messages: tuple[LevelReport, ...] = ()
    contrl_reference: str = ""
    syntax_version: int = 3

    @property
    def accepted(self) -> bool:
        """True when the interchange and every group and message reported in it were acknowledged."""
        return all(level.accepted for level in (self.interchange, *self.groups, *self.messages))

    @property
    def state(self) -> AckState:
        """The state of the whole interchange: rejected when its UCI rejects it, accepted with errors
        when any lower level reports an error or rejection, received for a bare receipt."""
        top = self.interchange.state
        if top in ("rejected", "unknown"):
            return top
        lower = (*self.groups, *self.messages)
        if top == "accepted_with_errors" or any(level.state != "accepted" for level in lower):
            return "accepted_with_errors"
        return top

    @property
    def group_references(self) -> tuple[str, ...]:
        return tuple(group.reference for group in self.groups)

    @property
    def message_references(self) -> tuple[str, ...]:
        return tuple(message.reference for message in self.messages)

    def message_state(self, reference: str, group_reference: str | None = None) -> AckState:
        """The state of one message we sent (UNH 0062, and its UNG 0048 when it was in a group).

        A message the CONTRL does not list takes the state its group or interchange gives the lower
        levels: action 7 acknowledges everything not explicitly rejected, 4 rejects everything.
        """
        for message in self.messages:
            if message.reference == reference and (
                group_reference is None or message.group_reference in (None, group_reference)
            ):
                return message.state
        for group in self.groups:
            if group.reference == group_reference:
                return _unlisted(group)
        return _unlisted(self.interchange)


def _unlisted(level: LevelReport) -> AckState:
    """The state a level's action gives a lower level it does not itself list."""
    if level.action in _REJECTING_ACTIONS:
        return "rejected"
    if level.action == RECEIVED:
        return "received"
    if level.action in ("1", "2", "5", ACCEPTED):
        return "accepted"
    return "unknown"  # 3: "one or more rejected", without saying which


def parse_contrl(interchange: Interchange) -> ContrlReport:
    """Read the first CONTRL message of ``interchange``. Raises ValueError when there is none."""
    message = next((m for m in interchange.messages if _is_contrl(m)), None)
    if message is None:
        raise ValueError("the interchange contains no CONTRL message")
    return parse_contrl_message(message)


def parse_contrls(interchange: Interchange) -> list[ContrlReport]:
    """Every CONTRL message of ``interchange`` (a partner may batch answers to several interchanges)."""
    return [parse_contrl_message(m) for m in interchange.messages if _is_contrl(m)]


def parse_contrl_message(message: Message) -> ContrlReport:
    """UCI/UCF/UCM/UCS/UCD of one CONTRL message (syntax 3 or 4) into a report.

    The element positions this reads are the same in both syntax versions; syntax 4's extra
    components (S011 occurrence, S009 0110/0113) are kept as written. Unknown segments are skipped,
    so a CONTRL with security segments or later additions still reads.
    """
    interchange: LevelReport | None = None
    groups: list[LevelReport] = []
    messages: list[LevelReport] = []
    group: str | None = None  # UCMs after a UCF belong to it (SG4)
    for segment in message.body:
        if segment.tag == "UCI":
            interchange = _level(segment, 4, parties=True)
        elif segment.tag == "UCF":
            groups.append(_level(segment, 4, parties=True))
            group = groups[-1].reference
        elif segment.tag == "UCM":
            messages.append(_level(segment, 3, identifier_element=2, group_reference=group))
        elif segment.tag == "UCS" and messages:
            report = SegmentReport(
                position=int(segment.get(1)) if is_digits(segment.get(1)) else None,
                error=segment.get(2) or None,
            )
            messages[-1] = replace(messages[-1], segments=(*messages[-1].segments, report))
        elif segment.tag == "UCD" and messages and messages[-1].segments:
            last = messages[-1].segments[-1]
            position = ":".join(_trim(segment.elements[1])) if len(segment.elements) > 1 else ""
            updated = replace(
                last, element_errors=(*last.element_errors, ElementError(segment.get(1), position))
            )
            messages[-1] = replace(messages[-1], segments=(*messages[-1].segments[:-1], updated))
    if interchange is None:
        raise ValueError(f"CONTRL message {message.reference!r} has no UCI segment")
    return ContrlReport(
        interchange=interchange,
        groups=tuple(groups),
        messages=tuple(messages),
        contrl_reference=message.reference,
        syntax_version=4 if message.version == "4" else 3,
    )


def _composite(segment: Segment, element: int) -> str | None:
    if len(segment.elements) < element:
        return None
    return ":".join(_trim(segment.elements[element - 1])) or None


def _level(
    segment: Segment,
    action_element: int,
    *,
    identifier_element: int | None = None,
    parties: bool = False,
    group_reference: str | None = None,
) -> LevelReport:
    """UCI/UCF (action at 4, S002/S003 or S006/S007 before it) or UCM (action at 3, S009 at 2)."""
    return LevelReport(
        reference=segment.get(1),
        action=segment.get(action_element),
        error=segment.get(action_element + 1) or None,
        segment_tag=segment.get(action_element + 2) or None,
        identifier=_composite(segment, identifier_element) if identifier_element else None,
        position=_composite(segment, action_element + 3),
        sender=_composite(segment, 2) if parties else None,
        recipient=_composite(segment, 3) if parties else None,
        group_reference=group_reference,
    )
