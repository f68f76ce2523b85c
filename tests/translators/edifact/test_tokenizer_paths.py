"""The tokenizer's plain build must give exactly what the careful path gives, on any input.

``tokenize`` builds every segment the plain way (C-level splits, no per-segment Python step) and
rebuilds only the segments it flags - released characters, repetitions, trailing separators - on
the careful path. A flag that misses a segment would silently change a value, so real interchanges
are mutated with the characters that matter (release pairs, separators, layout, characters that
collide with the stand-ins chosen for released pairs) and every mutated body is tokenized twice:
as ``tokenize`` does it, and with every segment on the careful path. Both must be identical, tags,
elements, repetitions and indexes included. The choice of stand-in characters must not matter
either: the same bodies are tokenized with only the private-use stand-ins of earlier versions.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.translators.edifact.samples import ORDERS_UNOC
from translators.edifact import tokenizer
from translators.edifact.model import DEFAULT_SEPARATORS, Segment, Separators
from translators.edifact.tokenizer import (
    UNA_LENGTH,
    careful_segment,
    find_unreleased,
    first_segment,
    for_version,
    parse_una,
    protect_released,
    split_raw_segments,
    tokenize,
)

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "edifact"
CORPUS = REPO.parent / "shared" / "corpus" / "edifact"

# What a mutation inserts: release pairs and lone release characters, every separator alone and
# in the pairs that make trailing empties, the repetition separator, layout whitespace, and
# characters that the stand-ins for released pairs are picked from (C1 and C0 controls, NEL, the
# information separators, private use) or that widen the text (beyond Latin-1).
TOKENS = (
    "?", "??", "???", "?'", "?+", "?:", "?*", "??'", "?\r\n", "'", "+", ":", "*", "+'", ":'", ":+",
    "::", "++", "+:", "'+", "'\r\n", "\r\n", "\n", "\r", " ", "\t", "' ", "'\n\n",
    "\x80", "\x81", "\x85", "\x9f", "\x01", "\x1c", "\x1d", "\x7f", "\xa0", "\ue000", "é", "Ω", "€",
)  # fmt: skip

SEPARATOR_VARIANTS = ("as declared", "syntax 4", "no release")


def _texts() -> list[tuple[str, str]]:
    """(name, text) of every EDIFACT fixture, the corpus when present (files up to 64 KB: each is
    tokenized some hundred times), and the reader sample."""
    files = sorted(FIXTURES.glob("*.edi"))
    if CORPUS.is_dir():
        files += sorted(
            p for p in CORPUS.iterdir() if p.suffix in (".edi", ".ped") and p.stat().st_size <= 64 * 1024
        )
    texts = [(p.name, p.read_bytes().decode("latin-1")) for p in files]
    return [*texts, ("samples.ORDERS_UNOC", ORDERS_UNOC)]


def _body_and_separators(text: str, variant: str) -> tuple[str, Separators]:
    una = parse_una(text) if text.startswith("UNA") else None
    separators = una or DEFAULT_SEPARATORS
    body = text[UNA_LENGTH:] if una is not None else text
    if variant == "syntax 4":
        separators = for_version(separators, 4, una is not None)
    elif variant == "no release":
        separators = Separators(separators.component, separators.element, separators.decimal, None,
                                separators.repetition, separators.segment)
    return body, separators


def _mutated(body: str, rng: random.Random) -> str:
    chars = list(body)
    for _ in range(rng.randint(1, 12)):
        at = rng.randint(0, len(chars))
        op = rng.random()
        if op < 0.75:
            chars[at:at] = rng.choice(TOKENS)
        elif op < 0.9:
            del chars[at : at + rng.randint(1, 5)]
        else:
            chars[at : at + 1] = rng.choice(TOKENS)
    return "".join(chars)


def _all_careful(body: str, separators: Separators, first_index: int = 1) -> list[Segment]:
    """Every segment on the careful path: the reading the plain build must reproduce."""
    protected, table = protect_released(body, separators)
    rep = separators.repetition
    if rep is not None and rep not in protected:
        rep = None
    raws = split_raw_segments(protected, separators)
    return [
        careful_segment(raw, index, separators.element, separators.component, rep, table)
        for index, raw in enumerate(raws, first_index)
    ]


CASES = [(name, variant) for name, _ in _texts() for variant in SEPARATOR_VARIANTS]
TEXTS = dict(_texts())


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_plain_build_matches_careful_path_on_mutated_input(name: str, variant: str) -> None:
    body, separators = _body_and_separators(TEXTS[name], variant)
    rng = random.Random(f"{name}/{variant}")
    for round_ in range(30):
        mutated = body if round_ == 0 else _mutated(body, rng)
        first_index = rng.randint(1, 3)
        got = tokenize(mutated, separators, first_index)
        assert got == _all_careful(mutated, separators, first_index), (name, variant, round_, mutated)


@pytest.mark.parametrize(("name", "variant"), CASES[1::4])
def test_chunk_boundaries_do_not_change_segments(
    name: str, variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Segments are built some thousand at a time; with chunks of a few segments every fixture
    crosses many boundaries, and numbering and careful rebuilds must not notice."""
    monkeypatch.setattr(tokenizer, "_CHUNK", 3)
    body, separators = _body_and_separators(TEXTS[name], variant)
    rng = random.Random(f"chunks/{name}/{variant}")
    for mutated in [body] + [_mutated(body, rng) for _ in range(10)]:
        assert tokenize(mutated, separators, 2) == _all_careful(mutated, separators, 2), mutated


