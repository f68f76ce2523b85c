"""The canonical purchase order: what a customer orders from us, independent of the syntax it came in.

Field names follow business meaning (UBL 2.1 Order is the model for the vocabulary), so an EDIFACT
ORDERS, an X12 850 and a UBL Order all end up as the same JSON for the ERP.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from translators.documents.common import (
    CanonicalModel,
    DocumentLine,
    Money,
    Party,
    Quantity,
    Reference,
)


class PurchaseOrderLine(DocumentLine):
    """One ordered item.

    ``unit_price`` is the net price when the partner sent one (EDIFACT PRI AAA), else the gross price
    (AAB); it is the price for ``price_basis_quantity`` units when that is given (e.g. per 100), which
    is why ``line_amount`` is carried as sent rather than recomputed.
    """

    unit_price: Money | None = None
    price_basis_quantity: Quantity | None = None
    line_amount: Money | None = None
    requested_delivery_date: dt.date | None = None


class PurchaseOrder(CanonicalModel):
    """A purchase order received from a customer.

    ``document_name_code`` and ``message_function`` keep the EDIFACT BGM codes (``220`` order,
    ``9`` original, ``5`` replace, …) because an ERP must treat a replacement differently from a new
    order. ``line_count`` is the partner's own control count, when sent.
    """

    document_type: Literal["purchase_order"] = "purchase_order"
    number: str = Field(min_length=1)
    document_name_code: str | None = None
    message_function: str | None = None
    issue_date: dt.date | None = None
    requested_delivery_date: dt.date | None = None
    currency: str | None = None
    buyer: Party | None = None
    seller: Party | None = None
    ship_to: Party | None = None
    invoicee: Party | None = None
    references: list[Reference] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    lines: list[PurchaseOrderLine] = Field(default_factory=list)
    total_amount: Money | None = None
    line_count: int | None = None
