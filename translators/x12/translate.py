"""X12 interchanges → outcomes: partner from ISA/GS, envelope, set validation, maps."""

from __future__ import annotations

from partners.directory import PartnerDirectory
from partners.profile import PartnerProfile
from translators.errors import EdiError, EdiSyntaxError, Location
from translators.outcome import (
    InterchangeOutcome,
    MessageOutcome,
    Translation,
    resolve_partner,
    type_not_agreed,
)
from translators.received_acks import X12_ACK_TYPES, x12_acks
from translators.x12.maps import map_transaction
from translators.x12.model import FunctionalGroup, TransactionSet, X12Interchange
from translators.x12.reader import read_x12_interchanges
from translators.x12.syntax_codes import code
from translators.x12.validator import validate_transaction


def translate_x12(data: bytes, directory: PartnerDirectory, channel_partner: str | None) -> Translation:
    try:
        interchanges = read_x12_interchanges(data)
    except EdiSyntaxError as exc:
        return Translation("x12", errors=[exc.error])
    return Translation("x12", [_interchange(i, directory, channel_partner) for i in interchanges])


def _interchange(
    interchange: X12Interchange, directory: PartnerDirectory, channel_partner: str | None
) -> InterchangeOutcome:
    isa_sender = Location(segment_index=interchange.header.index, segment_tag="ISA", element=6)
    gs_id = interchange.groups[0].sender if interchange.groups else ""
    partner, partner_errors = resolve_partner(
        directory.by_x12_sender(interchange.sender_qualifier, interchange.sender_id, gs_id),
        channel_partner,
        directory,
        sender=f"ISA {interchange.sender_qualifier}:{interchange.sender_id}",
        location=isa_sender,
        syntax_code=code("TA1", "006"),  # invalid interchange sender ID
    )
    errors = [*interchange.errors, *partner_errors]
    company = directory.company.x12
    if company is not None and not company.matches(interchange.receiver_qualifier, interchange.receiver_id):
        errors.append(
            EdiError(
                "RECIPIENT_NOT_US",
                f"ISA receiver {interchange.receiver_qualifier}:{interchange.receiver_id} is not "
                f"{company.describe()} ({directory.company.name})",
                Location(segment_index=interchange.header.index, segment_tag="ISA", element=8),
                level="interchange",
                syntax_code=code("TA1", "009"),  # unknown interchange receiver ID
            )
        )
    outcome = InterchangeOutcome("x12", interchange, partner, errors, header_location=isa_sender)
    if not errors and partner is not None and (interchange.ta1 or _carries_acks(interchange)):
        acks, problems = x12_acks(interchange)
        outcome.received_acks.extend(acks)
        outcome.errors.extend(problems)
    for group in interchange.groups:
        for ts in group.transactions:
            outcome.messages.append(_transaction(ts, group, interchange, partner, rejected=bool(errors)))
    return outcome


# Where each transaction set states its business number: BEG03 PO, BAK03 PO answered, BSN02
# shipment, BIG02 invoice.
_NUMBER_AT = {"850": ("BEG", 3), "855": ("BAK", 3), "856": ("BSN", 2), "810": ("BIG", 2)}


def _stated_number(ts: TransactionSet) -> str | None:
    where = _NUMBER_AT.get(ts.id)
    if where is None:
        return None
    segment = next((s for s in ts.segments if s.tag == where[0]), None)
    return (segment.get(where[1]) or None) if segment is not None else None


def _carries_acks(interchange: X12Interchange) -> bool:
    return any(ts.id in X12_ACK_TYPES for group in interchange.groups for ts in group.transactions)


def _transaction(
    ts: TransactionSet,
    group: FunctionalGroup,
    interchange: X12Interchange,
    partner: PartnerProfile | None,
    *,
    rejected: bool,
) -> MessageOutcome:
    if not ts.errors:
        ts.errors.extend(validate_transaction(ts, group.version))
    outcome = MessageOutcome(ts, None, list(ts.errors) + list(group.errors), f"{ts.id}/{group.version}")
    outcome.stated_number = _stated_number(ts)
    if outcome.errors or rejected or partner is None:
        return outcome
    st = Location(
        segment_index=ts.segments[0].index if ts.segments else None,
        segment_tag="ST",
        element=1,
        message_ref=ts.control,
        message_segment=1,
        group_ref=group.control,
    )
    if ts.id in X12_ACK_TYPES:  # read with the interchange's other acknowledgements; always agreed
        outcome.is_acknowledgement = True
        return outcome
    not_agreed = type_not_agreed(partner, ts.id, st, code("AK5", "1"))
    if not_agreed is not None:
        outcome.errors.append(not_agreed)
        return outcome
    mapped = map_transaction(ts, group, interchange, partner)
    outcome.errors.extend(mapped.errors)
    outcome.document = mapped.document if not mapped.errors else None
    return outcome
