"""Syntax is recognised by content, whatever the channel, file name or content type says."""

from __future__ import annotations

import pytest

from translators.detect import detect_syntax


@pytest.mark.parametrize(
    ("data", "syntax"),
    [
        (b"UNA:+.? 'UNB+UNOC:3+A+B+260101:1200+1'", "edifact"),
        (b"UNB+UNOA:1+A+B+260101:1200+1'", "edifact"),
        (b"\xef\xbb\xbf\r\nUNB+UNOW:4+A+B+20260101:1200+1'", "edifact"),
        (b"ISA*00*          *00*          *ZZ*UMBRELLA       *", "x12"),
        (b"  \nISA|00|", "x12"),
        (b'<?xml version="1.0"?><Invoice/>', "xml"),
        (b"\xef\xbb\xbf<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>", "xml"),
        (b"", "empty"),
        (b" \r\n\t", "empty"),
        (b"%PDF-1.7", "unknown"),
        (b"\x89PNG\r\n", "unknown"),
    ],
)
def test_syntax_is_detected_from_the_first_significant_bytes(data, syntax):
    assert detect_syntax(data) == syntax
