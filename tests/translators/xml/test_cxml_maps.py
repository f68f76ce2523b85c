"""cXML → canonical documents: OrderRequest, ConfirmationRequest, ShipNoticeRequest, InvoiceDetailRequest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.translators.xml.samples import FIXTURES, Codes, Profile, fixture
from translators.documents.common import Address, AllowanceCharge, InvoiceParty, Party
from translators.documents.invoice import InvoiceTotals, PaymentTerms, TaxBreakdown
from translators.xml.maps import map_xml
from translators.xml.parser import XmlDocument, read_xml

D = Decimal
ACME = Profile(
    Codes(units={"EA": "PCE"}, parties={"4000001000012": "CUST-ACME-SUED"}, items={"HC-DN20": "SKU-7001"})
)


def edited(name: str, old: str, new: str) -> XmlDocument:
    data = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in data, old
    return read_xml(data.replace(old, new, 1).encode())


def test_order_request_maps_header_addresses_and_items() -> None:
    result = map_xml(fixture("acme_cxml_order_request.xml"), ACME)
    assert result.errors == []
    order = result.document
    assert order is not None
    assert (order.number, order.message_function, order.issue_date, order.requested_delivery_date) == (
        "ACME-PO-5521",
        "9",
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 14),
    )
    assert (order.currency, order.total_amount, order.notes) == (
        "EUR",
        D("183.60"),
        ["Call 30 minutes before arrival"],
    )
    assert order.buyer == Party(party_id="AN01000000123", party_id_agency="NetworkID")
    assert order.seller == Party(party_id="314159265", party_id_agency="DUNS")
    assert order.ship_to == Party(
        gln="4000001000012",
        erp_id="CUST-ACME-SUED",
        name="Acme Werk Süd",
        address=Address(street="Industriering 14", city="Augsburg", postal_code="86159", country="DE"),
    )
    assert order.invoicee is not None and (order.invoicee.party_id, order.invoicee.name) == (
        "ACME-AP",
        "Acme GmbH Kreditorenbuchhaltung",
    )
    first, second = order.lines
    assert (first.line_number, first.quantity, first.unit, first.unit_price) == (
        "1",
        D("12"),
        "PCE",
        D("12.50"),
    )
    assert (first.seller_item_id, first.buyer_item_id, first.erp_item_id, first.description) == (
        "HC-DN20",
        "MAT-55120",
        "SKU-7001",
        "Hydraulic coupling DN20",
    )
    assert (second.quantity, second.unit, second.requested_delivery_date, second.notes) == (
        D("2.5"),
        "KGM",
        dt.date(2025, 3, 21),
        ["Food-grade only"],
    )


def test_order_request_update_is_a_replacement() -> None:
    doc = edited("acme_cxml_order_request.xml", 'type="new"', 'type="update"')
    result = map_xml(doc, None)
    assert result.document is not None and result.document.message_function == "5"


def test_order_request_quantity_that_is_not_a_number_is_located_on_the_attribute() -> None:
    doc = edited("acme_cxml_order_request.xml", 'quantity="2.5"', 'quantity="2½"')
    [error] = map_xml(doc, None).errors
    assert error.code == "INVALID_NUMBER"
    assert error.location.path == "/cXML/Request/OrderRequest/ItemOut[2]/@quantity"
    assert error.location.line == 67  # the ItemOut element's line in the fixture


def test_confirmation_request_splits_a_line_over_its_statuses() -> None:
    result = map_xml(fixture("acme_cxml_confirmation_request.xml"), None)
    assert result.errors == []
    response = result.document
    assert response is not None
    assert (response.number, response.response_type, response.response_code, response.order_number) == (
        "CONF-2025-118",
        "changed",
        "detail",
        "ACME-PO-5521",
    )
    assert response.order_date == dt.date(2025, 3, 3)
    first, second = response.lines
    assert (first.line_status, first.ordered_quantity, first.confirmed_quantity, first.delivery_date) == (
        "accepted",
        D("12"),
        D("12"),
        dt.date(2025, 3, 14),
    )
    assert (
        second.line_status,
        second.line_status_code,
        second.ordered_quantity,
        second.confirmed_quantity,
    ) == (
        "changed",
        "accept backordered",
        D("2.5"),
        D("1.5"),
    )
    assert second.notes == ["Next production run"]


def test_ship_notice_maps_carrier_contacts_batches_and_order_lines() -> None:
    result = map_xml(fixture("acme_cxml_ship_notice_request.xml"), None)
    assert result.errors == []
    note = result.document
    assert note is not None
    assert (note.number, note.despatch_date, note.delivery_date, note.order_numbers) == (
        "SN-2025-0907",
        dt.date(2025, 3, 13),
        dt.date(2025, 3, 14),
        ["ACME-PO-5521"],
    )
    assert note.carrier == Party(party_id="DHLG", party_id_agency="SCAC", name="DHL Freight")
    assert note.transport_reference == "JJD000390007776543"
    assert note.ship_to is not None and note.ship_to.gln == "4000001000012"
    assert note.ship_from is not None and note.ship_from.name == "Example Manufacturing, warehouse"
    first, second = note.lines
    assert (first.order_number, first.order_line_number, first.batch_number, first.best_before_date) == (
        "ACME-PO-5521",
        "1",
        "L2025-0311",
        dt.date(2030, 3, 31),
    )
    assert (second.line_number, second.quantity, second.unit) == ("2", D("1.5"), "KGM")


def test_invoice_detail_request_maps_partners_terms_tax_and_summary() -> None:
    result = map_xml(fixture("acme_cxml_invoice_detail_request.xml"), None)
    assert result.errors == []
    invoice = result.document
    assert invoice is not None
    assert (
        invoice.number,
        invoice.invoice_type,
        invoice.type_code,
        invoice.issue_date,
        invoice.currency,
    ) == (
        "INV-77120",
        "invoice",
        "380",
        dt.date(2025, 3, 14),
        "EUR",
    )
    assert invoice.seller == InvoiceParty(
        party_id="RT-01",
        name="Example Manufacturing GmbH",
        address=Address(street="Werkstraße 7", city="Dortmund", postal_code="44137", country="DE"),
        vat_id="DE811234567",
    )
    assert invoice.payee == invoice.seller
    assert invoice.buyer is not None and invoice.buyer.party_id == "ACME-AP"
    assert invoice.order_number == "ACME-PO-5521"
    assert invoice.payment_terms == [
        PaymentTerms(discount_percent=D("2"), discount_days=10),
        PaymentTerms(net_days=30),
    ]
    assert [
        (line.line_number, line.quantity, line.line_net_amount, line.tax_rate) for line in invoice.lines
    ] == [
        ("1", D("12"), D("150.00"), D("19")),
        ("2", D("1.5"), D("20.16"), D("19")),
    ]
    assert invoice.allowances_charges == [
        AllowanceCharge(is_charge=True, amount=D("10.00"), reason="shipping")
    ]
    assert invoice.tax_breakdown == [
        TaxBreakdown(tax_category="vat", tax_rate=D("19"), taxable_amount=D("180.16"), tax_amount=D("34.23"))
    ]
    assert invoice.totals == InvoiceTotals(
        line_net_total=D("170.16"),
        tax_total=D("34.23"),
        tax_inclusive_amount=D("214.39"),
        payable_amount=D("214.39"),
    )


def test_invoice_detail_summary_that_does_not_add_up_is_reported() -> None:
    doc = edited(
        "acme_cxml_invoice_detail_request.xml",
        '<GrossAmount>\n          <Money currency="EUR">214.39',
        '<GrossAmount>\n          <Money currency="EUR">204.39',
    )
    errors = map_xml(doc, None).errors
    assert [e.code for e in errors] == ["TOTAL_MISMATCH", "TOTAL_MISMATCH"]
    assert errors[0].location.path == "/cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary/GrossAmount"


def test_unsupported_cxml_request_is_a_located_error() -> None:
    doc = read_xml(b"<cXML><Request><ProfileRequest/></Request></cXML>")
    [error] = map_xml(doc, None).errors
    assert error.code == "UNSUPPORTED_XML_DOCUMENT" and "ProfileRequest" in error.text
