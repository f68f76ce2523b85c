"""Writing the segments every EDIFACT writer writes: numbers, dates, parties, references, item numbers.

The inverse of :mod:`translators.edifact.maps.segments`. ORDERS, ORDRSP, DESADV and INVOIC all carry
BGM, DTM, FTX, RFF, NAD, LIN/PIA/IMD, QTY, PRI and MOA, and each inbound map reads them the same way,
so they are written the same way here: whatever :class:`SegmentWriter` writes, the shared reader
(``SegmentReader``) reads back to the same value.

Values are written as the directory allows them: text is cut at word boundaries into the components
and segments the directory has room for (the readers join the pieces with one space again), numbers
use the interchange's decimal mark and never an exponent, dates are CCYYMMDD (format 102).

Codes go the other way from the profile's code maps: the caller passes *reverse* maps (ERP unit →
partner unit, ERP party number → GLN, ERP SKU → partner item number or GTIN) as plain dicts, because
the profile's maps are partner → ERP and a writer must not guess an inversion of a many-to-one map.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from translators.documents.common import ItemLine, Party, Reference
from translators.edifact.definitions import load_definition
from translators.edifact.maps.segments import looks_like_gtin
from translators.edifact.model import Segment

EdifactVersion = Literal["D96A", "D01B"]
VERSIONS: tuple[EdifactVersion, ...] = ("D96A", "D01B")


@dataclass(frozen=True, slots=True)
class Limits:
    """Maximum lengths that differ between the directories edigate writes (the rest are equal).

    ``text`` is 4440 (FTX C108), ``description`` 7008 (IMD C273), ``reference`` 1154 (RFF C506).
    """

    text: int
    description: int
    reference: int


LIMITS: Mapping[str, Limits] = MappingProxyType(
    {
        "D96A": Limits(text=70, description=35, reference=35),
        "D01B": Limits(text=512, description=256, reference=70),
    }
)
NAME_LENGTH = 35  # 3036 party name, 3042 street, 3164 city, 7160 allowance text, 4276 terms text
NAME_COMPONENTS = 5  # C080
STREET_COMPONENTS = 4  # C059

EANCOM_ASSOCIATIONS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("ORDERS", "D96A"): "EAN008",
        ("ORDRSP", "D96A"): "EAN005",
        ("DESADV", "D96A"): "EAN005",
        ("INVOIC", "D96A"): "EAN008",
        ("ORDERS", "D01B"): "EAN010",
        ("ORDRSP", "D01B"): "EAN010",
        ("DESADV", "D01B"): "EAN007",
        ("INVOIC", "D01B"): "EAN010",
    }
)
"""UNH 0057 association code of the EANCOM 1997 (D96A) and 2002 (D01B) message editions edigate
writes, for callers that only know "this partner speaks EANCOM"."""


def wrap(text: str, width: int) -> list[str]:
    """``text`` in pieces of at most ``width`` characters, cut at spaces where possible.

    Readers join pieces with one space, so a cut at a space loses nothing; a word longer than
    ``width`` has to be cut inside (and reads back with a space in it) — the only way to send it.
    """
    pieces: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def chunks(values: Sequence[str], size: int) -> list[list[str]]:
    """``values`` in consecutive groups of ``size`` (the last may be shorter)."""
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


class SegmentWriter:
    """Builds the segments of one message. One instance per render call: no module-level state.

    ``we_sell`` says which side of the trade edigate's company is on in this message: it decides
    whose item number the ERP SKU is (the seller's article number when we sell, the buyer's item
    number when we buy).
    """

    def __init__(
        self,
        *,
        version: EdifactVersion,
        association: str | None,
        decimal_mark: str,
        units: Mapping[str, str] | None,
        parties: Mapping[str, str] | None,
        items: Mapping[str, str] | None,
        we_sell: bool,
    ) -> None:
        if version not in LIMITS:
            raise ValueError(
                f"EDIFACT directory {version!r} cannot be written; supported: {', '.join(VERSIONS)}"
            )
        if decimal_mark not in (".", ","):
            raise ValueError(f"decimal mark {decimal_mark!r} must be '.' or ','")
        self.version = version
        self.association = association or ""
        self.limits = LIMITS[version]
        self.decimal_mark = decimal_mark
        self.units = units or {}
        self.parties = parties or {}
        self.items = items or {}
        self.we_sell = we_sell

    @property
    def eancom_2002(self) -> bool:
        """EANCOM 2002 (D01B) identifies a GTIN with 7143 ``SRV``; everything else uses ``EN``."""
        return self.version == "D01B" and self.association.upper().startswith("EAN")

    @property
    def eancom(self) -> bool:
        return self.association.upper().startswith("EAN")

    def has_code(self, message_type: str, element: str, code: str) -> bool:
        """Whether ``code`` is in the code list of ``element`` for this message (UN or EANCOM list),
        so a writer can choose between two places for a code the way the validator will judge it."""
        definition = load_definition(message_type, self.version[0], self.version[1:], self.association)
        if definition is None:
            return False
        return code in definition.un_codes.get(element, frozenset()) or code in definition.ean_codes.get(
            element, frozenset()
        )

    # -- values ---------------------------------------------------------------------------------

    def number(self, value: Decimal | int) -> str:
        """Fixed-point text with the interchange's decimal mark; never an exponent, never ``-0``."""
        text = format(Decimal(value), "f")
        if text.startswith("-") and Decimal(value) == 0:
            text = text[1:]
        return text.replace(".", self.decimal_mark)

    @staticmethod
    def date(value: dt.date) -> str:
        return value.strftime("%Y%m%d")

    def unit(self, erp_unit: str) -> str:
        """The partner's unit for an ERP unit (reverse unit map); unmapped units pass through."""
        return self.units.get(erp_unit, erp_unit)

    def gln(self, party: Party) -> str | None:
        """The party's GLN, else the GLN the reverse party map has for its ERP number."""
        if party.gln:
            return party.gln
        if party.erp_id:
            return self.parties.get(party.erp_id)
        return None

    # -- segments -------------------------------------------------------------------------------

    def dtm(self, qualifier: str, value: dt.date | None) -> list[Segment]:
        """DTM C507 with format 102, or nothing when there is no date."""
        if value is None:
            return []
        return [Segment("DTM", [[qualifier, self.date(value), "102"]])]

    def ftx(self, subject: str, text: str) -> list[Segment]:
        """FTX with ``text`` in C108: five components per segment, as many segments as needed."""
        pieces = wrap(text, self.limits.text)
        return [Segment("FTX", [[subject], [], [], group]) for group in chunks(pieces, 5)]

    def imd(self, description: str | None) -> list[Segment]:
        """IMD+F (free-form) with the description in C273 7008 (two components per segment)."""
        if not description:
            return []
        pieces = wrap(description, self.limits.description)
        return [Segment("IMD", [["F"], [], ["", "", "", *group]]) for group in chunks(pieces, 2)]

    def rff(self, qualifier: str, value: str, line: str | None = None) -> Segment:
        return Segment("RFF", [[qualifier, value, line or ""]])

    def references(
        self, references: Iterable[Reference], line_numbers: Mapping[int, str] | None = None
    ) -> list[Segment]:
        """RFF (+ DTM 171 when the reference is dated) for each reference, in order.

        ``line_numbers`` puts a 1156 line number on the reference at that index (RFF+ON:PO:3).
        """
        out: list[Segment] = []
        for index, reference in enumerate(references):
            line = (line_numbers or {}).get(index)
            out.append(self.rff(reference.qualifier, reference.value, line))
            out.extend(self.dtm("171", reference.date))
        return out

    def nad(self, qualifier: str, party: Party | None) -> list[Segment]:
        """NAD: C082 GLN with agency 9 (or the non-GLN id with its agency), C080 name, C059 street,
        city, postcode, country — the fields the maps' ``party`` reads back."""
        if party is None:
            return []
        gln = self.gln(party)
        if gln:
            c082 = [gln, "", "9"]
        elif party.party_id:
            c082 = [party.party_id, "", party.party_id_agency or ""]
        else:
            c082 = []
        name = wrap(party.name, NAME_LENGTH) if party.name else []
        if len(name) > NAME_COMPONENTS:
            raise ValueError(f"party name {party.name!r} does not fit NAD C080 (5 × 35 characters)")
        address = party.address
        street: list[str] = []
        city = postcode = country = ""
        if address is not None:
            street = self.street(address.street) if address.street else []
            city, postcode, country = address.city or "", address.postal_code or "", address.country or ""
        return [Segment("NAD", [[qualifier], c082, [], name, street, [city], [], [postcode], [country]])]

    @staticmethod
    def street(street: str) -> list[str]:
        """C059 components. The reader joins them with ", ", so a street is split there first."""
        parts = street.split(", ")
        if len(parts) <= STREET_COMPONENTS and all(len(p) <= NAME_LENGTH for p in parts):
            return parts
        pieces = wrap(street, NAME_LENGTH)
        if len(pieces) > STREET_COMPONENTS:
            raise ValueError(f"street {street!r} does not fit NAD C059 (4 × 35 characters)")
        return pieces

    def cux(self, currency: str | None, usage: str) -> list[Segment]:
        """CUX+2:<currency>:<usage> (2 reference currency; usage 9 order, 4 invoicing)."""
        return [Segment("CUX", [["2", currency, usage]])] if currency else []

    def item_segments(self, line: ItemLine, action: str = "") -> list[Segment]:
        """LIN (line number, 1229 action, GTIN) and PIA with the buyer's and seller's numbers.

        When nothing identifies the item but the ERP SKU, the reverse item map gives the partner's
        number or GTIN; without a mapping the SKU is written as our own article number (SA when we
        sell, IN when we buy) — it *is* our number for the item.
        """
        gtin, seller, buyer = line.gtin, line.seller_item_id, line.buyer_item_id
        if not (gtin or seller or buyer) and line.erp_item_id:
            mapped = self.items.get(line.erp_item_id)
            if mapped and looks_like_gtin(mapped):
                gtin = mapped
            elif mapped:
                seller, buyer = (None, mapped) if self.we_sell else (mapped, None)
            elif self.we_sell:
                seller = line.erp_item_id
            else:
                buyer = line.erp_item_id
        lin: list[list[str]] = [[line.line_number], [action]]
        if gtin:
            lin.append([gtin, "SRV" if self.eancom_2002 else "EN"])
        out = [Segment("LIN", lin)]
        additional = [[value, kind] for value, kind in ((seller, "SA"), (buyer, "IN")) if value]
        if additional:
            out.append(Segment("PIA", [["1" if gtin else "5"], *additional]))
        return out

    def qty(self, qualifier: str, quantity: Decimal | None, unit: str | None) -> list[Segment]:
        if quantity is None:
            return []
        c186 = [qualifier, self.number(quantity)]
        if unit:
            c186.append(self.unit(unit))
        return [Segment("QTY", [c186])]

    def pri(
        self, qualifier: str, price: Decimal | None, basis: Decimal | None, unit: str | None
    ) -> list[Segment]:
        """PRI C509: 5125 qualifier, 5118 price, and 5284 basis with its unit when not per one unit."""
        if price is None:
            return []
        c509 = [qualifier, self.number(price)]
        if basis is not None:
            c509 += ["", "", self.number(basis), self.unit(unit) if unit else ""]
        return [Segment("PRI", [c509])]

    def moa(self, qualifier: str, amount: Decimal | None) -> list[Segment]:
        return [] if amount is None else [Segment("MOA", [[qualifier, self.number(amount)]])]

    def pcd(self, qualifier: str, percent: Decimal | None) -> list[Segment]:
        return [] if percent is None else [Segment("PCD", [[qualifier, self.number(percent)]])]

    def tax(self, category: str | None, rate: Decimal | None) -> list[Segment]:
        """TAX+7+VAT with the rate in C243 5278 and the category in 5305."""
        if category is None and rate is None:
            return []
        rate_text = self.number(rate) if rate is not None else ""
        return [Segment("TAX", [["7"], ["VAT"], [], [], ["", "", "", rate_text], [category or ""]])]

    def cnt(self, count: int) -> list[Segment]:
        return [Segment("CNT", [["2", str(count)]])]


