"""Cut an interchange's segments into groups and transaction sets, and check every trailer.

Each check that fails becomes an :class:`EdiError` on the level it rejects (interchange, group,
transaction set), with edigate's stable code and the acknowledgement code an X12 ack reports for it
(scheme in :mod:`translators.x12.syntax_codes`):

==========================  =========  ===================================================
code                        syntax     meaning
==========================  =========  ===================================================
IEA_COUNT_MISMATCH          TA1:021    IEA01 ≠ number of GS groups
IEA_CONTROL_MISMATCH        TA1:001    IEA02 ≠ ISA13
IEA_MISSING                 TA1:023    interchange ends without IEA (premature end)
SEGMENT_OUTSIDE_TRANSACTION TA1:024    data segments outside ST … SE (invalid content)
TRAILING_DATA               TA1:022    something that is not an ISA follows the IEA
GS_CONTROL_INVALID          AK9:6      GS06 missing or not 1-9 digits
DUPLICATE_GS_CONTROL        AK9:6/19   GS06 repeated in the interchange (19 from 005010)
GE_COUNT_MISMATCH           AK9:5      GE01 ≠ number of ST in the group
GE_CONTROL_MISMATCH         AK9:4      GE02 ≠ GS06
GE_MISSING                  AK9:3      group ends without GE
ST_OUTSIDE_GROUP            TA1:024    ST … SE with no open GS (no 997 can answer it; not read)
ST_ELEMENT_MISSING          AK5:6/7    ST01 (6) or ST02 (7) missing
DUPLICATE_ST_CONTROL        AK5:23/7   ST02 repeated in the group (23 from 005010, 7 before)
SE_COUNT_MISMATCH           AK5:4      SE01 ≠ segments counted ST … SE inclusive
SE_CONTROL_MISMATCH         AK5:3      SE02 ≠ ST02
SE_MISSING                  AK5:2      set ends without SE
==========================  =========  ===================================================

The AK5/AK9 numbers are those of the 997 element dictionary (E718 / E716); the brief this was
written from named some of them differently, the dictionary wins.
"""

from __future__ import annotations

from itertools import compress, count
from operator import attrgetter

from translators.errors import EdiError, Level, Location
from translators.numerals import is_digits
from translators.x12 import syntax_codes
from translators.x12.model import FunctionalGroup, TransactionSet, X12Interchange, X12Segment

_tag = attrgetter("tag")
_SERVICE = frozenset({"GS", "GE", "ST", "SE", "IEA", "ISB", "ISE", "TA1"})


def _ta1(value: str) -> str:
    return syntax_codes.code(syntax_codes.TA1, value)


def _ak9(value: str) -> str:
    return syntax_codes.code(syntax_codes.GROUP, value)


def _ak5(value: str) -> str:
    return syntax_codes.code(syntax_codes.TRANSACTION, value)


