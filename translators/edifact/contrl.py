"""EDIFACT CONTRL: the syntax and service report we send back for an interchange, and reading one.

A CONTRL tells the partner, level by level, what we did with its interchange: UCI for the interchange,
UCF per group, UCM per message, UCS/UCD for the segment and element in error. Action 7 acknowledges
a level (and every lower level not explicitly rejected), action 4 rejects a level and everything in
it. The partner's EDI team reads these to fix their data, so every error carries the 0085 syntax
error code and the position we located it at.

Rules kept here, from the reference notes (§4):

- never answer a CONTRL with a CONTRL: CONTRLs inside an interchange are ignored, and an interchange
  of nothing but CONTRLs gets no answer (``build_contrl`` returns None);
- SG1 (UCM …) when the interchange has no groups, SG3 (UCF + SG4 UCM …) when it has; never both;
- accepted messages get a UCM only when the partner wants it (``report_accepted_messages``);
- action codes 1, 2, 3, 5, 6 were withdrawn in 2001: never emitted, tolerated when read.

The text is produced by :func:`translators.edifact.writer.write_segments` with the separators of the
received interchange, so the partner can read our answer with the settings it already uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from translators.edifact.model import Group, Interchange, Message, Segment
from translators.edifact.writer import write_segments
from translators.errors import EdiError

ACCEPTED = "7"
REJECTED = "4"
RECEIVED = "8"
UNSPECIFIED_ERROR = "18"  # 0085: unspecified error, for problems without a syntax code of their own

INTERCHANGE_TAGS = frozenset({"UNA", "UNB", "UNZ"})  # 0135 values UCI06 may name
GROUP_TAGS = frozenset({"UNG", "UNE"})  # UCF06
MESSAGE_TAGS = frozenset({"UNH", "UNT"})  # UCM05

_WITHDRAWN_ACCEPTING_ACTIONS = ("1", "2", "5", "6")  # tolerated on inbound CONTRLs, never emitted

MAX_SEGMENT_REPORTS = 999  # SG2/SG5 repetitions of UCS per message
MAX_ELEMENT_REPORTS = 99  # UCD per UCS


class EdifactParty(Protocol):
    """Our UNB identity: ``partners.profile.EdifactIdentity`` or anything with ``id`` and ``qualifier``."""

    @property
    def id(self) -> str: ...

    @property
    def qualifier(self) -> str: ...


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


def contrl_action(interchange: Interchange, extra_errors: Iterable[EdiError] = ()) -> str:
    """UCI action: ``"4"`` when the interchange itself is rejected, else ``"7"``.

    Message and group errors do not reject the interchange: they are rejected at their own level
    (UCM/UCF action 4) under a UCI that acknowledges the rest.
    """
    interchange_errors = [*interchange.errors, *_route(extra_errors).interchange]
    return REJECTED if interchange_errors else ACCEPTED


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
    """
    if interchange.messages and all(_is_contrl(m) for m in interchange.messages):
        return None
    if not answerable(interchange):
        return None
    routed = _route(extra_errors)
    for reference, errors in (message_errors or {}).items():
        routed.messages.setdefault(reference, []).extend(errors)

    separators = interchange.separators
    segments: list[Segment] = [
        _unb(interchange, sender, control_reference, prepared_at),
        Segment("UNH", [[message_reference], _contrl_identifier(interchange.syntax_version)]),
        _uci(interchange, [*interchange.errors, *routed.interchange]),
    ]
    if interchange.groups:
        for group in interchange.groups:
            members = [
                m for m in interchange.messages if m.group_reference == group.reference and not _is_contrl(m)
            ]
            if not members and any(m.group_reference == group.reference for m in interchange.messages):
                continue  # a group of CONTRLs only: never answered
            segments.append(_ucf(group, [*group.errors, *routed.groups.get(group.reference, [])]))
            segments.extend(_message_reports(members, routed, report_accepted_messages))
    else:
        members = [m for m in interchange.messages if not _is_contrl(m)]
        segments.extend(_message_reports(members, routed, report_accepted_messages))
    unh_position = 1  # UNB is segments[0]; UNH is segments[1]
    segments.append(Segment("UNT", [[str(len(segments) - unh_position + 1)], [message_reference]]))
    segments.append(Segment("UNZ", [["1"], [control_reference]]))
    return separators.una() + write_segments(segments, separators)


