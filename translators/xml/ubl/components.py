"""UBL 2.1 common components (``cac``/``cbc``) read the same way in every UBL document.

Parties, addresses, items, amounts with ``currencyID``, quantities with ``unitCode`` and document
references look alike in an Order, a DespatchAdvice and an Invoice, so each UBL map reads them
through one :class:`UblReader` and differs only in which elements it visits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from lxml import etree

from translators.documents.common import Address, Party, Reference
from translators.edifact.maps.result import CodeLookup
from translators.xml.namespaces import UBL_PREFIXES
from translators.xml.values import ValueReader

GLN_SCHEMES = frozenset({"GLN", "0088", "EAN"})
"""schemeID values that say "this is a GS1 GLN": ISO 6523 ICD 0088 and the legacy names."""

GTIN_SCHEMES = frozenset({"GTIN", "0160", "EAN", "UPC"})
"""schemeID values of StandardItemIdentification that say "this is a GS1 GTIN" (ICD 0160)."""

DEFAULT_UNIT = "C62"
"""UN/ECE Rec 20 "one": the unit of a UBL quantity sent without ``unitCode``."""

REFERENCE_ELEMENTS: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {
        # UBL document reference element → (EDIFACT 1153 qualifier, readable type), so a reference
        # reads the same whichever syntax it came in; others keep the UBL element name as qualifier.
        "cac:ContractDocumentReference": ("CT", "contract"),
        "cac:Contract": ("CT", "contract"),
        "cac:OrderReference": ("ON", "buyer_order"),
        "cac:DespatchDocumentReference": ("AAK", "despatch_advice"),
        "cac:BillingReference/cac:InvoiceDocumentReference": ("IV", "invoice"),
        "cac:QuotationDocumentReference": ("QuotationDocumentReference", None),
        "cac:OrderDocumentReference": ("OrderDocumentReference", None),
        "cac:OriginatorDocumentReference": ("OriginatorDocumentReference", None),
        "cac:ReceiptDocumentReference": ("ReceiptDocumentReference", None),
        "cac:AdditionalDocumentReference": ("AdditionalDocumentReference", None),
    }
)


@dataclass(frozen=True, slots=True)
class ItemIds:
    """What a UBL ``cac:Item`` says about the item, with the ERP SKU found through the profile."""

    gtin: str | None
    buyer_item_id: str | None
    seller_item_id: str | None
    erp_item_id: str | None
    description: str | None


class UblReader(ValueReader):
    """A :class:`ValueReader` that knows UBL prefixes, the document currency and the partner's codes."""

    def __init__(self, root: etree._Element, codes: CodeLookup) -> None:
        super().__init__()
        self.root = root
        self.codes = codes
        self.currency = self.raw(self.find(root, "cbc:DocumentCurrencyCode"))

    # -- navigation -----------------------------------------------------------------------------

    @staticmethod
    def find(element: etree._Element | None, path: str) -> etree._Element | None:
        return element.find(path, UBL_PREFIXES) if element is not None else None

    @staticmethod
    def findall(element: etree._Element | None, path: str) -> list[etree._Element]:
        return element.findall(path, UBL_PREFIXES) if element is not None else []

    def text_at(self, element: etree._Element | None, path: str) -> str | None:
        return self.raw(self.find(element, path))

    def notes(self, element: etree._Element | None) -> list[str]:
        """Every ``cbc:Note`` directly under ``element``, whitespace-collapsed, in order."""
        return [n for n in (self.free_text(e) for e in self.findall(element, "cbc:Note")) if n]

    # -- amounts and quantities -----------------------------------------------------------------

    def amount(self, element: etree._Element | None, what: str, *, required: bool = False) -> Decimal | None:
        """An amount; its ``currencyID`` must be the document currency (``CURRENCY_MISMATCH``).

        The first currencyID seen becomes the document currency when the document names none, so a
        document that mixes currencies is always caught.
        """
        value = self.decimal(element, what, required=required)
        if element is None or value is None:
            return value
        currency = self.raw(element, "currencyID")
        if currency is not None:
            if self.currency is None:
                self.currency = currency
            elif currency != self.currency:
                self.error(
                    "CURRENCY_MISMATCH",
                    f"{what} is in {currency}, the document currency is {self.currency}",
                    element,
                    "currencyID",
                )
        return value

    def quantity(
        self, element: etree._Element | None, what: str, *, required: bool = False
    ) -> tuple[Decimal | None, str]:
        """A quantity and its ERP unit (``unitCode`` through the profile; C62 when not given)."""
        value = self.decimal(element, what, required=required)
        unit = self.raw(element, "unitCode") if element is not None else None
        return value, self.codes.unit(unit or DEFAULT_UNIT)

    # -- parties --------------------------------------------------------------------------------

    def address(self, element: etree._Element | None) -> Address | None:
        """``cac:PostalAddress`` / ``cac:Address`` → Address; street is name + number, then extra lines."""
        if element is None:
            return None
        street_name = self.free_text(self.find(element, "cbc:StreetName"))
        number = self.text_at(element, "cbc:BuildingNumber")
        first = " ".join(p for p in (street_name, number) if p) or None
        extra = [self.free_text(self.find(element, "cbc:AdditionalStreetName"))]
        extra += [self.free_text(e) for e in self.findall(element, "cac:AddressLine/cbc:Line")]
        street = ", ".join(p for p in (first, *extra) if p) or None
        address = Address(
            street=street,
            city=self.free_text(self.find(element, "cbc:CityName")),
            postal_code=self.text_at(element, "cbc:PostalZone"),
            country=self.text_at(element, "cac:Country/cbc:IdentificationCode"),
        )
        return address if any(address.model_dump().values()) else None

    def party(self, party: etree._Element | None, *, address_path: str = "cac:PostalAddress") -> Party | None:
        """``cac:Party`` → Party.

        The GLN is the PartyIdentification with a GLN scheme (the party's business identity), else the
        EndpointID with one (its electronic address); the first other PartyIdentification is kept as
        ``party_id`` with its schemeAgencyID (or schemeID) as agency, so nothing the partner sent is lost.
        """
        if party is None:
            return None
        gln: str | None = None
        other: tuple[str, str | None] | None = None
        for identifier in self.findall(party, "cac:PartyIdentification/cbc:ID"):
            value = self.raw(identifier)
            if value is None:
                continue
            if _is_gln(identifier) and gln is None:
                gln = value
            elif not _is_gln(identifier) and other is None:
                agency = self.raw(identifier, "schemeAgencyID") or self.raw(identifier, "schemeID")
                other = (value, agency)
        endpoint = self.find(party, "cbc:EndpointID")
        if gln is None and endpoint is not None and _is_gln(endpoint):
            gln = self.raw(endpoint)
        name = self.free_text(self.find(party, "cac:PartyName/cbc:Name")) or self.free_text(
            self.find(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        )
        return Party(
            gln=gln,
            erp_id=self.codes.party(gln) if gln else None,
            party_id=other[0] if other else None,
            party_id_agency=other[1] if other else None,
            name=name,
            address=self.address(self.find(party, address_path)),
        )

    def location_party(self, location: etree._Element | None) -> Party | None:
        """``cac:DeliveryLocation`` (ID + Address) → Party, for ship-to."""
        if location is None:
            return None
        identifier = self.find(location, "cbc:ID")
        value = self.raw(identifier)
        is_gln = identifier is not None and value is not None and _is_gln(identifier)
        party = Party(
            gln=value if is_gln else None,
            erp_id=self.codes.party(value) if is_gln and value else None,
            party_id=value if value and not is_gln else None,
            party_id_agency=(self.raw(identifier, "schemeAgencyID") or self.raw(identifier, "schemeID"))
            if value and not is_gln and identifier is not None
            else None,
            name=self.free_text(self.find(location, "cbc:Name")),
            address=self.address(self.find(location, "cac:Address")),
        )
        return party if any(party.model_dump().values()) else None

    # -- items and references -------------------------------------------------------------------

    def item(self, item: etree._Element | None) -> ItemIds:
        """``cac:Item`` → identifiers and description; the ERP SKU is looked up GTIN first."""
        standard = self.find(item, "cac:StandardItemIdentification/cbc:ID")
        gtin = self.raw(standard)
        if standard is not None and gtin is not None:
            scheme = self.raw(standard, "schemeID")
            if scheme is not None and scheme.upper() not in GTIN_SCHEMES:
                gtin = None  # a standard id that is not a GTIN (e.g. a UNSPSC code) is not a GTIN
        seller = self.text_at(item, "cac:SellersItemIdentification/cbc:ID")
        buyer = self.text_at(item, "cac:BuyersItemIdentification/cbc:ID")
        erp_item_id = None
        for candidate in (gtin, seller, buyer):
            if candidate and erp_item_id is None:
                erp_item_id = self.codes.item(candidate)
        name = self.free_text(self.find(item, "cbc:Name"))
        descriptions = [d for d in (self.free_text(e) for e in self.findall(item, "cbc:Description")) if d]
        description = "; ".join(p for p in (name, *descriptions) if p) or None
        return ItemIds(gtin, buyer, seller, erp_item_id, description)

    def references(self, element: etree._Element, paths: tuple[str, ...]) -> list[Reference]:
        """Document references under ``element`` at ``paths`` (keys of :data:`REFERENCE_ELEMENTS`)."""
        found: list[Reference] = []
        for path in paths:
            qualifier, kind = REFERENCE_ELEMENTS[path]
            for reference in self.findall(element, path):
                value = self.text_at(reference, "cbc:ID")
                if value is None:
                    continue
                date = self.date(self.find(reference, "cbc:IssueDate"), "reference issue date")
                found.append(Reference(qualifier=qualifier, type=kind, value=value, date=date))
                if path == "cac:OrderReference":
                    sales_order = self.text_at(reference, "cbc:SalesOrderID")
                    if sales_order is not None:
                        found.append(Reference(qualifier="VN", type="seller_order", value=sales_order))
        return found


def _is_gln(identifier: etree._Element) -> bool:
    scheme = (identifier.get("schemeID") or "").strip().upper()
    if scheme:
        return scheme in GLN_SCHEMES
    return (identifier.get("schemeAgencyID") or "").strip() == "9"  # agency 9 = GS1