class Envelope:
    """Walks the segments after ISA. One instance per interchange; its state is the open group
    and the open transaction set, which is what the checks need."""

    def __init__(self, interchange: X12Interchange, complete: bool) -> None:
        self.ic = interchange
        self.complete = complete
        self.group: FunctionalGroup | None = None
        self.ts: TransactionSet | None = None
        self.group_controls: set[str] = set()
        self.st_controls: set[str] = set()
        self.gs_count = 0
        self.last: X12Segment = interchange.header
        self.stray: list[X12Segment] = []

    def read(self, segments: list[X12Segment]) -> None:
        """Dispatch envelope segments; hand each run of data segments between them over as a slice
        (one C-level ``extend`` per transaction set instead of an append per segment)."""
        handlers = {
            "GS": self._gs,
            "GE": self._ge,
            "ST": self._st,
            "SE": self._se,
            "IEA": self._iea,
            "ISB": self._security,
            "ISE": self._security,
            "TA1": self._ta1_segment,
        }
        # compress/map keep the scan for envelope segments in C (it touches every segment)
        marks = list(compress(count(), map(_SERVICE.__contains__, map(_tag, segments))))
        marks.append(len(segments))
        prev = 0
        for i in marks:
            if i > prev:
                self._data(segments[prev:i])
            if i < len(segments):
                seg = segments[i]
                if self.ic.trailer is not None:
                    self.stray.append(seg)
                else:
                    if seg.tag != "SE":  # an SE may close a stray ST run: report the run with it
                        self._flush_stray()
                    handlers[seg.tag](seg)
                self.last = seg
            prev = i + 1
        self._flush_stray()
        self._close_transaction()
        self._close_group(None)
        if self.ic.trailer is None:
            self._error(
                "IEA_MISSING",
                f"the interchange ends after segment #{self.last.index} ({self.last.tag}) without IEA"
                + ("" if self.complete else "; it is truncated"),
                Location(segment_index=self.last.index, segment_tag="IEA"),
                _ta1("023"),
            )

    def _data(self, run: list[X12Segment]) -> None:
        if self.ts is not None and self.ic.trailer is None:
            self.ts.segments.extend(run)
        else:
            self.stray.extend(run)
        self.last = run[-1]

    # --- envelope segments ------------------------------------------------------------------

    def _security(self, seg: X12Segment) -> None:
        if self.gs_count or self.ts is not None:
            self.stray.append(seg)
            return
        self.ic.security.append(seg)

    def _ta1_segment(self, seg: X12Segment) -> None:
        if self.gs_count or self.ts is not None:
            self.stray.append(seg)
            return
        self.ic.ta1.append(seg)

    def _gs(self, seg: X12Segment) -> None:
        self._close_transaction()
        self._close_group(None)
        self.gs_count += 1
        group = FunctionalGroup(
            functional_id=seg.get(1),
            sender=seg.get(2),
            receiver=seg.get(3),
            date=seg.get(4),
            time=seg.get(5),
            control=seg.get(6),
            agency=seg.get(7),
            version=seg.get(8),
            header=seg,
            trailer=None,
        )
        self.group = group
        self.st_controls = set()
        self.ic.groups.append(group)
        control = group.control
        if not (is_digits(control) and len(control) <= 9):
            group.errors.append(
                EdiError(
                    "GS_CONTROL_INVALID",
                    f"GS06 group control number {control!r} is not 1-9 digits",
                    self._at(seg, 6),
                    "group",
                    _ak9("6"),
                )
            )
        elif control in self.group_controls:
            group.errors.append(
                EdiError(
                    "DUPLICATE_GS_CONTROL",
                    f"group control number {control} (GS06) is used by an earlier group of this interchange",
                    self._at(seg, 6),
                    "group",
                    _ak9("19" if group.release >= "005010" else "6"),
                )
            )
        self.group_controls.add(control)

    def _st(self, seg: X12Segment) -> None:
        self._close_transaction()
        group = self.group
        if group is None:
            self.stray.append(seg)  # reported by _flush_stray as ST_OUTSIDE_GROUP
            return
        ts = TransactionSet(
            id=seg.get(1),
            control=seg.get(2),
            implementation_reference=seg.get(3),
            segments=[seg],
            group_control=group.control,
        )
        self.ts = ts
        group.transactions.append(ts)
        new_release = group.release >= "005010"
        if not ts.id:
            ts.errors.append(
                EdiError(
                    "ST_ELEMENT_MISSING",
                    "ST has no transaction set identifier (ST01)",
                    self._at(seg, 1, ts),
                    "message",
                    _ak5("6"),
                )
            )
        if not ts.control:
            ts.errors.append(
                EdiError(
                    "ST_ELEMENT_MISSING",
                    "ST has no transaction set control number (ST02)",
                    self._at(seg, 2, ts),
                    "message",
                    _ak5("7"),
                )
            )
        elif ts.control in self.st_controls:
            ts.errors.append(
                EdiError(
                    "DUPLICATE_ST_CONTROL",
                    f"transaction set control number {ts.control} (ST02) is used by an earlier set of group "
                    f"{group.control}",
                    self._at(seg, 2, ts),
                    "message",
                    _ak5("23" if new_release else "7"),
                )
            )
        self.st_controls.add(ts.control)

    def _se(self, seg: X12Segment) -> None:
        ts = self.ts
        if ts is None:
            self.stray.append(seg)
            return
        ts.segments.append(seg)
        self.ts = None
        counted = len(ts.segments)
        count, control = seg.get(1), seg.get(2)
        if not is_digits(count) or int(count) != counted:
            ts.errors.append(
                EdiError(
                    "SE_COUNT_MISMATCH",
                    f"SE01 says the transaction set has {count!r} segments; counted {counted} from ST to SE",
                    self._at(seg, 1, ts),
                    "message",
                    _ak5("4"),
                )
            )
        if control != ts.control:
            ts.errors.append(
                EdiError(
                    "SE_CONTROL_MISMATCH",
                    f"SE02 control number {control!r} does not match ST02 {ts.control!r}",
                    self._at(seg, 2, ts),
                    "message",
                    _ak5("3"),
                )
            )

    def _ge(self, seg: X12Segment) -> None:
        self._close_transaction()
        if self.group is None:
            self.stray.append(seg)
            return
        self._close_group(seg)

    def _iea(self, seg: X12Segment) -> None:
        self._close_transaction()
        self._close_group(None)
        ic = self.ic
        ic.trailer = seg
        count, control = seg.get(1), seg.get(2)
        # A TA1-only interchange should say IEA*0; some senders count the TA1s instead, which is
        # tolerated because nothing is lost either way.
        allowed = {self.gs_count} | ({len(ic.ta1)} if not self.gs_count and ic.ta1 else set())
        if not is_digits(count) or int(count) not in allowed:
            self._error(
                "IEA_COUNT_MISMATCH",
                f"IEA01 says the interchange has {count!r} functional groups; counted {self.gs_count}",
                self._at(seg, 1),
                _ta1("021"),
            )
        if control != ic.control_number:
            self._error(
                "IEA_CONTROL_MISMATCH",
                f"IEA02 control number {control!r} does not match ISA13 {ic.control_number!r}",
                self._at(seg, 2),
                _ta1("001"),
            )

    # --- closing levels ---------------------------------------------------------------------

    def _close_transaction(self) -> None:
        ts = self.ts
        if ts is None:
            return
        self.ts = None
        last = ts.segments[-1]
        ts.errors.append(
            EdiError(
                "SE_MISSING",
                f"transaction set {ts.id} {ts.control!r} ends after segment #{last.index} ({last.tag}) "
                "without SE",
                Location(
                    segment_index=last.index,
                    segment_tag="SE",
                    message_ref=ts.control,
                    message_segment=len(ts.segments),
                    group_ref=ts.group_control,
                ),
                "message",
                _ak5("2"),
            )
        )

    def _close_group(self, ge: X12Segment | None) -> None:
        group = self.group
        if group is None:
            return
        self.group = None
        group.trailer = ge
        if ge is None:
            group.errors.append(
                EdiError(
                    "GE_MISSING",
                    f"group {group.control!r} ends after segment #{self.last.index} ({self.last.tag}) "
                    "without GE",
                    Location(segment_index=self.last.index, segment_tag="GE", group_ref=group.control),
                    "group",
                    _ak9("3"),
                )
            )
            return
        count, control = ge.get(1), ge.get(2)
        counted = len(group.transactions)
        if not is_digits(count) or int(count) != counted:
            group.errors.append(
                EdiError(
                    "GE_COUNT_MISMATCH",
                    f"GE01 says the group has {count!r} transaction sets; counted {counted}",
                    Location(segment_index=ge.index, segment_tag="GE", element=1, group_ref=group.control),
                    "group",
                    _ak9("5"),
                )
            )
        if control != group.control:
            group.errors.append(
                EdiError(
                    "GE_CONTROL_MISMATCH",
                    f"GE02 control number {control!r} does not match GS06 {group.control!r}",
                    Location(segment_index=ge.index, segment_tag="GE", element=2, group_ref=group.control),
                    "group",
                    _ak9("4"),
                )
            )

    # --- helpers ----------------------------------------------------------------------------

    def _flush_stray(self) -> None:
        """Report a run of segments outside any transaction set once, at its first segment."""
        if not self.stray:
            return
        first, n = self.stray[0], len(self.stray)
        tags = ", ".join(s.tag for s in self.stray[:5]) + (", …" if n > 5 else "")
        self.stray = []
        if first.tag == "ST" and self.ic.trailer is None:
            self._error(
                "ST_OUTSIDE_GROUP",
                f"transaction set {first.get(1)!r} {first.get(2)!r} at segment #{first.index} is not "
                f"inside a GS … GE functional group ({n} segments: {tags}); it was not read",
                self._at(first),
                _ta1("024"),
            )
            return
        where = "after IEA" if self.ic.trailer is not None else "outside any ST … SE transaction set"
        self._error(
            "SEGMENT_OUTSIDE_TRANSACTION",
            f"{n} segment{'s' if n > 1 else ''} ({tags}) {where}, starting at segment #{first.index}",
            self._at(first),
            _ta1("024"),
        )

    def _at(self, seg: X12Segment, element: int | None = None, ts: TransactionSet | None = None) -> Location:
        """Location of ``seg``; inside ``ts`` it also carries the set and its position (ST = 1)."""
        return Location(
            segment_index=seg.index,
            segment_tag=seg.tag,
            element=element,
            message_ref=ts.control if ts is not None else None,
            message_segment=len(ts.segments) if ts is not None else None,
            group_ref=self.group.control if self.group is not None else None,
        )

    def _error(
        self, code: str, text: str, location: Location, syntax: str, level: Level = "interchange"
    ) -> None:
        self.ic.errors.append(EdiError(code, text, location, level, syntax))
