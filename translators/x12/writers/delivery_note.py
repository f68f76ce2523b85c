"""Canonical DeliveryNote → X12 856 Ship Notice/Manifest (004010, 005010), to a customer.

The inverse of :mod:`translators.x12.maps.delivery_note`, in the Shipment / Order / Pack / Item
hierarchy (BSN05 ``0001``):

- ST, BSN (number, date, time, 0001), DTM 011 shipped / 017 estimated delivery;
- HL S: TD1 (package count, gross weight), TD5 (carrier, transport mode), REF (the transport
  reference as BM when the references lack it), N1 SF/ST/BY/SE;
- HL O per order: PRF with our customer's order number;
- HL T/P per package under its order (T when it holds other packages, P otherwise): PO4 packaging
  code, TD1 count and weight, MAN GM with the SSCC;
- HL I per line under its package (else its order): LIN (order line, item ids), SN1 (shipped,
  ordered), PID, REF (batch as LT), DTM 036 best before; CTT with the number of HL segments.

HL01 is numbered 1, 2, 3 … in writing order, as partners expect; a package's id *is* its HL01 when
read back. A package holding goods of several orders appears once under each order, as SOPI
requires. Free-text notes have no place in an 856 and are not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from translators.documents.common import Measure, Reference
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.x12.model import X12Segment
from translators.x12.writers.segments import X12Release, X12SegmentWriter, first_or_added, transaction


class _Hierarchy:
    """HL numbering and parent links while the levels are written; one per render call."""

    def __init__(self) -> None:
        self.segments: list[X12Segment] = []
        self.count = 0

    def level(self, parent: str | None, code: str) -> str:
        self.count += 1
        hl_id = str(self.count)
        self.segments.append(X12Segment("HL", [[hl_id], [parent or ""], [code]]))
        return hl_id


def render_856(
    doc: DeliveryNote,
    *,
    version: X12Release,
    control_number: str,
    prepared_at: datetime | None = None,
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[X12Segment]:
    """ST … SE of one 856.

    BSN03 (date) and BSN04 (time) are mandatory: the date is ``issue_date``, else the despatch
    date, else the date of ``prepared_at``; the time is that of ``prepared_at`` (0000 without it).
    Raises ValueError when there is no date at all, or for a package hierarchy with a cycle.
    """
    w = X12SegmentWriter(release=version, units=units, parties=parties, items=items, we_sell=True)
    issue = doc.issue_date or doc.despatch_date or (prepared_at.date() if prepared_at else None)
    if issue is None:
        raise ValueError("an 856 needs a date (BSN03 is mandatory): set issue_date")
    time = prepared_at.strftime("%H%M") if prepared_at else "0000"
    body = [X12Segment("BSN", [["00"], [doc.number], [w.date(issue)], [time], ["0001"]])]
    body += w.dtm("011", doc.despatch_date) + w.dtm("017", doc.delivery_date)
    tree = _Hierarchy()
    shipment = tree.level(None, "S")
    tree.segments += _td1(w, doc.package_count, doc.gross_weight)
    tree.segments += _td5(doc)
    references = first_or_added(doc.references, ("BM", "CN"), doc.transport_reference, "BM")
    tree.segments += w.references(references)
    for entity, party in (("SF", doc.ship_from), ("ST", doc.ship_to), ("BY", doc.buyer), ("SE", doc.seller)):
        tree.segments += w.party(entity, party)
    packages = _ordered(doc.packages)
    by_id = {p.id: p for p in packages}
    parents = {p.parent_id for p in packages if p.parent_id}
    orders = list(
        dict.fromkeys([*doc.order_numbers, *(ln.order_number for ln in doc.lines if ln.order_number)])
    )
    groups: list[str | None] = [
        *orders,
        *([None] if any(ln.order_number is None for ln in doc.lines) else []),
    ]
    written: dict[str, str] = {}  # package id → HL01 it was last written under
    for order in groups:
        top = shipment
        if order is not None:
            top = tree.level(shipment, "O")
            tree.segments.append(X12Segment("PRF", [[order]]))
        lines = [ln for ln in doc.lines if ln.order_number == order]
        needed = _with_ancestors({ln.package_id for ln in lines if ln.package_id in by_id}, by_id)
        here: dict[str, str] = {}
        for package in packages:
            if package.id not in needed:
                continue
            parent = here.get(package.parent_id or "", top)
            here[package.id] = written[package.id] = _package(w, tree, package, parent, package.id in parents)
            for line in lines:
                if line.package_id == package.id:
                    _item(w, tree, line, here[package.id])
        for line in lines:
            if line.package_id not in by_id:
                _item(w, tree, line, top)
    for package in packages:
        if package.id not in written:
            parent = written.get(package.parent_id or "", shipment)
            written[package.id] = _package(w, tree, package, parent, package.id in parents)
    body += tree.segments
    body.append(X12Segment("CTT", [[str(tree.count)]]))
    return transaction("856", control_number, body)


def _ordered(packages: list[Package]) -> list[Package]:
    """Parents before children, otherwise in the document's order; a cycle or unknown parent raises."""
    by_id = {p.id: p for p in packages}
    done: dict[str, Package] = {}

    def visit(package: Package, path: tuple[str, ...]) -> None:
        if package.id in done:
            return
        if package.id in path:
            raise ValueError(f"package {package.id!r} is its own ancestor")
        if package.parent_id is not None:
            if package.parent_id not in by_id:
                raise ValueError(
                    f"package {package.id!r} names parent {package.parent_id!r}, which is not a package"
                )
            visit(by_id[package.parent_id], (*path, package.id))
        done[package.id] = package

    for package in packages:
        visit(package, ())
    return list(done.values())


