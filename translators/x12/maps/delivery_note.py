"""X12 856 Ship Notice/Manifest (004010, 005010) → canonical DeliveryNote.

The HL hierarchy is read by HL01 (id) / HL02 (parent) / HL03 (level): S shipment, O order, T tare,
P pack, I item. Each segment belongs to the HL above it.

- BSN02 number, BSN03 issue date; DTM 011 (shipped) despatch date, DTM 017/067 delivery date;
- shipment level: TD1 packages and gross weight, TD5 carrier (TD503) and transport mode (TD504),
  REF (BM bill of lading → transport reference, else CN), N1 SF/SH ship-from, ST ship-to, BY, SE/SU;
- order level: PRF01 order number (into ``order_numbers`` and onto the items below);
- tare / pack levels → ``packages`` (id HL01, parent = nearest tare/pack above, SSCC from MAN GM,
  packaging code and count from PO4/TD1);
- item level → ``lines``: LIN ids (LIN01 is the order line number), SN1 shipped quantity/unit and
  ordered quantity (SN105), PID description, REF LT batch, DTM 036 best-before.

An HL02 that names no earlier HL, a repeated HL01, and an item without SN1 are located errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from translators.documents.common import Measure, Party, Reference
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.x12.maps.reading import ROLE_OF_ENTITY, X12Mapper, description, split_loops
from translators.x12.model import TransactionSet, X12Segment

_NOTE_ROLES = {"buyer", "seller", "ship_to", "ship_from"}
_PACKAGE_LEVELS = frozenset({"T", "P", "Q"})


@dataclass(slots=True)
class _Level:
    id: str
    parent: str | None
    code: str
    segments: list[tuple[int, X12Segment]] = field(default_factory=list)


class _DeliveryNoteMapper(X12Mapper):
    def __init__(self, ts: TransactionSet, codes_lookup: CodeLookup) -> None:
        super().__init__(ts, codes_lookup)
        self.parties: dict[str, Party] = {}
        self.references: list[Reference] = []
        self.dates: dict[str, dt.date | None] = {}
        self.carrier: Party | None = None
        self.transport_mode: str | None = None
        self.gross_weight: Measure | None = None
        self.package_count: int | None = None

    def run(self) -> MapResult[DeliveryNote]:
        segments = self.ts.segments
        bsn = next(((p, s) for p, s in enumerate(segments, start=1) if s.tag == "BSN"), None)
        if bsn is None:
            self.missing("no BSN (beginning segment): a delivery note needs its number", "BSN")
            return MapResult(document=None, errors=self.errors)
        levels = self.levels()
        for position, seg in enumerate(segments, start=1):
            if seg.tag == "HL":
                break
            if seg.tag == "DTM":
                self.read_date(seg, position)
        order_of: dict[str, str | None] = {}
        package_of: dict[str, str | None] = {}
        packages: dict[str, Package] = {}
        lines: list[DeliveryNoteLine] = []
        order_numbers: list[str] = []
        for level in levels.values():
            parent_order = order_of.get(level.parent) if level.parent else None
            parent_package = package_of.get(level.parent) if level.parent else None
            if level.code == "S":
                self.shipment(level)
            elif level.code == "O":
                prf = next((s for _, s in level.segments if s.tag == "PRF"), None)
                parent_order = prf.get(1) if prf is not None and prf.get(1) else parent_order
                if parent_order and parent_order not in order_numbers:
                    order_numbers.append(parent_order)
            elif level.code in _PACKAGE_LEVELS:
                packages[level.id] = self.package(level, parent_package)
                parent_package = level.id
            elif level.code == "I":
                line = self.item(
                    level, parent_order, packages.get(parent_package) if parent_package else None
                )
                if line is not None:
                    lines.append(line)
            order_of[level.id] = parent_order
            package_of[level.id] = parent_package
        bsn_position, bsn_seg = bsn
        issue_date = self.date(bsn_seg, bsn_position, 3, "shipment date")
        if not bsn_seg.get(2).strip():
            self.error(
                "MISSING_VALUE", "BSN02 (shipment identification) is empty", bsn_seg, bsn_position, 2, "AK4:1"
            )
        if not lines and not self.errors:
            self.missing("the ship notice has no item level (HL with HL03 = I)", "HL")
        if self.errors:
            return MapResult(document=None, errors=self.errors)
        transport_reference = next(
            (r.value for q in ("BM", "CN") for r in self.references if r.qualifier == q), None
        )
        return MapResult(
            document=DeliveryNote(
                number=bsn_seg.get(2).strip(),
                issue_date=issue_date,
                despatch_date=self.dates.get("011"),
                delivery_date=self.dates.get("017") or self.dates.get("067"),
                order_numbers=order_numbers,
                buyer=self.parties.get("buyer"),
                seller=self.parties.get("seller"),
                ship_to=self.parties.get("ship_to"),
                ship_from=self.parties.get("ship_from"),
                carrier=self.carrier,
                transport_mode=self.transport_mode,
                transport_reference=transport_reference,
                gross_weight=self.gross_weight,
                package_count=self.package_count,
                references=self.references,
                packages=list(packages.values()),
                lines=lines,
            ),
            errors=[],
        )

    def levels(self) -> dict[str, _Level]:
        """HL loops in order, keyed by HL01; hierarchy errors are recorded, not raised."""
        out: dict[str, _Level] = {}
        for group in split_loops(self.ts.segments, "HL", frozenset({"CTT", "SE"})):
            position, hl = group[0]
            hl_id, parent = hl.get(1), hl.get(2) or None
            if hl_id in out:
                self.error("DUPLICATE_HL_ID", f"HL01 {hl_id!r} is used by an earlier HL", hl, position, 1)
                continue
            if parent is not None and parent not in out:
                self.error(
                    "UNKNOWN_HL_PARENT",
                    f"HL02 parent {parent!r} of HL {hl_id!r} is not an earlier HL01",
                    hl,
                    position,
                    2,
                )
                continue
            out[hl_id] = _Level(hl_id, parent, hl.get(3), group[1:])
        return out

    def read_date(self, seg: X12Segment, position: int) -> None:
        qualifier = seg.get(1)
        if qualifier in ("011", "017", "067", "036") and qualifier not in self.dates:
            self.dates[qualifier] = self.date(seg, position, 2, f"date {qualifier}")

    def shipment(self, level: _Level) -> None:
        party_loop: list[X12Segment] | None = None
        loops: list[list[X12Segment]] = []
        for position, seg in level.segments:
            tag = seg.tag
            if tag == "N1":
                party_loop = [seg]
                loops.append(party_loop)
                continue
            if party_loop is not None and tag in ("N2", "N3", "N4", "REF", "PER"):
                party_loop.append(seg)
                continue
            party_loop = None
            if tag == "TD1":
                count = self.integer(seg, position, 2, "lading quantity")
                if count is not None and self.package_count is None:
                    self.package_count = count
                weight = self.decimal(seg, position, 7, "weight")
                if weight is not None and self.gross_weight is None and seg.get(6) in ("G", "A3", ""):
                    self.gross_weight = Measure(value=weight, unit=self.codes.unit(seg.get(8) or "LB"))
            elif tag == "TD5":
                if seg.get(3) and self.carrier is None:
                    self.carrier = Party(
                        party_id=seg.get(3), party_id_agency=seg.get(2) or None, name=seg.get(5) or None
                    )
                self.transport_mode = self.transport_mode or seg.get(4) or None
            elif tag == "REF" and (ref := self.reference(seg)) is not None:
                self.references.append(ref)
            elif tag == "DTM":
                self.read_date(seg, position)
        for loop in loops:
            role = ROLE_OF_ENTITY.get(loop[0].get(1))
            if role in _NOTE_ROLES and role not in self.parties:
                self.parties[role] = self.party(loop)

    def package(self, level: _Level, parent: str | None) -> Package:
        sscc = package_type = None
        count = None
        weight = None
        for position, seg in level.segments:
            if seg.tag == "MAN" and seg.get(1) == "GM" and sscc is None:
                sscc = seg.get(2)
            elif seg.tag == "PO4" and package_type is None:
                package_type = seg.get(4) or None
            elif seg.tag == "TD1":
                package_type = package_type or seg.get(1) or None
                count = self.integer(seg, position, 2, "lading quantity")
                value = self.decimal(seg, position, 7, "weight")
                if value is not None:
                    weight = Measure(value=value, unit=self.codes.unit(seg.get(8) or "LB"))
        return Package(
            id=level.id,
            parent_id=parent,
            sscc=sscc,
            package_type=package_type,
            package_count=count,
            gross_weight=weight,
        )

    def item(self, level: _Level, order: str | None, package: Package | None) -> DeliveryNoteLine | None:
        lin = sn1 = None
        descriptions: list[str] = []
        references: list[Reference] = []
        batch = None
        best_before = None
        for position, seg in level.segments:
            tag = seg.tag
            if tag == "LIN" and lin is None:
                lin = (position, seg)
            elif tag == "SN1" and sn1 is None:
                sn1 = (position, seg)
            elif tag == "PID" and description(seg):
                descriptions.append(description(seg) or "")
            elif tag == "REF" and (ref := self.reference(seg)) is not None:
                references.append(ref)
                if ref.qualifier == "LT" and batch is None:
                    batch = ref.value
            elif tag == "DTM" and seg.get(1) == "036":
                best_before = self.date(seg, position, 2, "expiration date")
        if sn1 is None:
            position, hl_seg = level.segments[0] if level.segments else (0, None)
            anchor = lin[1] if lin else hl_seg
            if anchor is not None:
                self.error(
                    "MISSING_SEGMENT",
                    f"item HL {level.id!r} has no SN1 (shipped quantity)",
                    anchor,
                    lin[0] if lin else position,
                    None,
                    "AK3:3",
                )
            else:
                self.missing(f"item HL {level.id!r} has no SN1 (shipped quantity)", "SN1")
            return None
        sn1_position, sn1_seg = sn1
        quantity = self.decimal(sn1_seg, sn1_position, 2, "shipped quantity")
        ordered = self.decimal(sn1_seg, sn1_position, 5, "ordered quantity")
        if quantity is None:
            return None
        gtin = seller = buyer = None
        line_number = level.id
        if lin is not None:
            gtin, seller, buyer = self.item_ids(lin[1], 2, 15)
            line_number = lin[1].get(1) or level.id
        pkg = package
        return DeliveryNoteLine(
            line_number=line_number,
            gtin=gtin,
            buyer_item_id=buyer,
            seller_item_id=seller,
            erp_item_id=self.erp_item(gtin, seller, buyer),
            description=" ".join(descriptions) or None,
            quantity=quantity,
            unit=self.codes.unit(sn1_seg.get(3)),
            references=references,
            ordered_quantity=ordered,
            order_number=order,
            order_line_number=lin[1].get(1) or None if lin is not None else None,
            batch_number=batch,
            best_before_date=best_before,
            package_id=pkg.id if pkg else None,
            sscc=pkg.sscc if pkg else None,
        )


def map_delivery_note(ts: TransactionSet, codes_lookup: CodeLookup) -> MapResult[DeliveryNote]:
    return _DeliveryNoteMapper(ts, codes_lookup).run()
