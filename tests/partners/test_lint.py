"""`edigate partners lint`: every rule yields exactly one located problem with a stable code."""

import shutil
from pathlib import Path

import pytest

from partners import LintProblem, demo_directory_path, hash_api_key, lint_directory

COMPANY = """\
name = "Us GmbH"
gln = "4000001000005"

[edifact]
id = "4000001000005"
qualifier = "14"
"""


def partner_toml(partner_id: str, unb_id: str = "5412345000013", qualifier: str = "14", key: str = "") -> str:
    key_line = f'api_key_sha256 = ["{hash_api_key(key or partner_id + "-key")}"]\n'
    return (
        f'id = "{partner_id}"\nname = "{partner_id.title()}"\nrole = "customer"\n{key_line}'
        f'\n[[edifact]]\nid = "{unb_id}"\nqualifier = "{qualifier}"\n'
    )


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    """A clean directory: our company and one partner."""
    write(tmp_path, "company.toml", COMPANY)
    write(tmp_path, "acme.toml", partner_toml("acme"))
    return tmp_path


def only(problems: list[LintProblem]) -> tuple[str, str, str]:
    assert len(problems) == 1, problems
    problem = problems[0]
    return problem.file, problem.location, problem.code


def test_clean_directory_has_no_problems(profiles: Path):
    assert lint_directory(profiles) == []


def test_demo_directory_has_no_problems():
    assert lint_directory(demo_directory_path()) == []


def test_copied_demo_directory_stays_clean(tmp_path: Path):
    target = tmp_path / "profiles"
    shutil.copytree(demo_directory_path(), target)
    assert lint_directory(target) == []


def test_company_only_directory_is_valid_before_first_partner(tmp_path: Path):
    write(tmp_path, "company.toml", COMPANY)
    assert lint_directory(tmp_path) == []


def test_non_toml_and_hidden_files_are_ignored(profiles: Path):
    write(profiles, "README.md", "not a profile")
    write(profiles, ".acme.toml", "= broken")
    assert lint_directory(profiles) == []


def test_missing_directory_is_not_a_directory(tmp_path: Path):
    assert only(lint_directory(tmp_path / "nope")) == (str(tmp_path / "nope"), "", "NOT_A_DIRECTORY")


def test_empty_directory_is_reported_once(tmp_path: Path):
    assert only(lint_directory(tmp_path)) == (str(tmp_path), "", "EMPTY_DIRECTORY")


def test_missing_company_toml_is_reported_on_company_toml(tmp_path: Path):
    write(tmp_path, "acme.toml", partner_toml("acme"))
    assert only(lint_directory(tmp_path)) == ("company.toml", "", "MISSING_COMPANY")


def test_toml_syntax_error_reports_line_and_column(profiles: Path):
    write(profiles, "broken.toml", 'id = "broken"\nname = \n')
    problems = lint_directory(profiles)
    assert only(problems) == ("broken.toml", "line 2, column 8", "TOML_SYNTAX")
    assert problems[0].message == "Invalid value"


def test_toml_syntax_error_at_end_of_document_reports_last_position(profiles: Path):
    write(profiles, "broken.toml", 'id = "broken"\nname = "unterminated')
    assert only(lint_directory(profiles)) == ("broken.toml", "line 2, column 21", "TOML_SYNTAX")


def test_file_that_is_not_utf8_is_reported_with_byte_offset(profiles: Path):
    (profiles / "latin.toml").write_bytes('id = "latin"\nname = "Müller"\n'.encode("latin-1"))
    assert only(lint_directory(profiles)) == ("latin.toml", "byte 22", "NOT_UTF8")


def test_misspelt_key_is_unknown_key_with_suggestion(profiles: Path):
    write(profiles, "acme.toml", partner_toml("acme").replace("qualifier", "qualifer"))
    problems = lint_directory(profiles)
    assert only(problems) == ("acme.toml", "edifact[0].qualifer", "UNKNOWN_KEY")
    assert "did you mean 'qualifier'" in problems[0].message


