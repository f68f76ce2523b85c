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

Percent = DecimalString
"""A percentage as written (``"19"`` is 19 %, not 0.19): tax rates, discount percentages."""


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


class InvoiceParty(Party):
    """A party of an invoice: a :class:`Party` plus its VAT identifier.

    ``vat_id`` is EN 16931 BT-31 (seller) / BT-48 (buyer), EDIFACT RFF+VA after the NAD, UBL
    ``PartyTaxScheme/CompanyID``. It lives on a subclass rather than on Party because only invoices
    need it for tax, and an order's party JSON stays what ERP teams already consume.
    """

    vat_id: str | None = None


class Measure(CanonicalModel):
    """A measured value with its unit (after the profile's unit mapping): a gross weight, a volume."""

    value: Quantity
    unit: str


class ItemLine(CanonicalModel):
    """Which item a line is about, by every identifier the partner gave — without a quantity.

    The base of every line. :class:`DocumentLine` adds the one quantity most lines have; lines that
    carry several quantities (an order response line: ordered *and* confirmed) extend this directly,
    so no document has a ``quantity`` whose meaning the reader must guess. ``notes`` and
    ``references`` are declared by each subclass, after its quantities, so that the JSON of every
    line reads identifiers → quantities → the rest.
    """

    line_number: str
    gtin: str | None = None
    buyer_item_id: str | None = None
    seller_item_id: str | None = None
    erp_item_id: str | None = None
    description: str | None = None


class AllowanceCharge(CanonicalModel):
    """A discount (allowance) or surcharge (charge), at document or line level.

    EN 16931 BG-20/BG-21 (document) and BG-27/BG-28 (line); EDIFACT ALC + MOA 204/23 + PCD + TAX;
    X12 SAC; UBL ``AllowanceCharge``. ``amount`` is always positive: ``is_charge`` gives the sign, as in
    every one of those standards. ``reason_code`` keeps the code as sent (UNCL 5189/7161, X12 SAC02).
    """

    is_charge: bool
    amount: Money
    reason: str | None = None
    reason_code: str | None = None
    base_amount: Money | None = None
    percent: Percent | None = None
    tax_category: str | None = None
    tax_rate: Percent | None = None


class DocumentLine(ItemLine):
    """What most document lines have: which item (by every identifier the partner gave), how many.

    ``erp_item_id`` is the ERP SKU found through the partner profile from the GTIN or the partner's
    item numbers; ``unit`` is the unit after the profile's unit mapping. ``quantity`` means what the
    document is about: ordered (purchase order), despatched (delivery note), invoiced (invoice).
    """

    quantity: Quantity
    unit: str
    notes: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
