"""Canonical PurchaseOrder → X12 850 Purchase Order (004010, 005010), to a supplier.

The inverse of :mod:`translators.x12.maps.purchase_order`: BEG (01 purpose, 02 order type,
03 number, 05 date), CUR, REF, DTM 002, N9/MSG notes, N1 BY/SE/ST/BT; per line PO1 (quantity, unit,
price, item ids), PID, REF, DTM 002, MSG; CTT with the line count and AMT TT with the total.

BEG01/BEG02 carry X12 codes. A document that came from EDIFACT carries UNCL 1225/1001 codes there
(``9`` original, ``220`` order), which are translated to their X12 counterparts; anything else that
is not a two-character code becomes 00 (original) / SA (stand-alone order).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.x12.model import X12Segment
from translators.x12.writers.segments import X12Release, X12SegmentWriter, transaction

PURPOSE_OF_FUNCTION: Mapping[str, str] = MappingProxyType(
    {"9": "00", "1": "01", "3": "03", "4": "04", "5": "05", "6": "06", "7": "07"}
)
"""UNCL 1225 message function → X12 353 purpose: original, cancellation, delete, change, replace,
confirmation, duplicate."""

ORDER_TYPE_OF_DOCUMENT: Mapping[str, str] = MappingProxyType(
    {"220": "SA", "221": "BK", "226": "RL", "227": "CN"}
)
"""UNCL 1001 → X12 92 order type: order → stand-alone, blanket order, call-off → release,
consignment order."""


def render_850(
    doc: PurchaseOrder,
    *,
    version: X12Release,
    control_number: str,
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[X12Segment]:
    """ST … SE of one 850. Raises ValueError without an issue date (BEG05 is mandatory) or for a
    line without its unit (PO103 is what the supplier's map needs)."""
    w = X12SegmentWriter(release=version, units=units, parties=parties, items=items, we_sell=False)
    if doc.issue_date is None:
        raise ValueError("an 850 needs its issue date (BEG05 is mandatory)")
    purpose = _code(doc.message_function, PURPOSE_OF_FUNCTION, "00")
    order_type = _code(doc.document_name_code, ORDER_TYPE_OF_DOCUMENT, "SA")
    body = [X12Segment("BEG", [[purpose], [order_type], [doc.number], [], [w.date(doc.issue_date)]])]
    if doc.currency:
        body.append(X12Segment("CUR", [["BY"], [doc.currency]]))
    body += w.references(doc.references)
    body += w.dtm("002", doc.requested_delivery_date)
    body += w.notes_loop(doc.notes)
    body += w.party("BY", doc.buyer) + w.party("SE", doc.seller)
    body += w.party("ST", doc.ship_to) + w.party("BT", doc.invoicee)
    for line in doc.lines:
        body += _line(w, line)
    body.append(X12Segment("CTT", [[str(len(doc.lines))]]))
    if doc.total_amount is not None:
        body.append(X12Segment("AMT", [["TT"], [w.decimal(doc.total_amount)]]))
    return transaction("850", control_number, body)


def _code(value: str | None, translation: Mapping[str, str], default: str) -> str:
    if value is None:
        return default
    if value in translation:
        return translation[value]
    return value if len(value) == 2 else default


def _line(w: X12SegmentWriter, line: PurchaseOrderLine) -> list[X12Segment]:
    price = w.unit_price(line.unit_price, line.price_basis_quantity)
    po1 = [
        [line.line_number],
        [w.decimal(line.quantity)],
        [w.unit(line.unit)],
        [w.decimal(price) if price is not None else ""],
        ["PE" if price is not None else ""],
        *w.item_ids(line),
    ]
    out = [X12Segment("PO1", po1), *w.pid(line.description), *w.references(line.references)]
    out += w.dtm("002", line.requested_delivery_date)
    out += w.messages(line.notes)
    return out
