"""X12 writers are the exact inverse of the 850/855/856/810 maps, and what they write is valid.

Every round trip: canonical document (from a real inbound fixture through its map) → render → ISA/GS
envelope → edigate's reader (no envelope errors) → ``validate_transaction`` (no errors) → the map →
the same canonical document, field by field, in 004010 and 005010. Fields that cannot make the trip
are excluded explicitly, with the reason next to them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from partners.profile import CodeMaps
from translators.documents.common import AllowanceCharge, Reference
from translators.documents.delivery_note import DeliveryNote, DeliveryNoteLine, Package
from translators.documents.invoice import Invoice, InvoiceLine, InvoiceTotals
from translators.documents.order_response import OrderResponse, OrderResponseLine
from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.x12.maps import map_transaction
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction
from translators.x12.writers import envelope_x12, render_810, render_850, render_855, render_856

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
WRITERS: dict[str, Any] = {"850": render_850, "855": render_855, "856": render_856, "810": render_810}
RELEASES = ["004010", "005010"]
PREPARED = dt.datetime(2026, 11, 27, 9, 30)


class Profile:
    def __init__(self, **maps: dict[str, str]) -> None:
        self.codes = CodeMaps(**maps)


GLOBEX = Profile(
    units={"EA": "PCE", "CA": "CASE"}, parties={"0614141000012": "UMBRELLA"}, items={"WID-100": "SKU-W"}
)
GLOBEX_REVERSE = {"units": {"PCE": "EA", "CASE": "CA"}, "parties": {"UMBRELLA": "0614141000012"}, "items": {}}
FIXTURE_NAMES = [
    "umbrella_850_004010.edi",
    "umbrella_850_005010.edi",
    "globex_855_004010.edi",
    "globex_855_005010.edi",
    "globex_856_004010.edi",
    "globex_856_005010.edi",
    "globex_810_004010.edi",
    "globex_810_005010.edi",
]


def inbound(name: str) -> tuple[Any, str]:
    interchange = read_x12_interchanges((FIXTURES / name).read_bytes())[0]
    group = interchange.groups[0]
    (ts,) = group.transactions
    result = map_transaction(ts, group, interchange, GLOBEX)
    assert result.ok, result.errors
    return result.document, ts.id


def render(document: Any, set_id: str, release: str, **codes: Any) -> str:
    transaction = WRITERS[set_id](document, version=release, control_number="0001", **codes)
    return envelope_x12(
        [transaction],
        sender=("ZZ", "EDIGATEDEMO"),
        recipient=("ZZ", "GLOBEX"),
        interchange_control=42,
        group_control=7,
        version=release,
        prepared_at=PREPARED,
    )


def round_trip(document: Any, set_id: str, release: str, profile: Profile | None = GLOBEX) -> Any:
    text = render(document, set_id, release, **(GLOBEX_REVERSE if profile is GLOBEX else {}))
    interchange = read_x12_interchanges(text)[0]
    assert interchange.all_errors == []
    group = interchange.groups[0]
    (ts,) = group.transactions
    assert validate_transaction(ts, group.version) == []
    result = map_transaction(ts, group, interchange, profile)
    assert result.errors == []
    return result.document


def dump(document: Any) -> dict[str, Any]:
    return document.model_dump(mode="json")


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_document_round_trips_through_writer_reader_validator_and_map(
    name: str, release: str
) -> None:
    document, set_id = inbound(name)
    assert dump(round_trip(document, set_id, release)) == dump(document)


@pytest.mark.parametrize("release", RELEASES)
def test_envelope_has_the_control_numbers_functional_id_and_version(release: str) -> None:
    document, _ = inbound("globex_856_004010.edi")
    text = render(document, "856", release, **GLOBEX_REVERSE)
    interchange = read_x12_interchanges(text)[0]
    group = interchange.groups[0]
    assert (interchange.control_number, interchange.version) == (
        "000000042",
        "00401" if release == "004010" else "00501",
    )
    assert (group.functional_id, group.control, group.version) == ("SH", "7", release)
    assert interchange.usage == "P"
    assert interchange.trailer is not None and interchange.trailer.elements[0] == ["1"]
    assert group.trailer is not None and group.trailer.elements == [["1"], ["7"]]


MINIMAL_ORDER_RESPONSE = {
    "document_type": "order_response",
    "number": "OR-1",
    "order_number": "PO-4711",
    "issue_date": "2026-11-27",
    "response_type": "accepted",
}


def test_minimal_order_response_is_a_valid_855() -> None:
    document = OrderResponse.model_validate(MINIMAL_ORDER_RESPONSE)
    text = render(document, "855", "004010")
    assert "ST*855*0001~\nBAK*00*AK*PO-4711*20261127****OR-1*20261127~\nSE*3*0001~" in text
    back = round_trip(document, "855", "004010", profile=None)
    expected = dump(document)
    # BAK04 (order date) is mandatory and the document has none: the response date stands in.
    expected["order_date"] = "2026-11-27"
    # BAK02 AK ("acknowledge, no detail or change") is the code written for "accepted".
    expected["response_code"] = "AK"
    assert dump(back) == expected


def test_855_line_without_own_code_gets_no_ack_and_changed_lines_get_ic() -> None:
    document = OrderResponse(
        number="OR-2",
        order_number="PO-9",
        order_date=dt.date(2026, 11, 20),
        issue_date=dt.date(2026, 11, 27),
        response_type="changed",
        response_code="AC",
        lines=[
            OrderResponseLine(
                line_number="1",
                gtin="012345678905",
                line_status="changed",
                ordered_quantity=Decimal("10"),
                confirmed_quantity=Decimal("8"),
                unit="EA",
                delivery_date=dt.date(2026, 12, 3),
            ),
            OrderResponseLine(
                line_number="2",
                seller_item_id="GAD-200",
                line_status="added",
                confirmed_quantity=1,
                unit="EA",
            ),
        ],
    )
    text = render(document, "855", "005010")
    assert "ACK*IC*8*EA*017*20261203~" in text
    back = round_trip(document, "855", "005010", profile=None)
    expected = dump(document)
    expected["lines"][0]["line_status_code"] = "IC"
    # X12 has no "added line" status edigate reads: IS (substitution made) is written, read as changed.
    expected["lines"][1].update(line_status="changed", line_status_code="IS")
    assert dump(back) == expected


def test_850_from_an_edifact_order_translates_bgm_codes_and_price_basis() -> None:
    document = PurchaseOrder(
        number="PO-77",
        document_name_code="220",
        message_function="9",
        issue_date=dt.date(2026, 11, 27),
        notes=["Deliver to dock 3 between 8am and 4pm"],
        references=[Reference(qualifier="CT", value="K-1")],
        lines=[
            PurchaseOrderLine(
                line_number="1",
                erp_item_id="SKU-9",
                quantity=Decimal("600"),
                unit="EA",
                unit_price=Decimal("3.00"),
                price_basis_quantity=Decimal("100"),
                notes=["fragile"],
            )
        ],
        total_amount=Decimal("18.00"),
    )
    text = render(document, "850", "004010")
    assert "BEG*00*SA*PO-77**20261127~" in text
    assert "PO1*1*600*EA*0.03*PE*BP*SKU-9~" in text  # a price per 100 goes out per unit
    back = round_trip(document, "850", "004010", profile=None)
    expected = dump(document)
    # X12 order purpose / type codes replace the EDIFACT ones; PO1 has no price basis quantity.
    expected.update(document_name_code="SA", message_function="00", line_count=1)
    expected["references"][0]["type"] = "contract"
    expected["lines"][0].update(
        unit_price="0.03", price_basis_quantity=None, buyer_item_id="SKU-9", erp_item_id=None
    )
    assert dump(back) == expected


def test_856_puts_lines_under_their_package_under_their_order() -> None:
    document = DeliveryNote(
        number="ASN-9",
        issue_date=dt.date(2026, 11, 27),
        order_numbers=["PO-1", "PO-2"],
        packages=[Package(id="3", package_type="PLT", sscc="00106141410000000017", package_count=1)],
        lines=[
            DeliveryNoteLine(
                line_number="1",
                gtin="012345678905",
                quantity=2,
                unit="EA",
                order_number="PO-1",
                order_line_number="1",
                package_id="3",
                sscc="00106141410000000017",
            ),
            DeliveryNoteLine(
                line_number="1",
                seller_item_id="GAD-200",
                quantity=1,
                unit="EA",
                order_number="PO-2",
                order_line_number="1",
                batch_number="LOT-9",
                best_before_date=dt.date(2027, 1, 1),
            ),
        ],
    )
    text = render(document, "856", "005010")
    hl = [line for line in text.splitlines() if line.startswith("HL*")]
    assert hl == ["HL*1**S~", "HL*2*1*O~", "HL*3*2*P~", "HL*4*3*I~", "HL*5*1*O~", "HL*6*5*I~"]
    back = round_trip(document, "856", "005010", profile=None)
    expected = dump(document)
    # The batch travels as REF*LT, which the map also keeps as a reference of the line.
    expected["lines"][1]["references"] = [{"qualifier": "LT", "type": None, "value": "LOT-9", "date": None}]
    back_dump = dump(back)
    back_dump["lines"][1]["references"][0]["type"] = None
    assert back_dump == expected


def test_810_amounts_with_more_than_two_decimals_are_refused_not_rounded() -> None:
    document = Invoice(
        number="INV-1",
        invoice_type="invoice",
        issue_date=dt.date(2026, 11, 27),
        lines=[
            InvoiceLine(
                line_number="1", gtin="012345678905", quantity=1, unit="EA", unit_price=Decimal("1.005")
            )
        ],
        allowances_charges=[AllowanceCharge(is_charge=True, amount=Decimal("1"), reason_code="D240")],
        totals=InvoiceTotals(payable_amount=Decimal("2.005")),
    )
    with pytest.raises(ValueError, match="more than two decimals"):
        render(document, "810", "004010")


def test_units_x12_cannot_carry_are_refused_with_a_hint_to_map_them() -> None:
    document = PurchaseOrder(
        number="PO-1",
        issue_date=dt.date(2026, 11, 27),
        lines=[PurchaseOrderLine(line_number="1", gtin="012345678905", quantity=1, unit="KGM")],
    )
    with pytest.raises(ValueError, match="unit 'KGM' is not an X12 unit"):
        render(document, "850", "004010")
    assert "PO1*1*1*KG" in render(document, "850", "004010", units={"KGM": "KG"})
