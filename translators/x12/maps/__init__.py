"""Maps from X12 transaction sets to canonical ERP documents, one module per document.

``map_transaction`` is the single entry point: it picks the map by ST01 and answers a located
UNSUPPORTED_TRANSACTION_SET error for sets without one, so an unexpected set is rejected with a
reason instead of being dropped. ``profile`` supplies the partner's code mappings (units, parties,
items) and may be None.

``MapResult`` is the EDIFACT maps' result type: nothing in it is EDIFACT-specific, so both syntaxes
return the same shape to the gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from translators.edifact.maps.result import CodeLookup, IdentityCodes, MapResult, ProfileWithCodes
from translators.errors import EdiError, Location
from translators.x12.maps.delivery_note import map_delivery_note
from translators.x12.maps.invoice import map_invoice
from translators.x12.maps.order_response import map_order_response
from translators.x12.maps.purchase_order import map_purchase_order
from translators.x12.model import FunctionalGroup, TransactionSet, X12Interchange

TransactionMap = Callable[[TransactionSet, CodeLookup], MapResult[Any]]

MAPS: Mapping[str, TransactionMap] = MappingProxyType(
    {
        "850": map_purchase_order,
        "855": map_order_response,
        "856": map_delivery_note,
        "810": map_invoice,
    }
)
"""ST01 → map. Read-only; a new transaction set is a new module plus one line here."""


def map_transaction(
    ts: TransactionSet,
    group: FunctionalGroup | None,
    interchange: X12Interchange | None,
    profile: ProfileWithCodes | None,
) -> MapResult[Any]:
    """Translate ``ts`` with the map for its ST01, or say precisely that no map exists.

    ``group`` and ``interchange`` are accepted so that maps can grow into envelope data (GS08
    version, ISA sender) without changing the gateway's call; today's maps read only the set.
    """
    codes_lookup: CodeLookup = profile.codes if profile is not None else IdentityCodes()
    transaction_map = MAPS.get(ts.id)
    if transaction_map is not None:
        return transaction_map(ts, codes_lookup)
    st = ts.segments[0] if ts.segments else None
    return MapResult(
        document=None,
        errors=[
            EdiError(
                "UNSUPPORTED_TRANSACTION_SET",
                f"transaction set {ts.id or '(empty)'} cannot be translated; "
                f"supported: {', '.join(sorted(MAPS))}",
                Location(
                    segment_index=(st.index or None) if st else None,
                    segment_tag="ST",
                    element=1,
                    message_ref=ts.control,
                    message_segment=1,
                    group_ref=ts.group_control,
                ),
                "message",
                "AK5:1",
            )
        ],
    )


__all__ = ["MAPS", "MapResult", "map_transaction"]
