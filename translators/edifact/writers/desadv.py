"""Canonical DeliveryNote → EDIFACT DESADV (UN D96A / D01B, EANCOM 1997 / 2002), to a customer.

The inverse of :mod:`translators.edifact.maps.desadv`:

- header: BGM 351, DTM 137/11/17, MEA AAB (gross weight, where the directory has a header MEA),
  RFF (+DTM 171) with the orders delivered, NAD SU/BY/DP/SF/CA, TDT (reference, mode);
- packing: one CPS per package, parents before children (7164 id, 7166 parent), PAC (count, type),
  MEA AAB, PCI + GIN BJ with the SSCC;
- lines, each under the CPS of its package: LIN, PIA, IMD, QTY 12/21, FTX, RFF ON with the order
  line in 1156, PCI with DTM 361 (best before) and GIN BX (batch); CNT 2.

Every LIN must sit in a CPS group (the message structure has no other place for it), so lines
without a package go under a CPS of their own — the consignment level EANCOM calls CPS+1 — with the
lowest id no package uses; reading the DESADV back puts those lines in that package.
"""

from __future__ import annotations

from collections.abc import Mapping

from translators.documents.common import Measure, Reference
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.edifact.model import Segment
from translators.edifact.writers.segments import EdifactVersion, SegmentWriter, message


def render_desadv(
    doc: DeliveryNote,
    *,
    version: EdifactVersion,
    association: str | None,
    message_reference: str,
    decimal_mark: str = ".",
    units: Mapping[str, str] | None = None,
    parties: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> list[Segment]:
    """UNH … UNT of one DESADV.

    Not written, because the directory has no place for them: the note's free-text ``notes`` (no
    header FTX in DESADV) and, in EANCOM 1997, the header ``gross_weight`` (no header MEA).
    Raises ValueError for a package hierarchy with a cycle or an unknown parent.
    """
    w = SegmentWriter(
        version=version,
        association=association,
        decimal_mark=decimal_mark,
        units=units,
        parties=parties,
        items=items,
        we_sell=True,
    )
    body: list[Segment] = [Segment("BGM", [["351"], [doc.number], ["9"]])]
    body += w.dtm("137", doc.issue_date) + w.dtm("11", doc.despatch_date) + w.dtm("17", doc.delivery_date)
    if not (version == "D96A" and w.eancom):
        body += _mea(w, doc.gross_weight)
    references = list(doc.references)
    ordered = [r.value for r in references if r.qualifier == "ON"]
    references += [Reference(qualifier="ON", value=n) for n in doc.order_numbers if n not in ordered]
    body += w.references(references)
    body += w.nad("SU", doc.seller) + w.nad("BY", doc.buyer) + w.nad("DP", doc.ship_to)
    body += w.nad("SF", doc.ship_from) + w.nad("CA", doc.carrier)
    if doc.transport_reference or doc.transport_mode:
        body.append(Segment("TDT", [["20"], [doc.transport_reference or ""], [doc.transport_mode or ""]]))
    header_orders = list(dict.fromkeys(r.value for r in references if r.qualifier == "ON"))
    single_order = header_orders[0] if len(header_orders) == 1 else None
    packages = _ordered(doc.packages)
    known = {p.id for p in packages}
    loose = [ln for ln in doc.lines if ln.package_id not in known]
    if loose or not packages:
        body += _cps(w, Package(id=_free_id(known)), loose, single_order)
    for package in packages:
        inside = [ln for ln in doc.lines if ln.package_id == package.id]
        body += _cps(w, package, inside, single_order)
    body += w.cnt(len(doc.lines))
    return message("DESADV", version, association, message_reference, body)


def _mea(w: SegmentWriter, weight: Measure | None) -> list[Segment]:
    """MEA+PD+AAB+<unit>:<value>: gross weight (6313 AAB), the only measure the map reads."""
    if weight is None:
        return []
    return [Segment("MEA", [["PD"], ["AAB"], [w.unit(weight.unit), w.number(weight.value)]])]


def _ordered(packages: list[Package]) -> list[Package]:
    """Packages with every parent before its children, otherwise in the document's order."""
    by_id = {p.id: p for p in packages}
    done: dict[str, Package] = {}

    def visit(package: Package, path: tuple[str, ...]) -> None:
        if package.id in done:
            return
        if package.id in path:
            raise ValueError(f"package {package.id!r} is its own ancestor")
        parent = package.parent_id
        if parent is not None:
            if parent not in by_id:
                raise ValueError(f"package {package.id!r} names parent {parent!r}, which is not a package")
            visit(by_id[parent], (*path, package.id))
        done[package.id] = package

    for package in packages:
        visit(package, ())
    return list(done.values())


def _free_id(used: set[str]) -> str:
    number = 1
    while str(number) in used:
        number += 1
    return str(number)


def _cps(
    w: SegmentWriter, package: Package, lines: list[DeliveryNoteLine], single_order: str | None
) -> list[Segment]:
    out = [Segment("CPS", [[package.id], [package.parent_id or ""]])]
    if package.package_count is not None or package.package_type or package.gross_weight or package.sscc:
        count = str(package.package_count) if package.package_count is not None else ""
        out.append(Segment("PAC", [[count], [], [package.package_type or ""]]))
        out += _mea(w, package.gross_weight)
        if package.sscc:
            out.append(Segment("PCI", [["33E" if w.eancom else "ZZZ"]]))
            out.append(Segment("GIN", [["BJ"], [package.sscc]]))
    for line in lines:
        out += _line(w, line, single_order)
    return out


def _line(w: SegmentWriter, line: DeliveryNoteLine, single_order: str | None) -> list[Segment]:
    out = w.item_segments(line)
    out += w.imd(line.description)
    out += w.qty("12", line.quantity, line.unit)
    out += w.qty("21", line.ordered_quantity, line.unit)
    for note in line.notes:
        out += w.ftx("AAI", note)
    references, line_numbers = _line_references(line, single_order)
    out += w.references(references, line_numbers)
    if line.best_before_date is not None or line.batch_number:
        out.append(Segment("PCI", [["ZZZ"]]))
        out += w.dtm("361", line.best_before_date)
        if line.batch_number:
            out.append(Segment("GIN", [["BX"], [line.batch_number]]))
    return out


def _line_references(
    line: DeliveryNoteLine, single_order: str | None
) -> tuple[list[Reference], dict[int, str]]:
    """The line's references, with what the map needs to find its order and order line.

    The map takes the order from the line's first RFF+ON (else the note's only order) and the order
    line from that RFF's 1156 (else an RFF+LI). A reference is added only when the line's own ones
    do not already say it.
    """
    references = list(line.references)
    first_on = next((i for i, r in enumerate(references) if r.qualifier == "ON"), None)
    has_li = any(r.qualifier == "LI" for r in references)
    line_number = line.order_line_number if not has_li else None
    if first_on is not None:
        return references, ({first_on: line_number} if line_number else {})
    needs_order = line.order_number is not None and line.order_number != single_order
    if needs_order or (line.order_number is not None and line_number):
        assert line.order_number is not None
        return [Reference(qualifier="ON", value=line.order_number), *references], (
            {0: line_number} if line_number else {}
        )
    if line_number:
        return [Reference(qualifier="LI", value=line_number), *references], {}
    return references, {}
