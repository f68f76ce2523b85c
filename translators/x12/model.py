"""The shapes an X12 interchange is read into: ISA … IEA, GS … GE, ST … SE.

Segments split their elements lazily. Reading an interchange only needs the tags and the handful of
envelope elements (ST, SE, GS, GE, IEA) to check it, and splitting every element of every segment up
front costs three times as much as everything else the reader does (see ``bench/x12_read.py``);
the validator and the maps split a segment the first time they look inside it, once.

``syntax_code`` of the errors attached here follows the scheme in :mod:`translators.x12.syntax_codes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from translators.errors import EdiError
from translators.numerals import is_digits


@dataclass(frozen=True, slots=True)
class X12Delimiters:
    """The four delimiters an ISA declares.

    ``segment`` is the terminator as written, including any line break the sender put after it
    (``"~"``, ``"~\\r\\n"``, ``"\\n"``, ``"\\r\\n"``), so a writer can answer in the partner's own
    layout; :attr:`terminator` is the one character that actually ends a segment.
    ``repetition`` is ISA11 from version 00501 on, None before (ISA11 is then the standards id ``U``).
    """

    element: str = "*"
    component: str = ">"
    repetition: str | None = None
    segment: str = "~"

    @property
    def terminator(self) -> str:
        """The significant terminator character: ``"\\n"`` for a CR/LF or LF terminator."""
        first = self.segment[:1]
        return "\n" if first in ("\r", "\n") else first


class X12Segment:
    """One segment. ``elements[i]`` is the list of components of data element i+1.

    An element with repetitions (ISA11, version 00501+) keeps its first repetition in ``elements``
    and all of them in ``repetitions[i]`` (0-based like ``elements``).

    Built by the reader from the raw segment text and split on first access; built by code or tests
    from ready element lists. Either way it behaves the same.
    """

    __slots__ = ("_elements", "_raw", "_repetitions", "_split", "index", "tag")

    def __init__(
        self,
        tag: str,
        elements: list[list[str]] | None = None,
        index: int = 0,
        repetitions: dict[int, list[list[str]]] | None = None,
    ) -> None:
        self.tag = tag
        self.index = index  # 1-based position in the interchange, ISA = 1
        self._elements = elements if elements is not None else []
        self._repetitions = repetitions
        self._raw: str | None = None
        self._split: tuple[str, str, str | None] | None = None

    @classmethod
    def lazy(cls, tag: str, raw: str, index: int, split: tuple[str, str, str | None]) -> X12Segment:
        """A segment whose elements are split from ``raw`` (tag included) by ``split`` =
        (element, component, repetition) when first needed."""
        seg = cls.__new__(cls)
        seg.tag = tag
        seg.index = index
        seg._raw = raw
        seg._split = split
        seg._elements = None  # type: ignore[assignment]
        seg._repetitions = None
        return seg

    def _materialize(self) -> list[list[str]]:
        raw, (elem, comp, rep) = self._raw, self._split  # type: ignore[misc]
        assert raw is not None
        parts = raw.split(elem)[1:]
        if rep is not None and rep in raw:
            elements: list[list[str]] = []
            repetitions: dict[int, list[list[str]]] = {}
            for i, part in enumerate(parts):
                if rep in part:
                    reps = [r.split(comp) for r in part.split(rep)]
                    repetitions[i] = reps
                    elements.append(reps[0])
                else:
                    elements.append(part.split(comp))
            self._repetitions = repetitions
        elif comp in raw:
            elements = [p.split(comp) for p in parts]
        else:
            elements = [[p] for p in parts]
        self._elements = elements
        self._raw = None
        return elements

    @property
    def elements(self) -> list[list[str]]:
        elements = self._elements
        return elements if elements is not None else self._materialize()

    @elements.setter
    def elements(self, value: list[list[str]]) -> None:
        self._elements = value
        self._raw = None

    @property
    def unsplit(self) -> tuple[str, tuple[str, str, str | None]] | None:
        """The text as read and its (element, component, repetition) separators, while the
        elements are not split yet; None once they are, or for a segment built from lists."""
        return (self._raw, self._split) if self._elements is None else None  # type: ignore[return-value]

    @property
    def repetitions(self) -> dict[int, list[list[str]]] | None:
        if self._elements is None:
            self._materialize()
        return self._repetitions or None

    def values(self, count: int = 0) -> list[str]:
        """The first component of every element, padded with "" to at least ``count`` entries:
        ``values(n)[i - 1] == get(i)`` for every i <= n (``get``'s default being "").

        A map reads most elements of the segments it cares about. Calling ``get`` for each costs a
        Python call apiece, and ``elements`` builds a list of components per element, which is
        two thirds of the cost of splitting. A segment still held as raw text without a component
        or repetition separator is one C-level ``split`` away from this list; it is not cached and
        the segment stays unsplit, so a later ``elements`` splits it exactly as before.
        """
        raw = self._raw
        if raw is not None and self._elements is None:
            elem, comp, rep = self._split  # type: ignore[misc]
            if comp not in raw and (rep is None or rep not in raw):
                values = raw.split(elem)
                del values[0]  # the tag
                if len(values) < count:
                    values += [""] * (count - len(values))
                return values
        values = [element[0] if element else "" for element in self.elements]
        if len(values) < count:
            values += [""] * (count - len(values))
        return values

    def get(self, element: int, component: int = 1, default: str = "") -> str:
        """Value at 1-based element/component position, or ``default`` when absent or empty."""
        elements = self._elements if self._elements is not None else self._materialize()
        try:
            value = elements[element - 1][component - 1]
        except IndexError:
            return default
        return value if value != "" else default

    def __repr__(self) -> str:
        return f"X12Segment({self.tag!r}, {self.elements!r}, index={self.index})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, X12Segment):
            return NotImplemented
        return (self.tag, self.index, self.elements, self.repetitions) == (
            other.tag,
            other.index,
            other.elements,
            other.repetitions,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like the EDIFACT Segment


@dataclass(slots=True)
class TransactionSet:
    """ST … SE inclusive. ``group_control`` is the GS06 of the group it arrived in."""

    id: str  # ST01, e.g. "850"
    control: str  # ST02
    implementation_reference: str  # ST03 (005010 and later), "" when absent
    segments: list[X12Segment]
    group_control: str | None = None
    errors: list[EdiError] = field(default_factory=list)

    @property
    def body(self) -> list[X12Segment]:
        """Segments between ST and SE."""
        end = -1 if self.segments and self.segments[-1].tag == "SE" else len(self.segments)
        return self.segments[1:end]

    # EDIFACT-like names, so gateway code written for UNH messages reads X12 sets as well.
    @property
    def reference(self) -> str:
        return self.control

    @property
    def type(self) -> str:
        return self.id

    @property
    def group_reference(self) -> str | None:
        return self.group_control


@dataclass(slots=True)
class FunctionalGroup:
    """GS … GE."""

    functional_id: str  # GS01, e.g. "PO"
    sender: str  # GS02 application sender's code
    receiver: str  # GS03
    date: str  # GS04 CCYYMMDD
    time: str  # GS05 HHMM[SS[dd]]
    control: str  # GS06
    agency: str  # GS07 responsible agency code, "X"
    version: str  # GS08, e.g. "004010" or "005010X220A1"
    header: X12Segment
    trailer: X12Segment | None  # GE, None when missing
    transactions: list[TransactionSet] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)

    @property
    def release(self) -> str:
        """The six-digit version/release of GS08 (``005010`` of ``005010X220A1``)."""
        return self.version[:6]


@dataclass(slots=True)
class X12Interchange:
    """ISA … IEA. Identifiers are stripped of ISA's fixed-width padding."""

    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    prepared_at: datetime | None  # ISA09/ISA10 as UTC (X12 carries no zone; UTC is edigate's convention)
    repetition_separator: str | None  # ISA11 from 00501 on
    standards_id: str | None  # ISA11 before 00501 ("U")
    version: str  # ISA12, e.g. "00401"
    control_number: str  # ISA13
    ack_requested: str  # ISA14 "0"/"1"
    usage: str  # ISA15 "P" production / "T" test / "I" information
    delimiters: X12Delimiters
    header: X12Segment  # ISA
    trailer: X12Segment | None  # IEA, None when truncated
    groups: list[FunctionalGroup] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)  # interchange level only
    ta1: list[X12Segment] = field(default_factory=list)  # TA1 segments carried in the interchange
    security: list[X12Segment] = field(default_factory=list)  # ISB / ISE when present

    # --- the EDIFACT Interchange's names, for code that handles both --------------------------

    @property
    def control_reference(self) -> str:
        return self.control_number

    @property
    def syntax_identifier(self) -> str:
        return "X12"

    @property
    def syntax_version(self) -> int:
        return int(self.version) if is_digits(self.version) else 0

    @property
    def recipient_id(self) -> str:
        return self.receiver_id

    @property
    def recipient_qualifier(self) -> str:
        return self.receiver_qualifier

    @property
    def test_indicator(self) -> str:
        return self.usage

    @property
    def messages(self) -> list[TransactionSet]:
        """Every transaction set of every group, in order."""
        return [ts for group in self.groups for ts in group.transactions]

    @property
    def all_errors(self) -> list[EdiError]:
        out = list(self.errors)
        for group in self.groups:
            out.extend(group.errors)
            for ts in group.transactions:
                out.extend(ts.errors)
        return out

    @property
    def is_valid(self) -> bool:
        return not self.all_errors
