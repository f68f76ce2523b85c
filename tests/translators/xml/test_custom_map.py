"""Partner XML mapped by the XPath field map of its profile: no code per partner, strict, located errors."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from tests.translators.xml.samples import FIXTURES, REPO, Codes, Profile
from translators.documents import PurchaseOrder
from translators.documents.common import Address, Party
from translators.xml.maps import map_xml
from translators.xml.parser import read_xml

D = Decimal

ORDER = b"""<?xml version="1.0"?>
<b:Bestellung xmlns:b="urn:example:bestellung">
  <b:Kopf>
    <b:Nummer>B-77</b:Nummer>
    <b:Datum>14.03.2025</b:Datum>
    <b:Kaeufer gln="4012345000009"><b:Name>Contoso  Handel
      GmbH</b:Name></b:Kaeufer>
    <b:Ort>K\xc3\xb6ln</b:Ort>
    <b:Hinweis>Rampe 3</b:Hinweis>
    <b:Hinweis>Avis 1 h vorher</b:Hinweis>
  </b:Kopf>
  <b:Pos><b:Nr>10</b:Nr><b:Art>CH-4711</b:Art><b:Menge>120</b:Menge><b:ME>Stk</b:ME><b:Preis>0.25</b:Preis></b:Pos>
  <b:Pos><b:Art>CH-4712</b:Art><b:Menge>4</b:Menge><b:ME>Krt</b:ME></b:Pos>
