"""Real interchanges validate clean: every valid corpus file whose message edigate has a definition
for gives no error, except the files listed in NON_CONFORMING, which are genuinely wrong and whose
exact errors are spelled out.

The corpus lives in ``../shared/corpus/edifact`` (never committed); the tests skip without it.
Files named as broken on purpose (fail, error, malformed, invalid, corrupt) are the reader tests'
business. Message-only fragments (UNH … UNT without UNB) are validated inside a minimal envelope.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from translators.edifact.definitions import load_definition
from translators.edifact.model import Message
from translators.edifact.reader import read_interchanges
from translators.edifact.validator import validate_message
from translators.errors import EdiError, EdiSyntaxError

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus" / "edifact"
FIXTURES = REPO / "tests" / "fixtures" / "edifact"
BROKEN_ON_PURPOSE = ("fail", "error", "malformed", "invalid", "corrupt")

# (code, segment tag, element, component, syntax code) → how often
Summary = Counter[tuple[str, str | None, int | None, int | None, str | None]]

NON_CONFORMING: dict[str, Summary] = {
    # A stress-test file: one UNH…UNT holding 8,432 copies of an order (BGM, DTM, RFF, NAD, LIN …)
    # with UNT+16. Every BGM after the first is out of place; everything else happens to fit the
    # line groups (DTM/RFF in SG29, NAD in SG35), so 8,431 unexpected BGMs are the whole finding;
    # validation stops after the first MAX_ERRORS_PER_MESSAGE (500) of them, with one TOO_MANY_ERRORS.
    "pydifact__huge_file2_orders.edi": Counter(
        {
            ("SEGMENT_UNEXPECTED", "BGM", None, None, "15"): 500,
            ("TOO_MANY_ERRORS", "BGM", None, None, "18"): 1,
        }
    ),
    # A real EANCOM 2002 order whose 123 lines all use the unit 'GBND' in QTY 6411, which is an..3
    # in D01B and in no EANCOM list: four characters where three are allowed, on every line.
    # A message-only fragment named "conforming" that ends its order after the second NAD: UNS, the
    # section control that ORDERS D96A makes mandatory before the summary, is missing (reported,
    # the CONTRL way, at the last segment processed).
    "edifactrs__d96a_orders_conforming.edi": Counter({("MISSING_SEGMENT", "NAD", None, None, "13"): 1}),
    "phpedifact__orders_d01b_ean010_unoc.edi": Counter({("VALUE_TOO_LONG", "QTY", 1, 3, "39"): 123}),
}


def summary(errors: list[EdiError]) -> Summary:
    return Counter(
        (e.code, e.location.segment_tag, e.location.element, e.location.component, e.syntax_code)
        for e in errors
    )


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p
        for p in CORPUS.iterdir()
        if p.suffix in (".edi", ".ped") and not any(word in p.name.lower() for word in BROKEN_ON_PURPOSE)
    )


def enveloped(data: bytes) -> bytes:
    """A message-only fragment (UNA, UNH … UNT, no UNB) inside a minimal UNB … UNZ."""
    text = data.decode("latin-1").lstrip()
    una, rest = (text[:9], text[9:]) if text.startswith("UNA") else ("UNA:+.? '", text)
    component, element, terminator = una[3], una[4], una[8]
    unb = element.join(["UNB", f"UNOC{component}3", "SENDER", "RECIPIENT", f"240101{component}0000", "FRAG"])
    unz = element.join(["UNZ", str(rest.count(f"UNH{element}")), "FRAG"])
    return (una + unb + terminator + rest.strip() + unz + terminator).encode("latin-1")


def defined_messages(path: Path) -> list[tuple[Message, str]]:
    """Messages of the file edigate has a definition for, each with its interchange's decimal mark."""
    data = path.read_bytes()
    try:
        interchanges = read_interchanges(data)
    except EdiSyntaxError:
        if b"UNB" in data or b"UNH" not in data:
            pytest.skip(f"{path.name}: not a readable interchange (the reader's concern)")
        interchanges = read_interchanges(enveloped(data))
    found = [
        (message, interchange.separators.decimal)
        for interchange in interchanges
        for message in interchange.messages
        if load_definition(message.type, message.version, message.release, message.association)
    ]
    if not found:
        pytest.skip(f"{path.name}: no message with a definition")
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/edifact is not present")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_valid_corpus_file_validates_clean_or_with_exactly_its_known_errors(path: Path) -> None:
    errors = [e for message, decimal in defined_messages(path) for e in validate_message(message, decimal)]
    assert summary(errors) == NON_CONFORMING.get(path.name, Counter()), [str(e) for e in errors[:5]]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/edifact is not present")
def test_first_misplaced_bgm_of_the_stress_file_is_located_exactly() -> None:
    [(message, decimal)] = defined_messages(CORPUS / "pydifact__huge_file2_orders.edi")
    first = validate_message(message, decimal)[0]
    assert (first.location.segment_index, first.location.message_segment) == (16, 15)
    assert first.text.startswith("ORDERS 1, segment 15 (BGM): segment BGM is not expected here, after RFF")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/edifact is not present")
def test_desadv_with_version_0_has_no_definition_and_says_so() -> None:
    # phpedifact's DESADV writes S009 as DESADV:0:96A:UN: version 0 is no UN directory
    [interchange] = read_interchanges((CORPUS / "phpedifact__desadv_d96a.edi").read_bytes())
    [error] = validate_message(interchange.messages[0])
    assert error.code == "UNKNOWN_MESSAGE_DEFINITION"


def test_acme_orders_fixture_validates_clean() -> None:
    [interchange] = read_interchanges((FIXTURES / "acme_orders_d96a.edi").read_bytes())
    [message] = interchange.messages
    assert load_definition(message.type, message.version, message.release, message.association) is not None
    assert validate_message(message, interchange.separators.decimal) == []