def _contrl_identifier(syntax_version: int) -> list[str]:
    """S009 of our CONTRL: the version-4 message for syntax 4, the D:3 one for syntax 1–3."""
    return ["CONTRL", "4", "1", "UN"] if syntax_version >= 4 else ["CONTRL", "D", "3", "UN"]


def _unb(interchange: Interchange, sender: EdifactParty, reference: str, prepared_at: datetime) -> Segment:
    """Our UNB: the received syntax identifier and version, us as sender, the partner as recipient."""
    date = prepared_at.strftime("%Y%m%d" if interchange.syntax_version >= 4 else "%y%m%d")
    elements = [
        [interchange.syntax_identifier, str(interchange.syntax_version)],
        _trim([sender.id, sender.qualifier]),
        _trim([interchange.sender_id, interchange.sender_qualifier]),
        [date, prepared_at.strftime("%H%M")],
        [reference],
    ]
    if interchange.test_indicator == "1":
        # A test interchange gets a test answer: 0035 is the 11th UNB element.
        elements.extend([[""]] * 5 + [["1"]])
    return Segment("UNB", elements)


def _received(segment: Segment | None, element: int, fallback: list[str]) -> list[str]:
    """A composite exactly as the partner sent it (S002, S003, S006, S009 …), trailing empties dropped."""
    if segment is not None and len(segment.elements) >= element:
        components = _trim(segment.elements[element - 1])
        if components != [""]:
            return components
    return _trim(fallback)


def _uci(interchange: Interchange, errors: list[EdiError]) -> Segment:
    elements = [
        [interchange.control_reference],
        _received(interchange.header, 2, [interchange.sender_id, interchange.sender_qualifier]),
        _received(interchange.header, 3, [interchange.recipient_id, interchange.recipient_qualifier]),
        [REJECTED if errors else ACCEPTED],
    ]
    if errors:
        elements.extend(_error_elements(errors[0], INTERCHANGE_TAGS))
    return Segment("UCI", _trim_elements(elements))


def _ucf(group: Group, errors: list[EdiError]) -> Segment:
    elements = [
        [group.reference],
        _received(group.header, 2, [group.sender]),
        _received(group.header, 3, [group.recipient]),
        [REJECTED if errors else ACCEPTED],
    ]
    if errors:
        elements.extend(_error_elements(errors[0], GROUP_TAGS))
    return Segment("UCF", _trim_elements(elements))


def _error_elements(error: EdiError, service_tags: frozenset[str]) -> list[list[str]]:
    """0085 error code, 0135 service segment tag and S011 position, the tag only when it is a service one."""
    tag = error.location.segment_tag if error.location.segment_tag in service_tags else None
    elements = [[error.syntax_code or UNSPECIFIED_ERROR], [tag or ""]]
    if tag is not None and error.location.element is not None:
        elements.append(_position(error))
    return elements


def _position(error: EdiError) -> list[str]:
    """S011: data element position in the segment, then component position when known."""
    location = error.location
    return _trim([str(location.element or ""), str(location.component or "")])


def _message_reports(
    messages: list[Message], routed: _Errors, report_accepted_messages: bool
) -> list[Segment]:
    segments: list[Segment] = []
    for message in messages:
        errors = [*message.errors, *routed.messages.get(message.reference, [])]
        if not errors and not report_accepted_messages:
            continue
        segments.extend(_message_report(message, errors))
    return segments


def _message_report(message: Message, errors: list[EdiError]) -> list[Segment]:
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
    elements = [[message.reference], _received(unh, 2, identifier), [REJECTED if errors else ACCEPTED]]
    if envelope:
        elements.extend(_error_elements(envelope[0], MESSAGE_TAGS))
    segments = [Segment("UCM", _trim_elements(elements))]

    for position in sorted(by_position)[:MAX_SEGMENT_REPORTS]:
        found = by_position[position]
        segment_level = [e for e in found if e.location.element is None]
        element_level = [e for e in found if e.location.element is not None]
        ucs = [[str(position)]]
        if segment_level:
            ucs.append([segment_level[0].syntax_code or UNSPECIFIED_ERROR])
        segments.append(Segment("UCS", ucs))
        for error in element_level[:MAX_ELEMENT_REPORTS]:
            segments.append(Segment("UCD", [[error.syntax_code or UNSPECIFIED_ERROR], _position(error)]))
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
    return out


