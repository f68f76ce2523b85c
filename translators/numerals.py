"""Digits as EDI means them: ASCII ``0``-``9`` only.

``str.isdigit`` is also true for superscripts (``"²"``) and other Unicode digits, which ``int``
then refuses with a ``ValueError``; partner data decoded as Latin-1 or UTF-8 can hold any of them.
Every "is this a number?" check on partner data goes through here, so a count written ``"2²"`` is
a located error and never a traceback.
"""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits."""
    return text.isascii() and text.isdigit()
