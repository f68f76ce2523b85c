"""cXML building blocks read the same way in every cXML request: Money, addresses, contacts, items.

cXML carries most values in attributes (``quantity``, ``orderDate``, ``lineNumber``) and dates as
ISO 8601 date-times; :class:`CxmlReader` reads them strictly with the error located on the attribute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from translators.documents.common import Address, Party
from translators.edifact.maps.result import CodeLookup
from translators.xml.parser import CxmlCredential
from translators.xml.values import XSD_DATETIME, ValueReader

GLN_DOMAINS = frozenset({"GLN", "EANID", "ILN", "0088"})
"""cXML ``addressIDDomain`` / credential domains that mean "this is a GS1 GLN"."""

DEFAULT_UNIT = "EA"
"""cXML requires UnitOfMeasure; when a sender omits it anyway, the line counts pieces."""


@dataclass(frozen=True, slots=True)
class CxmlItem:
    """What an ``ItemID``/``ItemDetail`` pair says about the item, with the ERP SKU from the profile."""

    gtin: str | None
    buyer_item_id: str | None
    seller_item_id: str | None
    erp_item_id: str | None
    description: str | None


class CxmlReader(ValueReader):
    """A :class:`ValueReader` for cXML: the document currency and the partner's codes."""

    def __init__(self, root: etree._Element, codes: CodeLookup) -> None:
        super().__init__()
        self.root = root
        self.codes = codes
        self.currency: str | None = None

    @staticmethod
    def find(element: etree._Element | None, path: str) -> etree._Element | None:
        return element.find(path) if element is not None else None

    @staticmethod
    def findall(element: etree._Element | None, path: str) -> list[etree._Element]:
        return element.findall(path) if element is not None else []

    def text_at(self, element: etree._Element | None, path: str) -> str | None:
        return self.raw(self.find(element, path))

    def attribute_date(self, element: etree._Element | None, attribute: str, what: str) -> dt.date | None:
        """A cXML date-time attribute → its date as the sender wrote it."""
        return self.date(element, what, attribute=attribute, style=XSD_DATETIME)

    def money(self, holder: etree._Element | None, what: str, *, required: bool = False) -> Decimal | None:
        """``<X><Money currency="…">12.50</Money></X>``; every Money must be in the document currency.

        An empty ``<Money/>`` is treated as absent unless ``required``: cXML senders write it for
        "no amount", and an optional amount that is not there is not an error.
        """
        money = self.find(holder, "Money")
        if holder is not None and money is None and required:
            self.error("MISSING_ELEMENT", f"{what} has no Money", holder)
        value = self.decimal(money, what, required=required)
        if money is None or value is None:
            return value
        currency = self.raw(money, "currency")
        if currency is not None:
            if self.currency is None:
                self.currency = currency
            elif currency != self.currency:
                self.error(
                    "CURRENCY_MISMATCH",
                    f"{what} is in {currency}, the document currency is {self.currency}",
                    money,
                    "currency",
                )
        return value

    def quantity(
        self, element: etree._Element, unit_holder: etree._Element | None, what: str
    ) -> tuple[Decimal | None, str]:
        """The ``quantity`` attribute of ``element`` and the ERP unit from ``UnitOfMeasure``."""
        if element.get("quantity") is None:
            self.error("MISSING_VALUE", f"{what} is missing (attribute quantity)", element)
            value = None
        else:
            value = self.decimal(element, what, attribute="quantity", required=True)
        unit = self.text_at(unit_holder, "UnitOfMeasure")
        return value, self.codes.unit(unit or DEFAULT_UNIT)

    def comments(self, element: etree._Element | None) -> list[str]:
        return [c for c in (self.free_text(e) for e in self.findall(element, "Comments")) if c]

    def address_party(self, address: etree._Element | None) -> Party | None:
        """``Address`` or ``Contact`` (Name, PostalAddress, ``addressID``) → Party."""
        if address is None:
            return None
        postal = self.find(address, "PostalAddress")
        streets = [s for s in (self.free_text(e) for e in self.findall(postal, "Street")) if s]
        country = self.find(postal, "Country")
        value = Address(
            street=", ".join(streets) or None,
            city=self.free_text(self.find(postal, "City")),
            postal_code=self.text_at(postal, "PostalCode"),
            country=(self.raw(country, "isoCountryCode") if country is not None else None)
            or self.raw(address, "isoCountryCode"),
        )
        identifier = self.raw(address, "addressID")
        is_gln = (
            identifier is not None and (self.raw(address, "addressIDDomain") or "").upper() in GLN_DOMAINS
        )
        party = Party(
            gln=identifier if is_gln else None,
            erp_id=self.codes.party(identifier) if is_gln and identifier else None,
            party_id=identifier if identifier and not is_gln else None,
            party_id_agency=self.raw(address, "addressIDDomain") if identifier and not is_gln else None,
            name=self.free_text(self.find(address, "Name")),
            address=value if any(value.model_dump().values()) else None,
        )
        return party if any(party.model_dump().values()) else None

    def credential_party(self, credentials: tuple[CxmlCredential, ...]) -> Party | None:
        """The first header credential as a party: a GLN domain gives a GLN, else id + domain."""
        if not credentials:
            return None
        first = credentials[0]
        if first.domain.upper() in GLN_DOMAINS:
            return Party(gln=first.identity, erp_id=self.codes.party(first.identity))
        return Party(party_id=first.identity, party_id_agency=first.domain or None)

    def item(self, item_id: etree._Element | None, detail: etree._Element | None) -> CxmlItem:
        """``ItemID`` (SupplierPartID, BuyerPartID) and ``ItemDetail`` (Description, EANID)."""
        seller = self.text_at(item_id, "SupplierPartID")
        buyer = self.text_at(item_id, "BuyerPartID")
        gtin = self.text_at(detail, "ItemDetailIndustry/ItemDetailRetail/EANID")
        erp_item_id = None
        for candidate in (gtin, seller, buyer):
            if candidate and erp_item_id is None:
                erp_item_id = self.codes.item(candidate)
        return CxmlItem(gtin, buyer, seller, erp_item_id, self.free_text(self.find(detail, "Description")))
