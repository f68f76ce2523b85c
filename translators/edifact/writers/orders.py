"""Canonical PurchaseOrder → EDIFACT ORDERS (UN D96A / D01B, EANCOM 1997 / 2002), to a supplier.

The inverse of :mod:`translators.edifact.maps.orders`: BGM (document name code, number, message
function), DTM 137/2, FTX, RFF (+DTM 171), NAD BY/SU/DP/IV, CUX; per line LIN, PIA, IMD, QTY 21,
DTM 2, MOA 203, FTX, PRI AAA, RFF; UNS, MOA 86 total, CNT 2.

CNT 2 is the number of lines written, whatever ``line_count`` says: a control count is edigate's to
compute when it writes, and a wrong one would get the order rejected by the supplier.
"""

from __future__ import annotations

from collections.abc import Mapping

from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.edifact.model import Segment
from translators.edifact.writers.segments import EdifactVersion, SegmentWriter, message

DEFAULT_DOCUMENT_NAME = "220"  # 1001: order
DEFAULT_FUNCTION = "9"  # 1225: original


def render_orders(
    doc: PurchaseOrder,
    *,
    version: EdifactVersion,
    association: str | None,
    message_reference: str,
    decimal_mark: str = ".",
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[Segment]:
    """UNH … UNT of one ORDERS. Raises ValueError without an issue date (DTM is mandatory)."""
    w = SegmentWriter(
        version=version,
        association=association,
        decimal_mark=decimal_mark,
        units=units,
        parties=parties,
        items=items,
        we_sell=False,
    )
    if doc.issue_date is None and doc.requested_delivery_date is None:
        raise ValueError("an ORDERS needs a date (DTM is mandatory): set issue_date")
    bgm = Segment(
        "BGM",
        [
            [doc.document_name_code or DEFAULT_DOCUMENT_NAME],
            [doc.number],
            [doc.message_function or DEFAULT_FUNCTION],
        ],
    )
    body: list[Segment] = [bgm, *w.dtm("137", doc.issue_date), *w.dtm("2", doc.requested_delivery_date)]
    for note in doc.notes:
        body += w.ftx("AAI", note)
    body += w.references(doc.references)
    body += w.nad("BY", doc.buyer) + w.nad("SU", doc.seller) + w.nad("DP", doc.ship_to)
    body += w.nad("IV", doc.invoicee)
    body += w.cux(doc.currency, "9")
    for line in doc.lines:
        body += _line(w, line)
    body.append(Segment("UNS", [["S"]]))
    body += w.moa("86", doc.total_amount)
    body += w.cnt(len(doc.lines))
    return message("ORDERS", version, association, message_reference, body)


def _line(w: SegmentWriter, line: PurchaseOrderLine) -> list[Segment]:
    out = w.item_segments(line)
    out += w.imd(line.description)
    out += w.qty("21", line.quantity, line.unit)
    out += w.dtm("2", line.requested_delivery_date)
    out += w.moa("203", line.line_amount)
    for note in line.notes:
        out += w.ftx("AAI", note)
    out += w.pri("AAA", line.unit_price, line.price_basis_quantity, line.unit)
    out += w.references(line.references)
    return out
