"""Shapes every canonical ERP document shares: parties, addresses, references, lines, amounts.

Purchase orders, order responses, delivery notes and invoices all talk about the same things — who
buys, who sells, where goods go, which item in which quantity at which price — so they use the same
models here. An ERP team that has read one document type can read all of them.

Money and quantities are :class:`~decimal.Decimal` and travel as JSON *strings* (``"12.50"``), never
as JSON numbers: a JSON number becomes a binary float in most consumers, and an order total that is
off by a cent is a real problem. The published JSON Schema says so (``type: string`` with a decimal
pattern) in both validation and serialisation mode.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def _decimal_to_json(value: Decimal) -> str:
    """Fixed-point text with the scale as sent: ``Decimal("12.50")`` → ``"12.50"``, never ``"1.25E+1"``.

    The scale is kept because it carries meaning in business documents (a price quoted to 4 places);
    ``format(value, "f")`` avoids the exponent notation ``str()`` produces for some values.
    """
    return format(value, "f")


DecimalString = Annotated[
    Decimal,
    PlainSerializer(_decimal_to_json, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}),
]
"""A Decimal that is a JSON string with a decimal pattern in the JSON data *and* in the JSON Schema."""

Money = DecimalString
"""An amount in the document's currency (see the document's ``currency``)."""

Quantity = DecimalString
"""A quantity; its unit is carried next to it."""


class CanonicalModel(BaseModel):
    """Base of every canonical model: unknown fields are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


class Address(CanonicalModel):
    """A postal address as partners send it; ``country`` is an ISO 3166-1 alpha-2 code when given."""

    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None


class Party(CanonicalModel):
    """A buyer, seller, delivery point or invoicee.

    ``gln`` is set when the partner identified the party by GS1 Global Location Number; ``erp_id`` is
    the ERP's own number for that GLN from the partner profile, or None when the profile does not know
    it (an unknown party is for the ERP to decide on, not for the translator to guess).
    ``party_id``/``party_id_agency`` keep an identifier that is not a GLN (e.g. a buyer-assigned
    number, agency 92) so that nothing the partner sent is lost.
    """

    gln: str | None = None
    erp_id: str | None = None
    party_id: str | None = None
    party_id_agency: str | None = None
    name: str | None = None
    address: Address | None = None


class Reference(CanonicalModel):
    """A reference to another document: contract, earlier order, promotion deal, …

    ``qualifier`` is the code as sent (EDIFACT 1153, e.g. ``CT``), so nothing is lost for codes edigate
    has no name for; ``type`` is a readable name (``contract``) when the code is a well-known one.
    """

    qualifier: str
    type: str | None = None
    value: str
    date: dt.date | None = None


class DocumentLine(CanonicalModel):
    """What every document line has: which item (by every identifier the partner gave), how many.

    ``erp_item_id`` is the ERP SKU found through the partner profile from the GTIN or the partner's
    item numbers; ``unit`` is the unit after the profile's unit mapping.
    """

    line_number: str
    gtin: str | None = None
    buyer_item_id: str | None = None
    seller_item_id: str | None = None
    erp_item_id: str | None = None
    description: str | None = None
    quantity: Quantity
    unit: str
    notes: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
