"""The `edigate` command line: translate, validate, schema, partners lint, replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "edifact" / "acme_orders_d96a.edi"


def test_translate_prints_the_purchase_order_as_json(capsys):
    assert main(["translate", str(FIXTURE), "--demo"]) == 0
    [order] = json.loads(capsys.readouterr().out)
    assert order["document_type"] == "purchase_order" and order["number"] == "PO-2026-0042"
    assert order["lines"][0]["unit_price"] == "12.50"


def test_translate_of_invalid_file_exits_1_with_located_errors(tmp_path, capsys):
    bad = tmp_path / "bad.edi"
    bad.write_bytes(FIXTURE.read_bytes().replace(b"UNT+35+", b"UNT+30+"))
    assert main(["translate", str(bad), "--demo"]) == 1
    err = capsys.readouterr().err
    assert "UNT_COUNT_MISMATCH" in err and "UNT #" in err and "message ME000001" in err


def test_validate_reports_a_valid_file(capsys):
    assert main(["validate", str(FIXTURE), "--demo"]) == 0
    assert "valid (1 document(s))" in capsys.readouterr().out


def test_schema_prints_json_schema_with_decimals_as_strings(capsys):
    assert main(["schema", "purchase_order"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "lines" in schema["properties"]
    assert main(["schema", "nonsense"]) == 2


def test_partners_lint_accepts_the_demo_set_and_names_problems(tmp_path, capsys):
    from partners.loader import demo_directory_path

    assert main(["partners", "lint", str(demo_directory_path())]) == 0
    broken = tmp_path / "partners"
    broken.mkdir()
    for source in demo_directory_path().glob("*.toml"):
        (broken / source.name).write_text(source.read_text())
    (broken / "acme-retail.toml").write_text(
        (broken / "acme-retail.toml").read_text().replace("qualifier = ", "qualifer = ", 1)
    )
    capsys.readouterr()
    assert main(["partners", "lint", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "acme-retail.toml" in out and "UNKNOWN_KEY" in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_replay_requeues_a_rejected_message_and_refuses_a_processed_one(gateway, submit, drain, capsys):
    rejected = submit(b"nonsense").json()["id"]
    drain(gateway)
    args = [
        "--demo",
        "--data-dir",
        str(gateway.settings.data_dir),
        "--database-url",
        gateway.settings.resolved_database_url(),
    ]
    assert main(["replay", rejected, "--reason", "profile fixed", *args]) == 0
    assert drain(gateway) == 1
    assert main(["replay", rejected, "--reason", "again", *args]) == 0
    assert main(["replay", "no-such-id", "--reason", "x", *args]) == 1
    assert "no message no-such-id" in capsys.readouterr().err
