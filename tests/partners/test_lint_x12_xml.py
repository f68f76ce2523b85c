"""Lint rules for X12 and XML partners: identities, custom XML maps and their XPaths."""

import shutil
from pathlib import Path

import pytest

from partners import (
    LintProblem,
    ProfileError,
    demo_directory_path,
    hash_api_key,
    lint_directory,
    load_directory,
)

COMPANY = """\
name = "Us GmbH"
gln = "4000001000005"

[edifact]
id = "4000001000005"

[x12]
qualifier = "ZZ"
id = "US"
"""

XML_MAP = """
[xml_map]
root = "Bestellung"
document_type = "purchase_order"
sender = "string(Kopf/Kaeufer/GLN)"
lines = "Positionen/Position"

[xml_map.fields]
number = "string(Kopf/Nummer)"
"buyer.gln" = "string(Kopf/Kaeufer/GLN)"

[xml_map.line_fields]
quantity = "string(Menge)"
"""


def x12_toml(partner_id: str, isa_id: str = "UMBRELLA", qualifier: str = "ZZ", gs_id: str = "") -> str:
    gs_line = f'gs_id = "{gs_id}"\n' if gs_id else ""
    return (
        f'id = "{partner_id}"\nname = "{partner_id.title()}"\nrole = "customer"\nsyntax = "x12"\n'
        f'api_key_sha256 = ["{hash_api_key(partner_id + "-key")}"]\ninbound_messages = ["850"]\n'
        f'\n[[x12]]\nqualifier = "{qualifier}"\nid = "{isa_id}"\n{gs_line}'
    )


def xml_toml(partner_id: str, scheme: str = "0088", xml_id: str = "8712345000011", xml_map: str = "") -> str:
    return (
        f'id = "{partner_id}"\nname = "{partner_id.title()}"\nrole = "supplier"\nsyntax = "xml"\n'
        f'api_key_sha256 = ["{hash_api_key(partner_id + "-key")}"]\n'
        f'\n[[xml]]\nscheme = "{scheme}"\nid = "{xml_id}"\n{xml_map}'
    )


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    """A clean directory: our company, one X12 partner and one XML partner with a custom map."""
    write(tmp_path, "company.toml", COMPANY)
    write(tmp_path, "umbrella.toml", x12_toml("umbrella"))
    write(tmp_path, "contoso.toml", xml_toml("contoso", "GLN", "4012345000009", XML_MAP))
    return tmp_path


def only(problems: list[LintProblem]) -> tuple[str, str, str]:
    assert len(problems) == 1, problems
    problem = problems[0]
    return problem.file, problem.location, problem.code


def test_clean_x12_and_xml_directory_has_no_problems(profiles: Path):
    assert lint_directory(profiles) == []
    directory = load_directory(profiles)
    assert directory.by_x12_sender("ZZ", "UMBRELLA  ").id == "umbrella"
    assert directory.by_xml_root("Bestellung")[0].id == "contoso"


def test_demo_directory_copy_lints_clean_with_all_six_partners(tmp_path: Path):
    shutil.copytree(demo_directory_path(), tmp_path / "demo")
    assert lint_directory(tmp_path / "demo") == []
    assert len(load_directory(tmp_path / "demo")) == 6


# --- identities ---------------------------------------------------------------------------------------


def test_two_partners_claiming_one_x12_identity(profiles: Path):
    write(profiles, "umbrella2.toml", x12_toml("umbrella2"))
    problems = lint_directory(profiles)
    assert only(problems) == ("umbrella2.toml", "x12[0]", "DUPLICATE_X12_IDENTITY")
    assert "umbrella" in problems[0].message and "ZZ:UMBRELLA" in problems[0].message


def test_x12_identity_without_gs_id_overlaps_one_with_gs_id(profiles: Path):
    write(profiles, "umbrella2.toml", x12_toml("umbrella2", gs_id="UMB-US"))
    assert only(lint_directory(profiles)) == ("umbrella2.toml", "x12[0]", "DUPLICATE_X12_IDENTITY")


def test_one_isa_id_with_different_gs_ids_is_two_identities(profiles: Path):
    write(profiles, "umbrella.toml", x12_toml("umbrella", gs_id="UMB-EU"))
    write(profiles, "umbrella2.toml", x12_toml("umbrella2", gs_id="UMB-US"))
    assert lint_directory(profiles) == []


def test_same_x12_id_under_another_qualifier_is_another_identity(profiles: Path):
    write(profiles, "umbrella2.toml", x12_toml("umbrella2", qualifier="01"))
    assert lint_directory(profiles) == []


