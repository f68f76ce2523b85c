"""Canonical OrderResponse → EDIFACT ORDRSP (UN D96A / D01B, EANCOM 1997 / 2002).

The inverse of :mod:`translators.edifact.maps.ordrsp`: BGM 231 with the answer in 1225 (29 accepted,
27 not accepted, 4 changed) or, when the document's code is one, in 4343 (AP/RE/CA); DTM 137/69;
FTX; RFF+ON (+DTM 171) naming the order answered; NAD BY/SU/DP; CUX; per line LIN with its 1229
action, PIA, IMD, QTY 21 ordered / 113 confirmed, DTM 69, FTX, PRI AAA, RFF; UNS; CNT 2.

A line whose status is the whole-order answer (accepted or rejected) and which carries no code of
its own is written without 1229, because the map gives such a line exactly that status: writing a
code would change ``line_status_code`` on the way back.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.documents.order_response import LineStatus, OrderResponse, OrderResponseLine, ResponseType
from translators.edifact.maps.ordrsp import LINE_STATUS_BY_ACTION, RESPONSE_BY_FUNCTION, RESPONSE_BY_TYPE
from translators.edifact.model import Segment
from translators.edifact.writers.segments import EdifactVersion, SegmentWriter, message, named_first

FUNCTION_OF_RESPONSE: Mapping[ResponseType, str] = MappingProxyType(
    {"accepted": "29", "rejected": "27", "changed": "4"}
)
"""BGM 1225 written for a whole-order answer when the document carries no EDIFACT code of its own."""

ACTION_OF_STATUS: Mapping[LineStatus, str] = MappingProxyType(
    {"accepted": "5", "changed": "3", "rejected": "7", "added": "1", "backordered": "3"}
)
"""LIN 1229 for a line status. EDIFACT has no "backordered": it is a change (3) of the line."""


def render_ordrsp(
    doc: OrderResponse,
    *,
    version: EdifactVersion,
    association: str | None,
    message_reference: str,
    decimal_mark: str = ".",
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[Segment]:
    """UNH … UNT of one ORDRSP answering ``doc.order_number``.

    Raises ValueError for a response that cannot be written validly (no date at all: DTM is
    mandatory), or for text that does not fit the directory.
    """
    w = SegmentWriter(
        version=version,
        association=association,
        decimal_mark=decimal_mark,
        units=units,
        parties=parties,
        items=items,
        we_sell=True,
    )
    if doc.issue_date is None and doc.delivery_date is None:
        raise ValueError("an ORDRSP needs a date (DTM is mandatory): set issue_date")
    body: list[Segment] = [_bgm(doc), *w.dtm("137", doc.issue_date), *w.dtm("69", doc.delivery_date)]
    for note in doc.notes:
        body += w.ftx("AAI", note)
    references = named_first(doc.references, ("ON",), doc.order_number, "ON")
    if references[0].qualifier == "ON" and references[0].date is None and doc.order_date is not None:
        references[0] = references[0].model_copy(update={"date": doc.order_date})
    body += w.references(references)
    body += w.nad("BY", doc.buyer) + w.nad("SU", doc.seller) + w.nad("DP", doc.ship_to)
    body += w.cux(doc.currency, "9")
    for line in doc.lines:
        body += _line(w, line, doc.response_type)
    body.append(Segment("UNS", [["S"]]))
    if doc.lines:
        body += w.cnt(len(doc.lines))
    return message("ORDRSP", version, association, message_reference, body)


def _bgm(doc: OrderResponse) -> Segment:
    """BGM+231: the document's own code when it is an EDIFACT one for the same answer, else 1225."""
    code = doc.response_code
    if code is not None and RESPONSE_BY_FUNCTION.get(code) == doc.response_type:
        return Segment("BGM", [["231"], [doc.number], [code]])
    if code is not None and RESPONSE_BY_TYPE.get(code) == doc.response_type:
        return Segment("BGM", [["231"], [doc.number], [], [code]])
    return Segment("BGM", [["231"], [doc.number], [FUNCTION_OF_RESPONSE[doc.response_type]]])


def _action(line: OrderResponseLine, response_type: ResponseType) -> str:
    code = line.line_status_code
    if code is not None and LINE_STATUS_BY_ACTION.get(code) == line.line_status:
        return code
    if code is None and line.line_status == response_type and response_type in ("accepted", "rejected"):
        return ""  # the map derives the status from the whole-order answer
    return ACTION_OF_STATUS[line.line_status]


def _line(w: SegmentWriter, line: OrderResponseLine, response_type: ResponseType) -> list[Segment]:
    out = w.item_segments(line, _action(line, response_type))
    out += w.imd(line.description)
    out += w.qty("21", line.ordered_quantity, line.unit)
    out += w.qty("113", line.confirmed_quantity, line.unit)
    out += w.dtm("69", line.delivery_date)
    for note in line.notes:
        out += w.ftx("AAI", note)
    out += w.pri("AAA", line.unit_price, line.price_basis_quantity, line.unit)
    out += w.references(line.references)
    return out