def message(
    message_type: str,
    version: EdifactVersion,
    association: str | None,
    reference: str,
    body: Sequence[Segment],
) -> list[Segment]:
    """UNH + ``body`` + UNT, with the UNT count (UNH … UNT inclusive) and the reference repeated."""
    if not reference or len(reference) > 14:
        raise ValueError(f"message reference {reference!r} must be 1-14 characters (UNH 0062)")
    s009 = [message_type, version[0], version[1:], "UN"]
    if association:
        s009.append(association)
    return [
        Segment("UNH", [[reference], s009]),
        *body,
        Segment("UNT", [[str(len(body) + 2)], [reference]]),
    ]


def named_first(
    references: Sequence[Reference], qualifiers: Iterable[str], value: str | None, qualifier: str
) -> list[Reference]:
    """``references`` so that the first one with any of ``qualifiers`` carries ``value``.

    A map fills a named field (order number, delivery note, contract …) from the first reference
    of its kind. When the document's field and its references disagree or the reference is absent,
    a reference with ``qualifier`` is put first so that the field reads back as it is.
    """
    if value is None:
        return list(references)
    kinds = frozenset(qualifiers)
    first = next((r for r in references if r.qualifier in kinds), None)
    if first is not None and first.value == value:
        return list(references)
    return [Reference(qualifier=qualifier, value=value), *references]