def _trim_elements(elements: list[list[str]]) -> list[list[str]]:
    """Drop trailing empty elements: EDIFACT forbids trailing separators (0085 code 45)."""
    out = [_trim(e) for e in elements]
    while len(out) > 1 and out[-1] == [""]:
        out.pop()
    return out


# -- reading a CONTRL ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SegmentReport:
    """UCS (+ its UCDs): a segment position in error and the element errors in it."""

    position: int | None
    error: str | None
    element_errors: tuple[tuple[str, str], ...] = ()  # (0085 code, "element:component")


@dataclass(frozen=True, slots=True)
class LevelReport:
    """UCI, UCF or UCM: one envelope level's reference, action and error."""

    reference: str
    action: str
    error: str | None = None
    segment_tag: str | None = None
    identifier: str | None = None  # S009 for a message, "sender/recipient" ids otherwise
    segments: tuple[SegmentReport, ...] = ()

    @property
    def accepted(self) -> bool:
        """Acknowledged: 7, 8, or a withdrawn pre-2001 code that meant "acknowledged" (1, 2, 5, 6).

        Withdrawn 2 and 6 were "acknowledged, errors detected": the level was taken, so it counts as
        accepted; 3 ("one or more rejected") and 4 do not.
        """
        return self.action in (ACCEPTED, RECEIVED, *_WITHDRAWN_ACCEPTING_ACTIONS)


@dataclass(frozen=True, slots=True)
class ContrlReport:
    """What a partner's CONTRL says about one of our interchanges."""

    interchange: LevelReport
    groups: tuple[LevelReport, ...] = ()
    messages: tuple[LevelReport, ...] = ()

    @property
    def accepted(self) -> bool:
        """True when the interchange and every group and message reported in it were acknowledged."""
        return all(level.accepted for level in (self.interchange, *self.groups, *self.messages))


def parse_contrl(interchange: Interchange) -> ContrlReport:
    """Read the first CONTRL message of ``interchange``. Raises ValueError when there is none."""
    message = next((m for m in interchange.messages if _is_contrl(m)), None)
    if message is None:
        raise ValueError("the interchange contains no CONTRL message")
    return parse_contrl_message(message)


def parse_contrl_message(message: Message) -> ContrlReport:
    """UCI/UCF/UCM/UCS/UCD of one CONTRL message into a report; unknown segments are skipped."""
    interchange: LevelReport | None = None
    groups: list[LevelReport] = []
    messages: list[LevelReport] = []
    current: list[LevelReport] | None = None  # the list whose last entry UCS/UCD segments belong to
    for segment in message.body:
        if segment.tag == "UCI":
            interchange = _level(segment, 4)
            current = None
        elif segment.tag == "UCF":
            groups.append(_level(segment, 4))
            current = None
        elif segment.tag == "UCM":
            messages.append(_level(segment, 3, identifier_element=2))
            current = messages
        elif segment.tag == "UCS" and current:
            report = SegmentReport(
                position=int(segment.get(1)) if segment.get(1).isdigit() else None,
                error=segment.get(2) or None,
            )
            _replace_last(current, segments=(*current[-1].segments, report))
        elif segment.tag == "UCD" and current and current[-1].segments:
            last = current[-1].segments[-1]
            position = ":".join(c for c in segment.elements[1] if c) if len(segment.elements) > 1 else ""
            updated = SegmentReport(
                last.position, last.error, (*last.element_errors, (segment.get(1), position))
            )
            _replace_last(current, segments=(*current[-1].segments[:-1], updated))
    if interchange is None:
        raise ValueError(f"CONTRL message {message.reference!r} has no UCI segment")
    return ContrlReport(interchange=interchange, groups=tuple(groups), messages=tuple(messages))


def _level(segment: Segment, action_element: int, identifier_element: int | None = None) -> LevelReport:
    identifier = None
    if identifier_element is not None and len(segment.elements) >= identifier_element:
        identifier = ":".join(_trim(segment.elements[identifier_element - 1]))
    return LevelReport(
        reference=segment.get(1),
        action=segment.get(action_element),
        error=segment.get(action_element + 1) or None,
        segment_tag=segment.get(action_element + 2) or None,
        identifier=identifier,
    )


def _replace_last(levels: list[LevelReport], *, segments: tuple[SegmentReport, ...]) -> None:
    last = levels[-1]
    levels[-1] = LevelReport(
        last.reference, last.action, last.error, last.segment_tag, last.identifier, segments
    )
