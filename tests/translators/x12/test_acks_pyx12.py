"""Independent check: the 997 and 999 we produce validate with pyx12's maps (997.4010, 999.5010).

pyx12's maps are written for HIPAA: they restrict AK101 (functional id) and AK201 (transaction set
id) to health-care code lists, which a supply-chain 997 (AK1*PO, AK2*850) can never satisfy. The
test validates against a copy of pyx12's map folder with exactly those two code lists removed,
and nothing else changed. pyx12 ships no 997.5010 map, so 005010 997s are checked by edigate's own
definitions only (test_acks_997).
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from tests.translators.x12.samples import FIXTURES, group, interchange, po_set
from translators.x12.acks.envelope import AckKind
from translators.x12.acks.functional import functional_ack
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction

pyx12_params = pytest.importorskip("pyx12.params")
pyx12_document = pytest.importorskip("pyx12.x12n_document")

NOW = datetime(2024, 1, 16, 8, 30, tzinfo=UTC)
HEALTH_CARE_ONLY = ("AK101", "AK201")
MAPS = ("997.4010.xml", "999.5010.xml", "999.5010X231.A1.xml")  # GS08 005010X231A1 selects the last


@pytest.fixture(scope="module")
def map_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pyx12's map folder, with the AK101/AK201 health-care code lists removed from the ack maps."""
    target = tmp_path_factory.mktemp("pyx12") / "map"
    shutil.copytree(str(files("pyx12") / "map"), target)
    for name in MAPS:
        path = target / name
        tree = ElementTree.parse(path)
        removed = 0
        for xid in HEALTH_CARE_ONLY:
            for element in tree.getroot().iter("element"):
                if element.get("xid") == xid:
                    for codes in element.findall("valid_codes"):
                        element.remove(codes)
                        removed += 1
        assert removed == len(HEALTH_CARE_ONLY), f"{name}: pyx12's map layout changed"
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return target


def _pyx12_errors(text: str, map_path: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every error pyx12 reports for ``text``: its JSON error document plus its logged errors."""
    report = io.StringIO()
    with caplog.at_level(logging.ERROR, logger="pyx12"):
        caplog.clear()
        valid = pyx12_document.x12n_document(
            pyx12_params.params(), io.StringIO(text), None, None, None, report, map_path=str(map_path)
        )
    found = _collect(json.loads(report.getvalue()))
    found += [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    if not valid and not found:
        found.append("pyx12 returned invalid without naming an error")
    return found


def _collect(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "errors":
                out += [f"{e.get('err_cde')}: {e.get('err_str')}" for e in value]
            else:
                out += _collect(value)
    elif isinstance(node, list):
        for item in node:
            out += _collect(item)
    return out


def _answer(text: str, kind: AckKind) -> str:
    ic = read_x12_interchanges(text)[0]
    errors = {ts.control: validate_transaction(ts, g.version) for g in ic.groups for ts in g.transactions}
    answer = functional_ack(
        ic, kind=kind, control_number=41, group_control_number=42, prepared_at=NOW, errors_by_set=errors
    )
    assert answer is not None
    return answer


MIXED_4010 = (FIXTURES / "ack_umbrella_850_mixed_004010.edi").read_text()
MIXED_5010 = MIXED_4010.replace("*U*00401*", "*^*00501*").replace("*004010~", "*005010~")
CONDITIONAL = [
    "ST*850*0007",
    "BEG*00*SA*PO-7**20240115",
    "PO1*1*2*EA*3.50**VN*ITEM-1",
    "PID*Q****GADGET",
    "PO1*2**EA*3.50**VN*ITEM-2",
    "CTT*2",
    "SE*7*0007",
]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("accepted", interchange(*group(po_set("0001"), version="004010"), version="00401")),
        ("mixed errors", MIXED_4010),
        ("ge count", interchange(*group(po_set("0001"), version="004010", count=2), version="00401")),
        (
            "duplicate group",
            interchange(
                *group(po_set("0001"), control="5", version="004010"),
                *group(po_set("0001"), control="5", version="004010"),
                version="00401",
            ),
        ),
    ],
)
def test_our_004010_997_has_no_pyx12_errors(name, text, map_path, caplog):
    answer = _answer(text, "997")
    assert "GS*FA" in answer and "*004010~" in answer
    assert _pyx12_errors(answer, map_path, caplog) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("accepted", interchange(*group(po_set("0001")))),
        ("mixed errors", MIXED_5010),
        ("element context", interchange(*group(CONDITIONAL, po_set("0008")))),
        ("ge count", interchange(*group(po_set("0001"), count=2))),
    ],
)
def test_our_999_has_no_pyx12_errors(name, text, map_path, caplog):
    answer = _answer(text, "999")
    if name == "element context":
        assert "CTX*SITUATIONAL TRIGGER*PO1*5**3~" in answer
    assert _pyx12_errors(answer, map_path, caplog) == []


def test_the_check_is_not_vacuous_pyx12_reports_a_broken_997(map_path, caplog):
    broken = _answer(MIXED_4010, "997").replace("AK5*R*4~", "AK5*Q*4~")
    assert _pyx12_errors(broken, map_path, caplog) != []
