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


def test_translate_of_a_folder_prints_a_summary_and_writes_one_file_per_document(tmp_path, capsys):
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "good.edi").write_bytes(FIXTURE.read_bytes())
    (samples / "bad.edi").write_bytes(b"garbage")
    out = tmp_path / "out"
    assert main(["translate", str(samples), "--demo", "--output", str(out), "--progress"]) == 1
    captured = capsys.readouterr()
    table = captured.out.splitlines()
    assert table[0].split() == ["file", "syntax", "partner", "documents", "errors", "first", "error"]
    bad_row = next(line for line in table if line.startswith("bad.edi"))
    good_row = next(line for line in table if line.startswith("good.edi"))
    assert "UNSUPPORTED_SYNTAX" in bad_row
    assert good_row.split()[1:5] == ["edifact", "acme-retail", "1", "0"]
    assert table[-1] == "2 file(s): 1 valid, 1 with errors"
    assert "2/2" in captured.err  # the progress bar reached the end
    [written] = list(out.iterdir())
    assert written.name == "good.1.purchase_order.json"
    assert json.loads(written.read_text())["number"] == "PO-2026-0042"


def test_serve_with_a_broken_partners_folder_names_the_problem_instead_of_a_traceback(tmp_path, capsys):
    folder = tmp_path / "partners"
    folder.mkdir()
    (folder / "company.toml").write_text("name = 'X'\n")
    assert main(["worker", "--once", "--data-dir", str(tmp_path / "d"), "--partners", str(folder)]) == 2
    assert "company.toml" in capsys.readouterr().err


def test_separate_worker_process_processes_what_serve_accepted(gateway, submit, fetch, capsys):
    message_id = submit(FIXTURE.read_bytes()).json()["id"]
    args = [
        "--demo",
        "--data-dir",
        str(gateway.settings.data_dir),
        "--database-url",
        gateway.settings.resolved_database_url(),
    ]
    assert main(["worker", "--once", *args]) == 0
    # the order (its CONTRL put into ACME's mailbox with it), the demo ERP's acceptance and the
    # ORDRSP's delivery
    assert "processed 3 work item(s)" in capsys.readouterr().out
    assert fetch(message_id)["status"] == "processed"


def test_translate_can_write_ubl_xml(tmp_path, capsys):
    from translators.xml.parser import read_xml

    assert main(["translate", str(FIXTURE), "--demo", "--format", "ubl"]) == 0
    document = read_xml(capsys.readouterr().out.encode("utf-8"))
    assert document.kind == "ubl" and document.document_type == "Order"
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    assert document.root.findtext("cbc:ID", namespaces=ns) == "PO-2026-0042"


def test_ack_prints_the_contrl_that_would_be_sent(capsys):
    from translators.edifact.reader import read_interchange

    assert main(["ack", str(FIXTURE), "--demo"]) == 0
    header, raw = capsys.readouterr().out.split("\n", 1)
    assert header == "# CONTRL (accepted) to acme-retail, control 1"
    uci = next(s for s in read_interchange(raw.strip()).messages[0].segments if s.tag == "UCI")
    assert uci.elements[0] == ["ACME000123"] and uci.elements[3] == ["7"]
