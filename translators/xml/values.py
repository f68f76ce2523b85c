"""Typed values out of XML text, strictly, with every problem recorded as a located error.

Each XML map (UBL, cXML, partner XML) creates one :class:`ValueReader` per call: it collects the
errors of that call (no module-level state), and every error carries the readable XPath and the
source line of the element or attribute at fault, so an operator can open the file at that line.

Strict means: a number is an ``xsd:decimal`` (digits, optional sign, ``.`` as decimal mark — never
``1,5``, ``1e3`` or ``NaN``) and a date is a real calendar date in the format the standard (or the
partner profile) names. Anything else is an error, never a guess: an order quantity read wrongly is
worse than an order rejected with a precise reason.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from translators.errors import EdiError, Location
from translators.xml.paths import attribute_path, element_path

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_XSD_DATE = re.compile(r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_XSD_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:T(?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?))?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_WHITESPACE = re.compile(r"\s+")

XSD_DATE = "xsd:date"
"""Date style: ``YYYY-MM-DD`` with an optional time zone (UBL)."""
XSD_DATETIME = "xsd:dateTime"
"""Date style: ``YYYY-MM-DDThh:mm:ss`` with an optional zone, or a date alone (cXML); the date is kept."""


class ValueReader:
    """Reads text, numbers and dates from elements and attributes; collects located errors."""

    def __init__(self) -> None:
        self.errors: list[EdiError] = []

    # -- errors ---------------------------------------------------------------------------------

    def location(self, element: etree._Element, attribute: str | None = None) -> Location:
        path = attribute_path(element, attribute) if attribute else element_path(element)
        return Location(path=path, line=element.sourceline)

    def error(self, code: str, text: str, element: etree._Element, attribute: str | None = None) -> None:
        """Record a located error on ``element`` (or on its ``attribute``)."""
        self.add(code, text, self.location(element, attribute))

    def add(self, code: str, text: str, location: Location) -> None:
        """Record an error at an explicit location (for values that are not one element's text)."""
        self.errors.append(EdiError(code=code, text=text, location=location, level="message"))

    # -- text -----------------------------------------------------------------------------------

    @staticmethod
    def raw(element: etree._Element | None, attribute: str | None = None) -> str | None:
        """The stripped text (or attribute value); None when absent or blank."""
        if element is None:
            return None
        value = element.get(attribute) if attribute else "".join(element.itertext())
        if value is None:
            return None
        value = value.strip()
        return value or None

    @classmethod
    def free_text(cls, element: etree._Element | None) -> str | None:
        """Human text with its line breaks and indentation collapsed to single spaces.

        Pretty-printed XML wraps long descriptions; the wrap is layout, not content.
        """
        value = cls.raw(element)
        return _WHITESPACE.sub(" ", value) if value is not None else None

    def required_text(
        self, parent: etree._Element, found: etree._Element | None, what: str, expected: str
    ) -> str | None:
        """Text of ``found``; a MISSING_ELEMENT / MISSING_VALUE error located on what is there."""
        if found is None:
            self.error("MISSING_ELEMENT", f"{what} is missing (expected {expected})", parent)
            return None
        value = self.raw(found)
        if value is None:
            self.error("MISSING_VALUE", f"{what} is empty", found)
        return value

    # -- numbers and dates ----------------------------------------------------------------------

    def decimal(
        self,
        element: etree._Element | None,
        what: str,
        *,
        attribute: str | None = None,
        required: bool = False,
    ) -> Decimal | None:
        """An ``xsd:decimal``; None when absent (MISSING_VALUE if ``required`` and the element exists)."""
        if element is None:
            return None
        raw = self.raw(element, attribute)
        if raw is None:
            if required:
                self.error("MISSING_VALUE", f"{what} is empty", element, attribute)
            return None
        return self.parse_decimal(raw, what, self.location(element, attribute))

    def parse_decimal(self, raw: str, what: str, location: Location) -> Decimal | None:
        """``raw`` as an ``xsd:decimal``, or None and an INVALID_NUMBER error at ``location``."""
        raw = raw.strip()
        if not _DECIMAL.fullmatch(raw):
            hint = " (',' is not a decimal mark in XML; write '.')" if "," in raw else ""
            self.add(
                "INVALID_NUMBER",
                f"{what} {raw!r} is not a decimal number (digits, optional sign, '.' as decimal mark){hint}",
                location,
            )
            return None
        try:
            return Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            self.add("INVALID_NUMBER", f"{what} {raw!r} is not a decimal number", location)
            return None

    def date(
        self,
        element: etree._Element | None,
        what: str,
        *,
        attribute: str | None = None,
        style: str = XSD_DATE,
    ) -> dt.date | None:
        """A calendar date in ``style``; a dateTime gives its date as the sender wrote it (its local date)."""
        if element is None:
            return None
        raw = self.raw(element, attribute)
        if raw is None:
            return None
        return self.parse_date(raw, what, self.location(element, attribute), style=style)

    def parse_date(self, raw: str, what: str, location: Location, *, style: str = XSD_DATE) -> dt.date | None:
        """``raw`` as a date in ``style`` (:data:`XSD_DATE`, :data:`XSD_DATETIME` or a strptime
        pattern), or None and an INVALID_DATE error at ``location``."""
        raw = raw.strip()
        if style in (XSD_DATE, XSD_DATETIME):
            pattern = _XSD_DATE if style == XSD_DATE else _XSD_DATETIME
            match = pattern.fullmatch(raw)
            try:
                if match is None:
                    raise ValueError
                if match.groupdict().get("time"):
                    dt.time.fromisoformat(match.group("time"))
                return dt.date.fromisoformat(match.group("date"))
            except ValueError:
                expected = "YYYY-MM-DD" if style == XSD_DATE else "YYYY-MM-DD or YYYY-MM-DDThh:mm:ss"
                self.add("INVALID_DATE", f"{what} {raw!r} is not a valid date ({expected})", location)
                return None
        try:
            return dt.datetime.strptime(raw, style).date()
        except ValueError:
            self.add(
                "INVALID_DATE",
                f"{what} {raw!r} is not a valid date in the partner's format {style!r}",
                location,
            )
            return None

    def boolean(self, element: etree._Element | None, what: str) -> bool | None:
        """An ``xsd:boolean`` (``true``/``false``/``1``/``0``)."""
        raw = self.raw(element)
        if element is None or raw is None:
            return None
        if raw in ("true", "1"):
            return True
        if raw in ("false", "0"):
            return False
        self.error("INVALID_VALUE", f"{what} {raw!r} is not a boolean (true or false)", element)
        return None
