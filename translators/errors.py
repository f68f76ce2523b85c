"""Errors as values: every problem found in partner data carries where it is and a stable code.

The gateway stores these, shows them in the dashboard and turns them into acknowledgements, so they
must never be strings that something parses later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Level = Literal["interchange", "group", "message", "segment", "element"]

MAX_ERRORS_PER_MESSAGE = 500
"""Problems a validator reports for one message before it stops (with one ``TOO_MANY_ERRORS``).
A message with more is rejected anyway; listing every one of them lets a few hundred KB of junk
segments cost seconds and hundreds of MB (one located error per segment), and no operator or
acknowledgement reader uses the 501st."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an interchange a problem sits. Positions are 1-based, as EDI people count."""

    segment_index: int | None = None  # position of the segment in the whole interchange (UNA/UNB = 1)
    segment_tag: str | None = None
    element: int | None = None  # data element position within the segment
    component: int | None = None  # component position within the element
    message_ref: str | None = None  # UNH 0062 / ST02 of the message the problem belongs to
    message_segment: int | None = None  # position within the message, UNH = 1 (CONTRL UCS01)
    group_ref: str | None = None  # UNG 0048 / GS06
    path: str | None = None  # XML: XPath of the element in error, e.g. /Invoice/cac:InvoiceLine[2]/cbc:ID
    line: int | None = None  # XML: source line number

    def describe(self) -> str:
        parts: list[str] = []
        if self.message_ref is not None:
            parts.append(f"message {self.message_ref}")
        if self.segment_tag is not None or self.segment_index is not None:
            seg = self.segment_tag or "segment"
            if self.segment_index is not None:
                seg += f" #{self.segment_index}"
            parts.append(seg)
        if self.path is not None:
            parts.append(self.path + (f" (line {self.line})" if self.line is not None else ""))
        if self.element is not None:
            el = f"element {self.element}"
            if self.component is not None:
                el += f".{self.component}"
            parts.append(el)
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class EdiError:
    """One located problem.

    ``code`` is edigate's stable identifier (``UNT_COUNT_MISMATCH``); ``syntax_code`` is the
    UN/EDIFACT 0085 syntax error code that a CONTRL reports for it (``"29"``), when one applies.
    ``level`` says which envelope level it rejects.
    """

    code: str
    text: str
    location: Location = field(default_factory=Location)
    level: Level = "message"
    syntax_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["location"] = {k: v for k, v in data["location"].items() if v is not None}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EdiError:
        return cls(
            code=data["code"],
            text=data["text"],
            location=Location(**data.get("location", {})),
            level=data.get("level", "message"),
            syntax_code=data.get("syntax_code"),
        )

    def __str__(self) -> str:
        where = self.location.describe()
        return f"{self.code}: {self.text}" + (f" ({where})" if where else "")


class EdiSyntaxError(Exception):
    """Raised when input cannot be read at all (no envelope, undecodable bytes).

    It carries the located error so callers still get a value, not a message to parse.
    """

    def __init__(self, error: EdiError) -> None:
        super().__init__(str(error))
        self.error = error