@pytest.mark.parametrize(("name", "variant"), CASES[::4])
def test_stand_in_choice_does_not_change_segments(
    name: str, variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, separators = _body_and_separators(TEXTS[name], variant)
    rng = random.Random(f"stand-ins/{name}/{variant}")
    bodies = [body] + [_mutated(body, rng) for _ in range(10)]
    expected = [tokenize(b, separators) for b in bodies]
    monkeypatch.setattr(tokenizer, "_CONTROL_STAND_INS", "")  # private-use stand-ins only
    assert [tokenize(b, separators) for b in bodies] == expected


def test_stand_ins_skip_characters_the_text_uses() -> None:
    """A text holding every C1 control still reads right (the stand-ins move on, and the
    ASCII shortcut for finding them is not taken)."""
    c1 = "".join(chr(cp) for cp in range(0x80, 0xA0))
    body = f"FTX+AAI+++{c1}?+x?:y'LIN+1++{c1}'QTY+21:5?'6'UNS+S'"
    got = tokenize(body, DEFAULT_SEPARATORS)
    assert got == _all_careful(body, DEFAULT_SEPARATORS)
    assert got[0].elements[3] == [f"{c1}+x:y"]
    assert got[2].elements == [["21", "5'6"]]


def test_stand_ins_are_never_separators() -> None:
    """A separator that the body does not use (declared in UNA, here the first C1 control as the
    component separator) is never picked as a stand-in: replacing a released pair by it would
    turn data into a separator."""
    separators = Separators(component="\x80", element="\x81", decimal=".", release="?",
                            repetition=None, segment="\x82")
    body = "ABC\x81x??y\x81?\x81\x82DEF\x81z\x82"
    assert tokenize(body, separators) == [
        Segment("ABC", [["x?y"], ["\x81"]], 1),
        Segment("DEF", [["z"]], 2),
    ]


def _translated_careful(raw: str, index: int, separators: Separators, rep: str | None,
                        table: dict[int, str] | None) -> Segment:
    """The careful path written the obvious way: split, drop trailing empties, ``str.translate``
    every value. ``careful_segment`` restores released characters by ``str.replace`` instead."""
    def values(text: str) -> list[str]:
        parts = text.split(separators.component)
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        return [p.translate(table) if table else p for p in parts]

    parts = raw.split(separators.element)
    while len(parts) > 1 and not parts[-1].strip(separators.component):
        parts.pop()
    elements: list[list[str]] = []
    repetitions: dict[int, list[list[str]]] = {}
    for i, part in enumerate(parts[1:]):
        if rep is not None and rep in part:
            repetitions[i] = [values(r) for r in part.split(rep)]
            elements.append(repetitions[i][0])
        else:
            elements.append(values(part))
    tag = parts[0].translate(table) if table else parts[0]
    return Segment(tag, elements, index, repetitions or None)


@pytest.mark.parametrize(("name", "variant"), CASES[::2])
def test_careful_path_restores_released_characters_as_translate_does(name: str, variant: str) -> None:
    body, separators = _body_and_separators(TEXTS[name], variant)
    rng = random.Random(f"restore/{name}/{variant}")
    for mutated in [body] + [_mutated(body, rng) for _ in range(10)]:
        protected, table = protect_released(mutated, separators)
        rep = separators.repetition
        for index, raw in enumerate(split_raw_segments(protected, separators), 1):
            got = careful_segment(raw, index, separators.element, separators.component, rep, table)
            assert got == _translated_careful(raw, index, separators, rep, table), raw


@pytest.mark.parametrize(("name", "variant"), CASES[::2])
def test_first_segment_reads_as_tokenize_reads_it(name: str, variant: str) -> None:
    """``first_segment`` (the UNB before decoding) takes the careful path for its one segment."""
    body, separators = _body_and_separators(TEXTS[name], variant)
    rng = random.Random(f"first/{name}/{variant}")
    for mutated in [body] + [_mutated(body, rng) for _ in range(20)]:
        segment, after = first_segment(mutated, 0, separators)
        end = find_unreleased(mutated, separators.segment, separators.release, 0)
        stop = len(mutated) if end < 0 else end
        expected = tokenize(mutated[:stop], separators) or [Segment("", [], 1)]
        assert segment == expected[0], mutated
        assert after == (len(mutated) if end < 0 else end + 1)



@pytest.mark.parametrize(("name", "variant"), CASES[1::2])
def test_release_characters_are_protected_alike_when_few_and_when_dense(
    name: str, variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few release characters are jumped to one by one, many are replaced pair by pair: the two
    ways must give the same text and the same table on every mutated body."""
    body, separators = _body_and_separators(TEXTS[name], variant)
    rng = random.Random(f"{name}/{variant}/release")
    bodies = [body, *(_mutated(body, rng) for _ in range(40))]
    release = separators.release or "?"
    tricky = ("?", "a?", "??", "???", "?a?", "?'?+?:??", "x?\r\ny", "é?'€?")
    bodies += [text.replace("?", release) for text in tricky]
    monkeypatch.setattr(tokenizer, "_DENSE_RELEASE_SHIFT", 0)  # no text is dense: one by one
    one_by_one = [protect_released(text, separators) for text in bodies]
    monkeypatch.setattr(tokenizer, "_DENSE_RELEASE_SHIFT", 64)  # every text is dense: pair by pair
    pair_by_pair = [protect_released(text, separators) for text in bodies]
    assert one_by_one == pair_by_pair
    if separators.release is not None:
        assert all(table is not None for _, table in one_by_one[-8:])
