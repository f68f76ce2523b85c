"""EDIFACT ORDERS → canonical PurchaseOrder: what lands where, and how bad data is reported.

Most tests build segments directly (one rule per test); the last ones read real interchange text —
our ACME fixture and public sample files — through the reader.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partners.profile import CodeMaps, PartnerProfile
from translators.documents import PurchaseOrder
from translators.edifact.maps import map_message
from translators.edifact.maps.orders import map_orders
from translators.edifact.maps.result import MapResult
from translators.edifact.model import Interchange, Message, Segment, Separators
from translators.errors import EdiError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "edifact"


# -- builders ------------------------------------------------------------------------------------


def seg(tag: str, *elements: str | list[str]) -> Segment:
    """A segment from its elements; a plain string is a one-component element."""
    return Segment(tag=tag, elements=[[e] if isinstance(e, str) else list(e) for e in elements])


def make_message(*body: Segment, reference: str = "1", message_type: str = "ORDERS") -> Message:
    """UNH + body + UNT, with interchange positions as if UNB were segment 1."""
    segments = [
        seg("UNH", reference, [message_type, "D", "96A", "UN", "EAN008"]),
        *body,
        seg("UNT", str(len(body) + 2), reference),
    ]
    for index, segment in enumerate(segments, start=2):
        segment.index = index
    return Message(
        reference=reference,
        type=message_type,
        version="D",
        release="96A",
        agency="UN",
        association="EAN008",
        segments=segments,
    )


def make_interchange(message: Message, separators: Separators | None = None) -> Interchange:
    return Interchange(
        syntax_identifier="UNOC",
        syntax_version=3,
        sender_id="5412345000013",
        sender_qualifier="14",
        recipient_id="4000001000005",
        recipient_qualifier="14",
        prepared_at=None,
        control_reference="1",
        application_reference="",
        ack_requested="",
        test_indicator="",
        separators=separators or Separators(),
        header=seg("UNB"),
        trailer=seg("UNZ"),
        messages=[message],
    )


def acme_profile() -> PartnerProfile:
    return PartnerProfile(
        id="acme",
        name="ACME Retail",
        role="customer",
        codes=CodeMaps(
            units={"PCE": "EA", "KGM": "KG"},
            parties={"5412345000013": "C-1001", "5412345000020": "DP-17", "4000001000005": "SELF"},
            items={"4000001000012": "SKU-BLUE-10", "MS-4712": "SKU-RED-12", "ACME-100240": "SKU-KIT"},
        ),
    )


def header(*extra: Segment) -> list[Segment]:
    return [seg("BGM", "220", "PO-1", "9"), *extra]


def line(number: str = "1", gtin: str = "4000001000012", *extra: Segment) -> list[Segment]:
    return [seg("LIN", number, "", [gtin, "EN"]), *extra]


def run(*body: Segment, separators: Separators | None = None) -> MapResult[PurchaseOrder]:
    message = make_message(*body)
    return map_orders(message, make_interchange(message, separators), acme_profile())


def only_error(errors: list[EdiError]) -> EdiError:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# -- header --------------------------------------------------------------------------------------


def test_bgm_dtm_cux_and_ftx_fill_the_order_header() -> None:
    result = run(
        seg("BGM", "220", "PO-1", "9"),
        seg("DTM", ["137", "20260115", "102"]),
        seg("DTM", ["2", "20260122", "102"]),
        seg("FTX", "AAI", "", "", ["Deliver to ramp 3+4", "before 10 o'clock"]),
        seg("CUX", ["2", "EUR", "9"]),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    order = result.document
    assert result.errors == []
    assert isinstance(order, PurchaseOrder)
    assert order.number == "PO-1"
    assert (order.document_name_code, order.message_function) == ("220", "9")
    assert order.issue_date == dt.date(2026, 1, 15)
    assert order.requested_delivery_date == dt.date(2026, 1, 22)
    assert order.currency == "EUR"
    assert order.notes == ["Deliver to ramp 3+4 before 10 o'clock"]


def test_rff_in_sg1_is_a_document_reference_dated_by_the_following_dtm() -> None:
    result = run(
        *header(
            seg("RFF", ["CT", "K-2025-117"]),
            seg("DTM", ["171", "20250301", "102"]),
            seg("RFF", ["XYZ", "other"]),
        ),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    assert result.document is not None
    refs = [(r.qualifier, r.type, r.value, r.date) for r in result.document.references]
    assert refs == [
        ("CT", "contract", "K-2025-117", dt.date(2025, 3, 1)),
        ("XYZ", None, "other", None),
    ]


def test_rff_after_nad_belongs_to_the_party_not_to_the_document() -> None:
    result = run(
        *header(
            seg("NAD", "BY", ["5412345000013", "", "9"]),
            seg("RFF", ["VA", "BE0123456789"]),
        ),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    assert result.document is not None
    assert result.document.references == []


def test_nad_gives_gln_erp_id_name_and_address_per_role() -> None:
    result = run(
        *header(
            seg(
                "NAD",
                "BY",
                ["5412345000013", "", "9"],
                "",
                ["ACME Retail", "N.V."],
                ["Industrieweg 12", "Building B"],
                "Antwerpen",
                "",
                "2030",
                "BE",
            ),
            seg("NAD", "SU", ["4000001000005", "", "9"]),
            seg("NAD", "DP", ["5412345000020", "", "9"], "", "DC Gent"),
            seg("NAD", "IV", ["BUYER-77", "", "92"]),
        ),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    order = result.document
    assert order is not None
    assert order.buyer is not None and order.buyer.model_dump() == {
        "gln": "5412345000013",
        "erp_id": "C-1001",
        "party_id": None,
        "party_id_agency": None,
        "name": "ACME Retail N.V.",
        "address": {
            "street": "Industrieweg 12, Building B",
            "city": "Antwerpen",
            "postal_code": "2030",
            "country": "BE",
        },
    }
    assert order.seller is not None and (order.seller.gln, order.seller.erp_id) == ("4000001000005", "SELF")
    assert order.seller.address is None
    assert order.ship_to is not None and (order.ship_to.erp_id, order.ship_to.name) == ("DP-17", "DC Gent")
    assert order.invoicee is not None
    assert (order.invoicee.gln, order.invoicee.party_id, order.invoicee.party_id_agency) == (
        None,
        "BUYER-77",
        "92",
    )


def test_unknown_gln_keeps_the_gln_and_leaves_erp_id_empty() -> None:
    result = run(
        *header(seg("NAD", "BY", ["4012345000009", "", "9"])),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    assert result.document is not None and result.document.buyer is not None
    assert (result.document.buyer.gln, result.document.buyer.erp_id) == ("4012345000009", None)


def test_second_nad_by_is_rejected_rather_than_silently_choosing_one() -> None:
    result = run(
        *header(
            seg("NAD", "BY", ["5412345000013", "", "9"]),
            seg("NAD", "BY", ["4012345000009", "", "9"]),
        ),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.location.segment_tag, error.location.message_segment) == (
        "UNEXPECTED_SEGMENT",
        "NAD",
        4,
    )


# -- lines ---------------------------------------------------------------------------------------


def test_line_maps_item_ids_description_quantity_price_and_amount() -> None:
    result = run(
        *header(),
        seg("LIN", "1", "", ["4000001000012", "EN"]),
        seg("PIA", "1", ["MS-4711", "SA"], ["ACME-100234", "IN"]),
        seg("IMD", "F", "", ["", "", "", "Widget blue", "10 mm"]),
        seg("QTY", ["21", "48", "PCE"]),
        seg("MOA", ["203", "600.00"]),
        seg("PRI", ["AAA", "12.50"]),
    )
    assert result.errors == []
    assert result.document is not None
    (order_line,) = result.document.lines
    assert order_line.model_dump(mode="json") == {
        "line_number": "1",
        "gtin": "4000001000012",
        "buyer_item_id": "ACME-100234",
        "seller_item_id": "MS-4711",
        "erp_item_id": "SKU-BLUE-10",
        "description": "Widget blue 10 mm",
        "quantity": "48",
        "unit": "EA",
        "notes": [],
        "references": [],
        "unit_price": "12.50",
        "price_basis_quantity": None,
        "line_amount": "600.00",
        "requested_delivery_date": None,
    }


def test_erp_item_falls_back_from_gtin_to_seller_then_buyer_item_number() -> None:
    result = run(
        *header(),
        seg("LIN", "1", "", ["4000009999992", "EN"]),
        seg("PIA", "5", ["MS-4712", "SA"]),
        seg("QTY", ["21", "1"]),
        seg("LIN", "2", "", ["4000009999985", "EN"]),
        seg("PIA", "1", ["NOPE", "SA"], ["ACME-100240", "IN"]),
        seg("QTY", ["21", "1"]),
        seg("LIN", "3"),
        seg("PIA", "1", ["8641800", "BP"]),
        seg("QTY", ["21", "1"]),
    )
    assert result.document is not None
    assert [ln.erp_item_id for ln in result.document.lines] == ["SKU-RED-12", "SKU-KIT", None]
    assert result.document.lines[2].buyer_item_id == "8641800"
    assert result.document.lines[2].gtin is None


def test_qty_without_unit_counts_pieces_and_pce_goes_through_the_unit_map() -> None:
    result = run(*header(), *line("1", "4000001000012", seg("QTY", ["21", "10"])))
    assert result.document is not None
    assert result.document.lines[0].unit == "EA"


def test_without_a_profile_units_pass_through_and_no_erp_ids_are_found() -> None:
    message = make_message(
        *header(seg("NAD", "BY", ["5412345000013", "", "9"])),
        *line("1", "4000001000012", seg("QTY", ["21", "10"])),
    )
    result = map_orders(message, make_interchange(message), None)
    assert result.document is not None
    assert result.document.lines[0].unit == "PCE"
    assert result.document.lines[0].erp_item_id is None
    assert result.document.buyer is not None and result.document.buyer.erp_id is None


def test_net_price_aaa_wins_over_gross_aab_and_price_basis_is_kept() -> None:
    result = run(
        *header(),
        *line(
            "1",
            "4000001000012",
            seg("QTY", ["21", "2.5", "KGM"]),
            seg("PRI", ["AAB", "22.00", "", "", "1", "KGM"]),
            seg("PRI", ["AAA", "20.00", "", "", "100", "KGM"]),
        ),
    )
    assert result.document is not None
    order_line = result.document.lines[0]
    assert (order_line.unit_price, order_line.price_basis_quantity) == (Decimal("20.00"), Decimal("100"))
    assert order_line.unit == "KG"


def test_line_level_nad_rff_and_dtm_do_not_leak_into_the_header_or_line() -> None:
    result = run(
        *header(seg("NAD", "BY", ["5412345000013", "", "9"])),
        *line(
            "1",
            "4000001000012",
            seg("QTY", ["21", "1"]),
            seg("DTM", ["2", "20260201", "102"]),
            seg("RFF", ["LI", "7"]),
            seg("NAD", "BY", ["4012345000009", "", "9"]),
            seg("RFF", ["VA", "X"]),
            seg("DTM", ["2", "20991231", "102"]),
        ),
    )
    assert result.errors == []
    order = result.document
    assert order is not None and order.buyer is not None
    assert order.buyer.gln == "5412345000013"
    assert order.lines[0].requested_delivery_date == dt.date(2026, 2, 1)
    assert [(r.qualifier, r.value) for r in order.lines[0].references] == [("LI", "7")]


def test_summary_total_and_line_count_are_read_after_uns() -> None:
    result = run(
        *header(),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
        *line("2", "4000001000029", seg("QTY", ["21", "1"])),
        seg("UNS", "S"),
        seg("MOA", ["79", "100.00"]),
        seg("MOA", ["86", "121.00"]),
        seg("CNT", ["2", "2"]),
    )
    assert result.document is not None
    assert (result.document.total_amount, result.document.line_count) == (Decimal("121.00"), 2)


# -- numbers and dates ---------------------------------------------------------------------------


def test_decimal_comma_declared_in_una_is_honoured() -> None:
    result = run(
        *header(),
        *line("1", "4000001000012", seg("QTY", ["21", "2,5"]), seg("PRI", ["AAA", "12,50"])),
        separators=Separators(decimal=","),
    )
    assert result.errors == []
    assert result.document is not None
    assert (result.document.lines[0].quantity, result.document.lines[0].unit_price) == (
        Decimal("2.5"),
        Decimal("12.50"),
    )


def test_decimal_point_when_una_declares_comma_is_invalid_decimal_notation_19() -> None:
    result = run(
        *header(),
        *line("1", "4000001000012", seg("QTY", ["21", "2.5"])),
        separators=Separators(decimal=","),
    )
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.syntax_code) == ("INVALID_NUMBER", "19")
    assert (error.location.segment_tag, error.location.element, error.location.component) == ("QTY", 1, 2)


@pytest.mark.parametrize(
    ("raw", "code", "syntax_code"),
    [
        ("12a", "INVALID_NUMBER", "37"),
        ("1e3", "INVALID_NUMBER", "37"),
        ("+5", "INVALID_NUMBER", "37"),
        ("1 000", "INVALID_NUMBER", "37"),
        ("\u0663", "INVALID_NUMBER", "37"),  # an Arabic-Indic digit: Decimal() would take it, EDIFACT not
        (".5", "INVALID_NUMBER", "38"),
        ("", "MISSING_VALUE", "13"),
    ],
)
def test_quantity_that_is_not_a_number_is_a_located_error(raw: str, code: str, syntax_code: str) -> None:
    result = run(*header(), *line("1", "4000001000012", seg("QTY", ["21", raw])))
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.syntax_code) == (code, syntax_code)
    assert error.location.segment_tag == "QTY"
    assert (error.location.message_segment, error.location.segment_index) == (4, 5)
    assert (error.location.element, error.location.component) == (1, 2)
    assert error.location.message_ref == "1"


@given(
    value=st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=3, allow_nan=False),
    mark=st.sampled_from([".", ","]),
)
def test_any_fixed_point_number_in_the_declared_notation_reads_back_exactly(
    value: Decimal, mark: str
) -> None:
    text = format(value, "f").replace(".", mark)
    result = run(
        *header(),
        *line("1", "4000001000012", seg("QTY", ["21", text])),
        separators=Separators(decimal=mark),
    )
    assert result.document is not None, [str(e) for e in result.errors]
    assert result.document.lines[0].quantity == value


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("20260115", "102", dt.date(2026, 1, 15)),
        ("202601150930", "203", dt.date(2026, 1, 15)),
        ("20260115093000", "204", dt.date(2026, 1, 15)),
        ("260115", "101", dt.date(2026, 1, 15)),
        ("20260115-20260120", "718", dt.date(2026, 1, 15)),
        ("20260115", "", dt.date(2026, 1, 15)),
    ],
)
def test_dtm_formats_give_the_date_and_ranges_their_start(value: str, fmt: str, expected: dt.date) -> None:
    result = run(
        *header(seg("DTM", ["137", value, fmt])),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    assert result.document is not None, [str(e) for e in result.errors]
    assert result.document.issue_date == expected


@pytest.mark.parametrize(("value", "fmt"), [("20261345", "102"), ("2026011", "102"), ("20260115", "203")])
def test_unreadable_dtm_is_invalid_date_at_element_1_component_2(value: str, fmt: str) -> None:
    result = run(
        *header(seg("DTM", ["137", value, fmt])),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    error = only_error(result.errors)
    assert result.document is None
    assert error.code == "INVALID_DATE"
    assert (error.location.segment_tag, error.location.message_segment) == ("DTM", 3)
    assert (error.location.element, error.location.component) == (1, 2)
    assert value in error.text and fmt in error.text


def test_unsupported_date_format_code_points_at_component_3() -> None:
    result = run(
        *header(seg("DTM", ["2", "202605", "616"])),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
    )
    error = only_error(result.errors)
    assert (error.code, error.location.element, error.location.component) == ("INVALID_DATE", 1, 3)
    assert "616" in error.text


# -- required pieces -----------------------------------------------------------------------------


def test_missing_bgm_is_located_at_unh_and_gives_no_document() -> None:
    result = run(seg("DTM", ["137", "20260115", "102"]), *line("1", "4000001000012", seg("QTY", ["21", "1"])))
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.location.segment_tag, error.location.message_segment) == (
        "MISSING_SEGMENT",
        "UNH",
        1,
    )
    assert "BGM" in error.text


def test_bgm_without_document_number_points_at_element_2() -> None:
    result = run(seg("BGM", "220", "", "9"), *line("1", "4000001000012", seg("QTY", ["21", "1"])))
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag, error.location.element, error.location.component) == (
        "MISSING_VALUE",
        "BGM",
        2,
        1,
    )


def test_line_without_ordered_quantity_is_located_at_its_lin() -> None:
    result = run(
        *header(),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
        *line("2", "4000001000029", seg("QTY", ["59", "12"])),
    )
    error = only_error(result.errors)
    assert result.document is None
    assert (error.code, error.location.segment_tag, error.location.message_segment) == (
        "MISSING_SEGMENT",
        "LIN",
        5,
    )
    assert "line 2" in error.text and "QTY+21" in error.text


def test_order_without_lines_is_rejected() -> None:
    result = run(*header(), seg("UNS", "S"))
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag) == ("MISSING_SEGMENT", "UNS")


def test_cnt_2_that_does_not_match_the_lines_is_a_line_count_mismatch() -> None:
    result = run(
        *header(),
        *line("1", "4000001000012", seg("QTY", ["21", "1"])),
        seg("UNS", "S"),
        seg("CNT", ["2", "3"]),
    )
    error = only_error(result.errors)
    assert (error.code, error.location.segment_tag, error.location.element) == (
        "LINE_COUNT_MISMATCH",
        "CNT",
        1,
    )


def test_every_problem_in_a_message_is_reported_not_just_the_first() -> None:
    result = run(
        seg("BGM", "220", "", "9"),
        seg("DTM", ["137", "2026-01-15", "102"]),
        *line("1", "4000001000012", seg("QTY", ["21", "x"])),
        *line("2", "4000001000029"),
    )
    assert result.document is None
    assert [e.code for e in result.errors] == [
        "MISSING_VALUE",
        "INVALID_DATE",
        "INVALID_NUMBER",
        "MISSING_SEGMENT",
    ]


# -- dispatcher ----------------------------------------------------------------------------------


def test_map_message_picks_the_orders_map_by_message_type() -> None:
    message = make_message(*header(), *line("1", "4000001000012", seg("QTY", ["21", "1"])))
    result = map_message(message, make_interchange(message), acme_profile())
    assert isinstance(result.document, PurchaseOrder)


def test_message_type_without_a_map_is_unsupported_message_type_at_unh() -> None:
    message = make_message(seg("BGM", "632", "R-1"), message_type="RECADV", reference="77")
    result = map_message(message, make_interchange(message), acme_profile())
    error = only_error(result.errors)
    assert result.document is None
    assert error.code == "UNSUPPORTED_MESSAGE_TYPE"
    assert (error.location.segment_tag, error.location.message_ref, error.location.message_segment) == (
        "UNH",
        "77",
        1,
    )
    assert (error.location.element, error.location.component) == (2, 1)
    assert "RECADV" in error.text and "ORDERS" in error.text


# -- real interchange text -----------------------------------------------------------------------


def read_interchange_or_skip():
    try:
        reader = importlib.import_module("translators.edifact.reader")
    except ImportError:
        pytest.skip("translators.edifact.reader is not there yet")
    return reader.read_interchange


def test_acme_fixture_maps_to_the_expected_purchase_order() -> None:
    read_interchange = read_interchange_or_skip()
    interchange = read_interchange((FIXTURES / "acme_orders_d96a.edi").read_bytes())
    assert interchange.all_errors == []
    (message,) = interchange.messages
    result = map_message(message, interchange, acme_profile())
    assert result.errors == []
    order = result.document
    assert isinstance(order, PurchaseOrder)
    data = order.model_dump(mode="json")
    assert data["number"] == "PO-2026-0042"
    assert (data["issue_date"], data["requested_delivery_date"]) == ("2026-01-15", "2026-01-22")
    assert data["currency"] == "EUR"
    assert data["notes"] == ["Please deliver to ramp 3+4 before 10 o'clock Rock ? Roll department"]
    assert data["references"] == [
        {"qualifier": "CT", "type": "contract", "value": "K-2025-117", "date": "2025-03-01"},
        {"qualifier": "ON", "type": "buyer_order", "value": "ACME-PO-42", "date": None},
    ]
    assert data["buyer"]["erp_id"] == "C-1001"
    assert data["seller"]["name"] == "Müller + Söhne GmbH"
    assert data["seller"]["address"] == {
        "street": "Mühlenstraße 5",
        "city": "Köln",
        "postal_code": "50667",
        "country": "DE",
    }
    assert data["ship_to"] == {
        "gln": "5412345000020",
        "erp_id": "DP-17",
        "party_id": None,
        "party_id_agency": None,
        "name": "ACME Distribution Centre Gate 'B'",
        "address": {
            "street": "Havenlaan 100, Dock 7",
            "city": "Gent",
            "postal_code": "9000",
            "country": "BE",
        },
    }
    summary = [
        (ln["line_number"], ln["gtin"], ln["erp_item_id"], ln["quantity"], ln["unit"], ln["unit_price"])
        for ln in data["lines"]
    ]
    assert summary == [
        ("1", "4000001000012", "SKU-BLUE-10", "48", "EA", "12.50"),
        ("2", "4000001000029", "SKU-RED-12", "10", "EA", "8.75"),
        ("3", "4000001000036", "SKU-KIT", "2.5", "KG", "20.00"),
    ]
    assert data["lines"][1]["description"] == "Widget red 12 mm: heavy duty version"
    assert [ln["line_amount"] for ln in data["lines"]] == ["600.00", "87.50", "50.00"]
    assert (data["total_amount"], data["line_count"]) == ("737.50", 3)
    assert PurchaseOrder.model_validate_json(order.model_dump_json()) == order


@pytest.mark.parametrize(
    ("name", "number", "lines"),
    [
        ("pydifact__order.edi", "801715918011", 2),
        ("staedi__orders_with_UNG_group.edi", "C1441747", 1),
        ("phpedifact__orders_d01b_ean010_unoc.edi", "2019265563", 146),
    ],
)
def test_public_sample_orders_map_without_errors(name: str, number: str, lines: int) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    read_interchange = read_interchange_or_skip()
    interchange = read_interchange(path.read_bytes())
    message = interchange.messages[0]
    result = map_message(message, interchange, None)
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.document is not None
    assert (result.document.number, len(result.document.lines)) == (number, lines)
