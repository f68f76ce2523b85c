"""The canonical order response: a supplier's answer to one of our purchase orders.

Accept, reject or change — for the whole order (``response_type``) and per line (``line_status``).
EDIFACT ORDRSP, X12 855 and UBL OrderResponse all end up as this JSON. The codes as sent are kept
next to the readable status (``response_code``, ``line_status_code``) because the code lists are
richer than the four or five answers an ERP acts on, and a buyer's EDI team must be able to see
exactly what the supplier said.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from translators.documents.common import CanonicalModel, ItemLine, Money, Party, Quantity, Reference

ResponseType = Literal["accepted", "rejected", "changed"]
"""Whole-order answer. EDIFACT BGM 1225 29/27/4 (or 4343 AP/RE/CA); X12 BAK02 AT/AC/AD/AE/AK/RD/RJ."""

LineStatus = Literal["accepted", "changed", "rejected", "backordered", "added"]
"""Per-line answer.

EDIFACT LIN 1229: 5/4 accepted, 3/6 changed, 7/2/10 rejected, 1 added (a line the buyer did not order,
e.g. a substitute). X12 ACK01: IA accepted, IC/IP/IQ/IS/DR changed, IR/ID/R* rejected, IB backordered.
"""


class OrderResponseLine(ItemLine):
    """The supplier's answer to one order line.

    ``ordered_quantity`` repeats what we ordered when the supplier sent it (EDIFACT QTY 21), and
    ``confirmed_quantity`` is what the supplier will deliver (QTY 113/12, X12 ACK02, UBL
    ``LineItem/Quantity``); both share ``unit``. A rejected line may carry neither.
    ``delivery_date`` is the date the supplier commits to for this line.
    """

    line_status: LineStatus
    line_status_code: str | None = None
    ordered_quantity: Quantity | None = None
    confirmed_quantity: Quantity | None = None
    unit: str | None = None
    unit_price: Money | None = None
    price_basis_quantity: Quantity | None = None
    delivery_date: dt.date | None = None
    notes: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)


class OrderResponse(CanonicalModel):
    """An order response received from a supplier, answering the purchase order ``order_number``.

    ``order_number`` is required: a response the ERP cannot match to its order is useless.
    ``references`` holds every reference the supplier sent (including the order reference), so
    nothing is lost; ``order_number``/``order_date`` are the one the ERP matches on.
    ``delivery_date`` is the delivery date the supplier commits to for the whole order.
    """

    document_type: Literal["order_response"] = "order_response"
    number: str = Field(min_length=1)
    issue_date: dt.date | None = None
    order_number: str = Field(min_length=1)
    order_date: dt.date | None = None
    response_type: ResponseType
    response_code: str | None = None
    delivery_date: dt.date | None = None
    currency: str | None = None
    buyer: Party | None = None
    seller: Party | None = None
    ship_to: Party | None = None
    notes: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    lines: list[OrderResponseLine] = Field(default_factory=list)
