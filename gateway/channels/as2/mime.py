"""MIME entities as exact bytes: parse, split multiparts, canonicalize, build.

AS2 signatures and MICs cover the *exact* bytes of a MIME entity, so the standard library's ``email``
package (which re-serialises, re-folds and re-encodes) cannot be used to find them. This module keeps
every part as the byte range it was received as and offers the few transformations real senders need
(CRLF canonicalization, transfer decoding).
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BARE_LF = re.compile(rb"(?<!\r)\n")


class MimeError(ValueError):
    """The bytes are not the MIME structure they claim to be."""


@dataclass(frozen=True, slots=True)
class MimePart:
    """One entity: its headers (in order, as sent) and its body, plus the bytes it was parsed from."""

    headers: tuple[tuple[str, str], ...]
    body: bytes
    raw: bytes

    def header(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return default

    @property
    def content_type(self) -> tuple[str, dict[str, str]]:
        """``(type/subtype in lower case, parameters with lower-case names)``; text/plain if absent."""
        return parse_header_value(self.header("content-type") or "text/plain")

    def decoded_body(self) -> bytes:
        return decode_transfer_encoding(self.body, self.header("content-transfer-encoding"))

    @property
    def filename(self) -> str | None:
        disposition = self.header("content-disposition")
        if disposition:
            name = parse_header_value(disposition)[1].get("filename")
            if name:
                return name
        return self.content_type[1].get("name")


def parse_header_value(value: str) -> tuple[str, dict[str, str]]:
    """Split ``main; a=1; b="x; y"`` into ``("main", {"a": "1", "b": "x; y"})``.

    Tolerant on purpose: any spacing (Sterling writes none), folded lines, parameter names in any
    case, quoted values with backslash escapes.
    """
    text = " ".join(value.replace("\r", " ").replace("\n", " ").split())
    pieces: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    main = pieces[0].strip().lower()
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        name, sep, raw_value = piece.partition("=")
        if not sep:
            continue
        cleaned = raw_value.strip()
        if len(cleaned) >= 2 and cleaned[0] == cleaned[-1] == '"':
            cleaned = cleaned[1:-1]
        params[name.strip().lower()] = cleaned
    return main, params


def parse_headers(block: bytes) -> tuple[tuple[str, str], ...]:
    """Header lines (CRLF or LF) with continuation lines unfolded; bytes are read as Latin-1."""
    headers: list[tuple[str, str]] = []
    for line in re.split(rb"\r?\n", block):
        if not line:
            continue
        text = line.decode("latin-1")
        if text[0] in " \t" and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {text.strip()}")
            continue
        name, sep, value = text.partition(":")
        if not sep:
            raise MimeError(f"not a MIME header line: {text[:60]!r}")
        headers.append((name.strip(), value.strip()))
    return tuple(headers)


def parse_part(raw: bytes) -> MimePart:
    """An entity is headers, an empty line, then the body. A part without headers starts with the
    empty line; one with no empty line at all is taken as headers only."""
    if raw.startswith(b"\r\n") or raw.startswith(b"\n"):
        return MimePart((), raw[2:] if raw.startswith(b"\r\n") else raw[1:], raw)
    match = _HEADER_END.search(raw)
    if match is None:
        return MimePart(parse_headers(raw), b"", raw)
    return MimePart(parse_headers(raw[: match.start()]), raw[match.end() :], raw)


_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


def parse_entity_or_content(data: bytes) -> MimePart:
    """Decrypted or inflated content is usually a MIME entity, but some senders (mendelson, for an
    encrypted-only message) put the bare payload inside. Without a Content-Type header and proper
    header names it is taken as content with no headers."""
    try:
        part = parse_part(data)
    except MimeError:
        return MimePart((), data, data)
    if part.header("content-type") is None or not all(_HEADER_NAME.fullmatch(n) for n, _v in part.headers):
        return MimePart((), data, data)
    return part


def split_multipart(body: bytes, boundary: str) -> list[bytes]:
    """The raw bytes of each body part, between the delimiter lines.

    The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), so it is not part
    of the preceding entity: exactly what a multipart/signed signature covers. Preamble and epilogue
    are dropped.
    """
    if not boundary:
        raise MimeError("multipart without boundary parameter")
    delimiter = re.compile(
        rb"(?:^|\r?\n)--" + re.escape(boundary.encode("latin-1")) + rb"(--)?[ \t]*(?:\r?\n|$)"
    )
    parts: list[bytes] = []
    start: int | None = None
    for match in delimiter.finditer(body):
        if start is not None:
            parts.append(body[start : match.start()])
        if match.group(1):  # the close delimiter
            break
        start = match.end()
    else:
        if start is not None:
            raise MimeError("multipart is truncated: the closing boundary is missing")
    if not parts:
        raise MimeError(f"no body part found for boundary {boundary!r}")
    return parts


def canonicalize(data: bytes) -> bytes:
    """Every line ending as CRLF (RFC 5751 §3.1.1 canonical form for text)."""
    return _BARE_LF.sub(b"\r\n", data)


def canonicalize_headers(entity: bytes) -> bytes:
    """CRLF line endings in the header block only; the body (possibly binary) is left untouched."""
    match = _HEADER_END.search(entity)
    if match is None:
        return canonicalize(entity)
    return canonicalize(entity[: match.start()]) + b"\r\n\r\n" + entity[match.end() :]


def decode_transfer_encoding(body: bytes, encoding: str | None) -> bytes:
    name = (encoding or "binary").strip().lower()
    if name == "base64":
        try:
            return base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MimeError(f"invalid base64 body: {exc}") from exc
    if name == "quoted-printable":
        return quopri.decodestring(body)
    return body


def build_part(headers: Iterable[tuple[str, str]], body: bytes) -> bytes:
    """Serialise an entity with CRLF header lines."""
    lines = b"".join(f"{name}: {value}\r\n".encode("latin-1") for name, value in headers)
    return lines + b"\r\n" + body


def build_multipart(parts: Sequence[bytes], boundary: str) -> bytes:
    """Join complete entities into a multipart body with CRLF delimiters and a closing delimiter."""
    marker = f"--{boundary}".encode("ascii")
    out = bytearray()
    for part in parts:
        out += marker + b"\r\n" + part + b"\r\n"
    out += marker + b"--\r\n"
    return bytes(out)


def base64_lines(data: bytes) -> bytes:
    """Base64 in 76-character CRLF lines, as MIME wants it."""
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + b"\r\n"
