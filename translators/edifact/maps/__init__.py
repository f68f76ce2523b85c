"""Maps from EDIFACT messages to canonical ERP documents, one module per message type.

``map_message`` is the single entry point the gateway calls: it picks the map by the UNH message type
(S009 0065) and answers a located UNSUPPORTED_MESSAGE_TYPE error for types without a map, so an
unexpected message is rejected with a reason instead of being dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from translators.edifact.maps.desadv import map_desadv
from translators.edifact.maps.invoic import map_invoic
from translators.edifact.maps.orders import map_orders
from translators.edifact.maps.ordrsp import map_ordrsp
from translators.edifact.maps.result import MapResult, ProfileWithCodes
from translators.edifact.model import Interchange, Message
from translators.errors import EdiError, Location

MessageMap = Callable[[Message, Interchange, ProfileWithCodes | None], MapResult[Any]]

MAPS: Mapping[str, MessageMap] = MappingProxyType(
    {
        "ORDERS": map_orders,
        "ORDRSP": map_ordrsp,
        "DESADV": map_desadv,
        "INVOIC": map_invoic,
    }
)
"""UNH message type → map. Read-only; a new message type is a new module plus one line here."""


def map_message(
    message: Message, interchange: Interchange, profile: ProfileWithCodes | None
) -> MapResult[Any]:
    """Translate ``message`` with the map for its type, or say precisely that no map exists."""
    message_map = MAPS.get(message.type)
    if message_map is not None:
        return message_map(message, interchange, profile)
    unh = message.segments[0] if message.segments else None
    supported = ", ".join(sorted(MAPS))
    error = EdiError(
        code="UNSUPPORTED_MESSAGE_TYPE",
        text=(
            f"message type {message.type or '(empty)'} ({message.identifier}) cannot be translated; "
            f"supported: {supported}"
        ),
        location=Location(
            segment_index=(unh.index or None) if unh is not None else None,
            segment_tag="UNH",
            element=2,
            component=1,
            message_ref=message.reference,
            message_segment=1,
            group_ref=message.group_reference,
        ),
        level="message",
    )
    return MapResult(document=None, errors=[error])


__all__ = ["MAPS", "MapResult", "map_desadv", "map_invoic", "map_message", "map_orders", "map_ordrsp"]
