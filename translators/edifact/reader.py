"""Read EDIFACT interchanges into the model, reporting every envelope problem as a located value.

Only input that holds no readable interchange at all raises (:class:`EdiSyntaxError`): the gateway
must archive, show and acknowledge everything else, and it can only do that with an
:class:`Interchange` in hand. Everything found wrong inside one - counts, references, missing
trailers, bytes outside the declared character set - is an :class:`EdiError` on the level it
rejects, with the CONTRL 0085 code.

Input is scanned as Latin-1 first (one character per byte, so offsets are byte offsets and no
decoding can fail), cut into interchanges, and each interchange is then decoded with the codec its
own UNB declares.

Segment numbering: ``Segment.index`` is 1-based within the interchange with UNB = 1; a UNA is not
a segment and is not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress, count
from operator import attrgetter

from translators import collector
from translators.edifact import charset
from translators.edifact.model import Group, Interchange, Message, Segment, Separators
from translators.edifact.tokenizer import (
    Span,
    find_header,
    for_version,
    header_at,
    is_hard_wrapped,
    locate_interchange,
    next_non_space,
    tokenize,
    unwrap,
)
from translators.errors import EdiError, EdiSyntaxError, Level, Location
from translators.numerals import is_digits

SUPPORTED_VERSIONS = range(1, 5)
_BOM = "\ufeff"
_UTF8_BOM = b"\xef\xbb\xbf"
_TAG = attrgetter("tag")


def read_interchange(data: bytes | str) -> Interchange:
    """Read the first interchange; anything after its UNZ is reported as ``TRAILING_DATA``."""
    with collector.paused() as pause:
        interchange = _read_first(data)
        pause.allocated = _segment_count([interchange])
    return interchange


def read_interchanges(data: bytes | str) -> list[Interchange]:
    """Read every interchange in a file holding one or more UNB…UNZ in sequence.

    Data between or after interchanges is reported on the interchange before it. A later
    interchange whose UNB cannot be read becomes an error of the one before it, never an exception.
    """
    with collector.paused() as pause:
        interchanges = _read_all(data)
        pause.allocated = _segment_count(interchanges)
    return interchanges


def _segment_count(interchanges: list[Interchange]) -> int:
    return sum(len(m.segments) for ic in interchanges for m in ic.messages)


def _read_first(data: bytes | str) -> Interchange:
    source, (start, separators, una) = _prepare(data)
    span = locate_interchange(source.scan, start, separators, una)
    interchange = _read_span(source, span)
    _check_leading(source, start, interchange)
    rest = next_non_space(source.scan, span.end)
    if rest < len(source.scan):
        found = header_at(source.scan, rest)
        what = "another interchange (use read_interchanges)" if found else "data that is not EDIFACT"
        interchange.errors.append(_trailing_error(source, rest, interchange, what))
    return interchange


def _read_all(data: bytes | str) -> list[Interchange]:
    source, (start, separators, una) = _prepare(data)
    result: list[Interchange] = []
    while True:
        span = locate_interchange(source.scan, start, separators, una)
        try:
            result.append(_read_span(source, span))
        except EdiSyntaxError as exc:
            if not result:
                raise
            result[-1].errors.append(exc.error)
        if len(result) == 1 and span.start == start:
            _check_leading(source, start, result[0])
        rest = next_non_space(source.scan, span.end)
        if rest >= len(source.scan):
            return result
        found = find_header(source.scan, rest)
        if found is None or found[0] != rest:
            result[-1].errors.append(_trailing_error(source, rest, result[-1], "data that is not EDIFACT"))
        if found is None:
            return result
        start, separators, una = found


@dataclass(frozen=True, slots=True)
class _Source:
    """The input as given (``raw``, None for str input) and its scanning view (``scan``)."""

    raw: bytes | None
    scan: str

    @classmethod
    def of(cls, data: bytes | str) -> _Source:
        if isinstance(data, str):
            text = data[1:] if data.startswith(_BOM) else data
            return cls(None, text)
        raw = bytes(data)
        if raw.startswith(_UTF8_BOM):
            raw = raw[len(_UTF8_BOM) :]
        return cls(raw, raw.decode("latin-1"))

    def unwrapped(self) -> _Source:
        raw = None if self.raw is None else self.raw.replace(b"\r", b"").replace(b"\n", b"")
        return _Source(raw, unwrap(self.scan))


def _prepare(data: bytes | str) -> tuple[_Source, tuple[int, Separators, bool]]:
    """The input ready for scanning, and its first interchange header.

    Hard wrapping is undone here, once for the whole input, because a line break can fall inside
    any token the scanner looks for (even ``UNZ``).
    """
    source = _Source.of(data)
    found = _first_header(source)
    if is_hard_wrapped(source.scan[found[0] :], found[1].segment):
        source = source.unwrapped()
        found = _first_header(source)
    return source, found


def _first_header(source: _Source) -> tuple[int, Separators, bool]:
    """Locate the first interchange, or raise saying what was found instead."""
    text = source.scan
    if not text.strip():
        raise _fatal("EMPTY_INPUT", "the input is empty (or only whitespace); expected an interchange")
    found = find_header(text, 0)
    if found is None:
        raise _fatal(*_diagnose_missing_header(text))
    return found


def _diagnose_missing_header(text: str) -> tuple[str, str]:
    head = text.lstrip()[:40]
    preview = repr(head[:20])
    if "\x00" in text[:4096] or sum(not (c.isprintable() or c in "\r\n\t") for c in head) > 2:
        return "NOT_EDIFACT", f"the input is binary data (starts with {preview}); expected UNA or UNB"
    if head.startswith("ISA"):
        return "NOT_EDIFACT", "the input is an ANSI X12 interchange (starts with ISA); expected UNA or UNB"
    if head.startswith("<"):
        return "NOT_EDIFACT", f"the input is XML or HTML (starts with {preview}); expected UNA or UNB"
    if head.startswith("UNA") and len(head) > 9:
        after = head[9:].lstrip()[:3]
        return "UNB_MISSING", (
            f"the UNA service string advice is followed by {after!r}, not by a UNB interchange header; "
            "expected UNB after UNA"
        )
    if len(head) >= 4 and head[:3].isalnum() and head[:3].isupper() and not head[3].isalnum():
        return "UNB_MISSING", (
            f"the input starts with segment {head[:3]} but has no UNB interchange header; "
            "expected UNA or UNB before any message"
        )
    return "NOT_EDIFACT", f"no UNA or UNB interchange header found (input starts with {preview})"


def _fatal(code: str, text: str, location: Location | None = None) -> EdiSyntaxError:
    return EdiSyntaxError(EdiError(code, text, location or Location(), "interchange", None))


def _read_span(source: _Source, span: Span) -> Interchange:
    """Decode and read one interchange located by the scanner."""
    header = span.header
    identifier = header.get(1, 1).upper()
    if header.tag != "UNB" or not identifier:
        raise _fatal(
            "UNB_INVALID",
            f"UNB has no syntax identifier (S001), found {header.tag!r} with {len(header.elements)} "
            "elements; expected e.g. UNB+UNOC:3+sender+recipient+date:time+reference",
            Location(segment_index=1, segment_tag="UNB", element=1, component=1),
        )
    errors: list[EdiError] = []
    version = _syntax_version(header, errors)
    separators = for_version(span.separators, version, span.una_present)
    codec = _codec(identifier, errors)
    text = _decode(source, span, codec, errors)
    segments = tokenize(text[span.unb - span.start :], separators)
    interchange = _interchange(segments[0], identifier, version, separators, span.una_present)
    interchange.errors.extend(errors)
    _check_unb(interchange)
    _Envelope(interchange, span.complete).read(segments[1:])
    return interchange


def _syntax_version(header: Segment, errors: list[EdiError]) -> int:
    raw = header.get(1, 2)
    version = int(raw) if is_digits(raw) else 0
    if version not in SUPPORTED_VERSIONS:
        errors.append(
            EdiError(
                "UNSUPPORTED_SYNTAX_VERSION",
                f"syntax version {raw!r} is not supported; expected 1, 2, 3 or 4",
                Location(segment_index=1, segment_tag="UNB", element=1, component=2),
                "interchange",
                "2",
            )
        )
    return version


def _codec(identifier: str, errors: list[EdiError]) -> str:
    codec = charset.codec_for(identifier)
    if codec is not None:
        return codec
    errors.append(
        EdiError(
            "UNSUPPORTED_CHARSET",
            f"syntax identifier {identifier!r} names a character set edigate does not support "
            f"(supported: {', '.join(sorted(charset.CODECS))}); the data was read as Latin-1",
            Location(segment_index=1, segment_tag="UNB", element=1, component=1),
            "interchange",
            "46",
        )
    )
    return "latin-1"


def _decode(source: _Source, span: Span, codec: str, errors: list[EdiError]) -> str:
    """Text of the span in its declared codec; a bad byte becomes a CHARSET_MISMATCH error."""
    scan = source.scan[span.start : span.end]
    if source.raw is None:
        bad = charset.first_unencodable(scan, codec)
        text, unit = scan, "character"
    elif charset.is_latin1(codec) or (codec == "ascii" and scan.isascii()):
        bad, text, unit = None, scan, "byte"
    else:
        decoded = charset.decode(source.raw[span.start : span.end], codec)
        bad, text, unit = decoded.bad_offset, decoded.text, "byte"
    if bad is not None:
        errors.append(_charset_mismatch(source, span, span.start + bad, codec, unit))
    return text


def _charset_mismatch(source: _Source, span: Span, offset: int, codec: str, unit: str) -> EdiError:
    text = source.scan
    term = span.separators.segment
    last_term = text.rfind(term, span.unb, offset)
    seg_start = span.unb if last_term < 0 else last_term + 1
    tag = text[seg_start:offset].lstrip()[:3] or None
    index = text.count(term, span.unb, offset) + 1
    shown = repr(source.raw[offset : offset + 1]) if source.raw is not None else repr(text[offset])
    identifier = span.header.get(1, 1)
    return EdiError(
        "CHARSET_MISMATCH",
        f"{unit} {shown} at offset {offset} is not valid in {identifier} ({codec}); "
        "the interchange was read leniently",
        Location(segment_index=index, segment_tag=tag),
        "interchange",
        "21",
    )


def _interchange(
    unb: Segment, identifier: str, version: int, separators: Separators, una_present: bool
) -> Interchange:
    return Interchange(
        syntax_identifier=identifier,
        syntax_version=version,
        sender_id=unb.get(2, 1),
        sender_qualifier=unb.get(2, 2),
        recipient_id=unb.get(3, 1),
        recipient_qualifier=unb.get(3, 2),
        prepared_at=None,
        control_reference=unb.get(5, 1),
        application_reference=unb.get(7, 1),
        ack_requested=unb.get(9, 1),
        test_indicator=unb.get(11, 1),
        separators=separators,
        header=unb,
        trailer=None,
        una_present=una_present,
    )


_UNB_MANDATORY = (
    (2, 1, "interchange sender identification (S002 0004)"),
    (3, 1, "interchange recipient identification (S003 0010)"),
    (4, 1, "date of preparation (S004 0017)"),
    (4, 2, "time of preparation (S004 0019)"),
    (5, 1, "interchange control reference (0020)"),
)


def _check_unb(interchange: Interchange) -> None:
    unb = interchange.header
    for element, component, name in _UNB_MANDATORY:
        if not unb.get(element, component):
            interchange.errors.append(
                EdiError(
                    "UNB_ELEMENT_MISSING",
                    f"UNB has no {name}",
                    Location(segment_index=1, segment_tag="UNB", element=element, component=component),
                    "interchange",
                    "13",
                )
            )
    date, time = unb.get(4, 1), unb.get(4, 2)
    if date and time:
        interchange.prepared_at = parse_prepared_at(date, time)
        if interchange.prepared_at is None:
            interchange.errors.append(
                EdiError(
                    "UNB_DATE_INVALID",
                    f"date/time of preparation {date}:{time} is not YYMMDD or CCYYMMDD with HHMM",
                    Location(segment_index=1, segment_tag="UNB", element=4),
                    "interchange",
                    "12",
                )
            )


def parse_prepared_at(date: str, time: str) -> datetime | None:
    """S004 as a UTC datetime; YYMMDD uses the POSIX pivot (69-99 → 19xx, 00-68 → 20xx).

    EDIFACT carries no time zone; UTC is the convention edigate stores, not a claim about the
    partner's clock.
    """
    if not (is_digits(date) and is_digits(time) and len(date) in (6, 8) and len(time) in (4, 6)):
        return None
    if len(date) == 6:
        yy = int(date[:2])
        year = (1900 if yy >= 69 else 2000) + yy
        month, day = int(date[2:4]), int(date[4:6])
    else:
        year, month, day = int(date[:4]), int(date[4:6]), int(date[6:8])
    second = int(time[4:6]) if len(time) == 6 else 0
    try:
        return datetime(year, month, day, int(time[:2]), int(time[2:4]), second, tzinfo=UTC)
    except ValueError:
        return None


def _check_leading(source: _Source, start: int, interchange: Interchange) -> None:
    if start > 0 and source.scan[:start].strip():
        preview = source.scan[:start].strip()[:30]
        interchange.errors.append(
            EdiError(
                "LEADING_DATA",
                f"{start} characters precede the interchange header (starting {preview!r}); "
                "expected UNA or UNB first",
                Location(segment_index=1, segment_tag="UNA" if interchange.una_present else "UNB"),
                "interchange",
                "33",
            )
        )


def _trailing_error(source: _Source, offset: int, interchange: Interchange, what: str) -> EdiError:
    preview = source.scan[offset : offset + 30]
    last = interchange.trailer or _last_segment(interchange)
    return EdiError(
        "TRAILING_DATA",
        f"{what} follows the interchange at offset {offset} (starting {preview!r})",
        Location(segment_index=last.index + 1, segment_tag=preview[:3] or None),
        "interchange",
        "33",
    )


def _last_segment(interchange: Interchange) -> Segment:
    if interchange.messages and interchange.messages[-1].segments:
        return interchange.messages[-1].segments[-1]
    return interchange.header


class _Envelope:
    """Walks the segments after UNB, cutting messages and groups and checking their trailers.

    One instance per interchange read; its state is the position in the envelope (open group,
    open message), which is what the checks need.
    """

    def __init__(
        self,
        interchange: Interchange,
        complete: bool,
        on_close: Callable[[Message], None] | None = None,
    ) -> None:
        self.ic = interchange
        self.complete = complete
        # Told of each message once it can no longer change, so a streaming reader can hand it on
        # and drop its segments instead of holding a whole file.
        self.on_close = on_close
        self.message: Message | None = None
        self.group: Group | None = None
        self.group_messages = 0
        self.ungrouped = 0
        self.mixed_reported = False
        self.last: Segment = interchange.header
        self.stray: list[Segment] = []

    def read(self, segments: list[Segment]) -> None:
        self.feed(segments)
        self.finish()

    def feed(self, segments: list[Segment]) -> None:
        """Dispatch service segments; hand each run of data segments between them over as a slice
        (one C-level ``extend`` per message instead of an append per segment). May be called once
        per window of a file read in pieces; ``finish`` closes what is still open."""
        handlers = {
            "UNH": self._unh,
            "UNT": self._unt,
            "UNG": self._ung,
            "UNE": self._une,
            "UNZ": self._unz,
        }
        # C-level scan for the service segments: a Python loop here cost as much as the envelope.
        marks = list(compress(count(), map(handlers.__contains__, map(_TAG, segments))))
        marks.append(len(segments))
        prev = 0
        for i in marks:
            if i > prev:
                self._data(segments[prev:i])
            if i < len(segments):
                seg = segments[i]
                self._flush_stray()
                handlers[seg.tag](seg)
                self.last = seg
            prev = i + 1

    def finish(self) -> None:
        self._flush_stray()
        self._close_message()
        self._close_group(None)
        if self.ic.trailer is None:
            self._error(
                "UNZ_MISSING",
                f"the interchange ends after segment #{self.last.index} ({self.last.tag}) without UNZ"
                + ("" if self.complete else "; it is truncated"),
                Location(segment_index=self.last.index, segment_tag="UNZ"),
                "13",
            )

    def _data(self, run: list[Segment]) -> None:
        if self.message is not None:
            self.message.segments.extend(run)
        else:
            self.stray.extend(run)
        self.last = run[-1]

    # --- service segments -------------------------------------------------------------------

    def _unh(self, seg: Segment) -> None:
        self._close_message()
        group_ref = self.group.reference if self.group is not None else None
        if self.group is None:
            self.ungrouped += 1
            if self.ic.groups:
                self._report_mixed(seg)
        else:
            self.group_messages += 1
        self.message = Message(
            reference=seg.get(1, 1),
            type=seg.get(2, 1),
            version=seg.get(2, 2),
            release=seg.get(2, 3),
            agency=seg.get(2, 4),
            association=seg.get(2, 5),
            segments=[seg],
            group_reference=group_ref,
        )
        self.ic.messages.append(self.message)
        self._check_unh(self.message, seg)

    def _check_unh(self, message: Message, seg: Segment) -> None:
        # The values as the message just took them from the UNH: no second lookup of each.
        if message.reference and message.type and message.version and message.release and message.agency:
            return
        required = ((1, 1, "message reference (0062)"), (2, 1, "message type (0065)"),
                    (2, 2, "version (0052)"), (2, 3, "release (0054)"), (2, 4, "controlling agency (0051)"))
        for element, component, name in required:
            if not seg.get(element, component):
                message.errors.append(EdiError(
                    "UNH_ELEMENT_MISSING", f"UNH has no {name}",
                    self._at(seg, element, component, message), "message", "13",
                ))

    def _unt(self, seg: Segment) -> None:
        message = self.message
        if message is None:
            self.stray.append(seg)
            self._flush_stray()
            return
        message.segments.append(seg)
        self.message = None
        self._check_unt(message, seg)
        if self.on_close is not None:
            self.on_close(message)

    def _check_unt(self, message: Message, seg: Segment) -> None:
        position = len(message.segments)
        count, ref = seg.get(1, 1), seg.get(2, 1)
        if not is_digits(count):
            code, syntax, text = (
                ("UNT_ELEMENT_MISSING", "13", "UNT has no segment count (0074)") if not count else
                ("UNT_COUNT_INVALID", "12", f"UNT segment count {count!r} is not a number")
            )
            message.errors.append(EdiError(code, text, self._at(seg, 1, 1, message),
                                           "message", syntax))
        elif int(count) != position:
            message.errors.append(EdiError(
                "UNT_COUNT_MISMATCH",
                f"UNT says the message has {int(count)} segments; counted {position} from UNH to UNT",
                self._at(seg, 1, 1, message), "message", "29",
            ))
        if ref != message.reference:
            message.errors.append(EdiError(
                "UNT_REFERENCE_MISMATCH",
                f"UNT message reference {ref!r} does not match UNH {message.reference!r}",
                self._at(seg, 2, 1, message), "message", "28",
            ))

    def _ung(self, seg: Segment) -> None:
        self._close_message()
        self._close_group(None)
        if self.ungrouped:
            self._report_mixed(seg)
        self.group = Group(
            reference=seg.get(5, 1),
            message_type=seg.get(1, 1),
            sender=seg.get(2, 1),
            recipient=seg.get(3, 1),
            header=seg,
            trailer=None,
        )
        self.group_messages = 0
        self.ic.groups.append(self.group)

    def _une(self, seg: Segment) -> None:
        self._close_message()
        if self.group is None:
            self.stray.append(seg)
            self._flush_stray()
            return
        self._close_group(seg)

    def _unz(self, seg: Segment) -> None:
        self._close_message()
        self._close_group(None)
        self.ic.trailer = seg
        grouped = bool(self.ic.groups)
        expected = len(self.ic.groups) if grouped else len(self.ic.messages)
        what = "groups" if grouped else "messages"
        count, ref = seg.get(1, 1), seg.get(2, 1)
        if not is_digits(count) or int(count) != expected:
            self._error(
                "UNZ_COUNT_MISMATCH",
                f"UNZ says the interchange has {count!r} {what}; counted {expected}",
                self._at(seg, 1, 1), "29",
            )
        if ref != self.ic.control_reference:
            self._error(
                "UNZ_REFERENCE_MISMATCH",
                f"UNZ control reference {ref!r} does not match UNB {self.ic.control_reference!r}",
                self._at(seg, 2, 1), "28",
            )
        if not self.ic.messages and not self.ic.groups:
            self._error("INTERCHANGE_EMPTY", "the interchange contains no message",
                        self._at(seg), "32")

    # --- closing levels ---------------------------------------------------------------------

    def _close_message(self) -> None:
        message = self.message
        if message is None:
            return
        self.message = None
        last = message.segments[-1]
        message.errors.append(EdiError(
            "UNT_MISSING",
            f"message {message.reference!r} ends after segment #{last.index} ({last.tag}) without UNT",
            Location(segment_index=last.index, segment_tag="UNT", message_ref=message.reference,
                     message_segment=len(message.segments), group_ref=message.group_reference),
            "message", "13",
        ))
        if self.on_close is not None:
            self.on_close(message)

    def _close_group(self, une: Segment | None) -> None:
        group = self.group
        if group is None:
            return
        self.group = None
        group.trailer = une
        if une is None:
            group.errors.append(EdiError(
                "UNE_MISSING", f"group {group.reference!r} ends after segment #{self.last.index} without UNE",
                Location(segment_index=self.last.index, segment_tag="UNE", group_ref=group.reference),
                "group", "13",
            ))
            return
        count, ref = une.get(1, 1), une.get(2, 1)
        if not is_digits(count) or int(count) != self.group_messages:
            group.errors.append(EdiError(
                "UNE_COUNT_MISMATCH",
                f"UNE says the group has {count!r} messages; counted {self.group_messages}",
                Location(segment_index=une.index, segment_tag="UNE", element=1, component=1,
                         group_ref=group.reference), "group", "29",
            ))
        if ref != group.reference:
            group.errors.append(EdiError(
                "UNE_REFERENCE_MISMATCH",
                f"UNE group reference {ref!r} does not match UNG {group.reference!r}",
                Location(segment_index=une.index, segment_tag="UNE", element=2, component=1,
                         group_ref=group.reference), "group", "28",
            ))

    # --- helpers ----------------------------------------------------------------------------

    def _flush_stray(self) -> None:
        """Report a run of segments outside any message once, at its first segment."""
        if not self.stray:
            return
        first, n = self.stray[0], len(self.stray)
        tags = ", ".join(s.tag for s in self.stray[:5]) + (", …" if n > 5 else "")
        self.stray = []
        text = (f"{n} segment{'s' if n > 1 else ''} ({tags}) outside any message, "
                f"starting at segment #{first.index}")
        error = EdiError("SEGMENT_OUTSIDE_MESSAGE", text, self._at(first),
                         "group" if self.group is not None else "interchange", "33")
        (self.group.errors if self.group is not None else self.ic.errors).append(error)

    def _report_mixed(self, seg: Segment) -> None:
        if self.mixed_reported:
            return
        self.mixed_reported = True
        self._error(
            "GROUPS_AND_MESSAGES_MIXED",
            f"segment #{seg.index} ({seg.tag}): UNG groups mixed with messages outside groups",
            self._at(seg), "30",
        )

    def _at(self, seg: Segment, element: int | None = None, component: int | None = None,
            message: Message | None = None) -> Location:
        """Location of ``seg``; inside ``message`` it also carries the message and its position."""
        return Location(
            segment_index=seg.index, segment_tag=seg.tag, element=element, component=component,
            message_ref=message.reference if message is not None else None,
            message_segment=len(message.segments) if message is not None else None,
            group_ref=self.group.reference if self.group is not None else None,
        )

    def _error(self, code: str, text: str, location: Location, syntax: str,
               level: Level = "interchange") -> None:
        self.ic.errors.append(EdiError(code, text, location, level, syntax))
