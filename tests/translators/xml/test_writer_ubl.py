"""to_ubl: canonical documents → UBL 2.1, and reading that output gives back the same document."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.translators.xml.samples import Codes, Profile, fixture
from translators.documents.purchase_order import PurchaseOrder
from translators.xml.identity import document_number, recipient_identity, sender_identity
from translators.xml.maps import map_xml
from translators.xml.namespaces import UBL_CAC, UBL_CBC, ubl_namespace
from translators.xml.parser import read_xml
from translators.xml.writer_ubl import to_ubl

PROFILE = Profile(Codes(parties={"8712345000011": "SUPP-4001"}, items={"HC-DN20": "SKU-7001"}))


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("initech_order_ubl.xml", "Order"),
        ("initech_order_response_ubl.xml", "OrderResponse"),
        ("initech_despatch_advice_ubl.xml", "DespatchAdvice"),
        ("initech_invoice_ubl.xml", "Invoice"),
        ("initech_credit_note_ubl.xml", "CreditNote"),
    ],
)
def test_reading_the_written_ubl_gives_back_the_same_canonical_document(name: str, root: str) -> None:
    original = map_xml(fixture(name), PROFILE)
    assert original.errors == [] and original.document is not None
    written = to_ubl(original.document)
    doc = read_xml(written)
    assert (doc.kind, doc.document_type, doc.namespace) == ("ubl", root, ubl_namespace(root))
    again = map_xml(doc, PROFILE)
    assert again.errors == []
    assert again.document == original.document


def test_written_ubl_uses_standard_prefixes_and_carries_currency_units_and_identities() -> None:
    invoice = map_xml(fixture("initech_invoice_ubl.xml"), None).document
    assert invoice is not None
    written = to_ubl(invoice)
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(written)
    assert root.nsmap == {None: ubl_namespace("Invoice"), "cac": UBL_CAC, "cbc": UBL_CBC}
    ns = {"cac": UBL_CAC, "cbc": UBL_CBC}
    assert root.xpath("string(cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID)", namespaces=ns) == "EUR"
    assert root.xpath("string(cac:InvoiceLine[2]/cbc:InvoicedQuantity/@unitCode)", namespaces=ns) == "KGM"
    doc = read_xml(written)
    assert sender_identity(doc) == ("0088", "8712345000011")
    assert recipient_identity(doc) == ("0088", "4000001000005")
    assert document_number(doc) == "INI-2025-00731"


def test_a_purchase_order_from_another_syntax_renders_as_a_ubl_order() -> None:
    order = PurchaseOrder.model_validate(
        {
            "number": "4711",
            "message_function": "9",
            "currency": "EUR",
            "references": [{"qualifier": "PD", "value": "PROMO-1"}],
            "lines": [{"line_number": "1", "gtin": "4000001000012", "quantity": "5", "unit": "PCE"}],
        }
    )
    again = map_xml(read_xml(to_ubl(order)), None).document
    assert again is not None
    assert (again.number, again.lines[0].gtin, again.lines[0].unit) == ("4711", "4000001000012", "PCE")
    assert again.references[0].qualifier == "AdditionalDocumentReference"  # UBL has no element for PD


def test_anything_but_a_canonical_document_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        to_ubl(object())  # type: ignore[arg-type]
