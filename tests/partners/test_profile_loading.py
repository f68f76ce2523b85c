"""The shipped demo profiles load, and the directory answers the gateway's identity lookups."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from partners import (
    CodeMaps,
    CompanyProfile,
    EdifactIdentity,
    PartnerDirectory,
    PartnerProfile,
    ProfileError,
    demo_directory_path,
    hash_api_key,
    load_directory,
)


@pytest.fixture(scope="module")
def demo() -> PartnerDirectory:
    return load_directory(demo_directory_path())


def _company() -> CompanyProfile:
    return CompanyProfile(
        name="Us", gln="4000001000005", edifact=EdifactIdentity(id="4000001000005", qualifier="14")
    )


def _partner(partner_id: str, *identities: tuple[str, str], keys: tuple[str, ...] = ()) -> PartnerProfile:
    return PartnerProfile(
        id=partner_id,
        name=partner_id.title(),
        role="customer",
        edifact=[EdifactIdentity(id=i, qualifier=q) for i, q in identities],
        api_key_sha256=[hash_api_key(k) for k in keys],
    )


def test_demo_directory_is_a_packaged_folder_with_company_and_partner_files():
    path = demo_directory_path()
    assert path.is_dir()
    assert {p.name for p in path.glob("*.toml")} == {
        "company.toml",
        "acme-retail.toml",
        "supplier-one.toml",
        "umbrella.toml",
        "globex.toml",
        "initech.toml",
        "contoso.toml",
    }


def test_demo_directory_loads_company_and_all_six_partners(demo: PartnerDirectory):
    assert demo.company.name == "Edigate Demo GmbH"
    assert demo.company.gln == "4000001000005"
    assert demo.company.edifact == EdifactIdentity(id="4000001000005", qualifier="14")
    assert list(demo.partners) == ["acme-retail", "contoso", "globex", "initech", "supplier-one", "umbrella"]
    assert len(demo) == 6
    assert "acme-retail" in demo


def test_demo_acme_retail_is_an_orders_customer_always_acknowledged(demo: PartnerDirectory):
    acme = demo.get("acme-retail")
    assert acme is not None
    assert (acme.name, acme.role, acme.syntax, acme.enabled) == ("ACME Retail", "customer", "edifact", True)
    assert acme.inbound_messages == ["ORDERS"]
    assert acme.acknowledgements.contrl == "always"
    assert acme.accepts_message("ORDERS")
    assert not acme.accepts_message("INVOIC")


def test_demo_supplier_one_sends_desadv_and_invoic_and_gets_contrl_on_request(demo: PartnerDirectory):
    supplier = demo.get("supplier-one")
    assert supplier is not None
    assert supplier.role == "supplier"
    assert supplier.inbound_messages == ["ORDRSP", "DESADV", "INVOIC"]
    assert supplier.acknowledgements.contrl == "on_request"
    assert supplier.codes.party("4012345500004") == "SUPP-2001"


def test_get_unknown_partner_returns_none(demo: PartnerDirectory):
    assert demo.get("nobody") is None


def test_by_api_key_finds_the_partner_owning_the_key(demo: PartnerDirectory):
    assert demo.by_api_key("demo-acme-key").id == "acme-retail"
    assert demo.by_api_key("demo-supplier-one-key").id == "supplier-one"


def test_by_api_key_returns_none_for_unknown_empty_or_hashed_key(demo: PartnerDirectory):
    assert demo.by_api_key("not-a-key") is None
    assert demo.by_api_key("") is None
    assert demo.by_api_key(hash_api_key("demo-acme-key")) is None


def test_by_edifact_sender_matches_id_and_exact_qualifier(demo: PartnerDirectory):
    assert demo.by_edifact_sender("5412345000013", "14").id == "acme-retail"
    assert demo.by_edifact_sender("4012345500004", "14").id == "supplier-one"


def test_by_edifact_sender_with_other_or_missing_qualifier_does_not_match_qualified_identity(
    demo: PartnerDirectory,
):
    assert demo.by_edifact_sender("5412345000013", "ZZZ") is None
    assert demo.by_edifact_sender("5412345000013") is None
    assert demo.by_edifact_sender("9999999999999", "14") is None


def test_identity_without_qualifier_matches_the_id_with_any_qualifier():
    directory = PartnerDirectory(_company(), [_partner("loose", ("LOOSE01", ""))])
    assert directory.by_edifact_sender("LOOSE01", "ZZZ").id == "loose"
    assert directory.by_edifact_sender("LOOSE01", "14").id == "loose"
    assert directory.by_edifact_sender("LOOSE01", "").id == "loose"
    assert directory.by_edifact_sender("LOOSE02", "ZZZ") is None


def test_unit_codes_map_to_erp_units_and_unmapped_units_pass_through(demo: PartnerDirectory):
    codes = demo.get("acme-retail").codes
    assert codes.unit("PCE") == "EA"
    assert codes.unit("KGM") == "KG"
    assert codes.unit("CT") == "CARTON"
    assert codes.unit("LTR") == "LTR"


def test_party_glns_map_to_erp_numbers_and_unknown_gln_is_none(demo: PartnerDirectory):
    codes = demo.get("acme-retail").codes
    assert codes.party("5412345000013") == "CUST-1001"
    assert codes.party("5412345000020") == "CUST-1001-DC1"
    assert codes.party("4000001000005") == "SELF"
    assert codes.party("5412345000037") is None


def test_items_map_gtins_to_skus_and_unknown_item_is_none(demo: PartnerDirectory):
    codes = demo.get("acme-retail").codes
    assert codes.item("4000001000012") == "SKU-1001"
    assert codes.item("4000001000029") == "SKU-1002"
    assert codes.item("4000001000036") is None


def test_code_maps_default_to_empty():
    codes = CodeMaps()
    assert codes.unit("PCE") == "PCE"
    assert codes.party("5412345000013") is None
    assert codes.item("X") is None


def test_profile_defaults_are_edifact_enabled_contrl_on_request_any_message():
    profile = PartnerProfile(id="p", name="P", role="supplier")
    assert profile.syntax == "edifact"
    assert profile.enabled is True
    assert profile.acknowledgements.contrl == "on_request"
    assert profile.accepts_message("ORDERS")


def test_loaded_profiles_and_directory_cannot_be_changed(demo: PartnerDirectory):
    acme = demo.get("acme-retail")
    with pytest.raises(ValidationError):
        acme.enabled = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        demo.partners["intruder"] = acme  # type: ignore[index]
    with pytest.raises(AttributeError):
        demo.extra = 1  # type: ignore[attr-defined]


def test_company_gln_with_wrong_check_digit_is_rejected():
    with pytest.raises(ValidationError, match="check digit"):
        CompanyProfile(name="Us", gln="4000001000006", edifact=EdifactIdentity(id="4000001000006"))


def test_partner_id_company_is_reserved():
    with pytest.raises(ValidationError, match="reserved"):
        PartnerProfile(id="company", name="C", role="customer")


def test_directory_refuses_two_partners_with_overlapping_edifact_identities():
    with pytest.raises(ValueError, match="overlaps"):
        PartnerDirectory(_company(), [_partner("a", ("X1", "14")), _partner("b", ("X1", ""))])


def test_directory_refuses_two_partners_with_one_api_key():
    with pytest.raises(ValueError, match="API key"):
        PartnerDirectory(_company(), [_partner("a", keys=("k",)), _partner("b", keys=("k",))])


def test_directory_refuses_duplicate_partner_id():
    with pytest.raises(ValueError, match="duplicate"):
        PartnerDirectory(_company(), [_partner("a"), _partner("a")])


def test_load_directory_raises_profile_error_carrying_every_problem(tmp_path: Path):
    (tmp_path / "bad.toml").write_text('id = "bad"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_directory(tmp_path)
    codes = sorted(problem.code for problem in caught.value.problems)
    assert codes == ["MISSING_COMPANY", "MISSING_KEY", "MISSING_KEY"]
    assert "bad.toml:name" in str(caught.value)
