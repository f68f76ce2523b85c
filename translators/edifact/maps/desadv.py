"""EDIFACT DESADV (EANCOM D96A / D01B and the UN directories) → canonical DeliveryNote.

A despatch advice tells us what arrives on which pallet, so goods receipt can scan an SSCC and book
its contents. The message has three parts:

- header: BGM 351, DTM 137/11/17, MEA (gross weight), RFF (+DTM 171) with our order numbers,
  NAD SU/BY/DP/SF/CA, TDT (transport mode, reference, carrier);
- packing hierarchy: CPS (7164 id, 7166 parent id) per level — consignment, pallet, carton — each with
  PAC (count, type), MEA, and PCI+33E/GIN+BJ carrying the SSCC;
- lines: LIN/PIA/IMD/QTY 12 (despatched)/QTY 21 (ordered), RFF ON (our order, 1156 its line),
  PCI with GIN+BX (batch) and DTM 361 (best before), in the CPS of the package they are packed in.

The hierarchy must be consistent — unique CPS ids, parents that exist, valid SSCCs (GS1 check
digit) — because goods receipt matches physical labels against it; an inconsistency is a located
error and no document, never a best guess. One CPS describes one package level with at most one
SSCC: a CPS listing several SSCCs (GIN with more than one id) is rejected as UNSUPPORTED_STRUCTURE,
because the lines under it could not be attributed to a package; EANCOM's pick-and-pack structure
(one CPS per labelled unit) is what edigate reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from translators.documents.common import Measure, Party, Reference
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.edifact.maps.result import CodeLookup, MapResult, ProfileWithCodes
from translators.edifact.maps.segments import (
    ItemIds,
    OpenReference,
    SegmentReader,
    add_reference,
    codes_of,
    free_text,
    gs1_check_digit_ok,
    looks_like_gln,
    text,
)
from translators.edifact.model import Interchange, Message, Segment

DESPATCHED_QUANTITY = "12"
ORDERED_QUANTITY = "21"
DELIVERY_DATES = ("17", "69", "2")  # 2005: estimated, promised, requested delivery date
BEST_BEFORE = "361"
GROSS_WEIGHT = "AAB"  # 6313 measured attribute: unit gross weight
SSCC_IDENTITY = "BJ"  # 7405: serial shipping container code
BATCH_IDENTITY = "BX"  # 7405: batch number

PARTY_ROLES: Mapping[str, str] = MappingProxyType(
    {"BY": "buyer", "SU": "seller", "DP": "ship_to", "ST": "ship_to", "SF": "ship_from", "CA": "carrier"}
)
"""NAD 3035 → the DeliveryNote field it fills; DP and ST are both the delivery point."""

Section = Literal["header", "parties", "package", "line", "summary"]


@dataclass(slots=True)
class _PackageDraft:
    """One CPS level while its PAC/MEA/PCI/GIN are read."""

    segment: Segment
    position: int
    id: str
    parent_id: str | None
    package_type: str | None = None
    package_count: int | None = None
    sscc: str | None = None
    gross_weight: Measure | None = None
    pac_position: int | None = None


@dataclass(slots=True)
class _LineDraft:
    """A line while its segments are read; becomes a DeliveryNoteLine at the next LIN, CPS or CNT."""

    segment: Segment
    position: int
    line_number: str
    package: _PackageDraft | None
    items: ItemIds = field(default_factory=ItemIds)
    descriptions: list[str] = field(default_factory=list)
    quantities: dict[str, tuple[Decimal | None, str]] = field(default_factory=dict)
    order_number: str | None = None
    order_line_number: str | None = None
    batch_number: str | None = None
    best_before_date: dt.date | None = None
    notes: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


class _DesadvMapper(SegmentReader):
    """State of one map_desadv call. Lives only as long as the call."""

    def __init__(self, message: Message, interchange: Interchange, codes: CodeLookup) -> None:
        super().__init__(message, interchange, codes)
        self.section: Section = "header"
        self.open_reference: OpenReference | None = None
        self.bgm: tuple[Segment, int] | None = None
        self.number = ""
        self.dates: dict[str, dt.date | None] = {}
        self.gross_weight: Measure | None = None
        self.parties: dict[str, tuple[Party, int]] = {}
        self.transport_mode: str | None = None
        self.transport_reference: str | None = None
        self.tdt_carrier: Party | None = None
        self.references: list[Reference] = []
        self.notes: list[str] = []
        self.packages: dict[str, _PackageDraft] = {}
        self.package: _PackageDraft | None = None
        self.line: _LineDraft | None = None
        self.line_drafts: list[_LineDraft] = []
        self.lines: list[DeliveryNoteLine] = []
        self.line_count: tuple[int, Segment, int] | None = None

    def run(self) -> MapResult[DeliveryNote]:
        for position, segment in enumerate(self.message.segments, start=1):
            tag = segment.tag
            if tag in ("UNH", "UNT"):
                continue
            open_reference, self.open_reference = self.open_reference, None
            if tag in ("UNS", "CNT"):
                self.finish_line()
                self.section = "summary"
                if tag == "CNT" and segment.get(1, 1) == "2":
                    count = self.whole_number(segment, position, 1, 2, "line count CNT 2")
                    if count is not None:
                        self.line_count = (count, segment, position)
            elif self.section == "summary":
                continue
            elif tag == "CPS":
                self.finish_line()
                self.start_package(segment, position)
            elif tag == "LIN":
                self.finish_line()
                self.start_line(segment, position)
            elif self.section == "line":
                self.line_segment(segment, position, open_reference)
            elif self.section == "package":
                self.package_segment(segment, position)
            else:
                self.header_segment(segment, position, open_reference)
        self.finish_line()
        self.check_required()
        if self.errors or self.bgm is None:
            return MapResult(document=None, errors=self.errors)
        return MapResult(document=self.build(), errors=self.errors)

    # -- header ---------------------------------------------------------------------------------

    def header_segment(self, segment: Segment, position: int, open_reference: OpenReference | None) -> None:
        tag = segment.tag
        if tag == "BGM":
            if self.bgm is not None:
                self.second_segment(segment, position, self.bgm[1], "BGM")
                return
            self.bgm = (segment, position)
            self.number = self.document_number(segment, position, "a despatch advice")
        elif tag == "DTM":
            if open_reference is not None:
                self.date_reference(segment, position, open_reference)
            elif self.section == "header":
                qualifier = segment.get(1, 1)
                if qualifier in ("137", "11", *DELIVERY_DATES) and qualifier not in self.dates:
                    self.dates[qualifier] = self.date_value(segment, position)
        elif tag == "MEA" and self.gross_weight is None and self.section == "header":
            self.gross_weight = self.weight(segment, position)
        elif tag == "FTX":
            note = free_text(segment)
            if note is not None:
                self.notes.append(note)
        elif tag == "RFF" and self.section == "header":
            self.open_reference = add_reference(self.references, segment)
        elif tag == "NAD":
            self.section = "parties"
            self.read_nad(segment, position)
        elif tag == "TDT":
            self.read_tdt(segment)

    def read_nad(self, segment: Segment, position: int) -> None:
        role = PARTY_ROLES.get(segment.get(1, 1))
        if role is None:
            return
        if role in self.parties:
            self.second_segment(
                segment, position, self.parties[role][1], f"NAD for the {role.replace('_', '-')}"
            )
            return
        self.parties[role] = (self.party(segment, Party), position)

    def read_tdt(self, segment: Segment) -> None:
        """TDT: 8028 conveyance reference, C220 8067 mode, C040 carrier (3127 id, 3055 agency, 3128 name)."""
        if self.transport_reference is None:
            self.transport_reference = segment.get(2) or None
        if self.transport_mode is None:
            self.transport_mode = segment.get(3, 1) or None
        carrier_id, agency, name = segment.get(5, 1), segment.get(5, 3), segment.get(5, 4)
        if self.tdt_carrier is None and (carrier_id or name):
            is_gln = agency == "9" or (agency == "" and looks_like_gln(carrier_id))
            self.tdt_carrier = Party(
                gln=carrier_id if is_gln and carrier_id else None,
                erp_id=self.codes.party(carrier_id) if is_gln and carrier_id else None,
                party_id=carrier_id if carrier_id and not is_gln else None,
                party_id_agency=(agency or None) if carrier_id and not is_gln else None,
                name=name or None,
            )

    def weight(self, segment: Segment, position: int) -> Measure | None:
        """MEA with 6313 = AAB (gross weight): C174 6411 unit, 6314 value."""
        if segment.get(2, 1) != GROSS_WEIGHT:
            return None
        value = self.required_decimal(segment, position, 3, 2, "gross weight MEA AAB")
        if value is None:
            return None
        return Measure(value=value, unit=self.codes.unit(segment.get(3, 1) or "KGM"))

    # -- packages -------------------------------------------------------------------------------

    def start_package(self, segment: Segment, position: int) -> None:
        self.section = "package"
        package_id = segment.get(1, 1)
        parent_id = segment.get(2, 1) or None
        self.package = _PackageDraft(segment, position, package_id, parent_id)
        if not package_id:
            self.error(
                "MISSING_VALUE",
                "CPS has no hierarchical id (7164): a package must be identifiable",
                segment,
                position,
                1,
                1,
                syntax_code="13",
            )
            return
        if package_id in self.packages:
            self.error(
                "DUPLICATE_PACKAGE",
                f"CPS id {package_id!r} is already used by message segment "
                f"{self.packages[package_id].position}; every CPS needs its own id",
                segment,
                position,
                1,
                1,
            )
            return
        if parent_id is not None and (parent_id == package_id or parent_id not in self.packages):
            self.error(
                "UNKNOWN_PARENT",
                f"CPS {package_id} names parent {parent_id!r}, which is not an earlier CPS id "
                f"(known: {', '.join(self.packages) or 'none'})",
                segment,
                position,
                2,
                1,
            )
        self.packages[package_id] = self.package

    def package_segment(self, segment: Segment, position: int) -> None:
        package = self.package
        assert package is not None  # section "package" is only entered by start_package
        tag = segment.tag
        if tag == "PAC":
            if package.pac_position is not None:
                self.error(
                    "UNSUPPORTED_STRUCTURE",
                    f"CPS {package.id} has a second PAC (the first is message segment "
                    f"{package.pac_position}); edigate reads one package level per CPS",
                    segment,
                    position,
                    syntax_code="35",
                )
                return
            package.pac_position = position
            package.package_count = self.whole_number(segment, position, 1, 1, "number of packages PAC 7224")
            package.package_type = segment.get(3, 1) or None
        elif tag == "MEA" and package.gross_weight is None:
            package.gross_weight = self.weight(segment, position)
        elif tag == "GIN" and segment.get(1, 1) == SSCC_IDENTITY:
            self.read_sscc(package, segment, position)

    def read_sscc(self, package: _PackageDraft, segment: Segment, position: int) -> None:
        """GIN+BJ: one SSCC, 18 digits with a valid GS1 check digit."""
        extra = [e for e in range(3, 7) if segment.get(e, 1)] + ([2] if segment.get(2, 2) else [])
        if package.sscc is not None or extra:
            self.error(
                "UNSUPPORTED_STRUCTURE",
                f"CPS {package.id} carries more than one SSCC; send one CPS per labelled package so "
                "that its lines can be attributed",
                segment,
                position,
                extra[0] if extra else 2,
                2 if extra == [2] else 1,
            )
            return
        sscc = segment.get(2, 1)
        if len(sscc) != 18 or not gs1_check_digit_ok(sscc):
            self.error(
                "INVALID_SSCC",
                f"SSCC {sscc!r} is not 18 digits with a valid GS1 check digit",
                segment,
                position,
                2,
                1,
                syntax_code="12" if sscc else "13",
            )
            return
        package.sscc = sscc

    # -- lines ----------------------------------------------------------------------------------

    def start_line(self, segment: Segment, position: int) -> None:
        self.section = "line"
        line_number = segment.get(1, 1) or str(len(self.line_drafts) + 1)
        self.line = _LineDraft(segment, position, line_number, package=self.package)
        self.line.items.add_lin(segment)

    def line_segment(self, segment: Segment, position: int, open_reference: OpenReference | None) -> None:
        line = self.line
        assert line is not None  # section "line" is only entered by start_line
        tag = segment.tag
        if tag == "PIA":
            line.items.add_pia(segment)
        elif tag == "IMD":
            description = text(segment, 3, (4, 5))
            if description is not None:
                line.descriptions.append(description)
        elif tag == "QTY":
            qualifier = segment.get(1, 1)
            if qualifier in (DESPATCHED_QUANTITY, ORDERED_QUANTITY) and qualifier not in line.quantities:
                what = f"line {line.line_number} QTY {qualifier}"
                quantity = self.required_decimal(segment, position, 1, 2, what)
                line.quantities[qualifier] = (quantity, segment.get(1, 3))
        elif tag == "RFF":
            self.open_reference = add_reference(line.references, segment)
            if segment.get(1, 1) == "ON" and line.order_number is None:
                line.order_number = segment.get(1, 2) or None
                line.order_line_number = line.order_line_number or segment.get(1, 3) or None
            elif segment.get(1, 1) == "LI" and line.order_line_number is None:
                line.order_line_number = segment.get(1, 2) or None
        elif tag == "GIN" and segment.get(1, 1) == BATCH_IDENTITY and line.batch_number is None:
            line.batch_number = segment.get(2, 1) or None
        elif tag == "DTM":
            if open_reference is not None:
                self.date_reference(segment, position, open_reference)
            elif segment.get(1, 1) == BEST_BEFORE and line.best_before_date is None:
                line.best_before_date = self.date_value(segment, position)
        elif tag == "FTX":
            note = free_text(segment)
            if note is not None:
                line.notes.append(note)

    def finish_line(self) -> None:
        line, self.line = self.line, None
        if line is None:
            return
        self.line_drafts.append(line)
        if DESPATCHED_QUANTITY not in line.quantities:
            self.error(
                "MISSING_SEGMENT",
                f"line {line.line_number} has no despatched quantity (QTY+12 expected after this LIN)",
                line.segment,
                line.position,
                syntax_code="13",
            )
            return
        quantity, unit = line.quantities[DESPATCHED_QUANTITY]
        ordered, ordered_unit = line.quantities.get(ORDERED_QUANTITY, (None, ""))
        if quantity is None or (ORDERED_QUANTITY in line.quantities and ordered is None):
            return  # the QTY error is recorded
        if ordered is not None and self.unit(unit) != self.unit(ordered_unit):
            self.error(
                "UNIT_MISMATCH",
                f"line {line.line_number}: despatched quantity is in {unit or 'PCE'}, ordered in "
                f"{ordered_unit or 'PCE'}; one line has one unit",
                line.segment,
                line.position,
            )
            return
        order_numbers = self.order_numbers()
        package = line.package
        self.lines.append(
            DeliveryNoteLine(
                line_number=line.line_number,
                **line.items.fields(self.codes),
                description=" ".join(line.descriptions) or None,
                quantity=quantity,
                unit=self.unit(unit),
                notes=line.notes,
                references=line.references,
                ordered_quantity=ordered,
                order_number=line.order_number or (order_numbers[0] if len(order_numbers) == 1 else None),
                order_line_number=line.order_line_number,
                batch_number=line.batch_number,
                best_before_date=line.best_before_date,
                package_id=package.id if package is not None and package.id else None,
                sscc=package.sscc if package is not None else None,
            )
        )

    # -- end ------------------------------------------------------------------------------------

    def order_numbers(self) -> list[str]:
        """Our purchase orders named in the header (RFF+ON), in order, without repeats."""
        return list(dict.fromkeys(r.value for r in self.references if r.qualifier == "ON"))

    def check_required(self) -> None:
        segments = self.message.segments
        if self.bgm is None:
            self.error(
                "MISSING_SEGMENT",
                "no BGM (beginning of message): a despatch advice needs its number; expected right after UNH",
                segments[0],
                1,
                syntax_code="13",
            )
        if not self.line_drafts:
            self.missing_segment("the despatch advice has no lines (no LIN segment): nothing to receive")
        if self.line_count is not None:
            count, segment, position = self.line_count
            if count != len(self.line_drafts):
                self.error(
                    "LINE_COUNT_MISMATCH",
                    f"CNT 2 says {count} line(s), the message has {len(self.line_drafts)} LIN segment(s)",
                    segment,
                    position,
                    1,
                    2,
                )

    def build(self) -> DeliveryNote:
        carrier = self.parties.get("carrier")
        return DeliveryNote(
            number=self.number,
            issue_date=self.dates.get("137"),
            despatch_date=self.dates.get("11"),
            delivery_date=next((self.dates[q] for q in DELIVERY_DATES if self.dates.get(q)), None),
            order_numbers=self.order_numbers(),
            buyer=self.role("buyer"),
            seller=self.role("seller"),
            ship_to=self.role("ship_to"),
            ship_from=self.role("ship_from"),
            carrier=carrier[0] if carrier else self.tdt_carrier,
            transport_mode=self.transport_mode,
            transport_reference=self.transport_reference,
            gross_weight=self.gross_weight,
            notes=self.notes,
            references=self.references,
            packages=[
                Package(
                    id=p.id,
                    parent_id=p.parent_id,
                    sscc=p.sscc,
                    package_type=p.package_type,
                    package_count=p.package_count,
                    gross_weight=p.gross_weight,
                )
                for p in self.packages.values()
            ],
            lines=self.lines,
        )

    def role(self, role: str) -> Party | None:
        found = self.parties.get(role)
        return found[0] if found else None


def map_desadv(
    message: Message, interchange: Interchange, profile: ProfileWithCodes | None
) -> MapResult[DeliveryNote]:
    """Translate one DESADV message into a DeliveryNote using the partner's code mappings.

    Returns the document with no errors, or no document with every located error found.
    """
    return _DesadvMapper(message, interchange, codes_of(profile)).run()
