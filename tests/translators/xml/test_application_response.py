"""UBL 2.1 ApplicationResponse: what we send XML partners, read back through the hardened reader.

The answer must parse with ``read_xml`` (no entities, no DTD), classify as a UBL ApplicationResponse,
name its sender and receiver the way ``sender_identity`` reads them, and carry every element in the
order the UBL 2.1 schema sequences require.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from translators.errors import EdiError, Location
from translators.xml.application_response import (
    DocumentReference,
    build_application_response,
    parse_application_response,
)
from translators.xml.identity import document_number, recipient_identity, sender_identity
from translators.xml.namespaces import UBL_PREFIXES
from translators.xml.parser import read_xml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "xml"
US = ("0088", "4000001000005")
PARTNER = ("0088", "5412345000013")

PRICE = EdiError(
    "PRICE_MISMATCH",
    "line 2: price 1.30 <differs> from the agreed 1.25 & was not accepted",
    Location(path="/Invoice/cac:InvoiceLine[2]/cac:Price/cbc:PriceAmount", line=48),
)
UNKNOWN = EdiError("UNKNOWN_ITEM", "line 3: GTIN 4012345000047 is not in our catalogue")


def response(accepted: bool, errors: list[EdiError], **options) -> bytes:
    options.setdefault("document_reference", ("INV-2026-0100", "Invoice"))
    return build_application_response(
        response_id="AR-7001",
        issue_date=dt.date(2026, 1, 16),
        sender=US,
        receiver=PARTNER,
        accepted=accepted,
        errors=errors,
        **options,
    )


def children(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def test_accepted_response_in_ubl_schema_order() -> None:
    doc = read_xml(response(True, []))
    assert (doc.kind, doc.document_type) == ("ubl", "ApplicationResponse")
    assert children(doc.root) == [
        "UBLVersionID", "ID", "IssueDate", "SenderParty", "ReceiverParty", "DocumentResponse",
    ]  # fmt: skip
    document_response = doc.root.find("cac:DocumentResponse", UBL_PREFIXES)
    assert children(document_response) == ["Response", "DocumentReference"]
    assert (
        doc.root.findtext("cac:DocumentResponse/cac:Response/cbc:ResponseCode", namespaces=UBL_PREFIXES)
        == "AP"
    )
    reference = document_response.find("cac:DocumentReference", UBL_PREFIXES)
    assert [(c, e.text) for c, e in zip(children(reference), reference, strict=True)] == [
        ("ID", "INV-2026-0100"),
        ("DocumentTypeCode", "380"),
        ("DocumentType", "Invoice"),
    ]


def test_identity_helpers_read_sender_receiver_and_number() -> None:
    doc = read_xml(response(True, []))
    assert sender_identity(doc) == US
    assert recipient_identity(doc) == PARTNER
    assert document_number(doc) == "AR-7001"


def test_rejected_response_has_one_status_per_error_with_code_and_reason() -> None:
    doc = read_xml(response(False, [PRICE, UNKNOWN]))
    response_element = doc.root.find("cac:DocumentResponse/cac:Response", UBL_PREFIXES)
    assert children(response_element) == ["ResponseCode", "Status", "Status"]
    assert response_element.findtext("cbc:ResponseCode", namespaces=UBL_PREFIXES) == "RE"
    statuses = response_element.findall("cac:Status", UBL_PREFIXES)
    assert [children(s) for s in statuses] == [["Description", "StatusReasonCode", "StatusReason"]] * 2
    codes = [s.find("cbc:StatusReasonCode", UBL_PREFIXES) for s in statuses]
    assert [(c.text, c.get("listID")) for c in codes] == [
        ("PRI", "OPStatusReason"),
        ("ITM", "OPStatusReason"),
    ]
    assert statuses[0].findtext("cbc:StatusReason", namespaces=UBL_PREFIXES) == PRICE.text


def test_rejected_response_round_trips_through_the_parser() -> None:
    report = parse_application_response(read_xml(response(False, [PRICE, UNKNOWN])))
    assert (report.response_id, report.issue_date, report.sender, report.receiver) == (
        "AR-7001",
        "2026-01-16",
        US,
        PARTNER,
    )
    assert not report.accepted
    [document] = report.documents
    assert (document.document_id, document.document_type, document.document_type_code) == (
        "INV-2026-0100",
        "Invoice",
        "380",
    )
    assert [(s.reason_code, s.description, s.reason) for s in document.statuses] == [
        ("PRI", "PRICE_MISMATCH", PRICE.text),
        ("ITM", "UNKNOWN_ITEM", UNKNOWN.text),
    ]


def test_accepted_response_round_trips_as_accepted() -> None:
    report = parse_application_response(read_xml(response(True, [])))
    assert report.accepted and report.document_ids == ("INV-2026-0100",)


def test_datetime_issue_date_writes_issue_time_and_options_write_peppol_identifiers() -> None:
    data = build_application_response(
        response_id="AR-1",
        issue_date=dt.datetime(2026, 1, 16, 9, 5, 7, 123),
        sender=US,
        receiver=PARTNER,
        document_reference=DocumentReference("PO-42", "Order", dt.date(2026, 1, 15)),
        accepted=True,
        errors=[],
        response_code="AB",
        customization_id="urn:fdc:peppol.eu:poacc:trns:mlr:3",
        profile_id="urn:fdc:peppol.eu:poacc:bis:mlr:3",
    )
    doc = read_xml(data)
    assert children(doc.root)[:6] == [
        "UBLVersionID",
        "CustomizationID",
        "ProfileID",
        "ID",
        "IssueDate",
        "IssueTime",
    ]
    assert doc.root.findtext("cbc:IssueTime", namespaces=UBL_PREFIXES) == "09:05:07"
    reference = doc.root.find("cac:DocumentResponse/cac:DocumentReference", UBL_PREFIXES)
    assert children(reference) == ["ID", "IssueDate", "DocumentTypeCode", "DocumentType"]
    report = parse_application_response(doc)
    assert (report.documents[0].response_code, report.accepted) == ("AB", True)


def test_unmapped_error_codes_become_oth_unless_the_partner_agreed_a_code() -> None:
    odd = EdiError("CLOSED_ORDER", "order PO-1 is closed")
    assert [
        s.reason_code
        for s in parse_application_response(read_xml(response(False, [odd]))).documents[0].statuses
    ] == ["OTH"]
    agreed = response(False, [odd], reason_codes={"CLOSED_ORDER": "REF"})
    assert parse_application_response(read_xml(agreed)).documents[0].statuses[0].reason_code == "REF"


def test_partner_peppol_mlr_with_line_responses_is_read() -> None:
    report = parse_application_response(read_xml((FIXTURES / "appresp_peppol_mlr_rejected.xml").read_bytes()))
    assert (report.response_id, report.sender, report.accepted) == ("MLR-88", PARTNER, False)
    [document] = report.documents
    assert document.descriptions == ("Rejected due to validation errors",)
    [line] = document.lines
    assert line.line_id == "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount"
    assert (line.response_code, line.statuses[0].reason_code) == ("RE", "BV")
    assert line.descriptions == ("Line amount does not equal quantity times price",)


def test_parse_refuses_other_documents() -> None:
    invoice = (
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID></Invoice>'
    )
    with pytest.raises(ValueError, match="not a UBL ApplicationResponse"):
        parse_application_response(read_xml(invoice))
