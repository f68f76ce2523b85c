"""The windowed reader gives exactly what the whole-file reader gives, wherever windows are cut."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from partners.loader import load_directory
from translators.edifact.model import Interchange, Message
from translators.edifact.reader import read_interchange
from translators.edifact.stream import NotStreamable, stream_interchange
from translators.edifact.translate import translate_edifact, translate_edifact_stream
from translators.outcome import InterchangeOutcome

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "edifact"
CORPUS = REPO.parent / "shared" / "corpus" / "edifact"
DEMO = load_directory(REPO / "partners" / "demo")


def _inputs() -> list[Path]:
    files = sorted(FIXTURES.glob("*.edi"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.iterdir() if p.is_file())
    return files


def _streamed(data: bytes, window: int) -> Interchange:
    items = list(stream_interchange(io.BytesIO(data), window=window))
    interchange = items[0]
    assert isinstance(interchange, Interchange)
    assert all(isinstance(m, Message) for m in items[1:])
    assert [m.reference for m in items[1:]] == [m.reference for m in interchange.messages]
    return interchange


def _summary(interchange: Interchange) -> tuple:
    return (
        interchange.control_reference,
        interchange.trailer,
        interchange.errors,
        [(g.reference, g.errors) for g in interchange.groups],
        [(m.identifier, m.group_reference, m.segments, m.errors) for m in interchange.messages],
    )


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: p.name)
@pytest.mark.parametrize("window", [1, 7, 64, 1 << 20])
def test_windowed_reading_equals_whole_file_reading(path: Path, window: int) -> None:
    data = path.read_bytes()
    try:
        streamed = _streamed(data, window)
    except NotStreamable:
        return  # rare shapes go to the whole-file reader; test_streamable_shapes covers which
    assert _summary(streamed) == _summary(read_interchange(data))


def test_the_plain_fixtures_are_streamable() -> None:
    for name in ("acme_orders_d96a.edi", "supplier_one_invoic_d96a.edi", "contrl_orders_two_groups.edi"):
        _streamed((FIXTURES / name).read_bytes(), 16)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"garbage UNA:+.? 'UNB+UNOC:3+A+B+260101:1200+1'UNZ+0+1'", "header"),
        (b"UNB+UNOC:3+A+B+260101:1200+1'UNZ+0+1'UNB+UNOC:3+A+B+260101:1200+2'UNZ+0+2'", "trailer"),
        (b"UNB+UNOY:3+A+B+260101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+\xff'UNT+3+1'UNZ+1+1'", "character"),
    ],
)
def test_shapes_for_the_whole_file_reader_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(NotStreamable, match=reason):
        _streamed(data, 8)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.edi")), ids=lambda p: p.name)
def test_streamed_translation_judges_every_message_alike(path: Path) -> None:
    data = path.read_bytes()
    [whole] = translate_edifact(data, DEMO, None).interchanges
    try:
        items = list(translate_edifact_stream(io.BytesIO(data), DEMO, None, window=32))
    except NotStreamable:
        return
    streamed = items[0]
    assert isinstance(streamed, InterchangeOutcome)
    assert items[1:] == streamed.messages
    assert streamed.partner == whole.partner
    assert streamed.errors == whole.errors
    if whole.accepted:  # when the envelope is wrong only at its end the pipeline reads it again
        assert [(m.errors, m.document, m.business_number) for m in streamed.messages] == [
            (m.errors, m.document, m.business_number) for m in whole.messages
        ]