def test_unknown_table_lists_the_allowed_keys(profiles: Path):
    write(profiles, "acme.toml", partner_toml("acme") + '\n[codes.colours]\nRED = "R"\n')
    problems = lint_directory(profiles)
    assert only(problems) == ("acme.toml", "codes.colours", "UNKNOWN_KEY")
    assert "items, parties, units" in problems[0].message


def test_missing_required_key_is_missing_key(profiles: Path):
    write(profiles, "acme.toml", partner_toml("acme").replace('role = "customer"\n', ""))
    assert only(lint_directory(profiles)) == ("acme.toml", "role", "MISSING_KEY")


def test_missing_key_in_company_toml_is_located(profiles: Path):
    write(profiles, "company.toml", COMPANY.replace('id = "4000001000005"\n', ""))
    assert only(lint_directory(profiles)) == ("company.toml", "edifact.id", "MISSING_KEY")


def test_code_map_value_of_wrong_type_is_located_at_the_code(profiles: Path):
    write(profiles, "acme.toml", partner_toml("acme") + "\n[codes.units]\nPCE = 1\n")
    problems = lint_directory(profiles)
    assert only(problems) == ("acme.toml", "codes.units.PCE", "INVALID_VALUE")
    assert "valid string" in problems[0].message
    assert "got 1" in problems[0].message


def test_unknown_ack_policy_names_the_allowed_values(profiles: Path):
    write(profiles, "acme.toml", partner_toml("acme") + '\n[acknowledgements]\ncontrl = "sometimes"\n')
    problems = lint_directory(profiles)
    assert only(problems) == ("acme.toml", "acknowledgements.contrl", "INVALID_VALUE")
    assert "'always', 'on_request', 'on_error' or 'never'" in problems[0].message


def test_edifact_qualifier_longer_than_four_characters_is_invalid(profiles: Path):
    write(profiles, "acme.toml", partner_toml("acme", qualifier="14444"))
    assert only(lint_directory(profiles)) == ("acme.toml", "edifact[0].qualifier", "INVALID_VALUE")


def test_string_where_toml_boolean_belongs_is_invalid_not_coerced(profiles: Path):
    write(
        profiles,
        "acme.toml",
        partner_toml("acme").replace('role = "customer"\n', 'role = "customer"\nenabled = "no"\n'),
    )
    assert only(lint_directory(profiles)) == ("acme.toml", "enabled", "INVALID_VALUE")


def test_partner_id_that_is_not_a_slug_is_invalid(profiles: Path):
    write(profiles, "Acme.toml", partner_toml("Acme"))
    problems = lint_directory(profiles)
    assert ("Acme.toml", "id", "INVALID_VALUE") in [(p.file, p.location, p.code) for p in problems]


@pytest.mark.parametrize("message_type", ["IN VOIC", "DES-ADV", "85", "x" * 41])
def test_message_type_with_punctuation_or_wrong_length_is_invalid(profiles: Path, message_type: str):
    text = partner_toml("acme").replace(
        'role = "customer"\n', f'role = "customer"\ninbound_messages = ["{message_type}"]\n'
    )
    write(profiles, "acme.toml", text)
    problems = lint_directory(profiles)
    assert only(problems) == ("acme.toml", "inbound_messages[0]", "INVALID_VALUE")
    assert "3 to 40 letters and digits" in problems[0].message


@pytest.mark.parametrize("message_type", ["ORDERS", "850", "Invoice", "InvoiceDetailRequest", "Bestellung"])
def test_edifact_x12_ubl_and_cxml_message_types_are_valid(profiles: Path, message_type: str):
    text = partner_toml("acme").replace(
        'role = "customer"\n', f'role = "customer"\ninbound_messages = ["{message_type}"]\n'
    )
    write(profiles, "acme.toml", text)
    assert lint_directory(profiles) == []


