"""EDIFACT interchanges → outcomes: partner, envelope, structure validation, maps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from partners.directory import PartnerDirectory
from partners.profile import PartnerProfile
from translators.edifact.maps import map_message
from translators.edifact.model import Interchange, Message
from translators.edifact.reader import read_interchanges
from translators.edifact.stream import WINDOW, stream_interchange
from translators.edifact.validator import validate_message
from translators.errors import EdiError, EdiSyntaxError, Location
from translators.outcome import (
    InterchangeOutcome,
    MessageOutcome,
    Translation,
    resolve_partner,
    type_not_agreed,
)
from translators.received_acks import EDIFACT_ACK_TYPES, ReceivedAck, edifact_acks

# A message whose directory edigate has no definition for cannot be checked, which does not make it
# wrong: its map still reads it strictly, and the profile decides which types a partner may send.
UNCHECKABLE = frozenset({"UNKNOWN_MESSAGE_DEFINITION"})


def translate_edifact(data: bytes, directory: PartnerDirectory, channel_partner: str | None) -> Translation:
    try:
        interchanges = read_interchanges(data)
    except EdiSyntaxError as exc:
        return Translation("edifact", errors=[exc.error])
    return Translation("edifact", [_interchange(i, directory, channel_partner) for i in interchanges])


def translate_edifact_stream(
    stream: BinaryIO,
    directory: PartnerDirectory,
    channel_partner: str | None,
    *,
    reject_all: bool = False,
    window: int = WINDOW,
) -> Iterator[InterchangeOutcome | MessageOutcome]:
    """The streaming twin of :func:`translate_edifact` for one large interchange: yields its
    :class:`InterchangeOutcome` first (partner resolved, no message yet), then each message's
    outcome as soon as it is read. Envelope errors found later (a wrong UNZ count, say) are on the
    outcome once the generator is exhausted; messages yielded before them were judged without them,
    so a caller that sees the interchange rejected only at the end reads it again with
    ``reject_all``. Raises :class:`NotStreamable` for input only the whole-file reader handles."""
    items = stream_interchange(stream, window=window)
    interchange = next(items)
    assert isinstance(interchange, Interchange)
    outcome, found = _start(interchange, directory, channel_partner)
    yield outcome
    rejected = reject_all or bool(outcome.errors)
    for message in items:
        assert isinstance(message, Message)
        message_outcome = _message(
            message, interchange, outcome.partner, outcome.received_acks, rejected=rejected
        )
        outcome.messages.append(message_outcome)
        yield message_outcome
    outcome.errors[:] = [*interchange.errors, *found]


def _interchange(
    interchange: Interchange, directory: PartnerDirectory, channel_partner: str | None
) -> InterchangeOutcome:
    outcome, _ = _start(interchange, directory, channel_partner)
    for message in interchange.messages:
        outcome.messages.append(
            _message(
                message, interchange, outcome.partner, outcome.received_acks, rejected=bool(outcome.errors)
            )
        )
    return outcome


def _start(
    interchange: Interchange, directory: PartnerDirectory, channel_partner: str | None
) -> tuple[InterchangeOutcome, list[EdiError]]:
    """The outcome with its partner and the header's errors, before any message is judged; also
    the errors found here, apart from the reader's own."""
    sender = f"{interchange.sender_id}:{interchange.sender_qualifier}".rstrip(":")
    unb_sender = Location(segment_index=interchange.header.index, segment_tag="UNB", element=2)
    partner, partner_errors = resolve_partner(
        directory.by_edifact_sender(interchange.sender_id, interchange.sender_qualifier),
        channel_partner,
        directory,
        sender=f"UNB {sender}",
        location=unb_sender,
        syntax_code="23",
    )
    found = list(partner_errors)
    company = directory.company.edifact
    if interchange.recipient_id != company.id or (
        company.qualifier and interchange.recipient_qualifier not in ("", company.qualifier)
    ):
        recipient = f"{interchange.recipient_id}:{interchange.recipient_qualifier}".rstrip(":")
        found.append(
            EdiError(
                "RECIPIENT_NOT_US",
                f"UNB recipient {recipient} is not {company.id}:{company.qualifier} "
                f"({directory.company.name})",
                Location(segment_index=interchange.header.index, segment_tag="UNB", element=3),
                level="interchange",
                syntax_code="7",
            )
        )
    errors = [*interchange.errors, *found]
    return InterchangeOutcome("edifact", interchange, partner, errors, header_location=unb_sender), found


def _message(
    message: Message,
    interchange: Interchange,
    partner: PartnerProfile | None,
    received: list[ReceivedAck],
    *,
    rejected: bool,
) -> MessageOutcome:
    # Structure problems are syntax errors of the message: they go into its CONTRL like envelope ones.
    message.errors.extend(
        e for e in validate_message(message, interchange.separators.decimal) if e.code not in UNCHECKABLE
    )
    bgm = next((segment for segment in message.segments if segment.tag == "BGM"), None)
    outcome = MessageOutcome(message, None, list(message.errors), message.identifier)
    outcome.stated_number = (bgm.get(2) or None) if bgm is not None else None
    if outcome.errors or rejected or partner is None:
        # A message in a rejected interchange is rejected with it; mapping it would only add noise.
        return outcome
    unh = Location(
        segment_index=message.segments[0].index,
        segment_tag="UNH",
        element=2,
        component=1,
        message_ref=message.reference,
        message_segment=1,
    )
    if message.type in EDIFACT_ACK_TYPES:  # acknowledgements are always agreed; nothing to map
        acks, problems = edifact_acks(interchange, message)
        outcome.errors.extend(problems)
        outcome.is_acknowledgement = not problems
        received.extend(acks)
        return outcome
    not_agreed = type_not_agreed(partner, message.type, unh)
    if not_agreed is not None:
        outcome.errors.append(not_agreed)
        return outcome
    mapped = map_message(message, interchange, partner)
    outcome.errors.extend(mapped.errors)
    outcome.document = mapped.document if not mapped.errors else None
    return outcome
