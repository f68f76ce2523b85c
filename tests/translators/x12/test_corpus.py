"""Real X12 files from public repositories (../shared/corpus/x12): read, checked, never a crash.

Valid files must read without envelope errors; files named as broken must produce located errors
(from the envelope or, for 997/999 content errors, from the validator).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.translators.x12.samples import CORPUS
from translators.errors import EdiSyntaxError
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction

BROKEN_MARKERS = ("fail", "error", "invalid", "malformed", "corrupt")
TRUNCATED = {"271.edi": "the file ends after SE: it has no GE and no IEA"}
"""Files not named as broken that really are; the reason is what edigate must report."""

FILES = (
    sorted(p for p in CORPUS.glob("*") if p.is_file() and p.name != "SOURCES.txt") if CORPUS.exists() else []
)

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not available")


def _broken(path: Path) -> bool:
    return any(marker in path.name.lower() for marker in BROKEN_MARKERS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_reads_with_the_expected_outcome(path: Path):
    try:
        interchanges = read_x12_interchanges(path.read_bytes())
    except EdiSyntaxError as exc:
        assert _broken(path), f"{path.name}: {exc}"
        assert exc.error.location is not None
        return
    envelope = [e for ic in interchanges for e in ic.all_errors]
    if path.name in TRUNCATED:
        assert {e.code for e in envelope} == {"GE_MISSING", "IEA_MISSING"}
        return
    if not _broken(path):
        assert envelope == [], [str(e) for e in envelope]
        return
    found = list(envelope)
    for ic in interchanges:
        for grp in ic.groups:
            for ts in grp.transactions:
                found += validate_transaction(ts, grp.version)
    assert found, f"{path.name} is broken on purpose but no error was found"
    assert all(e.location.segment_index is not None and e.location.segment_tag for e in found)


def test_several_interchanges_in_one_corpus_file():
    path = CORPUS / "x12__simple997-multiple-interchanges.edi"
    assert len(read_x12_interchanges(path.read_bytes())) == 3


def test_ellipsis_terminator_and_80_column_wrap():
    ellipsis = read_x12_interchanges((CORPUS / "x12__issue109__ts214_ellipses_segterm.edi").read_bytes())[0]
    assert ellipsis.delimiters.terminator == "\u2026"
    wrapped = read_x12_interchanges((CORPUS / "x12__issue128__ts210_80char.edi").read_bytes())[0]
    assert [ts.id for ts in wrapped.messages] == ["210"] and wrapped.all_errors == []
