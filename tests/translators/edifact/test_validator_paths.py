"""The validator's quick yes/no check of a segment's elements must agree with the careful check.

``_Walk.run`` first asks :func:`elements_valid` whether a segment's elements are fine and only runs
the careful, error-reporting ``check_elements`` when the answer is no. A quick check that says yes
where the careful one finds a problem would silently drop an error, so every segment of the
fixtures and of the corpus, as sent and with its values mutated (empty, too long, wrong type,
unknown codes, extra components and elements, a decimal comma), is checked both ways against every
compiled position of its tag; and whole messages validate to the same errors with the quick check
switched off.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from translators.edifact import validator
from translators.edifact.definitions import load_definition
from translators.edifact.model import Message, Segment
from translators.edifact.reader import read_interchanges
from translators.edifact.validator import _compile, _Group, _Segment, _Walk, elements_valid
from translators.errors import EdiSyntaxError

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "edifact"
CORPUS = REPO.parent / "shared" / "corpus" / "edifact"

VALUES = ("", "", "1", "12", "-3", "1.5", "1,5", ".5", "-", "A", "ABC", "9", "EN", "21", "PCE",
          "X" * 36, "9" * 20, "Müller", "ZZZ", "102", "2026", "BY", "220")  # fmt: skip


def _messages() -> list[tuple[str, Message, str]]:
    files = sorted(FIXTURES.glob("*.edi"))
    if CORPUS.is_dir():
        files += sorted(
            p for p in CORPUS.iterdir() if p.suffix in (".edi", ".ped") and p.stat().st_size < 65536
        )
    found = []
    for path in files:
        try:
            interchanges = read_interchanges(path.read_bytes())
        except EdiSyntaxError:
            continue
        for interchange in interchanges:
            for message in interchange.messages:
                if message.segments and load_definition(
                    message.type, message.version, message.release, message.association
                ):
                    found.append((path.name, message, interchange.separators.decimal))
    return found


MESSAGES = _messages()
IDS = [f"{name}:{message.reference}" for name, message, _ in MESSAGES]


def _positions(group: _Group, out: dict[str, list[_Segment]]) -> dict[str, list[_Segment]]:
    for entry in group.entries:
        if entry.segment is not None and entry.segment not in out.setdefault(entry.tag, []):
            out[entry.tag].append(entry.segment)
        if entry.group is not None:
            _positions(entry.group, out)
    return out


def _mutated(elements: list[list[str]], rng: random.Random) -> list[list[str]]:
    out = [list(components) for components in elements]
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        if op < 0.6 and out:
            components = rng.choice(out)
            at = rng.randrange(len(components) + 1)
            if at < len(components):
                components[at] = rng.choice(VALUES)
            else:
                components.append(rng.choice(VALUES))
        elif op < 0.8 and out:
            del out[rng.randrange(len(out))]
        else:
            out.append([rng.choice(VALUES)])
    return out or [[""]]


def _careful_errors(message: Message, decimal: str, segment: Segment, compiled: _Segment) -> int:
    walk = _Walk(_compile(_definition(message)), message, decimal)
    walk.check_elements(segment, 2, compiled)
    return len(walk.errors)


def _definition(message: Message):  # type: ignore[no-untyped-def]
    return load_definition(message.type, message.version, message.release, message.association)


@pytest.mark.parametrize(("name", "message", "decimal"), MESSAGES, ids=IDS)
def test_quick_check_says_valid_exactly_when_the_careful_check_finds_nothing(
    name: str, message: Message, decimal: str
) -> None:
    program = _compile(_definition(message))
    positions = _positions(program.root, {})
    walk = _Walk(program, message, decimal)
    rng = random.Random(f"{name}/{message.reference}")
    for segment in message.segments:
        variants = [segment.elements] + [_mutated(segment.elements, rng) for _ in range(8)]
        for elements in variants:
            probe = Segment(segment.tag, elements, segment.index)
            for compiled in positions.get(segment.tag, []):
                quick = elements_valid(elements, compiled, walk.is_number, walk.decimal)
                assert quick == (_careful_errors(message, decimal, probe, compiled) == 0), (
                    name, segment.tag, elements,
                )  # fmt: skip


@pytest.mark.parametrize(("name", "message", "decimal"), MESSAGES[::3], ids=IDS[::3])
def test_messages_validate_to_the_same_errors_without_the_quick_check(
    name: str, message: Message, decimal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(name)
    segments = [message.segments[0]] + [
        Segment(s.tag, _mutated(s.elements, rng) if rng.random() < 0.3 else s.elements, s.index)
        for s in message.segments[1:-1]
    ] + [message.segments[-1]]
    mutated = Message(message.reference, message.type, message.version, message.release, message.agency,
                      message.association, segments, message.group_reference)  # fmt: skip
    quick = validator.validate_message(mutated, decimal)
    monkeypatch.setattr(validator, "elements_valid", lambda *args: False)
    assert validator.validate_message(mutated, decimal) == quick
