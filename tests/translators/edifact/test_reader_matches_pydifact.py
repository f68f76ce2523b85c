"""The reader agrees with pydifact, segment by segment, on every valid file of the shared corpus,
and reads every corpus file - valid or broken - without raising anything but EdiSyntaxError.

The corpus lives outside the repository (``<repo>/../shared``); without it this module is skipped.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from translators.edifact.model import Segment
from translators.edifact.reader import read_interchanges
from translators.edifact.tokenizer import parse_una, tokenize
from translators.edifact.writer import interchange_segments
from translators.errors import EdiSyntaxError

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / ".." / "shared" / "corpus" / "edifact"
BROKEN_MARKERS = ("fail", "error", "malformed", "invalid", "corrupt")

if not CORPUS.is_dir():
    pytest.skip(f"shared corpus not found at {CORPUS}", allow_module_level=True)

pydifact_collection = pytest.importorskip("pydifact.segmentcollection")

ALL_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".edi", ".ped"))
VALID = [p for p in ALL_FILES if not any(m in p.name.lower() for m in BROKEN_MARKERS)]
BROKEN = [p for p in ALL_FILES if any(m in p.name.lower() for m in BROKEN_MARKERS)]

# Broken on purpose, but not at the envelope level: an unreleased ":" inside IMD text ("Sup 1:10")
# gives C273 seven components instead of five. Only message-definition validation (0085 code 16,
# too many constituents) can see that; the reader's part is to deliver the extra components.
DEFINITION_LEVEL_ERRORS = {"phpedifact__orders_d01b_ean010_error.edi"}


def _ours(data: bytes) -> list[Segment]:
    """Our segments in file order; message fragments without UNB go through the tokenizer alone."""
    try:
        return [seg for ic in read_interchanges(data) for seg in interchange_segments(ic)]
    except EdiSyntaxError as exc:
        if exc.error.code != "UNB_MISSING":
            raise
    text = data.decode("latin-1").lstrip()
    seps = parse_una(text)
    assert seps is not None, "a fragment without UNB must at least declare its separators"
    return tokenize(text[9:], seps)


def _theirs(data: bytes, utf8: bool) -> list[tuple[str, list[list[str]]]]:
    text = data.decode("utf-8" if utf8 else "latin-1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns about its own missing segment definitions
        collection = pydifact_collection.RawSegmentCollection.from_str(text)
    out = []
    for seg in collection.segments:
        if seg.tag == "UNA":
            continue
        elements = [e if isinstance(e, list) else [e] for e in seg.elements]
        # pydifact drops trailing empty components but keeps trailing empty data elements; ISO 9735
        # forbids both and edigate drops both, so the comparison drops them on pydifact's side too.
        while elements and all(v == "" for v in elements[-1]):
            elements.pop()
        out.append((seg.tag, elements))
    return out


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_reader_matches_pydifact_segment_by_segment(path: Path):
    data = path.read_bytes()
    ours = _ours(data)
    if any(seg.repetitions for seg in ours):
        pytest.skip("pydifact does not know the syntax 4 repetition separator")
    utf8 = bool(ours) and ours[0].tag == "UNB" and ours[0].get(1) in ("UNOW", "UNOY")
    try:
        theirs = _theirs(data, utf8)
    except Exception as exc:  # any pydifact failure means "no reference for this file"
        pytest.skip(f"pydifact cannot parse this file: {type(exc).__name__}: {exc}")
    assert [s.tag for s in ours] == [t for t, _ in theirs]
    for seg, (tag, elements) in zip(ours, theirs, strict=True):
        assert seg.elements == elements, f"segment #{seg.index} {tag}"


def test_hard_wrapped_corpus_file_reads_like_its_unwrapped_twin():
    # pydifact fails on the wrapped file (it takes "UNH\n" for a tag), so the reference is the same
    # invoice written with the same UNA and no wrapping.
    wrapped = CORPUS / "staedi__invoic_d97b_wrapped_lines.edi"
    flat = CORPUS / "staedi__invoic_d97b_custom_una.edi"
    if not (wrapped.exists() and flat.exists()):
        pytest.skip("wrapped/unwrapped pair not in corpus")
    a, b = _ours(wrapped.read_bytes()), _ours(flat.read_bytes())
    assert [(s.tag, s.elements) for s in a] == [(s.tag, s.elements) for s in b]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_corpus_file_reads_or_raises_only_edisyntaxerror(path: Path):
    try:
        interchanges = read_interchanges(path.read_bytes())
    except EdiSyntaxError as exc:
        assert exc.error.code in {"UNB_MISSING", "NOT_EDIFACT", "UNB_INVALID", "EMPTY_INPUT"}
        assert exc.error.text
        return
    assert interchanges


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_corpus_file_produces_a_located_error(path: Path):
    if path.name in DEFINITION_LEVEL_ERRORS:
        [ic] = read_interchanges(path.read_bytes())
        imd = [s for m in ic.messages for s in m.segments if s.tag == "IMD" and len(s.elements) > 2]
        assert max(len(s.elements[2]) for s in imd) > 5
        return
    try:
        errors = [e for ic in read_interchanges(path.read_bytes()) for e in ic.all_errors]
    except EdiSyntaxError as exc:
        errors = [exc.error]
    assert errors
    assert all(e.code and e.text for e in errors)
    assert any(e.location.segment_tag or e.location.segment_index for e in errors) or errors[0].code in {
        "UNB_MISSING", "NOT_EDIFACT",
    }
