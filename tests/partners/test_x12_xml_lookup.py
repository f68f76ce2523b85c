"""X12 and XML partners: identity models, the directory's lookups, and the shipped demo set."""

from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from pydantic import ValidationError

from partners import (
    AckPolicy,
    CompanyProfile,
    EdifactIdentity,
    PartnerDirectory,
    PartnerProfile,
    X12Identity,
    XmlFieldMap,
    XmlIdentity,
    demo_directory_path,
    load_directory,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

DEMO_KEYS = {
    "acme-retail": "demo-acme-key",
    "supplier-one": "demo-supplier-one-key",
    "umbrella": "demo-umbrella-key",
    "globex": "demo-globex-key",
    "initech": "demo-initech-key",
    "contoso": "demo-contoso-key",
}


@pytest.fixture(scope="module")
def demo() -> PartnerDirectory:
    return load_directory(demo_directory_path())


def _company() -> CompanyProfile:
    return CompanyProfile(name="Us", gln="4000001000005", edifact=EdifactIdentity(id="4000001000005"))


def _x12_partner(partner_id: str, *identities: X12Identity) -> PartnerProfile:
    return PartnerProfile(
        id=partner_id, name=partner_id.title(), role="customer", syntax="x12", x12=[*identities]
    )


def _xml_partner(
    partner_id: str, *identities: XmlIdentity, xml_map: XmlFieldMap | None = None
) -> PartnerProfile:
    return PartnerProfile(
        id=partner_id,
        name=partner_id.title(),
        role="supplier",
        syntax="xml",
        xml=[*identities],
        xml_map=xml_map,
    )


def _map(root: str = "Bestellung", sender: str = "") -> XmlFieldMap:
    return XmlFieldMap(
        root=root,
        document_type="purchase_order",
        sender=sender,
        fields={"number": "string(Kopf/Nummer)"},
        lines="Positionen/Position",
        line_fields={"quantity": "string(Menge)"},
    )


# --- the demo set ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("partner_id", "key"), sorted(DEMO_KEYS.items()))
def test_every_demo_key_resolves_to_its_partner(demo: PartnerDirectory, partner_id: str, key: str):
    partner = demo.by_api_key(key)
    assert partner is not None and partner.id == partner_id


def test_demo_keys_cover_every_demo_partner(demo: PartnerDirectory):
    assert set(DEMO_KEYS) == set(demo.partners)


def test_demo_company_has_x12_and_xml_identities(demo: PartnerDirectory):
    assert demo.company.x12 == X12Identity(qualifier="ZZ", id="EDIGATEDEMO")
    assert demo.company.xml == XmlIdentity(scheme="0088", id="4000001000005")


def test_demo_umbrella_is_an_x12_005010_customer_with_999(demo: PartnerDirectory):
    umbrella = demo.by_x12_sender("ZZ", "UMBRELLA       ")
    assert umbrella is not None and umbrella.id == "umbrella"
    assert (umbrella.name, umbrella.role, umbrella.syntax) == ("Umbrella Corporation", "customer", "x12")
    assert umbrella.x12_version == "00501"
    assert umbrella.accepts_message("850") and not umbrella.accepts_message("810")
    assert (umbrella.acknowledgements.functional, umbrella.acknowledgements.ta1) == ("999", "on_request")
    assert umbrella.codes.unit("CA") == "CARTON"
    assert umbrella.codes.party("UMBRELLA") == umbrella.codes.party("0614141000012") == "CUST-3001"
    assert umbrella.codes.item("614141000036") == "SKU-3001"


def test_demo_globex_is_an_x12_004010_supplier_with_997(demo: PartnerDirectory):
    globex = demo.by_x12_sender("ZZ", "GLOBEX", "GLOBEX")
    assert globex is not None and globex.id == "globex"
    assert (globex.role, globex.x12_version, globex.acknowledgements.functional) == (
        "supplier",
        "00401",
        "997",
    )
    assert globex.inbound_messages == ["855", "856", "810"]


def test_demo_initech_is_a_ubl_supplier_with_application_response_on_error(demo: PartnerDirectory):
    initech = demo.by_xml_sender("0088", "8712345000011")
    assert initech is not None and initech.id == "initech"
    assert initech.accepts_message("Invoice") and initech.accepts_message("CreditNote")
    assert not initech.accepts_message("Order")
    assert initech.acknowledgements.application_response == "on_error"
    assert initech.codes.party("8712345000011") == "SUPP-4001"


def test_demo_supplier_one_still_sends_edifact_only(demo: PartnerDirectory):
    supplier = demo.get("supplier-one")
    assert supplier is not None and supplier.x12 == [] and supplier.xml == [] and supplier.xml_map is None


def test_demo_contoso_is_found_by_its_xml_root_and_claims_the_buyer_gln(demo: PartnerDirectory):
    [contoso] = demo.by_xml_root("Bestellung")
    assert contoso.id == "contoso" and contoso.accepts_message("Bestellung")
    assert contoso.xml_map is not None and contoso.xml_map.document_type == "purchase_order"
    assert contoso.claims_xml_id("4012345000009")
    assert demo.by_xml_sender("gln", "4012345000009") is contoso


def _read(
    xml_map: XmlFieldMap, document: etree._Element
) -> tuple[dict[str, object], list[dict[str, object]]]:
    """What a translator does with a map, in a few lines: evaluate each XPath on root or line."""

    def xpath(expression: str, node: etree._Element) -> object:
        return etree.XPath(expression, namespaces=xml_map.namespaces or None)(node)

    header = {field: xpath(expression, document) for field, expression in xml_map.fields.items()}
    lines = [
        {field: xpath(expression, line) for field, expression in xml_map.line_fields.items()}
        for line in xpath(xml_map.lines, document)  # type: ignore[union-attr]
    ]
    return header, lines


def test_demo_contoso_map_reads_the_sample_order(demo: PartnerDirectory):
    contoso = demo.get("contoso")
    assert contoso is not None and contoso.xml_map is not None
    xml_map = contoso.xml_map
    document = etree.parse(str(FIXTURES / "xml" / "contoso_bestellung.xml")).getroot()
    assert etree.QName(document).localname == xml_map.root
    assert contoso.claims_xml_id(etree.XPath(xml_map.sender)(document))  # type: ignore[arg-type]

    header, lines = _read(xml_map, document)
    assert header["number"] == "B-2025-000417"
    assert header["buyer.gln"] == "4012345000009" and header["seller.gln"] == "4000001000005"
    assert header["ship_to.address.city"] == "Köln" and header["ship_to.address.country"] == "DE"
    assert all(value for value in header.values()), header  # every mapped field is in the sample
    assert (
        datetime.strptime(str(header["issue_date"]), xml_map.date_format).date().isoformat() == "2025-03-14"
    )
    assert [line["line_number"] for line in lines] == ["1", "2"]
    assert lines[0] == {
        "line_number": "1",
        "gtin": "4000001000012",
        "buyer_item_id": "CH-4711",
        "description": "Schraube M6 x 20, verzinkt",
        "quantity": "120",
        "unit": "Stk",
        "unit_price": "0.25",
        "line_amount": "30.00",
    }
    assert contoso.codes.unit(str(lines[1]["unit"])) == "CARTON"
    assert contoso.codes.item(str(lines[0]["buyer_item_id"])) == "SKU-1001"
    assert contoso.codes.party(str(header["ship_to.gln"])) == "CUST-6001-LAGER"


# --- X12 identities ----------------------------------------------------------------------------------


def test_x12_identity_ignores_isa_space_padding_on_both_sides():
    identity = X12Identity(qualifier="ZZ", id="UMBRELLA")
    assert identity.matches("ZZ", "UMBRELLA       ")
    assert identity.matches("ZZ", "UMBRELLA")
    assert X12Identity(qualifier=" ZZ", id="UMBRELLA   ") == identity


def test_x12_identity_compares_qualifier_and_id_exactly():
    identity = X12Identity(qualifier="ZZ", id="UMBRELLA")
    assert not identity.matches("01", "UMBRELLA")
    assert not identity.matches("ZZ", "umbrella")
    assert not identity.matches("ZZ", "UMBRELLA2")


def test_x12_identity_with_gs_id_requires_that_gs02_but_not_at_interchange_level():
    identity = X12Identity(qualifier="ZZ", id="UMBRELLA", gs_id="UMB-EU")
    assert identity.matches("ZZ", "UMBRELLA", "UMB-EU")
    assert not identity.matches("ZZ", "UMBRELLA", "UMB-US")
    assert identity.matches("ZZ", "UMBRELLA")  # GS not read yet
    assert identity.describe() == "ZZ:UMBRELLA (GS02 UMB-EU)"
    assert X12Identity(qualifier="ZZ", id="UMBRELLA").matches("ZZ", "UMBRELLA", "ANYTHING")


@pytest.mark.parametrize(
    ("qualifier", "isa_id"),
    [("Z", "UMBRELLA"), ("ZZZ", "UMBRELLA"), ("Z-", "X"), ("zz", "X"), ("ZZ", ""), ("ZZ", "X" * 16)],
)
def test_x12_identity_refuses_bad_qualifier_or_id(qualifier: str, isa_id: str):
    with pytest.raises(ValidationError):
        X12Identity(qualifier=qualifier, id=isa_id)


def test_by_x12_sender_pads_and_distinguishes_qualifiers():
    directory = PartnerDirectory(
        _company(),
        [
            _x12_partner("dunsco", X12Identity(qualifier="01", id="123456789")),
            _x12_partner("zzco", X12Identity(qualifier="ZZ", id="123456789")),
        ],
    )
    assert directory.by_x12_sender("01", "123456789      ").id == "dunsco"
    assert directory.by_x12_sender("ZZ", "123456789      ", "123456789").id == "zzco"
    assert directory.by_x12_sender("12", "123456789") is None
    assert directory.by_x12_sender("ZZ", "987654321") is None


def test_by_x12_sender_tells_partners_sharing_an_isa_id_apart_by_gs02():
    directory = PartnerDirectory(
        _company(),
        [
            _x12_partner("umb-eu", X12Identity(qualifier="ZZ", id="UMBRELLA", gs_id="UMB-EU")),
            _x12_partner("umb-us", X12Identity(qualifier="ZZ", id="UMBRELLA", gs_id="UMB-US")),
        ],
    )
    assert directory.by_x12_sender("ZZ", "UMBRELLA", "UMB-EU").id == "umb-eu"
    assert directory.by_x12_sender("ZZ", "UMBRELLA       ", "UMB-US").id == "umb-us"
    assert directory.by_x12_sender("ZZ", "UMBRELLA", "UMB-ASIA") is None
    assert directory.by_x12_sender("ZZ", "UMBRELLA") is None  # ISA alone is ambiguous


def test_by_x12_sender_prefers_a_gs_specific_identity_and_answers_at_isa_level_for_one_partner():
    partner = _x12_partner(
        "umbrella",
        X12Identity(qualifier="ZZ", id="UMBRELLA", gs_id="UMB-EU"),
        X12Identity(qualifier="ZZ", id="UMBRELLA", gs_id="UMB-US"),
    )
    directory = PartnerDirectory(_company(), [partner])
    assert directory.by_x12_sender("ZZ", "UMBRELLA") is partner
    assert directory.by_x12_sender("ZZ", "UMBRELLA", "UMB-US") is partner
    assert directory.by_x12_sender("ZZ", "UMBRELLA", "OTHER") is None


@pytest.mark.parametrize(("gs_a", "gs_b"), [("", ""), ("", "UMB-US"), ("UMB-US", "UMB-US")])
def test_directory_refuses_two_partners_with_overlapping_x12_identities(gs_a: str, gs_b: str):
    with pytest.raises(ValueError, match=r"X12 identity .* overlaps"):
        PartnerDirectory(
            _company(),
            [
                _x12_partner("a", X12Identity(qualifier="ZZ", id="UMBRELLA", gs_id=gs_a)),
                _x12_partner("b", X12Identity(qualifier="ZZ", id="UMBRELLA", gs_id=gs_b)),
            ],
        )


# --- XML identities ----------------------------------------------------------------------------------


def test_xml_identity_compares_scheme_ignoring_case_and_id_exactly():
    identity = XmlIdentity(scheme="NetworkID", id="AN01000000001")
    assert identity.matches("NetworkId", "AN01000000001")
    assert identity.matches("networkid", " AN01000000001\n")
    assert not identity.matches("NetworkID", "an01000000001")
    assert not identity.matches("DUNS", "AN01000000001")
    assert identity.describe() == "NetworkID:AN01000000001"


def test_by_xml_sender_ignores_scheme_case_and_surrounding_whitespace():
    directory = PartnerDirectory(
        _company(),
        [
            _xml_partner("initech", XmlIdentity(scheme="0088", id="8712345000011")),
            _xml_partner("ariba", XmlIdentity(scheme="NetworkID", id="AN01000000001")),
        ],
    )
    assert directory.by_xml_sender("0088", "8712345000011").id == "initech"
    assert directory.by_xml_sender("NETWORKID", "  AN01000000001 ").id == "ariba"
    assert directory.by_xml_sender("0192", "8712345000011") is None
    assert directory.by_xml_sender("NetworkID", "AN01000000002") is None


def test_same_xml_id_in_different_schemes_is_two_identities():
    directory = PartnerDirectory(
        _company(),
        [
            _xml_partner("a", XmlIdentity(scheme="0088", id="123")),
            _xml_partner("b", XmlIdentity(scheme="DUNS", id="123")),
        ],
    )
    assert directory.by_xml_sender("0088", "123").id == "a"
    assert directory.by_xml_sender("duns", "123").id == "b"


def test_directory_refuses_two_partners_claiming_one_xml_identity_in_any_case():
    with pytest.raises(ValueError, match="XML identity"):
        PartnerDirectory(
            _company(),
            [
                _xml_partner("a", XmlIdentity(scheme="NetworkID", id="AN1")),
                _xml_partner("b", XmlIdentity(scheme="networkid", id="AN1")),
            ],
        )


def test_by_xml_root_lists_every_partner_mapping_that_root_by_id():
    beta = _xml_partner("beta", XmlIdentity(scheme="GLN", id="2"), xml_map=_map(sender="string(Kopf/GLN)"))
    alpha = _xml_partner("alpha", XmlIdentity(scheme="GLN", id="1"), xml_map=_map(sender="string(Kopf/GLN)"))
    other = _xml_partner("other", xml_map=_map(root="Rechnung"))
    directory = PartnerDirectory(_company(), [beta, other, alpha])
    assert directory.by_xml_root("Bestellung") == [alpha, beta]
    assert directory.by_xml_root("Rechnung") == [other]
    assert directory.by_xml_root("Invoice") == []
    directory.by_xml_root("Bestellung").clear()
    assert len(directory.by_xml_root("Bestellung")) == 2  # callers get a copy


# --- schema defaults -----------------------------------------------------------------------------------


def test_new_profile_fields_default_to_nothing_so_edifact_profiles_are_unchanged():
    profile = PartnerProfile(id="p", name="P", role="supplier")
    assert (profile.x12, profile.xml, profile.xml_map, profile.x12_version) == ([], [], None, "")
    assert not profile.claims_xml_id("123")
    assert _company().x12 is None and _company().xml is None


def test_ack_policy_defaults_send_only_what_partners_ask_for():
    policy = AckPolicy()
    assert (policy.contrl, policy.aperak, policy.ta1) == ("on_request", "never", "on_request")
    assert (policy.functional, policy.application_response) == ("none", "never")


def test_xml_field_map_refuses_an_invalid_xpath_with_its_own_error_type():
    with pytest.raises(ValidationError) as caught:
        XmlFieldMap(
            root="Bestellung",
            document_type="purchase_order",
            fields={"number": "string(Kopf/Nummer"},
            lines="Positionen/Position",
            line_fields={},
        )
    [error] = caught.value.errors()
    assert (error["type"], error["loc"]) == ("invalid_xpath", ("fields", "number"))


def test_xml_field_map_accepts_prefixed_xpaths_for_declared_namespaces():
    xml_map = XmlFieldMap(
        root="Invoice",
        document_type="invoice",
        namespaces={"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"},
        fields={"number": "string(cbc:ID)"},
        lines="*[local-name()='InvoiceLine']",
        line_fields={"quantity": "string(cbc:InvoicedQuantity)"},
    )
    assert xml_map.fields["number"] == "string(cbc:ID)"
