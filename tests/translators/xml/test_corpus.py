"""Real XML from public sources (../shared/corpus/xml): each parses and maps, or gives located errors.

The corpus is not part of the repository; the tests skip when ``<repo>/../shared`` is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.translators.xml.samples import CORPUS
from translators.errors import EdiSyntaxError
from translators.xml.identity import document_number, recipient_identity, sender_identity
from translators.xml.maps import map_xml
from translators.xml.parser import read_xml
from translators.xml.writer_ubl import to_ubl

FILES = sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason="../shared/corpus/xml is not available")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_parses_and_maps_or_gives_located_errors(path: Path) -> None:
    try:
        doc = read_xml(path.read_bytes())
    except EdiSyntaxError as exc:  # pragma: no cover - none of today's files is refused
        pytest.fail(f"refused: {exc.error}")
    sender_identity(doc)
    recipient_identity(doc)
    document_number(doc)
    result = map_xml(doc, None)
    if result.document is None:
        assert result.errors, "no document and no reason"
        for error in result.errors:
            assert error.location.path and error.location.path.startswith("/"), error
            assert error.location.line is not None, error
    else:
        assert result.errors == []
        if doc.kind == "ubl":
            assert map_xml(read_xml(to_ubl(result.document)), None).document == result.document


def test_known_outcomes_of_the_corpus() -> None:
    """What each public sample is expected to give, so a regression in any map shows here."""
    outcomes = {}
    for path in FILES:
        result = map_xml(read_xml(path.read_bytes()), None)
        outcomes[path.name] = sorted({e.code for e in result.errors}) or type(result.document).__name__
    assert outcomes.get("UBL-Order-2.1-Example.xml") == "PurchaseOrder"
    assert outcomes.get("UBL-OrderResponse-2.1-Example.xml") == "OrderResponse"
    assert outcomes.get("UBL-OrderResponseSimple-2.1-Example.xml") == "OrderResponse"
    assert outcomes.get("UBL-DespatchAdvice-2.0-Example.xml") == "DeliveryNote"
    assert outcomes.get("officeluv__order_request.xml") == "PurchaseOrder"
    # The OASIS invoice adds the rounding into TaxInclusiveAmount, which EN 16931 BR-CO-15/16 do not allow.
    assert outcomes.get("UBL-Invoice-2.1-Example.xml") == ["TOTAL_MISMATCH"]
    assert outcomes.get("UBL-OrderChange-2.1-Example.xml") == ["UNSUPPORTED_XML_DOCUMENT"]
