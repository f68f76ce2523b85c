"""The canonical delivery note (despatch advice): what a supplier has shipped to us, and how it is packed.

EDIFACT DESADV, X12 856 and UBL DespatchAdvice all end up as this JSON. The packing hierarchy
(consignment → pallets → cartons) is a flat list of :class:`Package` with parent links, and each line
says which package it is in (``package_id`` and that package's ``sscc``). Lines are listed once, in
``lines``, never repeated inside packages: one source of truth, so an ERP that sums quantities cannot
count a line twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from translators.documents.common import CanonicalModel, DocumentLine, Measure, Party, Quantity, Reference


class Package(CanonicalModel):
    """One level of the packing hierarchy: a consignment, a pallet, a carton.

    ``id`` is the hierarchy id as sent (EDIFACT CPS 7164, X12 HL01), unique within the note;
    ``parent_id`` the id of the package it sits in (CPS 7166, HL02), None at the top.
    ``sscc`` is the GS1 Serial Shipping Container Code on the label (PCI+33E/GIN+BJ, X12 MAN*GM,
    UBL ``TransportHandlingUnit/ID``). ``package_type`` is the packaging code as sent (EDIFACT 7065
    such as ``201`` ISO pallet or ``CT`` carton, X12 PO4/TD1 packaging code); ``package_count`` is
    how many such packages this level describes (PAC 7224), usually 1 for an SSCC-labelled unit.
    """

    id: str = Field(min_length=1)
    parent_id: str | None = None
    sscc: str | None = None
    package_type: str | None = None
    package_count: int | None = None
    gross_weight: Measure | None = None


class DeliveryNoteLine(DocumentLine):
    """One despatched item in one package.

    ``quantity`` is the despatched quantity (EDIFACT QTY 12, X12 SN102, UBL ``DeliveredQuantity``);
    ``ordered_quantity`` the quantity originally ordered when the supplier repeats it (QTY 21).
    ``order_number``/``order_line_number`` tie the line to our purchase order line (RFF ON / LI at
    line level, else the note's only order). ``package_id``/``sscc`` name the package the line is in.
    """

    ordered_quantity: Quantity | None = None
    order_number: str | None = None
    order_line_number: str | None = None
    batch_number: str | None = None
    best_before_date: dt.date | None = None
    package_id: str | None = None
    sscc: str | None = None


class DeliveryNote(CanonicalModel):
    """A delivery note (despatch advice) received from a supplier.

    ``order_numbers`` are the purchase orders this despatch delivers (one or more); ``references``
    holds every reference the supplier sent, including those orders, so nothing is lost.
    ``delivery_date`` is the *estimated* delivery date (EDIFACT DTM 17/2, X12 DTM 017).
    ``carrier`` is the transport company; ``transport_reference`` its shipment or tracking number;
    ``transport_mode`` the mode code as sent (EDIFACT 8067, X12 TD504).
    """

    document_type: Literal["delivery_note"] = "delivery_note"
    number: str = Field(min_length=1)
    issue_date: dt.date | None = None
    despatch_date: dt.date | None = None
    delivery_date: dt.date | None = None
    order_numbers: list[str] = Field(default_factory=list)
    buyer: Party | None = None
    seller: Party | None = None
    ship_to: Party | None = None
    ship_from: Party | None = None
    carrier: Party | None = None
    transport_mode: str | None = None
    transport_reference: str | None = None
    gross_weight: Measure | None = None
    package_count: int | None = None
    notes: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    packages: list[Package] = Field(default_factory=list)
    lines: list[DeliveryNoteLine] = Field(default_factory=list)
