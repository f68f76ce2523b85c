"""Sender, recipient and number of an XML document, read before any map runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.translators.xml.samples import fixture
from translators.xml.identity import document_number, recipient_identity, sender_identity
from translators.xml.parser import read_xml


def test_ubl_invoice_sender_is_the_accounting_supplier_endpoint_with_its_scheme() -> None:
    doc = fixture("initech_invoice_ubl.xml")
    assert sender_identity(doc) == ("0088", "8712345000011")
    assert recipient_identity(doc) == ("0088", "4000001000005")
    assert document_number(doc) == "INI-2025-00731"


def test_ubl_credit_note_and_despatch_advice_name_their_supplier() -> None:
    assert sender_identity(fixture("initech_credit_note_ubl.xml")) == ("0088", "8712345000011")
    despatch = fixture("initech_despatch_advice_ubl.xml")
    assert sender_identity(despatch) == ("0088", "8712345000011")
    assert recipient_identity(despatch) == ("0088", "4000001000005")


def test_ubl_order_is_sent_by_the_buyer_and_the_response_by_the_seller() -> None:
    order = fixture("initech_order_ubl.xml")
    assert sender_identity(order) == ("0088", "4000001000005")
    assert recipient_identity(order) == ("0088", "8712345000011")
    response = fixture("initech_order_response_ubl.xml")
    assert sender_identity(response) == ("0088", "8712345000011")
    assert document_number(response) == "INI-OR-3301"


def test_ubl_party_without_endpoint_falls_back_to_a_party_identification_with_scheme() -> None:
    doc = read_xml(
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"'
        b' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"'
        b' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        b"<cbc:ID>1</cbc:ID><cac:AccountingSupplierParty><cac:Party>"
        b"<cac:PartyIdentification><cbc:ID>no-scheme</cbc:ID></cac:PartyIdentification>"
        b'<cac:PartyIdentification><cbc:ID schemeID="0192"> 987654321 </cbc:ID></cac:PartyIdentification>'
        b"</cac:Party></cac:AccountingSupplierParty></Invoice>"
    )
    assert sender_identity(doc) == ("0192", "987654321")
    assert recipient_identity(doc) is None


def test_cxml_identities_are_the_header_from_and_to_credentials() -> None:
    doc = fixture("acme_cxml_order_request.xml")
    assert sender_identity(doc) == ("NetworkID", "AN01000000123")
    assert recipient_identity(doc) == ("DUNS", "314159265")
    assert document_number(doc) == "ACME-PO-5521"
    assert doc.cxml is not None and doc.cxml.payload_id == "1741000000.4711@procure.acme.example"
    assert document_number(fixture("acme_cxml_invoice_detail_request.xml")) == "INV-77120"
    assert document_number(fixture("acme_cxml_ship_notice_request.xml")) == "SN-2025-0907"
    assert document_number(fixture("acme_cxml_confirmation_request.xml")) == "CONF-2025-118"


@dataclass
class _Map:
    sender: str = "string(Kopf/Kaeufer/GLN)"
    namespaces: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=lambda: {"number": "string(Kopf/Nummer)"})


def test_custom_xml_identity_comes_from_the_profile_xpaths() -> None:
    doc = read_xml(
        b"<Bestellung><Kopf><Nummer>B-1</Nummer>"
        b"<Kaeufer><GLN> 4012345000009 </GLN></Kaeufer></Kopf></Bestellung>"
    )
    assert sender_identity(doc) is None
    assert sender_identity(doc, _Map()) == ("", "4012345000009")
    assert document_number(doc, _Map()) == "B-1"
    assert sender_identity(doc, _Map(sender="")) is None
