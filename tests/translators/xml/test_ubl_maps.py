"""UBL 2.1 → canonical documents: what lands where, and how bad data is reported (XPath + line)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from tests.translators.xml.samples import Codes, Profile, fixture
from translators.documents.common import Address, AllowanceCharge, InvoiceParty, Party, Reference
from translators.documents.invoice import Invoice, InvoiceLine, InvoiceTotals, PaymentTerms, TaxBreakdown
from translators.xml.maps import map_xml
from translators.xml.parser import XmlDocument, read_xml

D = Decimal


def edited(name: str, old: str, new: str) -> XmlDocument:
    """A fixture with one piece of text replaced: one rule per test, on a realistic document."""
    from tests.translators.xml.samples import FIXTURES

    data = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in data, old
    return read_xml(data.replace(old, new, 1).encode())


INITECH = Profile(
    Codes(
        units={"C62": "EA"},
        parties={"8712345000011": "SUPP-4001", "4000001000012": "WH-DORTMUND"},
        items={"08712345000103": "SKU-7001", "DOC-SET-3": "SKU-7002"},
    )
)


def test_invoice_maps_field_by_field_with_two_vat_rates_and_totals_that_add_up() -> None:
    result = map_xml(fixture("initech_invoice_ubl.xml"), INITECH)
    assert result.errors == []
    expected = Invoice(
        number="INI-2025-00731",
        invoice_type="invoice",
        type_code="380",
        issue_date=dt.date(2025, 3, 18),
        tax_point_date=dt.date(2025, 3, 17),
        due_date=dt.date(2025, 4, 17),
        currency="EUR",
        seller=InvoiceParty(
            gln="8712345000011",
            erp_id="SUPP-4001",
            name="Initech B.V.",
            address=Address(street="Stationsplein 45", city="Utrecht", postal_code="3511 ED", country="NL"),
            vat_id="NL859871452B01",
        ),
        buyer=InvoiceParty(
            gln="4000001000005",
            name="Example Manufacturing GmbH",
            address=Address(street="Werkstraße 7", city="Dortmund", postal_code="44137", country="DE"),
            vat_id="DE811234567",
        ),
        ship_to=Party(
            gln="4000001000012",
            erp_id="WH-DORTMUND",
            address=Address(street="Hafenweg 3", city="Dortmund", postal_code="44147", country="DE"),
        ),
        order_number="PO-88213",
        delivery_note_number="INI-DA-5512",
        contract_number="FRAME-2024-07",
        references=[
            Reference(qualifier="ON", type="buyer_order", value="PO-88213"),
            Reference(qualifier="AAK", type="despatch_advice", value="INI-DA-5512"),
            Reference(qualifier="CT", type="contract", value="FRAME-2024-07"),
        ],
        notes=["Delivery 2025-03-17, despatch advice INI-DA-5512"],
        payment_terms=[PaymentTerms(description="30 days net, 2 % discount within 10 days")],
        lines=[
            InvoiceLine(
                line_number="1",
                gtin="08712345000103",
                seller_item_id="HC-DN20",
                erp_item_id="SKU-7001",
                description="Hydraulic coupling DN20",
                quantity=D("10"),
                unit="EA",
                unit_price=D("12.50"),
                price_basis_quantity=D("1"),
                gross_price=D("14.00"),
                line_net_amount=D("125.00"),
                tax_category="S",
                tax_rate=D("19"),
                order_line_number="1",
            ),
            InvoiceLine(
                line_number="2",
                seller_item_id="DOC-SET-3",
                erp_item_id="SKU-7002",
                description="Manual set, printed",
                quantity=D("4"),
                unit="KGM",
                notes=["Technical documentation, printed"],
                unit_price=D("20.00"),
                line_net_amount=D("80.00"),
                tax_category="S",
                tax_rate=D("7"),
                order_line_number="2",
            ),
        ],
        allowances_charges=[
            AllowanceCharge(
                is_charge=False,
                amount=D("5.00"),
                reason="Discount",
                reason_code="95",
                tax_category="S",
                tax_rate=D("19"),
            ),
            AllowanceCharge(
                is_charge=True,
                amount=D("10.00"),
                reason="Freight",
                reason_code="FC",
                tax_category="S",
                tax_rate=D("19"),
            ),
        ],
        tax_breakdown=[
            TaxBreakdown(
                tax_category="S", tax_rate=D("19"), taxable_amount=D("130.00"), tax_amount=D("24.70")
            ),
            TaxBreakdown(tax_category="S", tax_rate=D("7"), taxable_amount=D("80.00"), tax_amount=D("5.60")),
        ],
        totals=InvoiceTotals(
            line_net_total=D("205.00"),
            allowance_total=D("5.00"),
            charge_total=D("10.00"),
            tax_exclusive_amount=D("210.00"),
            tax_total=D("30.30"),
            tax_inclusive_amount=D("240.30"),
            payable_amount=D("240.30"),
        ),
    )
    assert result.document is not None
    for name in Invoice.model_fields:
        assert getattr(result.document, name) == getattr(expected, name), name


def test_credit_note_is_an_invoice_of_type_credit_note_that_names_the_corrected_invoice() -> None:
    result = map_xml(fixture("initech_credit_note_ubl.xml"), None)
    assert result.errors == []
    note = result.document
    assert isinstance(note, Invoice)
    assert (note.invoice_type, note.type_code, note.number) == ("credit_note", "381", "INI-CN-2025-0042")
    assert note.preceding_invoice_number == "INI-2025-00731"
    assert note.references == [
        Reference(qualifier="IV", type="invoice", value="INI-2025-00731", date=dt.date(2025, 3, 18))
    ]
    assert note.due_date == dt.date(2025, 4, 24)
    assert [(line.quantity, line.unit, line.line_net_amount) for line in note.lines] == [
        (D("2"), "C62", D("25.00"))
    ]
    assert note.totals.payable_amount == D("29.75")
    assert note.seller is not None and note.seller.vat_id == "NL859871452B01"


def test_despatch_advice_maps_packages_lots_backorders_and_carrier() -> None:
    result = map_xml(fixture("initech_despatch_advice_ubl.xml"), INITECH)
    assert result.errors == []
    note = result.document
    assert note is not None
    assert (note.number, note.issue_date, note.despatch_date, note.delivery_date) == (
        "INI-DA-5512",
        dt.date(2025, 3, 16),
        dt.date(2025, 3, 16),
        dt.date(2025, 3, 17),
    )
    assert note.order_numbers == ["PO-88213"]
    assert note.ship_from is not None and note.ship_from.erp_id == "SUPP-4001"
    assert note.ship_to is not None and note.ship_to.gln == "4000001000012"
    assert note.carrier == Party(name="Rijn Transport B.V.")
    assert (note.transport_mode, note.transport_reference, note.package_count) == ("3", "TRK-44-0098812", 1)
    assert note.gross_weight is not None and (note.gross_weight.value, note.gross_weight.unit) == (
        D("212.5"),
        "KGM",
    )
    [package] = note.packages
    assert (package.id, package.sscc, package.package_type, package.package_count) == (
        "1",
        "387123450000000019",
        "PX",
        1,
    )
    first, second = note.lines
    assert (first.quantity, first.unit, first.erp_item_id, first.batch_number, first.best_before_date) == (
        D("10"),
        "EA",
        "SKU-7001",
        "L2025-0311",
        dt.date(2030, 3, 31),
    )
    assert (first.order_number, first.order_line_number, first.package_id, first.sscc) == (
        "PO-88213",
        "1",
        "1",
        "387123450000000019",
    )
    assert second.notes == ["backorder 2 KGM: reprint in progress"]


def test_order_maps_parties_prices_per_basis_quantity_and_line_count() -> None:
    result = map_xml(fixture("initech_order_ubl.xml"), INITECH)
    assert result.errors == []
    order = result.document
    assert order is not None
    assert (order.number, order.document_name_code, order.issue_date, order.requested_delivery_date) == (
        "PO-88213",
        "220",
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 17),
    )
    assert order.buyer == Party(
        gln="4000001000005", party_id="K-7781", party_id_agency="92", name="Example Manufacturing GmbH"
    )
    assert order.seller is not None and (order.seller.gln, order.seller.erp_id) == (
        "8712345000011",
        "SUPP-4001",
    )
    assert order.ship_to is not None and order.ship_to.erp_id == "WH-DORTMUND"
    assert [r.qualifier for r in order.references] == ["QuotationDocumentReference", "CT"]
    assert (order.total_amount, order.line_count, order.currency) == (D("205.00"), 2, "EUR")
    first, second = order.lines
    assert (first.quantity, first.unit, first.unit_price, first.price_basis_quantity, first.line_amount) == (
        D("10"),
        "EA",
        D("1250.00"),
        D("100"),
        D("125.00"),
    )
    assert (first.gtin, first.buyer_item_id, first.seller_item_id, first.erp_item_id) == (
        "08712345000103",
        "MAT-55120",
        "HC-DN20",
        "SKU-7001",
    )
    assert (second.notes, second.requested_delivery_date) == (["German edition"], dt.date(2025, 3, 20))


def test_order_response_maps_header_code_and_line_statuses() -> None:
    result = map_xml(fixture("initech_order_response_ubl.xml"), None)
    assert result.errors == []
    response = result.document
    assert response is not None
    assert (response.response_type, response.response_code, response.order_number, response.order_date) == (
        "changed",
        "CA",
        "PO-88213",
        dt.date(2025, 3, 3),
    )
    assert response.delivery_date == dt.date(2025, 3, 17)
    assert [
        (line.line_status, line.line_status_code, line.confirmed_quantity) for line in response.lines
    ] == [
        ("accepted", "5", D("10")),
        ("changed", "3", D("2")),
    ]
    assert response.lines[1].delivery_date == dt.date(2025, 3, 24)
    assert response.lines[1].references == [Reference(qualifier="LI", type="line_item", value="2")]


def test_order_response_simple_maps_the_accepted_indicator() -> None:
    data = (
        b'<OrderResponseSimple xmlns="urn:oasis:names:specification:ubl:schema:xsd:OrderResponseSimple-2"'
        b' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"'
        b' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        b"<cbc:ID>R-1</cbc:ID><cbc:AcceptedIndicator>false</cbc:AcceptedIndicator>"
        b"<cbc:RejectionNote>Item discontinued</cbc:RejectionNote>"
        b"<cac:OrderReference><cbc:ID>PO-1</cbc:ID></cac:OrderReference></OrderResponseSimple>"
    )
    result = map_xml(read_xml(data), None)
    assert result.document is not None
    assert (result.document.response_type, result.document.notes) == ("rejected", ["Item discontinued"])


def test_invalid_quantity_is_located_by_xpath_and_line() -> None:
    doc = edited(
        "initech_invoice_ubl.xml",
        '<cbc:InvoicedQuantity unitCode="KGM">4<',
        '<cbc:InvoicedQuantity unitCode="KGM">4,5<',
    )
    result = map_xml(doc, None)
    assert result.document is None
    [error] = result.errors
    assert error.code == "INVALID_NUMBER"
    assert error.location.path == "/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity"
    assert error.location.line == doc.root.find(".//{*}InvoiceLine[2]/{*}InvoicedQuantity").sourceline
    assert "'4,5'" in error.text and "decimal mark" in error.text


def test_impossible_date_is_an_invalid_date() -> None:
    result = map_xml(edited("initech_invoice_ubl.xml", "2025-04-17", "2025-02-30"), None)
    [error] = result.errors
    assert (error.code, error.location.path) == ("INVALID_DATE", "/Invoice/cbc:DueDate")


def test_an_amount_in_another_currency_is_a_currency_mismatch() -> None:
    doc = edited(
        "initech_invoice_ubl.xml",
        '<cbc:LineExtensionAmount currencyID="EUR">80.00',
        '<cbc:LineExtensionAmount currencyID="USD">80.00',
    )
    [error] = map_xml(doc, None).errors
    assert error.code == "CURRENCY_MISMATCH"
    assert error.location.path == "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount/@currencyID"


def test_totals_that_do_not_add_up_are_reported_not_corrected() -> None:
    doc = edited(
        "initech_invoice_ubl.xml",
        '<cbc:PayableAmount currencyID="EUR">240.30',
        '<cbc:PayableAmount currencyID="EUR">240.00',
    )
    result = map_xml(doc, None)
    assert result.document is None
    [error] = result.errors
    assert error.code == "TOTAL_MISMATCH"
    assert "BR-CO-16" in error.text and "240.30" in error.text
    assert error.location.path == "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"


def test_a_tax_subtotal_that_does_not_sum_to_the_tax_total_is_reported() -> None:
    doc = edited(
        "initech_invoice_ubl.xml",
        '<cbc:TaxAmount currencyID="EUR">5.60',
        '<cbc:TaxAmount currencyID="EUR">5.70',
    )
    codes = {e.code for e in map_xml(doc, None).errors}
    assert codes == {"TOTAL_MISMATCH"}


def test_every_problem_is_reported_at_once() -> None:
    doc = edited("initech_order_ubl.xml", '<cbc:Quantity unitCode="C62">10</cbc:Quantity>', "")
    doc2_data = etree.tostring(doc.root).replace(b"2025-03-03", b"03.03.2025")
    result = map_xml(read_xml(doc2_data), None)
    assert sorted((e.code, e.location.path) for e in result.errors) == [
        ("INVALID_DATE", "/Order/cbc:IssueDate"),
        ("MISSING_ELEMENT", "/Order/cac:OrderLine[1]/cac:LineItem"),
    ]
    assert result.document is None


def test_line_count_mismatch_is_reported() -> None:
    doc = edited("initech_order_ubl.xml", "<cbc:LineCountNumeric>2<", "<cbc:LineCountNumeric>3<")
    [error] = map_xml(doc, None).errors
    assert (error.code, error.location.path) == ("LINE_COUNT_MISMATCH", "/Order/cbc:LineCountNumeric")


def test_unsupported_ubl_document_is_a_located_error() -> None:
    doc = read_xml(b'<Catalogue xmlns="urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"/>')
    [error] = map_xml(doc, None).errors
    assert (error.code, error.location.path, error.location.line) == (
        "UNSUPPORTED_XML_DOCUMENT",
        "/Catalogue",
        1,
    )


def test_custom_xml_without_a_profile_map_is_unsupported() -> None:
    [error] = map_xml(read_xml(b"<Bestellung/>"), None).errors
    assert error.code == "UNSUPPORTED_XML_DOCUMENT"