def _with_ancestors(ids: set[str | None], by_id: dict[str, Package]) -> set[str]:
    out: set[str] = set()
    for package_id in ids:
        current = package_id
        while current is not None and current not in out:
            out.add(current)
            current = by_id[current].parent_id
    return out


def _td1(w: X12SegmentWriter, count: int | None, weight: Measure | None) -> list[X12Segment]:
    """TD1: 02 lading quantity, 06 G gross weight, 07 weight, 08 unit (the packaging code goes in
    PO4, which the map prefers)."""
    if count is None and weight is None:
        return []
    td1: list[list[str]] = [[], [str(count) if count is not None else ""]]
    if weight is not None:
        td1 += [[], [], [], ["G"], [w.decimal(weight.value)], [w.unit(weight.unit)]]
    return [X12Segment("TD1", td1)]


def _td5(doc: DeliveryNote) -> list[X12Segment]:
    """TD5: 02 id qualifier, 03 carrier id, 04 transport mode, 05 carrier name."""
    carrier = doc.carrier
    ident: list[list[str]] = [[], []]
    name = ""
    if carrier is not None:
        if carrier.party_id:
            ident = [[carrier.party_id_agency or "ZZ"], [carrier.party_id]]
        elif carrier.gln:
            ident = [["UL"], [carrier.gln]]
        name = carrier.name or ""
    if not (ident[1] or doc.transport_mode or name):
        return []
    return [X12Segment("TD5", [[], *ident, [doc.transport_mode or ""], [name]])]


def _package(
    w: X12SegmentWriter, tree: _Hierarchy, package: Package, parent: str, holds_packages: bool
) -> str:
    hl_id = tree.level(parent, "T" if holds_packages else "P")
    if package.package_type:
        tree.segments.append(X12Segment("PO4", [[], [], [], [package.package_type]]))
    tree.segments += _td1(w, package.package_count, package.gross_weight)
    if package.sscc:
        tree.segments.append(X12Segment("MAN", [["GM"], [package.sscc]]))
    return hl_id


def _item(w: X12SegmentWriter, tree: _Hierarchy, line: DeliveryNoteLine, parent: str) -> None:
    tree.level(parent, "I")
    ids = w.item_ids(line)
    if ids:
        tree.segments.append(X12Segment("LIN", [[line.order_line_number or line.line_number], *ids]))
    sn1 = [[], [w.decimal(line.quantity)], [w.unit(line.unit)]]
    if line.ordered_quantity is not None:
        sn1 += [[], [w.decimal(line.ordered_quantity)], [w.unit(line.unit)]]
    tree.segments.append(X12Segment("SN1", sn1))
    tree.segments += w.pid(line.description)
    references = list(line.references)
    if line.batch_number and not any(r.qualifier == "LT" for r in references):
        references.append(Reference(qualifier="LT", value=line.batch_number))
    tree.segments += w.references(references)
    tree.segments += w.dtm("036", line.best_before_date)
