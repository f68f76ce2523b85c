"""The EDIFACT interchange envelope around the messages edigate sends: UNA, UNB … UNZ.

Control references are inputs: the gateway draws them from its gapless per-partner counters, so a
retransmission can reuse one and two workers never share one.

The text is serialised by :func:`translators.edifact.writer.write_segments`, edigate's own writer,
not by pydifact's ``Serializer``: pydifact keeps trailing empty data elements (``NAD+BY+…+++'``,
which ISO 9735 forbids and strict partners reject), has no repetition separator (syntax 4), and
would need every segment converted to its classes first. A test reads our output back with pydifact
to show the two agree on every segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from translators.edifact.model import Segment, Separators
from translators.edifact.writer import write_segments

Identity = tuple[str, str]
"""(id, qualifier) of a UNB sender (S002) or recipient (S003); the qualifier may be ""."""

SYNTAX_IDENTIFIERS = frozenset({"UNOA", "UNOB", "UNOC", "UNOD", "UNOE", "UNOF", "UNOG", "UNOW", "UNOY"})


def separators_for(syntax_version: int, decimal_mark: str = ".") -> Separators:
    """The standard separators with ``decimal_mark``; syntax 4 adds the repetition separator ``*``."""
    return Separators(decimal=decimal_mark, repetition="*" if syntax_version >= 4 else None)


def envelope_edifact(
    messages: Sequence[Sequence[Segment]],
    *,
    sender: Identity,
    recipient: Identity,
    control_reference: str,
    prepared_at: datetime,
    syntax_identifier: str = "UNOC",
    syntax_version: int = 3,
    ack_request: bool = False,
    test: bool = False,
    decimal_mark: str = ".",
    application_reference: str = "",
    newline: bool = False,
) -> str:
    """UNA, UNB, every message (each UNH … UNT), UNZ with the message count and the reference.

    UNA is always written: it declares the decimal mark, and a partner that reads UNOC with a
    decimal comma cannot find it anywhere else. ``prepared_at`` is written in UTC when it is
    aware. ``application_reference`` is UNB 0026 (EANCOM puts the message type there).
    """
    if syntax_identifier not in SYNTAX_IDENTIFIERS:
        raise ValueError(
            f"syntax identifier {syntax_identifier!r} is not one of {sorted(SYNTAX_IDENTIFIERS)}"
        )
    if syntax_version not in (1, 2, 3, 4):
        raise ValueError(f"syntax version {syntax_version!r} must be 1-4")
    if not control_reference or len(control_reference) > 14:
        raise ValueError(f"control reference {control_reference!r} must be 1-14 characters (UNB 0020)")
    for message in messages:
        if not message or message[0].tag != "UNH" or message[-1].tag != "UNT":
            raise ValueError("each message must run from UNH to UNT")
    moment = prepared_at.astimezone(UTC) if prepared_at.tzinfo is not None else prepared_at
    unb: list[list[str]] = [
        [syntax_identifier, str(syntax_version)],
        [sender[0], sender[1]],
        [recipient[0], recipient[1]],
        [moment.strftime("%Y%m%d" if syntax_version >= 4 else "%y%m%d"), moment.strftime("%H%M")],
        [control_reference],
        [],
        [application_reference],
        [],
        ["1" if ack_request else ""],
        [],
        ["1" if test else ""],
    ]
    segments = [Segment("UNB", unb)]
    for message in messages:
        segments.extend(message)
    segments.append(Segment("UNZ", [[str(len(messages))], [control_reference]]))
    separators = separators_for(syntax_version, decimal_mark)
    layout = "\n" if newline else ""
    return separators.una() + layout + write_segments(segments, separators, newline=newline)
