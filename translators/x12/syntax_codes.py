"""How X12 acknowledgement codes travel in ``EdiError.syntax_code``.

An X12 error can be answered at four places — TA1 (interchange), AK9/IK9 group errors, AK5/IK5
transaction-set errors, AK3/IK3 segment errors with AK4/IK4 element errors — and the same number
means different things at each (``5`` is "GE01 count wrong" in AK905 but "segment exceeds maximum
use" in AK304). So the code is written with the segment it belongs in::

    "TA1:001"   TA105 interchange note code            (level "interchange")
    "AK9:5"     AK905 functional group error code      (level "group")
    "AK5:4"     AK502 transaction set error code       (level "message")
    "AK3:3"     AK304 segment syntax error code        (level "segment"/"message")
    "AK4:7"     AK403 data element syntax error code   (level "element"/"message")

The 997 names are used for both acknowledgements: a 999 builder writes the same code in IK3/IK4/IK5
(the 999 keeps every 997 code and only adds its own ``I…`` codes, which edigate does not emit from
standard-syntax checks). :func:`split` gives an ack builder the two parts.
"""

from __future__ import annotations

TA1 = "TA1"
GROUP = "AK9"
TRANSACTION = "AK5"
SEGMENT = "AK3"
ELEMENT = "AK4"


def code(where: str, value: str) -> str:
    """``code("AK4", "7")`` → ``"AK4:7"``."""
    return f"{where}:{value}"


def split(syntax_code: str | None) -> tuple[str, str] | None:
    """``"AK4:7"`` → ``("AK4", "7")``; None for a code that is not in this scheme."""
    if not syntax_code or ":" not in syntax_code:
        return None
    where, _, value = syntax_code.partition(":")
    return where, value