def test_raw_api_key_in_hash_field_is_invalid_and_never_echoed(profiles: Path):
    text = partner_toml("acme").replace(hash_api_key("acme-key"), "super-secret-raw-key")
    write(profiles, "acme.toml", text)
    problems = lint_directory(profiles)
    assert only(problems) == ("acme.toml", "api_key_sha256[0]", "INVALID_VALUE")
    assert "super-secret-raw-key" not in str(problems[0])


def test_uppercase_hex_api_key_hash_is_invalid(profiles: Path):
    write(
        profiles,
        "acme.toml",
        partner_toml("acme").replace(hash_api_key("acme-key"), hash_api_key("acme-key").upper()),
    )
    assert only(lint_directory(profiles)) == ("acme.toml", "api_key_sha256[0]", "INVALID_VALUE")


def test_company_gln_with_bad_check_digit_is_invalid(profiles: Path):
    write(profiles, "company.toml", COMPANY.replace('gln = "4000001000005"', 'gln = "4000001000006"'))
    assert only(lint_directory(profiles)) == ("company.toml", "gln", "INVALID_VALUE")


def test_file_stem_must_equal_partner_id(profiles: Path):
    write(profiles, "acme.toml", partner_toml("acme-retail"))
    assert only(lint_directory(profiles)) == ("acme.toml", "id", "ID_NOT_FILE_NAME")


def test_duplicate_partner_id_is_reported_on_the_second_file(profiles: Path):
    write(profiles, "zeta.toml", partner_toml("acme", unb_id="5412345000020", key="other-key"))
    problems = {(p.file, p.location, p.code) for p in lint_directory(profiles)}
    assert problems == {
        ("zeta.toml", "id", "ID_NOT_FILE_NAME"),
        ("zeta.toml", "id", "DUPLICATE_PARTNER_ID"),
    }


def test_two_partners_claiming_the_same_edifact_identity(profiles: Path):
    write(profiles, "beta.toml", partner_toml("beta", unb_id="5412345000013", qualifier="14"))
    problems = lint_directory(profiles)
    assert only(problems) == ("beta.toml", "edifact[0]", "DUPLICATE_EDIFACT_IDENTITY")
    assert "acme" in problems[0].message


def test_identity_without_qualifier_overlaps_same_id_with_qualifier(profiles: Path):
    write(profiles, "beta.toml", partner_toml("beta", unb_id="5412345000013", qualifier=""))
    assert only(lint_directory(profiles)) == ("beta.toml", "edifact[0]", "DUPLICATE_EDIFACT_IDENTITY")


def test_same_id_with_different_qualifiers_is_two_identities(profiles: Path):
    write(profiles, "beta.toml", partner_toml("beta", unb_id="5412345000013", qualifier="ZZZ"))
    assert lint_directory(profiles) == []


def test_same_api_key_hash_on_two_partners(profiles: Path):
    write(profiles, "beta.toml", partner_toml("beta", unb_id="5412345000020", key="acme-key"))
    problems = lint_directory(profiles)
    assert only(problems) == ("beta.toml", "api_key_sha256[0]", "DUPLICATE_API_KEY")
    assert "acme" in problems[0].message


def test_problems_in_several_files_are_all_reported(profiles: Path):
    write(profiles, "beta.toml", "= nope\n")
    write(profiles, "gamma.toml", 'id = "gamma"\n')
    codes = sorted((p.file, p.code) for p in lint_directory(profiles))
    assert codes == [
        ("beta.toml", "TOML_SYNTAX"),
        ("gamma.toml", "MISSING_KEY"),
        ("gamma.toml", "MISSING_KEY"),
    ]


def test_lint_problem_reads_as_file_location_code_message():
    problem = LintProblem("acme.toml", "codes.units.PCE", "INVALID_VALUE", "Input should be a valid string")
    assert str(problem) == "acme.toml:codes.units.PCE: INVALID_VALUE: Input should be a valid string"