</b:Bestellung>
"""


@dataclass
class StandIn:
    """The attributes of partners.profile.XmlFieldMap, as a plain object."""

    root: str = "Bestellung"
    document_type: str = "purchase_order"
    namespaces: dict[str, str] = field(default_factory=lambda: {"b": "urn:example:bestellung"})
    sender: str = "string(b:Kopf/b:Kaeufer/@gln)"
    fields: dict[str, str] = field(
        default_factory=lambda: {
            "number": "string(b:Kopf/b:Nummer)",
            "issue_date": "string(b:Kopf/b:Datum)",
            "buyer.gln": "b:Kopf/b:Kaeufer/@gln",
            "buyer.name": "b:Kopf/b:Kaeufer/b:Name",
            "ship_to.address.city": "string(b:Kopf/b:Ort)",
            "notes": "b:Kopf/b:Hinweis",
        }
    )
    lines: str = "b:Pos"
    line_fields: dict[str, str] = field(
        default_factory=lambda: {
            "line_number": "string(b:Nr)",
            "buyer_item_id": "string(b:Art)",
            "quantity": "string(b:Menge)",
            "unit": "string(b:ME)",
            "unit_price": "string(b:Preis)",
        }
    )
    date_format: str = "%d.%m.%Y"


CONTOSO = Codes(
    units={"Stk": "EA", "Krt": "CARTON"},
    parties={"4012345000009": "CUST-6001"},
    items={"CH-4711": "SKU-1001"},
)


def map_custom(data: bytes, xml_map: object, codes: Codes | None = None):
    return map_xml(read_xml(data), Profile(codes or CONTOSO, xml_map))


def test_fields_and_lines_build_the_canonical_order_with_code_maps_applied() -> None:
    result = map_custom(ORDER, StandIn())
    assert result.errors == []
    order = result.document
    assert isinstance(order, PurchaseOrder)
    assert (order.number, order.issue_date, order.notes) == (
        "B-77",
        dt.date(2025, 3, 14),
        ["Rampe 3", "Avis 1 h vorher"],
    )
    assert order.buyer == Party(gln="4012345000009", erp_id="CUST-6001", name="Contoso Handel GmbH")
    assert order.ship_to == Party(address=Address(city="Köln"))
    first, second = order.lines
    assert (
        first.line_number,
        first.buyer_item_id,
        first.erp_item_id,
        first.quantity,
        first.unit,
        first.unit_price,
    ) == (
        "10",
        "CH-4711",
        "SKU-1001",
        D("120"),
        "EA",
        D("0.25"),
    )
    assert (second.line_number, second.unit, second.erp_item_id, second.unit_price) == (
        "2",
        "CARTON",
        None,
        None,
    )


def test_a_date_not_in_the_partners_format_is_located_on_its_element() -> None:
    result = map_custom(ORDER.replace(b"14.03.2025", b"2025-03-14"), StandIn())
    [error] = result.errors
    assert error.code == "INVALID_DATE"
    assert error.location.path == "/Bestellung/Kopf/Datum"
    assert error.location.line == 5
    assert "'%d.%m.%Y'" in error.text and "issue_date" in error.text


def test_a_quantity_that_is_not_a_decimal_is_refused_even_where_pydantic_would_accept_it() -> None:
    result = map_custom(ORDER.replace(b"<b:Menge>4<", b"<b:Menge>4e0<"), StandIn())
    [error] = result.errors
    assert error.code == "INVALID_NUMBER"
    assert error.location.path == "/Bestellung/Pos[2]/Menge"
    assert "lines.1.quantity" in error.text


def test_a_missing_required_field_names_the_canonical_field_and_its_xpath() -> None:
    result = map_custom(ORDER.replace(b"<b:Menge>4</b:Menge>", b""), StandIn())
    [error] = result.errors
    assert error.code == "MISSING_VALUE"
    assert "lines.1.quantity" in error.text and "string(b:Menge)" in error.text
    assert error.location.path == "/Bestellung/Pos[2]"


def test_a_pydantic_validation_failure_is_located_with_the_field_and_xpath() -> None:
    xml_map = StandIn(fields={**StandIn().fields, "number": "string(b:Kopf/b:Nummer/@missing)"})
    [error] = map_custom(ORDER, xml_map).errors
    assert error.code == "MISSING_VALUE"
    assert "canonical field number" in error.text and "b:Kopf/b:Nummer/@missing" in error.text


def test_an_unknown_canonical_field_in_the_profile_is_reported() -> None:
    xml_map = StandIn(fields={**StandIn().fields, "buyer.vat": "string(b:Kopf/b:Nummer)"})
    [error] = map_custom(ORDER, xml_map).errors
    assert error.code == "INVALID_VALUE"
    assert "buyer.vat" in error.text


def test_an_xpath_selecting_two_values_for_one_field_is_ambiguous() -> None:
    xml_map = StandIn(fields={**StandIn().fields, "currency": "b:Kopf/b:Hinweis"})
    [error] = map_custom(ORDER, xml_map).errors
    assert error.code == "AMBIGUOUS_VALUE"
    assert error.location.path == "/Bestellung/Kopf/Hinweis[2]"


def test_a_document_with_another_root_is_refused() -> None:
    [error] = map_custom(b'<Lieferschein xmlns="urn:example:bestellung"/>', StandIn()).errors
    assert error.code == "UNEXPECTED_ROOT"


def test_the_contoso_demo_profile_maps_its_sample_order() -> None:
    """The real XmlFieldMap and the sample another engineer keeps with the demo profile."""
    profile_module = pytest.importorskip("partners.profile")
    field_map = getattr(profile_module, "XmlFieldMap", None)
    sample = FIXTURES / "contoso_bestellung.xml"
    toml_path = REPO / "partners" / "demo" / "contoso.toml"
    if field_map is None or not sample.exists() or not toml_path.exists():
        pytest.skip("partners.profile.XmlFieldMap or the Contoso demo files are not there yet")
    table = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    xml_map = field_map.model_validate(table["xml_map"])
    codes = Codes(**{k: v for k, v in table.get("codes", {}).items() if k in ("units", "parties", "items")})
    result = map_xml(read_xml(sample.read_bytes()), Profile(codes, xml_map))
    assert result.errors == []
    order = result.document
    assert isinstance(order, PurchaseOrder)
    assert (order.number, order.issue_date, order.requested_delivery_date) == (
        "B-2025-000417",
        dt.date(2025, 3, 14),
        dt.date(2025, 3, 21),
    )
    assert order.buyer is not None and order.buyer.erp_id == "CUST-6001"
    assert order.ship_to is not None and order.ship_to.address == Address(
        street="Industriestraße 12", city="Köln", postal_code="50829", country="DE"
    )
    assert [(line.quantity, line.unit, line.erp_item_id) for line in order.lines] == [
        (D("120"), "EA", "SKU-1001"),
        (D("4"), "CARTON", "SKU-1002"),
    ]
