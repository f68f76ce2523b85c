"""Read one large EDIFACT interchange window by window, handing on each message as it closes.

The whole-file reader holds the input twice (bytes and text) plus every segment as objects, which
is some forty times the file's size: fine for the everyday interchange, not for a 100 MB order
wave. This reader decodes a file object a window at a time, cuts each window at its last
unreleased segment terminator, tokenizes and checks it with the same envelope logic
(:class:`translators.edifact.reader._Envelope`), and yields every message once it is closed, so a
caller can translate, store and drop it.

It reads only the common shape of a large file: one interchange, starting at its UNA or UNB,
segments not hard-wrapped, every byte valid in the declared character set. Anything else raises
:class:`NotStreamable` — possibly after messages were yielded — and the caller reads the file with
the whole-file reader, which reports such input precisely.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from translators.edifact import charset
from translators.edifact.model import Interchange, Message, Separators
from translators.edifact.reader import (
    _check_unb,
    _codec,
    _Envelope,
    _interchange,
    _syntax_version,
)
from translators.edifact.tokenizer import (
    UNA_LENGTH,
    find_header,
    first_segment,
    for_version,
    is_hard_wrapped,
    is_released,
    next_non_space,
    tokenize,
)
from translators.errors import EdiError

WINDOW = 256 * 1024  # text per window; its segments as objects take some forty times that
_HEAD = 64 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"


class NotStreamable(Exception):
    """The input needs the whole-file reader; the reason says why."""


def stream_interchange(stream: BinaryIO, *, window: int = WINDOW) -> Iterator[Interchange | Message]:
    """Yield the :class:`Interchange` (header read, no message yet), then each :class:`Message` as it
    closes. When the generator is exhausted the interchange has its trailer and every envelope
    error, and ``messages`` lists every message (callers may empty their segments once handled)."""
    head = stream.read(_HEAD)
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM) :]
    scan = head.decode("latin-1")
    found = find_header(scan, 0)
    if found is None or scan[: found[0]].strip():
        raise NotStreamable("the input does not start with an interchange header")
    start, separators, una_present = found
    if is_hard_wrapped(scan[start:], separators.segment):
        raise NotStreamable("the segments are hard-wrapped across lines")
    unb = next_non_space(scan, start + UNA_LENGTH) if una_present else start
    header, _ = first_segment(scan, unb, separators)
    identifier = header.get(1, 1).upper()
    if header.tag != "UNB" or not identifier:
        raise NotStreamable("the UNB header cannot be read")
    errors: list[EdiError] = []
    version = _syntax_version(header, errors)
    separators = for_version(separators, version, una_present)
    codec = _codec(identifier, errors)
    decoder = codecs.getincrementaldecoder("latin-1" if charset.is_latin1(codec) else codec)("strict")

    closed: list[Message] = []
    envelope: _Envelope | None = None
    index = 1
    buffer = _decode(decoder, head[unb:], final=False)
    while True:
        chunk = stream.read(window)
        final = not chunk
        buffer += _decode(decoder, chunk, final=final)
        cut = len(buffer) if final else _after_last_terminator(buffer, separators)
        if cut:
            segments = tokenize(buffer[:cut], separators, index)
            buffer = buffer[cut:]
            index += len(segments)
            if envelope is None and segments:
                interchange = _interchange(segments[0], identifier, version, separators, una_present)
                interchange.errors.extend(errors)
                _check_unb(interchange)
                envelope = _Envelope(interchange, complete=False, on_close=closed.append)
                yield interchange
                segments = segments[1:]
            if envelope is not None:
                _feed_until_unz(envelope, segments, buffer, stream)
                yield from closed
                closed.clear()
        if final:
            break
    if envelope is None:
        raise NotStreamable("the input holds no complete UNB segment")
    envelope.complete = envelope.ic.trailer is not None
    envelope.finish()
    yield from closed


def _decode(decoder: codecs.IncrementalDecoder, data: bytes, *, final: bool) -> str:
    try:
        return decoder.decode(data, final)
    except UnicodeDecodeError as exc:
        raise NotStreamable(f"a byte is not valid in the declared character set: {exc.reason}") from exc


def _after_last_terminator(text: str, separators: Separators) -> int:
    """Position just after the last unreleased segment terminator; 0 when there is none yet."""
    term, release = separators.segment, separators.release
    at = text.rfind(term)
    while at >= 0 and release is not None and is_released(text, at, release):
        at = text.rfind(term, 0, at)
    return at + 1


def _feed_until_unz(envelope: _Envelope, segments: list, buffer: str, stream: BinaryIO) -> None:
    """Feed the window; after UNZ only layout whitespace may follow, else it is another interchange
    (or stray data), which the whole-file reader reports in context."""
    if envelope.ic.trailer is not None:
        if segments:
            raise NotStreamable("data follows the interchange trailer")
        return
    for position, segment in enumerate(segments):
        if segment.tag == "UNZ":
            envelope.feed(segments[: position + 1])
            if segments[position + 1 :] or buffer.strip() or _has_more(stream):
                raise NotStreamable("data follows the interchange trailer")
            return
    envelope.feed(segments)


def _has_more(stream: BinaryIO) -> bool:
    """Whether anything but whitespace is left; reads on, since a trailer is normally the end."""
    while chunk := stream.read(_HEAD):
        if chunk.strip():
            return True
    return False
