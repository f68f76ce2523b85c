"""Writing the segments every X12 writer writes: numbers, dates, N1 loops, REF, PID, item ids.

The inverse of :mod:`translators.x12.maps.reading`: what :class:`X12SegmentWriter` writes, the shared
``X12Mapper`` reads back to the same value. X12 has no release character, so text is cut at word
boundaries into the segments the standard has room for (the maps join the pieces with one space),
and a value containing a delimiter is refused by the serialiser rather than sent broken.

Numbers: ``R`` elements are fixed-point text (never an exponent); ``N2`` elements (TDS, SAC05, ITD08)
are whole numbers of cents, and an amount with more than two decimals raises ValueError instead of
being rounded — a writer never changes what the ERP booked.

Codes come through reverse maps passed as plain dicts (ERP unit → partner unit, ERP party number →
GLN, ERP SKU → partner item number or GTIN), as for EDIFACT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal

from translators.documents.common import ItemLine, Party, Reference
from translators.edifact.maps.segments import looks_like_gtin
from translators.edifact.writers.segments import wrap
from translators.x12.acks.envelope import wrap_transaction
from translators.x12.model import X12Segment

X12Release = Literal["004010", "005010"]
RELEASES: tuple[X12Release, ...] = ("004010", "005010")

GTIN_QUALIFIER_BY_LENGTH = {8: "EO", 12: "UP", 13: "EN", 14: "UK"}
"""235 product id qualifier for a GTIN of each length: EAN-8, UPC-A, EAN-13, GTIN-14."""

NAME_LENGTH = 60  # N102, N201/N202
STREET_LENGTH = 55  # N301/N302
DESCRIPTION_LENGTH = 80  # PID05
NOTE_LENGTH = 264  # MSG01
PRICE_DECIMALS = 6  # at most this many decimals when a price per N units is written per unit


class X12SegmentWriter:
    """Builds the segments of one transaction set. One instance per render call.

    ``we_sell`` says whose item number the ERP SKU is (see the EDIFACT writers): the vendor's (VN)
    when we sell, the buyer's (BP) when we buy.
    """

    def __init__(
        self,
        *,
        release: X12Release,
        units: Mapping[str, str] | None,
        parties: Mapping[str, str] | None,
        items: Mapping[str, str] | None,
        we_sell: bool,
    ) -> None:
        if release not in RELEASES:
            raise ValueError(f"X12 release {release!r} cannot be written; supported: {', '.join(RELEASES)}")
        self.release = release
        self.units = units or {}
        self.parties = parties or {}
        self.items = items or {}
        self.we_sell = we_sell

    @property
    def reference_length(self) -> int:
        """REF02 (127): AN 1/30 in 004010, 1/50 in 005010."""
        return 30 if self.release == "004010" else 50

    # -- values ---------------------------------------------------------------------------------

    @staticmethod
    def decimal(value: Decimal | int) -> str:
        """An R value: fixed-point, no exponent, no trailing zeros beyond what was given."""
        text = format(Decimal(value), "f")
        return text[1:] if text.startswith("-") and Decimal(value) == 0 else text

    @staticmethod
    def cents(value: Decimal, what: str) -> str:
        """An N2 value (two implied decimals): 727.98 → ``72798``."""
        scaled = Decimal(value).scaleb(2)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{what} {value} has more than two decimals; X12 N2 cannot carry it")
        return str(int(scaled))

    @staticmethod
    def date(value: dt.date) -> str:
        return value.strftime("%Y%m%d")

    def unit(self, erp_unit: str) -> str:
        """The partner's unit (reverse map, else as is); X12 units (355) are two characters."""
        unit = self.units.get(erp_unit, erp_unit)
        if len(unit) != 2:
            raise ValueError(
                f"unit {unit!r} is not an X12 unit of measure (two characters, e.g. EA, KG); "
                f"map ERP unit {erp_unit!r} in the partner's unit codes"
            )
        return unit

    def unit_price(self, price: Decimal | None, basis: Decimal | None) -> Decimal | None:
        """The price of one unit. X12 PO1/IT1 have no price basis quantity, so a price for N units
        is written per unit (rounded to six decimals) rather than sent as a price per one."""
        if price is None or basis is None or basis == 1:
            return price
        if basis == 0:
            raise ValueError("price basis quantity 0: the price cannot be per zero units")
        return (price / basis).quantize(Decimal(1).scaleb(-PRICE_DECIMALS)).normalize()

    def gln(self, party: Party) -> str | None:
        if party.gln:
            return party.gln
        return self.parties.get(party.erp_id) if party.erp_id else None

    # -- segments -------------------------------------------------------------------------------

    def ref(self, qualifier: str, value: str) -> X12Segment:
        """REF with the value in REF02, or in REF03 (description, 80) when it is longer than REF02
        allows — the maps read REF03 when REF02 is empty."""
        if len(value) <= self.reference_length:
            return X12Segment("REF", [[qualifier], [value]])
        return X12Segment("REF", [[qualifier], [""], [value[:DESCRIPTION_LENGTH]]])

    def references(self, references: Iterable[Reference]) -> list[X12Segment]:
        return [self.ref(r.qualifier, r.value) for r in references]

    def dtm(self, qualifier: str, value: dt.date | None) -> list[X12Segment]:
        return [] if value is None else [X12Segment("DTM", [[qualifier], [self.date(value)]])]

    def party(self, entity: str, party: Party | None) -> list[X12Segment]:
        """N1 (entity, name, UL + GLN or the id with its qualifier), N2 for the rest of a long name,
        N3 street (split at ", " as the map joins it), N4 city/postcode/country.

        A party with neither a name nor an identifier cannot be written (N1 needs one of them).
        """
        if party is None:
            return []
        gln = self.gln(party)
        if gln:
            ident = ["UL", gln]
        elif party.party_id:
            ident = [party.party_id_agency or "ZZ", party.party_id]
        else:
            ident = []
        names = wrap(party.name, NAME_LENGTH) if party.name else []
        if not names and not ident:
            return []
        out = [X12Segment("N1", [[entity], [names[0] if names else ""], *([v] for v in ident)])]
        if len(names) > 3:
            raise ValueError(f"party name {party.name!r} does not fit N1 + N2 (3 × 60 characters)")
        if len(names) > 1:
            out.append(X12Segment("N2", [[n] for n in names[1:]]))
        address = party.address
        if address is not None and address.street:
            parts = address.street.split(", ")
            if len(parts) > 2 or any(len(p) > STREET_LENGTH for p in parts):
                parts = wrap(address.street, STREET_LENGTH)
            if len(parts) > 2:
                raise ValueError(f"street {address.street!r} does not fit N3 (2 × 55 characters)")
            out.append(X12Segment("N3", [[p] for p in parts]))
        if address is not None and (address.city or address.postal_code or address.country):
            n4 = [[address.city or ""], [""], [address.postal_code or ""], [address.country or ""]]
            out.append(X12Segment("N4", n4))
        return out

    def item_ids(self, line: ItemLine) -> list[list[str]]:
        """Qualifier/value element pairs for PO1/IT1/LIN: the GTIN (UP/EN/UK/EO by length), the
        vendor's number (VN), the buyer's (BP). The ERP SKU fills in when nothing else identifies
        the item (reverse item map, else the SKU as our own number)."""
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
        pairs: list[list[str]] = []
        if gtin:
            pairs += [[GTIN_QUALIFIER_BY_LENGTH.get(len(gtin), "EN")], [gtin]]
        if seller:
            pairs += [["VN"], [seller]]
        if buyer:
            pairs += [["BP"], [buyer]]
        return pairs

    def pid(self, description: str | None) -> list[X12Segment]:
        """PID*F (free-form) with the description in PID05, 80 characters per segment."""
        if not description:
            return []
        return [
            X12Segment("PID", [["F"], [], [], [], [piece]]) for piece in wrap(description, DESCRIPTION_LENGTH)
        ]

    def messages(self, notes: Sequence[str]) -> list[X12Segment]:
        """MSG segments, one note each (a note longer than MSG01 takes several)."""
        return [X12Segment("MSG", [[piece]]) for note in notes for piece in wrap(note, NOTE_LENGTH)]

    def notes_loop(self, notes: Sequence[str]) -> list[X12Segment]:
        """An N9 loop (N9*L1 letters or notes) holding the notes as MSG segments."""
        if not notes:
            return []
        return [X12Segment("N9", [["L1"], ["NOTES"]]), *self.messages(notes)]


def transaction(transaction_id: str, control_number: str, body: Sequence[X12Segment]) -> list[X12Segment]:
    """ST + ``body`` + SE (the shared acknowledgement envelope helper: SE01 counts ST … SE)."""
    return wrap_transaction(body, transaction_id=transaction_id, control_number=control_number)


def first_or_added(
    references: Sequence[Reference], qualifiers: Iterable[str], value: str | None, qualifier: str
) -> list[Reference]:
    """``references`` with one of ``qualifiers`` carrying ``value`` somewhere first-found; else a
    reference ``qualifier``/``value`` put in front (so the map's named field reads back)."""
    if value is None:
        return list(references)
    kinds = tuple(qualifiers)
    first = next((r for q in kinds for r in references if r.qualifier == q), None)
    if first is not None and first.value == value:
        return list(references)
    return [Reference(qualifier=qualifier, value=value), *references]