def test_two_partners_claiming_one_xml_identity_whatever_the_scheme_case(profiles: Path):
    write(profiles, "initech.toml", xml_toml("initech", "NetworkID", "AN01"))
    write(profiles, "zeta.toml", xml_toml("zeta", "networkid", "AN01"))
    problems = lint_directory(profiles)
    assert only(problems) == ("zeta.toml", "xml[0]", "DUPLICATE_XML_IDENTITY")
    assert "initech" in problems[0].message


@pytest.mark.parametrize(
    ("identity", "location"),
    [
        ('qualifier = "Z"\nid = "X"', "x12[0].qualifier"),
        ('qualifier = "ZZZ"\nid = "X"', "x12[0].qualifier"),
        ('qualifier = "ZZ"\nid = "SIXTEEN-CHARS-ID"', "x12[0].id"),
        ('qualifier = "ZZ"\nid = "   "', "x12[0].id"),
    ],
)
def test_x12_qualifier_must_be_two_characters_and_id_at_most_fifteen(
    profiles: Path, identity: str, location: str
):
    text = x12_toml("umbrella").replace('qualifier = "ZZ"\nid = "UMBRELLA"', identity)
    write(profiles, "umbrella.toml", text)
    assert only(lint_directory(profiles)) == ("umbrella.toml", location, "INVALID_VALUE")


def test_misspelt_x12_key_is_unknown_key_with_suggestion(profiles: Path):
    write(profiles, "umbrella.toml", x12_toml("umbrella", gs_id="UMB").replace("gs_id", "gsid"))
    problems = lint_directory(profiles)
    assert only(problems) == ("umbrella.toml", "x12[0].gsid", "UNKNOWN_KEY")
    assert "did you mean 'gs_id'" in problems[0].message


@pytest.mark.parametrize("version", ["5010", "005010", "0050A"])
def test_x12_version_must_be_five_digits(profiles: Path, version: str):
    text = x12_toml("umbrella").replace('syntax = "x12"\n', f'syntax = "x12"\nx12_version = "{version}"\n')
    write(profiles, "umbrella.toml", text)
    problems = lint_directory(profiles)
    assert only(problems) == ("umbrella.toml", "x12_version", "INVALID_VALUE")
    assert "00401" in problems[0].message


def test_company_x12_qualifier_is_checked_too(profiles: Path):
    write(profiles, "company.toml", COMPANY.replace('qualifier = "ZZ"', 'qualifier = "ZZZ"'))
    assert only(lint_directory(profiles)) == ("company.toml", "x12.qualifier", "INVALID_VALUE")


@pytest.mark.parametrize(
    ("setting", "value"),
    [("functional", "998"), ("ta1", "sometimes"), ("aperak", "on_request"), ("application_response", "yes")],
)
def test_unknown_acknowledgement_values_are_invalid(profiles: Path, setting: str, value: str):
    write(profiles, "umbrella.toml", x12_toml("umbrella") + f'\n[acknowledgements]\n{setting} = "{value}"\n')
    assert only(lint_directory(profiles)) == ("umbrella.toml", f"acknowledgements.{setting}", "INVALID_VALUE")


# --- custom XML maps --------------------------------------------------------------------------------


def contoso_with(old: str, new: str) -> str:
    assert old in XML_MAP
    return xml_toml("contoso", "GLN", "4012345000009", XML_MAP.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "location"),
    [
        ('"string(Kopf/Nummer)"', '"string(Kopf/Nummer"', "xml_map.fields.number"),
        ('"string(Kopf/Kaeufer/GLN)"\n\n', '"string(Kopf/Kaeufer/GLN))"\n\n', "xml_map.fields.buyer.gln"),
        ('"string(Menge)"', '"string(m:Menge)"', "xml_map.line_fields.quantity"),
        ('"string(Menge)"', '"zahl(Menge)"', "xml_map.line_fields.quantity"),
        ('lines = "Positionen/Position"', 'lines = "Positionen/["', "xml_map.lines"),
        ('sender = "string(Kopf/Kaeufer/GLN)"', 'sender = "string($gln)"', "xml_map.sender"),
    ],
)
def test_invalid_xpath_is_located_at_the_expression(profiles: Path, old: str, new: str, location: str):
    write(profiles, "contoso.toml", contoso_with(old, new))
    problems = lint_directory(profiles)
    assert only(problems) == ("contoso.toml", location, "INVALID_XPATH")
    assert problems[0].message.startswith("invalid XPath expression")


def test_lines_xpath_must_select_elements_not_a_string(profiles: Path):
    write(profiles, "contoso.toml", contoso_with('"Positionen/Position"', '"string(Positionen/Position)"'))
    problems = lint_directory(profiles)
    assert only(problems) == ("contoso.toml", "xml_map.lines", "INVALID_XPATH")
    assert "node-set" in problems[0].message


