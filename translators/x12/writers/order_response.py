"""Canonical OrderResponse → X12 855 Purchase Order Acknowledgment (004010, 005010).

The inverse of :mod:`translators.x12.maps.order_response`: BAK (02 answer, 03 order number,
04 order date, 08 our number, 09 acknowledgment date), CUR, REF, DTM 017, N9/MSG notes, N1 BY/SE/ST;
per line PO1 (ordered quantity, unit, price, item ids), PID, REF, ACK (status, confirmed quantity,
017 delivery date); CTT.

BAK04 (order date) is mandatory: a response without ``order_date`` gives its own date there, which
reads back as the order date. A line whose status is the whole answer (accepted/rejected), with no
code of its own and nothing confirmed, gets no ACK — the map gives it exactly that status.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.documents.order_response import LineStatus, OrderResponse, OrderResponseLine, ResponseType
from translators.x12.maps.order_response import LINE_STATUSES, RESPONSE_TYPES
from translators.x12.model import X12Segment
from translators.x12.writers.segments import X12Release, X12SegmentWriter, transaction

ACK_TYPE_OF_RESPONSE: Mapping[ResponseType, tuple[str, str]] = MappingProxyType(
    {"accepted": ("AK", "AD"), "changed": ("AC", "AC"), "rejected": ("RJ", "RD")}
)
"""BAK02 per answer: (without lines, with line detail) — AK/AD acknowledge (no change), AC with
changes, RJ/RD rejected."""

ACK_OF_STATUS: Mapping[LineStatus, str] = MappingProxyType(
    {"accepted": "IA", "changed": "IC", "rejected": "IR", "backordered": "IB", "added": "IS"}
)
"""ACK01 per line status. X12 has no "added line"; IS (accepted, substitution made) is the nearest,
and reads back as "changed"."""


def render_855(
    doc: OrderResponse,
    *,
    version: X12Release,
    control_number: str,
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[X12Segment]:
    """ST … SE of one 855. Raises ValueError without any date for BAK04."""
    w = X12SegmentWriter(release=version, units=units, parties=parties, items=items, we_sell=True)
    order_date = doc.order_date or doc.issue_date
    if order_date is None:
        raise ValueError("an 855 needs the order date (BAK04 is mandatory): set order_date or issue_date")
    code = doc.response_code if RESPONSE_TYPES.get(doc.response_code or "") == doc.response_type else None
    if code is None:
        code = ACK_TYPE_OF_RESPONSE[doc.response_type][1 if doc.lines else 0]
    bak = [["00"], [code], [doc.order_number], [w.date(order_date)], [], [], [], [doc.number]]
    if doc.issue_date is not None:
        bak.append([w.date(doc.issue_date)])
    body = [X12Segment("BAK", bak)]
    if doc.currency:
        body.append(X12Segment("CUR", [["SE"], [doc.currency]]))
    body += w.references(doc.references)
    body += w.dtm("017", doc.delivery_date)
    body += w.notes_loop(doc.notes)
    body += w.party("BY", doc.buyer) + w.party("SE", doc.seller) + w.party("ST", doc.ship_to)
    for line in doc.lines:
        body += _line(w, line, doc.response_type)
    if doc.lines:
        body.append(X12Segment("CTT", [[str(len(doc.lines))]]))
    return transaction("855", control_number, body)


def _line(w: X12SegmentWriter, line: OrderResponseLine, response_type: ResponseType) -> list[X12Segment]:
    unit = w.unit(line.unit) if line.unit else ""
    price = w.unit_price(line.unit_price, line.price_basis_quantity)
    ordered = line.ordered_quantity
    po1 = [
        [line.line_number],
        [w.decimal(ordered) if ordered is not None else ""],
        [unit if ordered is not None else ""],
        [w.decimal(price) if price is not None else ""],
        ["PE" if price is not None else ""],
        *w.item_ids(line),
    ]
    out = [X12Segment("PO1", po1), *w.pid(line.description), *w.references(line.references)]
    out += w.messages(line.notes)
    code = (
        line.line_status_code if LINE_STATUSES.get(line.line_status_code or "") == line.line_status else None
    )
    implied = (
        code is None
        and line.line_status_code is None
        and line.line_status == response_type
        and response_type in ("accepted", "rejected")
        and line.confirmed_quantity is None
        and line.delivery_date is None
    )
    if implied:
        return out
    ack = [[code or ACK_OF_STATUS[line.line_status]]]
    if line.confirmed_quantity is not None:
        if not unit:
            raise ValueError(f"line {line.line_number}: a confirmed quantity needs its unit (ACK02/ACK03)")
        ack += [[w.decimal(line.confirmed_quantity)], [unit]]
    if line.delivery_date is not None:
        ack += [[]] * (3 - len(ack)) + [["017"], [w.date(line.delivery_date)]]
    out.append(X12Segment("ACK", ack))
    return out
