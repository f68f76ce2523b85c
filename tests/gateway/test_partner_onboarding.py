"""Onboarding a partner from the command line: `edigate partners new` and `edigate partners test`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gateway.cli import main
from gateway.database.models import Base
from partners.apikey import hash_api_key
from partners.lint import lint_directory
from partners.loader import demo_directory_path, load_directory
from partners.skeleton import FILL_IN, SkeletonError, SkeletonRequest, render_skeleton

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACME_ORDER = FIXTURES / "edifact" / "acme_orders_d96a.edi"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A partners folder with our company profile and no partner yet, as on a fresh installation."""
    path = tmp_path / "partners"
    path.mkdir()
    shutil.copy(demo_directory_path() / "company.toml", path)
    return path


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    path = tmp_path / "demo-partners"
    shutil.copytree(demo_directory_path(), path)
    return path


@pytest.mark.parametrize(
    ("syntax", "identity", "describe"),
    [
        ("edifact", "5412345000099:14", "5412345000099:14"),
        ("x12", "ZZ:NEWCO", "ZZ:NEWCO"),
        ("xml", "0088:4012345000016", "0088:4012345000016"),
    ],
)
def test_a_skeleton_written_with_the_minimal_flags_loads(folder, capsys, syntax, identity, describe):
    args = ["partners", "new", "newco", "--syntax", syntax, "--role", "customer", "--identity", identity]
    assert main([*args, "--name", "NewCo Ltd", "--partners", str(folder)]) == 0
    assert "it lints clean" in capsys.readouterr().out

    partner = load_directory(folder).get("newco")
    assert partner is not None and partner.syntax == syntax and partner.name == "NewCo Ltd"
    identities = [i.describe() for i in (*partner.edifact, *partner.x12, *partner.xml)]
    assert identities == [describe]
    assert partner.inbound_messages  # the usual messages of a customer in that syntax
    assert "#" in (folder / "newco.toml").read_text()  # commented, to be read by the next operator


def test_what_only_the_partner_can_tell_is_marked_and_lint_points_at_exactly_those_keys(folder, capsys):
    assert main(["partners", "new", "newco", "--syntax", "edifact", "--role", "supplier",
                 "--delivery", "as2", "--partners", str(folder)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    problems = [p for p in lint_directory(folder) if p.file == "newco.toml"]
    assert sorted(p.location for p in problems) == ["as2.certificates", "as2.id", "edifact[0].id", "name"]
    assert all(f"newco.toml:{p.location}" in printed for p in problems)  # `new` lists what is left to do

    text = (folder / "newco.toml").read_text()
    marked = [line for line in text.splitlines() if FILL_IN in line and not line.startswith("#")]
    assert len(marked) == 4  # name, identity, AS2 id and certificates: one marked line each
    filled = (
        text.replace('name = ""', 'name = "NewCo"')
        .replace('id = ""            #', 'id = "5412345000099"  #', 1)
        .replace('id = ""                 #', 'id = "NEWCO-AS2"  #', 1)
        .replace("certificates = []", 'certificates = ["certs/NEWCO.pem"]')
    )
    (folder / "newco.toml").write_text(filled)
    partner = load_directory(folder).get("newco")
    assert partner is not None and partner.as2 is not None and partner.as2.id == "NEWCO-AS2"
    assert partner.delivery == "as2"


def test_new_never_overwrites_an_existing_profile(folder, capsys):
    args = ["partners", "new", "newco", "--syntax", "x12", "--role", "customer", "--partners", str(folder)]
    assert main(args) == 0
    before = (folder / "newco.toml").read_text()
    assert main([*args, "--identity", "ZZ:OTHER"]) == 1
    assert "never overwrites" in capsys.readouterr().err
    assert (folder / "newco.toml").read_text() == before


def test_new_with_api_key_prints_the_key_once_and_stores_only_its_hash(folder, capsys):
    assert main(["partners", "new", "newco", "--syntax", "x12", "--role", "customer", "--identity",
                 "ZZ:NEWCO", "--name", "NewCo", "--api-key", "--partners", str(folder)]) == 0  # fmt: skip
    key = re.search(r"REST API key \(shown once, give it to the partner\): (\S+)", capsys.readouterr().out)[1]
    text = (folder / "newco.toml").read_text()
    assert key not in text and hash_api_key(key) in text
    assert load_directory(folder).by_api_key(key).id == "newco"


def test_identity_in_the_wrong_shape_is_refused_with_the_expected_shape():
    with pytest.raises(SkeletonError, match="QUALIFIER:ID"):
        render_skeleton(SkeletonRequest("newco", "x12", "customer", identities=("NEWCO",)))


def _row_counts(gw) -> dict[str, int]:
    with gw.sessions() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def test_dry_run_shows_documents_and_acknowledgements_and_stores_nothing(gateway, capsys):
    data_dir = gateway.settings.data_dir
    archive_before = sorted(p for p in gateway.archive.root.rglob("*") if p.is_file())
    args = ["partners", "test", "acme-retail", str(ACME_ORDER), "--demo", "--data-dir", str(data_dir)]
    assert main(args) == 0

    out = capsys.readouterr().out
    assert "# 1 canonical document(s)" in out
    assert '"number": "PO-2026-0042"' in out and '"erp_id": "CUST-1001"' in out  # mapped by the profile
    assert "# CONTRL (accepted) to acme-retail, control 1" in out
    assert re.search(r"UCI\+[^']*\+7'", out)  # the CONTRL itself, UCI action 7: accepted
    assert set(_row_counts(gateway).values()) == {0}
    assert sorted(p for p in gateway.archive.root.rglob("*") if p.is_file()) == archive_before == []


def test_dry_run_under_the_wrong_partner_prints_the_located_error_and_exits_1(capsys):
    assert main(["partners", "test", "supplier-one", str(ACME_ORDER), "--demo"]) == 1
    captured = capsys.readouterr()
    assert "SENDER_MISMATCH" in captured.err and "UNB #1" in captured.err
    assert "# 0 canonical document(s)" in captured.out
    assert "CONTRL (rejected) to supplier-one" in captured.out  # the negative CONTRL that would go back


def test_dry_run_tests_a_disabled_partner_as_if_enabled(demo_copy, capsys):
    profile = demo_copy / "acme-retail.toml"
    profile.write_text(profile.read_text().replace("enabled = true", "enabled = false"))
    assert main(["partners", "test", "acme-retail", str(ACME_ORDER), "--partners", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    assert "disabled in its profile; tested as if enabled" in out and '"number": "PO-2026-0042"' in out


def test_dry_run_of_an_unknown_partner_or_a_broken_folder_exits_2(demo_copy, capsys):
    assert main(["partners", "test", "nobody", str(ACME_ORDER), "--partners", str(demo_copy)]) == 2
    assert "no partner 'nobody'" in capsys.readouterr().err
    (demo_copy / "globex.toml").write_text("id = \n")
    assert main(["partners", "test", "acme-retail", str(ACME_ORDER), "--partners", str(demo_copy)]) == 2
    err = capsys.readouterr().err
    assert "globex.toml" in err and "TOML_SYNTAX" in err
