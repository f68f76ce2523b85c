"""UNB syntax identifiers (S001 0001) and the Python codecs that decode them.

The identifier is the only statement a partner makes about its bytes, so decoding is strict: a byte
the declared repertoire cannot hold is reported with its offset instead of being guessed at. What
cannot be detected is a declaration that decodes without error but means something else (UTF-8
bytes under UNOC read as two Latin-1 characters); no reader can tell that from data.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# Level A and B are subsets of ASCII (A: upper case and a few signs, B: adds lower case). Decoding
# as ASCII enforces the byte range; the finer UNOA letter-case rule is not enforced because real
# partners declare UNOA and send lower case, and rejecting that helps nobody.
CODECS: MappingProxyType[str, str] = MappingProxyType(
    {
        "UNOA": "ascii",
        "UNOB": "ascii",
        "UNOC": "latin-1",
        "UNOD": "iso8859-2",
        "UNOE": "iso8859-5",
        "UNOF": "iso8859-7",
        "UNOG": "iso8859-3",
        "UNOH": "iso8859-4",
        "UNOI": "iso8859-6",
        "UNOJ": "iso8859-8",
        "UNOK": "iso8859-9",
        "UNOL": "iso8859-15",
        "UNOW": "utf-8",
        "UNOY": "utf-8",
        "KECA": "euc-kr",
        # IATA's own identifiers for its level A and B repertoires (PNRGOV, PAXLST, PAORES).
        "IATA": "ascii",
        "IATB": "ascii",
    }
)

# Codecs in which every byte decodes to one character with the same ordinal, so text decoded for
# scanning can be used as is.
_LATIN1_CODECS = frozenset({"latin-1"})


def codec_for(syntax_identifier: str) -> str | None:
    """Python codec for a syntax identifier, or None when edigate does not support it."""
    return CODECS.get(syntax_identifier.upper())


def is_latin1(codec: str) -> bool:
    return codec in _LATIN1_CODECS


@dataclass(frozen=True, slots=True)
class Decoded:
    """Result of decoding: the text, and where decoding first failed (None when it did not).

    On failure the text is still usable: it is decoded leniently so that the interchange can be
    shown and acknowledged, while the caller records the mismatch as an error.
    """

    text: str
    bad_offset: int | None = None
    bad_bytes: bytes = b""


def decode(data: bytes, codec: str) -> Decoded:
    """Decode ``data`` strictly with ``codec``; on the first bad byte fall back to a lossless reading.

    ASCII falls back to Latin-1 so that no byte is lost; other codecs fall back to replacement
    characters, which keeps the valid multibyte characters readable.
    """
    try:
        return Decoded(data.decode(codec))
    except UnicodeDecodeError as exc:
        fallback = data.decode("latin-1") if codec == "ascii" else data.decode(codec, errors="replace")
        return Decoded(fallback, exc.start, data[exc.start : exc.end])


def first_unencodable(text: str, codec: str) -> int | None:
    """Offset of the first character of an already decoded text that ``codec`` cannot represent.

    Used when the caller hands over a ``str``: there are no bytes to check, but a character outside
    the declared repertoire is the same mistake.
    """
    if codec in ("utf-8",) or (codec == "ascii" and text.isascii()):
        return None
    try:
        text.encode(codec)
    except UnicodeEncodeError as exc:
        return exc.start
    return None
