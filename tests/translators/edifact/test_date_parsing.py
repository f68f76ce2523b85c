"""DTM dates are parsed without ``strptime`` when they are plain digits, with exactly its answers.

``parse_datetime`` must give the same datetime for every value ``strptime`` accepts and raise
``ValueError`` for every value it refuses, so that a date a partner sends is read, or reported as
INVALID_DATE, exactly as before. The sweep covers every field one step beyond its range on both
sides (month 00 and 13, day 00 and 32, hour 24, minute and second 60 and 61, February 29 in leap
and common years, year 0000), the ``%y`` pivot, and values that are not plain digits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pytest

from translators.edifact.maps.result import IdentityCodes
from translators.edifact.maps.segments import SegmentReader, parse_datetime
from translators.edifact.model import Segment
from translators.edifact.reader import read_interchanges

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "edifact"

PATTERNS = ("%y%m%d", "%Y%m%d", "%Y%m%d%H%M", "%Y%m%d%H%M%S")
YEARS = ("0000", "0001", "1899", "1900", "1968", "1969", "2000", "2024", "2025", "2100", "9999")
SHORT_YEARS = ("00", "24", "68", "69", "99")
MONTHS = tuple(f"{m:02d}" for m in range(0, 14))
DAYS = ("00", "01", "09", "10", "19", "20", "28", "29", "30", "31", "32", "39", "40")
TIMES = ("00", "09", "12", "19", "20", "23", "24", "29", "59", "60", "61", "99")


def _strptime_or_error(text: str, pattern: str) -> dt.datetime | str:
    try:
        return dt.datetime.strptime(text, pattern)
    except ValueError:
        return "ValueError"


def _parsed_or_error(text: str, pattern: str) -> dt.datetime | str:
    try:
        return parse_datetime(text, pattern)
    except ValueError:
        return "ValueError"


def _values(pattern: str) -> list[str]:
    years = SHORT_YEARS if pattern.startswith("%y") else YEARS
    dates = ["".join(parts) for parts in itertools.product(years, MONTHS, DAYS)]
    if "%H" not in pattern:
        return dates
    rng = random.Random(pattern)
    fields = 3 if "%S" in pattern else 2
    return [date + "".join(rng.choice(TIMES) for _ in range(fields)) for date in dates]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_digit_values_parse_as_strptime_parses_them(pattern: str) -> None:
    for text in _values(pattern):
        assert _parsed_or_error(text, pattern) == _strptime_or_error(text, pattern), text


@pytest.mark.parametrize("pattern", PATTERNS)
def test_values_that_are_not_plain_digits_parse_as_strptime_parses_them(pattern: str) -> None:
    rng = random.Random(f"odd/{pattern}")
    base = {"%y%m%d": "260115", "%Y%m%d": "20260115"}.get(pattern, "20260115093045")[: len(pattern) + 2]
    odd = ["", " 2026011", "2026-1-5", "٢٠٢٦٠١١٥", "２０２６０１１５", "20260115 ", "2026011", "202601150"]
    for _ in range(300):
        chars = list(base)
        chars[rng.randrange(len(chars))] = rng.choice("0123456789 -+.a²٣")
        odd.append("".join(chars))
    for text in odd:
        assert _parsed_or_error(text, pattern) == _strptime_or_error(text, pattern), text


def test_dtm_ccyymmdd_reads_as_strptime_reads_it() -> None:
    """DTM format 102 with eight digits takes a shortcut in ``date_value``: same date, and the same
    INVALID_DATE error for a date that does not exist."""
    interchange = read_interchanges((FIXTURES / "acme_orders_d96a.edi").read_bytes())[0]
    message = interchange.messages[0]
    for fmt in ("102", ""):
        for text in _values("%Y%m%d"):
            reader = SegmentReader(message, interchange, IdentityCodes())
            got = reader.date_value(Segment("DTM", [["137", text, fmt]], 5), 3)
            expected = _strptime_or_error(text, "%Y%m%d")
            if isinstance(expected, str):
                assert got is None, text
                assert [(e.code, e.syntax_code) for e in reader.errors] == [("INVALID_DATE", "12")], text
            else:
                assert got == expected.date(), text
                assert reader.errors == [], text
