"""Which syntax a payload is written in, judged by its content rather than a file name or header.

Partners mislabel content types and file extensions all the time; the first significant bytes do
not lie.
"""

from __future__ import annotations

from typing import Literal

Syntax = Literal["edifact", "x12", "xml", "unknown", "empty"]

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def detect_syntax(data: bytes) -> Syntax:
    head = data[:512]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.lstrip(b" \t\r\n\x00")
    if not head:
        return "empty"
    if head.startswith((b"UNA", b"UNB")):
        return "edifact"
    if head.startswith(b"ISA"):
        return "x12"
    if head.startswith(b"<"):
        return "xml"
    return "unknown"
