"""Serialise the EDIFACT model back to text: the inverse of :mod:`translators.edifact.reader`.

Written here rather than delegated to ``pydifact.serializer.Serializer`` because that one keeps
trailing empty data elements (ISO 9735 says to omit them: ``NAD+BY+++'`` is a syntax error 45 at
strict partners), knows no repetition separator (syntax version 4), and would need every segment
converted to pydifact's own classes first.

Rules: a release character goes before every service character in data (component, element,
segment terminator, repetition, and the release character itself); trailing empty components
and trailing empty data elements are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from translators.edifact.model import DEFAULT_SEPARATORS, Interchange, Segment, Separators


def escape_table(separators: Separators) -> dict[int, str]:
    """``str.translate`` table that releases every service character of ``separators``."""
    specials = [separators.component, separators.element, separators.segment]
    if separators.repetition:
        specials.append(separators.repetition)
    if separators.release is None:
        return {}
    specials.append(separators.release)
    return {ord(ch): separators.release + ch for ch in specials}


def _check_unreleasable(value: str, separators: Separators) -> None:
    """Without a release character, a service character in data cannot be written at all."""
    for ch in (separators.component, separators.element, separators.segment, separators.repetition):
        if ch and ch in value:
            raise ValueError(
                f"data {value!r} contains the service character {ch!r} and the separators "
                "declare no release character"
            )


_Search = Callable[[str], object]


def _element(
    components: list[str], separators: Separators, table: dict[int, str], needs_release: _Search
) -> str:
    end = len(components)
    while end and components[end - 1] == "":
        end -= 1
    values = components[:end]
    if not table:
        for value in values:
            _check_unreleasable(value, separators)
    elif needs_release("".join(values)) is not None:
        values = [value.translate(table) for value in values]
    return separators.component.join(values)


def _release_search(table: dict[int, str]) -> _Search:
    """Finds a character that must be released. Most values hold none, and ``str.translate`` with
    a table of two-character replacements costs a dictionary lookup per character, so an element
    is only translated when this finds something in it."""
    if not table:
        return lambda _text: None
    return re.compile("[" + re.escape("".join(map(chr, table))) + "]").search


def write_segment(
    segment: Segment,
    separators: Separators,
    table: dict[int, str] | None = None,
    *,
    needs_release: _Search | None = None,
) -> str:
    """One segment including its terminator."""
    if table is None:
        table = escape_table(separators)
    if needs_release is None:
        needs_release = _release_search(table)
    parts = [segment.tag]
    reps = segment.repetitions or {}
    for i, components in enumerate(segment.elements):
        if i in reps and separators.repetition:
            parts.append(
                separators.repetition.join(
                    _element(rep, separators, table, needs_release) for rep in reps[i]
                )
            )
        else:
            parts.append(_element(components, separators, table, needs_release))
    end = len(parts)
    while end > 1 and parts[end - 1] == "":
        end -= 1
    return separators.element.join(parts[:end]) + separators.segment


def write_segments(segments: Iterable[Segment], separators: Separators, *, newline: bool = False) -> str:
    """Segments in order, each followed by a line break when ``newline`` (a layout choice every
    reader skips; never used when the terminator is itself a line break)."""
    table = escape_table(separators)
    search = _release_search(table)
    joiner = "\n" if newline and separators.segment != "\n" else ""
    return (
        joiner.join(write_segment(seg, separators, table, needs_release=search) for seg in segments) + joiner
    )


def interchange_segments(interchange: Interchange) -> list[Segment]:
    """UNB, then each group (UNG, its messages, UNE) or the messages, then UNZ, in reading order."""
    out = [interchange.header]
    if interchange.groups:
        for group in interchange.groups:
            out.append(group.header)
            for message in interchange.messages:
                if message.group_reference == group.reference:
                    out.extend(message.segments)
            if group.trailer is not None:
                out.append(group.trailer)
        out.extend(seg for m in interchange.messages if m.group_reference is None for seg in m.segments)
    else:
        for message in interchange.messages:
            out.extend(message.segments)
    if interchange.trailer is not None:
        out.append(interchange.trailer)
    return out


def write_interchange(interchange: Interchange, *, una: bool | None = None, newline: bool = False) -> str:
    """The whole interchange as text.

    A UNA is written when asked, else when the interchange had one or uses non-default
    separators (a reader could not find them otherwise).
    """
    separators = interchange.separators
    if una is None:
        una = interchange.una_present or _needs_una(separators, interchange.syntax_version)
    text = write_segments(interchange_segments(interchange), separators, newline=newline)
    if not una:
        return text
    return separators.una() + ("\n" if newline and separators.segment != "\n" else "") + text


def _needs_una(separators: Separators, version: int) -> bool:
    default_rep = "*" if version == 4 else None
    return (
        separators.component, separators.element, separators.decimal, separators.release,
        separators.segment, separators.repetition,
    ) != (
        DEFAULT_SEPARATORS.component, DEFAULT_SEPARATORS.element, DEFAULT_SEPARATORS.decimal,
        DEFAULT_SEPARATORS.release, DEFAULT_SEPARATORS.segment, default_rep,
    )