def test_prefixed_xpath_is_valid_once_its_namespace_is_declared(profiles: Path):
    text = contoso_with('"string(Menge)"', '"string(b:Menge)"').replace(
        'document_type = "purchase_order"\n',
        'document_type = "purchase_order"\nnamespaces = { b = "urn:contoso:bestellung" }\n',
    )
    write(profiles, "contoso.toml", text)
    assert lint_directory(profiles) == []


def test_default_namespace_prefix_is_refused_with_advice(profiles: Path):
    text = contoso_with(
        'document_type = "purchase_order"\n',
        'document_type = "purchase_order"\nnamespaces = { "" = "urn:contoso:bestellung" }\n',
    )
    write(profiles, "contoso.toml", text)
    problems = lint_directory(profiles)
    assert only(problems) == ("contoso.toml", "xml_map.namespaces", "INVALID_VALUE")
    assert "give the document's default namespace a prefix" in problems[0].message


def test_field_path_must_be_a_canonical_lower_case_path(profiles: Path):
    write(profiles, "contoso.toml", contoso_with("number =", "Nummer ="))
    assert only(lint_directory(profiles)) == ("contoso.toml", "xml_map.fields.Nummer (key)", "INVALID_VALUE")


def test_unknown_document_type_is_invalid(profiles: Path):
    write(profiles, "contoso.toml", contoso_with('"purchase_order"', '"order"'))
    assert only(lint_directory(profiles)) == ("contoso.toml", "xml_map.document_type", "INVALID_VALUE")


def test_date_format_must_be_a_strptime_pattern(profiles: Path):
    write(profiles, "contoso.toml", contoso_with('lines = "', 'date_format = "DD.MM.YYYY"\nlines = "'))
    assert only(lint_directory(profiles)) == ("contoso.toml", "xml_map.date_format", "INVALID_VALUE")


def test_root_with_a_prefix_is_invalid(profiles: Path):
    write(profiles, "contoso.toml", contoso_with('root = "Bestellung"', 'root = "b:Bestellung"'))
    assert only(lint_directory(profiles)) == ("contoso.toml", "xml_map.root", "INVALID_VALUE")


def test_map_without_lines_is_missing_key(profiles: Path):
    write(profiles, "contoso.toml", contoso_with('lines = "Positionen/Position"\n', ""))
    assert only(lint_directory(profiles)) == ("contoso.toml", "xml_map.lines", "MISSING_KEY")


def test_sender_without_xml_identity_could_never_match(profiles: Path):
    text = contoso_with("", "").replace('\n[[xml]]\nscheme = "GLN"\nid = "4012345000009"\n', "")
    write(profiles, "contoso.toml", text)
    assert only(lint_directory(profiles)) == ("contoso.toml", "xml_map.sender", "MISSING_XML_IDENTITY")


def test_partners_sharing_a_root_need_a_sender_each(profiles: Path):
    no_sender = XML_MAP.replace('sender = "string(Kopf/Kaeufer/GLN)"\n', "")
    write(profiles, "fabrikam.toml", xml_toml("fabrikam", "GLN", "4012345000016", no_sender))
    problems = lint_directory(profiles)
    assert only(problems) == ("fabrikam.toml", "xml_map.sender", "AMBIGUOUS_XML_ROOT")
    assert "contoso" in problems[0].message


def test_partners_sharing_a_root_with_senders_are_fine(profiles: Path):
    write(profiles, "fabrikam.toml", xml_toml("fabrikam", "GLN", "4012345000016", XML_MAP))
    assert lint_directory(profiles) == []
    assert [p.id for p in load_directory(profiles).by_xml_root("Bestellung")] == ["contoso", "fabrikam"]


def test_partners_sharing_a_root_must_not_share_an_id_in_another_scheme(profiles: Path):
    write(profiles, "fabrikam.toml", xml_toml("fabrikam", "0088", "4012345000009", XML_MAP))
    assert only(lint_directory(profiles)) == ("fabrikam.toml", "xml[0]", "AMBIGUOUS_XML_ROOT")


def test_load_directory_refuses_an_invalid_xpath(profiles: Path):
    write(profiles, "contoso.toml", contoso_with('"string(Menge)"', '"string(Menge"'))
    with pytest.raises(ProfileError) as caught:
        load_directory(profiles)
    assert [problem.code for problem in caught.value.problems] == ["INVALID_XPATH"]
    assert "contoso.toml:xml_map.line_fields.quantity" in str(caught.value)
