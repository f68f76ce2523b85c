"""render_document: one call renders a canonical document in the partner's syntax, enveloped and valid.

It dispatches on ``document_type``, takes control numbers as inputs, applies the reverse code maps,
and refuses (RenderError, with the located errors) to hand back anything edigate's own reader and
validator would reject.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from partners.profile import CodeMaps
from translators.documents.order_response import OrderResponse
from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.edifact.maps import map_message
from translators.edifact.reader import read_interchange
from translators.render import Endpoint, RenderError, ReverseCodes, render_document
from translators.x12.maps import map_transaction
from translators.x12.reader import read_x12_interchanges

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PREPARED = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
MINIMAL = {
    "document_type": "order_response",
    "number": "OR-1",
    "order_number": "PO-4711",
    "issue_date": "2026-11-27",
    "response_type": "accepted",
}
CONTROL = {"interchange": 17, "group": 3, "message": 1}


def minimal() -> OrderResponse:
    return OrderResponse.model_validate(MINIMAL)


def test_minimal_order_response_renders_as_eancom_d96a_ordrsp_with_the_given_control_numbers() -> None:
    rendered = render_document(
        minimal(),
        syntax="edifact",
        version="D96A",
        association="EANCOM",
        sender=Endpoint("4000001000005", "14"),
        recipient=Endpoint("5412345000013", "14"),
        control_numbers=CONTROL,
        prepared_at=PREPARED,
    )
    assert (rendered.syntax, rendered.message_type, rendered.control_reference) == ("edifact", "ORDRSP", "17")
    assert rendered.encoding == "latin-1"
    assert rendered.content.startswith(
        b"UNA:+.? 'UNB+UNOC:3+4000001000005:14+5412345000013:14+261127:0930+17++ORDRSP'"
    )
    assert b"UNH+1+ORDRSP:D:96A:UN:EAN005'" in rendered.content
    interchange = read_interchange(rendered.content)
    assert interchange.all_errors == []
    result = map_message(interchange.messages[0], interchange, None)
    assert result.ok and result.document is not None
    assert (result.document.number, result.document.order_number, result.document.response_type) == (
        "OR-1",
        "PO-4711",
        "accepted",
    )


def test_minimal_order_response_renders_as_x12_855() -> None:
    rendered = render_document(
        minimal(),
        syntax="x12",
        version="00401",
        sender=("EDIGATEDEMO", "ZZ"),
        recipient=Endpoint("GLOBEX", "ZZ", application_code="GLOBEXAP"),
        control_numbers=CONTROL,
        prepared_at=PREPARED,
        test=True,
    )
    assert (rendered.syntax, rendered.message_type, rendered.control_reference) == ("x12", "855", "000000017")
    interchange = read_x12_interchanges(rendered.content)[0]
    assert interchange.all_errors == [] and interchange.usage == "T"
    group = interchange.groups[0]
    assert (group.functional_id, group.receiver, group.control, group.version) == (
        "PR",
        "GLOBEXAP",
        "3",
        "004010",
    )
    result = map_transaction(group.transactions[0], group, interchange, None)
    assert result.ok and result.document is not None and result.document.order_number == "PO-4711"


def test_xml_is_ubl_and_reads_back_with_the_ubl_reader() -> None:
    rendered = render_document(
        minimal(),
        syntax="xml",
        version="2.1",
        sender=("us", ""),
        recipient=("them", ""),
        control_numbers=CONTROL,
        prepared_at=PREPARED,
    )
    assert (rendered.syntax, rendered.message_type, rendered.encoding) == ("xml", "OrderResponse", "utf-8")
    assert rendered.text.startswith("<?xml")
    assert b"<cbc:ID>OR-1</cbc:ID>" in rendered.content


def test_reverse_codes_as_plain_dicts_give_partner_units_and_glns() -> None:
    order = PurchaseOrder(
        number="PO-1",
        issue_date=dt.date(2026, 11, 27),
        buyer={"erp_id": "SELF"},
        lines=[PurchaseOrderLine(line_number="1", gtin="4000001000012", quantity=Decimal("2.5"), unit="KG")],
    )
    rendered = render_document(
        order,
        syntax="edifact",
        version="D01B",
        association="EANCOM",
        sender=("4000001000005", "14"),
        recipient=("4012345500004", "14"),
        control_numbers=CONTROL,
        prepared_at=PREPARED,
        decimal_mark=",",
        reverse_codes={"units": {"KG": "KGM"}, "parties": {"SELF": "4000001000005"}},
    )
    assert b"UNA:+,? '" in rendered.content
    assert b"NAD+BY+4000001000005::9'" in rendered.content
    assert b"QTY+21:2,5:KGM'" in rendered.content
    interchange = read_interchange(rendered.content)
    profile = type("P", (), {"codes": CodeMaps(units={"KGM": "KG"}, parties={"4000001000005": "SELF"})})()
    result = map_message(interchange.messages[0], interchange, profile)
    assert result.document is not None
    assert result.document.lines[0].unit == "KG" and result.document.buyer.erp_id == "SELF"


def test_document_the_directory_cannot_carry_is_refused_with_located_errors() -> None:
    document = minimal().model_copy(update={"currency": "EURO"})  # CUX 6345 is a 3-letter code
    with pytest.raises(RenderError) as raised:
        render_document(
            document,
            syntax="edifact",
            version="D96A",
            sender=("4000001000005", "14"),
            recipient=("5412345000013", "14"),
            control_numbers=CONTROL,
            prepared_at=PREPARED,
        )
    assert raised.value.errors and raised.value.errors[0].location.segment_tag == "CUX"


def test_writer_refusals_surface_as_render_errors() -> None:
    document = OrderResponse(number="OR-9", order_number="PO-1", response_type="accepted")  # no date at all
    for syntax, version in (("edifact", "D96A"), ("x12", "005010")):
        with pytest.raises(RenderError, match="date"):
            render_document(
                document,
                syntax=syntax,  # type: ignore[arg-type]
                version=version,
                sender=("A", "ZZ"),
                recipient=("B", "ZZ"),
                control_numbers=CONTROL,
                prepared_at=PREPARED,
            )


def test_text_outside_the_declared_character_set_is_refused() -> None:
    document = minimal().model_copy(update={"notes": ["Grüße aus Köln"]})
    with pytest.raises(RenderError, match="UNOA"):
        render_document(
            document,
            syntax="edifact",
            version="D96A",
            sender=("A", "ZZ"),
            recipient=("B", "ZZ"),
            control_numbers=CONTROL,
            prepared_at=PREPARED,
            syntax_identifier="UNOA",
        )


@pytest.mark.parametrize("name", ["missing", "zero"])
def test_control_numbers_are_required_positive_integers(name: str) -> None:
    numbers = {"interchange": 1, "group": 1} | ({} if name == "missing" else {"message": 0})
    with pytest.raises(ValueError, match="message"):
        render_document(
            minimal(),
            syntax="edifact",
            version="D96A",
            sender=("A", "ZZ"),
            recipient=("B", "ZZ"),
            control_numbers=numbers,
            prepared_at=PREPARED,
        )


def test_edifact_invoice_renders_as_edifact_and_ubl_but_its_vat_category_is_no_x12_tax_type() -> None:
    interchange = read_interchange((FIXTURES / "edifact" / "supplier_one_invoic_d96a.edi").read_bytes())
    invoice = map_message(interchange.messages[0], interchange, None).document
    assert invoice is not None
    common = {
        "sender": ("A", "ZZ"),
        "recipient": ("B", "ZZ"),
        "control_numbers": CONTROL,
        "prepared_at": PREPARED,
        "reverse_codes": ReverseCodes(units={"PCE": "EA"}),
    }
    assert render_document(invoice, syntax="edifact", version="D01B", association="EANCOM", **common).content
    assert render_document(invoice, syntax="xml", version="2.1", **common).message_type == "Invoice"
    # EN 16931 category "S" is not an X12 TXI01 tax type code (ST, VA, …): refused, never guessed.
    with pytest.raises(RenderError, match="TXI01"):
        render_document(invoice, syntax="x12", version="004010", **common)
