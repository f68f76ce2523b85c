"""The shapes an EDIFACT interchange is read into.

Segments keep their elements as lists of component strings with release characters already
removed, so maps and validators never have to think about separators again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from translators.errors import EdiError


@dataclass(frozen=True, slots=True)
class Separators:
    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None  # only syntax version 4 uses it ("*")
    segment: str = "'"

    def una(self) -> str:
        return (
            "UNA"
            + self.component
            + self.element
            + self.decimal
            + (self.release or " ")
            + (self.repetition or " ")
            + self.segment
        )


DEFAULT_SEPARATORS = Separators()


@dataclass(slots=True)
class Segment:
    """One segment. ``elements[i]`` is the list of components of data element i+1.

    An element with repetitions (syntax 4) keeps its first repetition in ``elements`` and all of
    them in ``repetitions[i]``.
    """

    tag: str
    elements: list[list[str]]
    index: int = 0  # 1-based position in the interchange: UNB = 1; a UNA is not a segment, not counted
    repetitions: dict[int, list[list[str]]] | None = None

    def get(self, element: int, component: int = 1, default: str = "") -> str:
        """Value at 1-based element/component position, or ``default`` when absent or empty."""
        elements = self.elements
        if element > len(elements):  # absent trailing data is common: no IndexError raised for it
            return default
        try:
            values = elements[element - 1]
            if component > len(values):
                return default
            return values[component - 1] or default
        except IndexError:  # a position below 1
            return default


@dataclass(slots=True)
class Message:
    """UNH … UNT inclusive."""

    reference: str  # UNH 0062
    type: str  # S009 0065, e.g. ORDERS
    version: str  # 0052, e.g. D
    release: str  # 0054, e.g. 96A
    agency: str  # 0051, e.g. UN
    association: str  # 0057, e.g. EAN008 ("" when absent)
    segments: list[Segment]
    group_reference: str | None = None
    errors: list[EdiError] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        """S009 as written, e.g. ``ORDERS:D:96A:UN:EAN008``."""
        parts = [self.type, self.version, self.release, self.agency]
        if self.association:
            parts.append(self.association)
        return ":".join(parts)

    @property
    def body(self) -> list[Segment]:
        """Segments between UNH and UNT."""
        return self.segments[1:-1] if len(self.segments) >= 2 else []


@dataclass(slots=True)
class Group:
    """UNG … UNE; messages inside a group carry its reference."""

    reference: str  # UNG 0048
    message_type: str  # 0038
    sender: str
    recipient: str
    header: Segment
    trailer: Segment | None
    errors: list[EdiError] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    syntax_identifier: str  # UNOA, UNOC, UNOW …
    syntax_version: int  # 1 … 4
    sender_id: str
    sender_qualifier: str
    recipient_id: str
    recipient_qualifier: str
    prepared_at: datetime | None
    control_reference: str  # UNB 0020
    application_reference: str  # UNB 0026
    ack_requested: str  # UNB 0031: "" none, "1" functional CONTRL, "2" receipt
    test_indicator: str  # UNB 0035
    separators: Separators
    header: Segment  # UNB
    trailer: Segment | None  # UNZ, None when truncated
    messages: list[Message] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    errors: list[EdiError] = field(default_factory=list)  # interchange-level only
    una_present: bool = False

    @property
    def all_errors(self) -> list[EdiError]:
        out = list(self.errors)
        for group in self.groups:
            out.extend(group.errors)
        for message in self.messages:
            out.extend(message.errors)
        return out

    @property
    def is_valid(self) -> bool:
        return not self.all_errors
