"""EDIFACT writers are the exact inverse of the inbound maps, and what they write is valid.

Every round trip: canonical document (from a real inbound fixture through its map) → render →
edigate's reader (no envelope errors) → ``validate_message`` (no errors) → the inbound map → the same
canonical document, compared field by field. Each variant a partner can ask for is covered: UN D96A,
EANCOM 1997 (D96A), UN D01B, EANCOM 2002 (D01B), with "." and "," as decimal mark. Where a field
cannot make the trip, the test says so next to the exclusion.
"""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from partners.profile import CodeMaps
from translators.documents.common import Address, AllowanceCharge, InvoiceParty, Party, Reference
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.documents.invoice import Invoice, InvoiceLine, InvoiceTotals, PaymentTerms
from translators.documents.order_response import OrderResponse, OrderResponseLine
from translators.edifact.maps import map_message
from translators.edifact.model import Interchange, Message
from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message
from translators.edifact.writer import interchange_segments
from translators.edifact.writers import (
    EANCOM_ASSOCIATIONS,
    envelope_edifact,
    render_desadv,
    render_invoic,
    render_orders,
    render_ordrsp,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
WRITERS: dict[str, Any] = {
    "ORDERS": render_orders,
    "ORDRSP": render_ordrsp,
    "DESADV": render_desadv,
    "INVOIC": render_invoic,
}
VARIANTS = [("D96A", False), ("D96A", True), ("D01B", False), ("D01B", True)]
VARIANT_IDS = ["D96A", "EANCOM97", "D01B", "EANCOM2002"]
PREPARED = dt.datetime(2026, 11, 27, 9, 30)


class Profile:
    """A partner profile as the maps see it: anything with ``codes``."""

    def __init__(self, **maps: dict[str, str]) -> None:
        self.codes = CodeMaps(**maps)

    def reverse(self) -> dict[str, dict[str, str]]:
        """The inverse maps a caller passes to the writers (ERP value → partner value)."""
        return {
            "units": {erp: partner for partner, erp in self.codes.units.items()},
            "parties": {erp: gln for gln, erp in self.codes.parties.items()},
            "items": {},
        }


ACME = Profile(
    units={"PCE": "EA", "KGM": "KG"},
    parties={"5412345000013": "CUST-1001", "4000001000005": "SELF", "5412345000020": "DC-GENT"},
    items={"4000001000012": "SKU-W10"},
)
SUPPLIER_ONE = Profile(
    units={"PCE": "EA"},
    parties={"4012345500004": "SUPP-2001", "4000001000005": "SELF", "4000001000029": "WH-01"},
    items={"4012345000016": "SKU-BOLT-M8", "SO-200": "SKU-WASHER-M8"},
)
FIXTURE_CASES = [
    ("acme_orders_d96a.edi", ACME),
    ("supplier_one_ordrsp_d96a.edi", SUPPLIER_ONE),
    ("ordrsp_accepted_d01b.edi", SUPPLIER_ONE),
    ("supplier_one_desadv_d96a.edi", SUPPLIER_ONE),
    ("supplier_one_desadv_d01b.edi", SUPPLIER_ONE),
    ("supplier_one_invoic_d96a.edi", SUPPLIER_ONE),
    ("supplier_one_invoic_credit_note_d01b.edi", SUPPLIER_ONE),
    ("invoic_d93a_decimal_comma.edi", None),
]


def inbound(name: str, profile: Profile | None) -> tuple[Any, str]:
    interchange = read_interchange((FIXTURES / name).read_bytes())
    (message,) = interchange.messages
    result = map_message(message, interchange, profile)
    assert result.ok, result.errors
    return result.document, message.type


def render(
    document: Any,
    message_type: str,
    version: str,
    eancom: bool,
    *,
    mark: str = ".",
    profile: Profile | None = None,
    reference: str = "1",
) -> list[Any]:
    association = EANCOM_ASSOCIATIONS[(message_type, version)] if eancom else None
    codes = profile.reverse() if profile is not None else {}
    return WRITERS[message_type](
        document,
        version=version,
        association=association,
        message_reference=reference,
        decimal_mark=mark,
        **codes,
    )


def envelope(*messages: list[Any], mark: str = ".") -> str:
    return envelope_edifact(
        list(messages),
        sender=("4000001000005", "14"),
        recipient=("5412345000013", "14"),
        control_reference="ES000042",
        prepared_at=PREPARED,
        decimal_mark=mark,
    )


def read_back(text: str) -> tuple[Interchange, Message]:
    """Reader + validation: no envelope error, no definition error."""
    interchange = read_interchange(text.encode("latin-1"))
    assert interchange.errors == []
    (message,) = interchange.messages
    assert validate_message(message, interchange.separators.decimal) == []
    return interchange, message


def round_trip(document: Any, message_type: str, version: str, eancom: bool, **options: Any) -> Any:
    mark = options.get("mark", ".")
    interchange, message = read_back(
        envelope(render(document, message_type, version, eancom, **options), mark=mark)
    )
    result = map_message(message, interchange, options.get("profile"))
    assert result.errors == []
    return result.document


def dump(document: Any) -> dict[str, Any]:
    return document.model_dump(mode="json")


@pytest.mark.parametrize("mark", [".", ","])
@pytest.mark.parametrize(("version", "eancom"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize(("name", "profile"), FIXTURE_CASES, ids=[c[0] for c in FIXTURE_CASES])
def test_fixture_document_round_trips_through_writer_reader_validator_and_map(
    name: str, profile: Profile | None, version: str, eancom: bool, mark: str
) -> None:
    document, message_type = inbound(name, profile)
    expected = dump(document)
    if message_type == "DESADV" and version == "D96A" and eancom:
        # EANCOM 1997 DESADV has no header MEA: the consignment's gross weight has nowhere to go.
        expected["gross_weight"] = None
    back = round_trip(document, message_type, version, eancom, mark=mark, profile=profile)
    assert dump(back) == expected


def _pydifact_segments(text: str) -> list[tuple[str, list[list[str]]]]:
    collection = pytest.importorskip("pydifact.segmentcollection")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns about segments it has no definition for
        parsed = collection.RawSegmentCollection.from_str(text)
    return [
        (segment.tag, [e if isinstance(e, list) else [e] for e in segment.elements])
        for segment in parsed.segments
        if segment.tag != "UNA"
    ]


def _normalised(elements: list[list[str]]) -> list[list[str]]:
    """Elements without trailing empty components or elements (ISO 9735 omits both)."""
    out = []
    for components in elements:
        trimmed = list(components)
        while trimmed and trimmed[-1] == "":
            trimmed.pop()
        out.append(trimmed or [""])
    while out and out[-1] == [""]:
        out.pop()
    return out


@pytest.mark.parametrize("mark", [".", ","])
@pytest.mark.parametrize(("version", "eancom"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize(("name", "profile"), FIXTURE_CASES, ids=[c[0] for c in FIXTURE_CASES])
def test_pydifact_reads_our_output_to_the_segments_we_wrote(
    name: str, profile: Profile | None, version: str, eancom: bool, mark: str
) -> None:
    document, message_type = inbound(name, profile)
    text = envelope(render(document, message_type, version, eancom, mark=mark, profile=profile), mark=mark)
    ours = [(s.tag, _normalised(s.elements)) for s in interchange_segments(read_interchange(text))]
    theirs = [(tag, _normalised(elements)) for tag, elements in _pydifact_segments(text)]
    assert theirs == ours


def test_pydifact_reads_released_service_characters_back_as_data() -> None:
    note = "Ramp 3+4: ask for O'Neil ?? 100% sure"
    document = OrderResponse(
        number="OR+1",
        order_number="PO:4711",
        issue_date=dt.date(2026, 11, 27),
        response_type="accepted",
        notes=[note],
    )
    text = envelope(render(document, "ORDRSP", "D96A", True))
    assert "FTX+AAI+++Ramp 3?+4?: ask for O?'Neil ???? 100% sure'" in text
    ftx = next(elements for tag, elements in _pydifact_segments(text) if tag == "FTX")
    assert ftx[3] == [note]
    assert round_trip(document, "ORDRSP", "D96A", True).notes == [note]


MINIMAL_ORDER_RESPONSE = {
    "document_type": "order_response",
    "number": "OR-1",
    "order_number": "PO-4711",
    "issue_date": "2026-11-27",
    "response_type": "accepted",
}


def test_minimal_order_response_is_a_valid_eancom_d96a_ordrsp() -> None:
    document = OrderResponse.model_validate(MINIMAL_ORDER_RESPONSE)
    segments = render(document, "ORDRSP", "D96A", True)
    text = envelope(segments)
    assert text == (
        "UNA:+.? 'UNB+UNOC:3+4000001000005:14+5412345000013:14+261127:0930+ES000042'"
        "UNH+1+ORDRSP:D:96A:UN:EAN005'BGM+231+OR-1+29'DTM+137:20261127:102'RFF+ON:PO-4711'UNS+S'"
        "UNT+6+1'UNZ+1+ES000042'"
    )
    back = round_trip(document, "ORDRSP", "D96A", True)
    expected = dump(document)
    # BGM 1225 29 is written for "accepted" and reads back as the response code; the RFF+ON that
    # names the answered order is a reference of the re-read document.
    expected["response_code"] = "29"
    expected["references"] = [{"qualifier": "ON", "type": "buyer_order", "value": "PO-4711", "date": None}]
    assert dump(back) == expected


def test_line_without_own_code_keeps_the_whole_answer_and_gets_no_action_code() -> None:
    document = OrderResponse(
        number="OR-2",
        order_number="PO-9",
        issue_date=dt.date(2026, 11, 27),
        response_type="rejected",
        lines=[OrderResponseLine(line_number="1", gtin="4012345000016", line_status="rejected")],
    )
    segments = render(document, "ORDRSP", "D01B", True)
    lin = next(s for s in segments if s.tag == "LIN")
    assert lin.elements[1] == [""]
    assert dump(round_trip(document, "ORDRSP", "D01B", True))["lines"] == dump(document)["lines"]


def test_backordered_line_is_written_as_changed_because_edifact_has_no_backorder_code() -> None:
    document = OrderResponse(
        number="OR-3",
        order_number="PO-9",
        issue_date=dt.date(2026, 11, 27),
        response_type="changed",
        lines=[
            OrderResponseLine(line_number="1", line_status="backordered", confirmed_quantity=0, unit="PCE")
        ],
    )
    (line,) = round_trip(document, "ORDRSP", "D96A", False).lines
    assert (line.line_status, line.line_status_code) == ("changed", "3")


def _rich_invoice() -> Invoice:
    long_note = "Goods remain our property until paid in full. " * 3  # > 70: several C108 components
    return Invoice(
        number="INV-9000",
        invoice_type="invoice",
        type_code="380",
        issue_date=dt.date(2026, 11, 27),
        due_date=dt.date(2027, 1, 15),
        currency="EUR",
        buyer=InvoiceParty(
            erp_id="CUST-1001",  # no GLN on the document: the reverse party map gives it
            name="ACME Retail N.V. Central Purchasing Department Benelux",
            address=Address(
                street="Industrieweg 12, Hall B", city="Antwerpen", postal_code="2030", country="BE"
            ),
            vat_id="BE0123456789",
        ),
        seller=InvoiceParty(gln="4000001000005", name="Müller + Söhne GmbH", vat_id="DE811111111"),
        ship_to=Party(party_id="ACME-DC-7", party_id_agency="92", name="Gent DC"),
        order_number="ACME-PO-42",
        delivery_note_number="DES-77",
        references=[
            Reference(qualifier="ON", type="buyer_order", value="ACME-PO-42", date=dt.date(2026, 11, 1))
        ],
        notes=[long_note.strip()],
        payment_terms=[
            PaymentTerms(net_days=30, due_date=dt.date(2026, 12, 27)),
            PaymentTerms(discount_percent=Decimal("2"), discount_days=10, discount_amount=Decimal("1.73")),
        ],
        lines=[
            InvoiceLine(
                line_number="1",
                erp_item_id="SKU-W10",  # only the ERP SKU: written as our article number (SA)
                description="Widget blue 10 mm, zinc plated, packed in boxes of fifty pieces",
                quantity=Decimal("48"),
                unit="EA",
                unit_price=Decimal("1.50"),
                price_basis_quantity=Decimal("1"),
                line_net_amount=Decimal("72.00"),
                tax_category="S",
                tax_rate=Decimal("21"),
                order_line_number="10",
                allowances_charges=[
                    AllowanceCharge(
                        is_charge=False, amount=Decimal("5.00"), reason_code="41", percent=Decimal("5")
                    )
                ],
            )
        ],
        allowances_charges=[
            AllowanceCharge(
                is_charge=True,
                amount=Decimal("12.50"),
                reason="Freight",
                reason_code="FC",
                tax_category="S",
                tax_rate=Decimal("21"),
            )
        ],
        tax_breakdown=[],
        totals=InvoiceTotals(
            line_net_total=Decimal("72.00"), charge_total=Decimal("12.50"), payable_amount=Decimal("84.50")
        ),
    )


@pytest.mark.parametrize(("version", "eancom"), VARIANTS, ids=VARIANT_IDS)
def test_invoice_fields_beyond_the_fixtures_round_trip(version: str, eancom: bool) -> None:
    profile = Profile(parties={"5412345000013": "CUST-1001"}, items={"SKU-W10": "SKU-W10"})
    document = _rich_invoice()
    back = round_trip(document, "INVOIC", version, eancom, profile=profile)
    expected = dump(document)
    # Read back from the partner's view: the buyer's GLN came from the reverse party map, and our
    # SKU travels as the seller's article number (SA).
    expected["buyer"]["gln"] = "5412345000013"
    expected["lines"][0]["seller_item_id"] = "SKU-W10"
    # The named delivery note had no reference of its own: RFF+DQ is added, and it is a reference.
    expected["references"].insert(
        0, {"qualifier": "DQ", "type": "delivery_note", "value": "DES-77", "date": None}
    )
    # RFF+LI carries the order line number (the line had no RFF+ON to put it in 1156).
    expected["lines"][0]["references"] = [
        {"qualifier": "LI", "type": "line_item", "value": "10", "date": None}
    ]
    # The price basis 1 is written and reads back as 1 (not dropped); ALC 41 is a UNCL 5189 reason (C552).
    assert dump(back) == expected


def test_payment_term_with_discount_and_net_days_becomes_two_pat_groups() -> None:
    term = PaymentTerms(net_days=30, discount_percent=Decimal("2"), discount_days=10)
    document = _rich_invoice().model_copy(update={"payment_terms": [term], "due_date": None})
    back = round_trip(document, "INVOIC", "D96A", True)
    # PAT carries one period: the discount (22) and the net term (1) are two PAT groups, hence two
    # terms on the way back — every value arrives, in two terms instead of one.
    assert [t.model_dump(exclude_none=True) for t in back.payment_terms] == [
        {"discount_percent": Decimal("2"), "discount_days": 10},
        {"net_days": 30},
    ]


def test_payment_terms_text_goes_out_as_ftx_aab() -> None:
    document = _rich_invoice().model_copy(
        update={"payment_terms": [PaymentTerms(description="Net 30 days", net_days=30)]}
    )
    segments = render(document, "INVOIC", "D96A", True)
    assert any(
        s.tag == "FTX" and s.elements[0] == ["AAB"] and s.elements[3] == ["Net 30 days"] for s in segments
    )
    # PAT C110 would need a UNCL 4277 code edigate cannot choose for free text; the map reads the
    # FTX as a note, so the text arrives as a note rather than as the term's description.
    back = round_trip(document, "INVOIC", "D96A", True)
    assert back.payment_terms[0].description is None
    assert "Net 30 days" in back.notes


def test_delivery_note_lines_without_a_package_go_under_a_cps_of_their_own() -> None:
    document = DeliveryNote(
        number="DN-1",
        issue_date=dt.date(2026, 11, 27),
        order_numbers=["PO-1"],
        packages=[
            Package(id="2", parent_id="1", sscc="340123450000000017", package_type="201", package_count=1),
            Package(id="1"),
        ],
        lines=[
            DeliveryNoteLine(
                line_number="1", gtin="4012345000016", quantity=Decimal("5"), unit="PCE", order_number="PO-1"
            ),
            DeliveryNoteLine(
                line_number="2",
                gtin="4012345000023",
                quantity=Decimal("7"),
                unit="PCE",
                order_number="PO-1",
                order_line_number="2",
                package_id="2",
                sscc="340123450000000017",
                batch_number="B-7",
                best_before_date=dt.date(2028, 1, 31),
            ),
        ],
    )
    segments = render(document, "DESADV", "D96A", True)
    cps = [s.elements[:2] for s in segments if s.tag == "CPS"]
    assert cps == [[["3"], [""]], [["1"], [""]], [["2"], ["1"]]]  # loose lines first, parents before children
    back = round_trip(document, "DESADV", "D96A", True)
    expected = dump(document)
    # The order reference is written for the note (RFF+ON) and for line 2 (its order line in 1156).
    expected["references"] = [{"qualifier": "ON", "type": "buyer_order", "value": "PO-1", "date": None}]
    expected["lines"][1]["references"] = [
        {"qualifier": "ON", "type": "buyer_order", "value": "PO-1", "date": None}
    ]
    # Line 1 had no package: it now sits in CPS 3, written for it; packages come parents first.
    expected["lines"][0]["package_id"] = "3"
    expected["packages"] = [
        {
            "id": "3",
            "parent_id": None,
            "sscc": None,
            "package_type": None,
            "package_count": None,
            "gross_weight": None,
        },
        expected["packages"][1],
        expected["packages"][0],
    ]
    assert dump(back) == expected


def test_text_longer_than_the_directory_allows_is_cut_at_word_boundaries() -> None:
    description = "Hex bolt M8x40 DIN 933 8.8 zinc plated, sold in boxes of one hundred pieces each"
    document = OrderResponse(
        number="OR-4",
        order_number="PO-9",
        issue_date=dt.date(2026, 11, 27),
        response_type="accepted",
        lines=[
            OrderResponseLine(
                line_number="1", gtin="4012345000016", description=description, line_status="accepted"
            )
        ],
    )
    segments = render(document, "ORDRSP", "D96A", True)
    imd = [s.elements[2][3:] for s in segments if s.tag == "IMD"]
    assert all(len(piece) <= 35 for pieces in imd for piece in pieces)
    assert " ".join(p for pieces in imd for p in pieces) == description
    assert round_trip(document, "ORDRSP", "D96A", True).lines[0].description == description


def test_envelope_counts_messages_and_declares_test_ack_and_syntax_4() -> None:
    document = OrderResponse.model_validate(MINIMAL_ORDER_RESPONSE)
    first = render(document, "ORDRSP", "D01B", True, reference="1")
    second = render(document, "ORDRSP", "D01B", True, reference="2")
    text = envelope_edifact(
        [first, second],
        sender=("4000001000005", "14"),
        recipient=("5412345000013", ""),
        control_reference="77",
        prepared_at=dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        syntax_identifier="UNOC",
        syntax_version=4,
        ack_request=True,
        test=True,
    )
    assert text.startswith("UNA:+.?*'UNB+UNOC:4+4000001000005:14+5412345000013+20261127:0830+77++++1++1'")
    interchange = read_interchange(text)
    assert interchange.errors == []
    assert [m.reference for m in interchange.messages] == ["1", "2"]
    assert (interchange.ack_requested, interchange.test_indicator) == ("1", "1")
    assert interchange.trailer is not None and interchange.trailer.elements[0] == ["2"]


def test_document_without_any_date_cannot_be_written() -> None:
    document = OrderResponse(number="OR-5", order_number="PO-9", response_type="accepted")
    with pytest.raises(ValueError, match="DTM is mandatory"):
        render(document, "ORDRSP", "D96A", True)


def test_unsupported_directory_is_refused() -> None:
    document = OrderResponse.model_validate(MINIMAL_ORDER_RESPONSE)
    with pytest.raises(ValueError, match="cannot be written"):
        render_ordrsp(document, version="D93A", association=None, message_reference="1")  # type: ignore[arg-type]
