"""Every real file from other projects goes through `translate` without a traceback.

Valid files produce documents or located errors (real files often break business rules); files
named as broken on purpose always produce at least one located error. Skips when ../shared is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from partners.loader import demo_directory_path, load_directory
from translators.edifact.maps import map_message
from translators.translate import translate
from translators.x12.maps import map_transaction
from translators.xml.maps import map_xml

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
BROKEN_MARKERS = ("fail", "error", "malformed", "invalid", "corrupt")
FILES = (
    sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file()
        and p.suffix.lower() in {".edi", ".xml", ".ped", ".txt"}
        and not p.name.startswith("SOURCES")
    )
    if CORPUS.is_dir()
    else []
)


@pytest.fixture(scope="module")
def directory():
    return load_directory(demo_directory_path())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_corpus_file_translates_or_fails_with_located_errors(path: Path, directory):
    result = translate(path.read_bytes(), directory)
    errors = result.all_errors
    for error in errors:
        assert error.code and error.text, error
    if any(marker in path.name.lower() for marker in BROKEN_MARKERS):
        assert errors, f"{path.name} is broken on purpose but no error was found"
    if not errors:
        assert result.documents, f"{path.name}: no errors and no documents"
    # Senders in the corpus are nobody's partners here, so the pipeline stops at the partner check;
    # every readable message still goes through its map (without code maps) to prove none crashes.
    for outcome in result.interchanges:
        for message in outcome.messages:
            mapped = _map_without_partner(outcome, message.message)
            assert mapped.document is not None or mapped.errors, f"{path.name}: map gave neither"
            for error in mapped.errors:
                assert error.code and error.text


def _map_without_partner(outcome, message):
    if outcome.syntax == "edifact":
        return map_message(message, outcome.interchange, None)
    if outcome.syntax == "x12":
        group = next(g for g in outcome.interchange.groups if message in g.transactions)
        return map_transaction(message, group, outcome.interchange, None)
    return map_xml(outcome.interchange.document, None)
