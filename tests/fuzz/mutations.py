"""Hypothesis strategies that turn real interchanges into broken ones.

Random bytes mostly stop at the first check ("not EDIFACT"); mutations of real fixtures get past the
envelope and into the tokenizer, the validators and the maps, where crashes hide. The operations
are the damage real transmissions show: truncation, flipped bytes, separators where data should be,
numbers that are huge, negative or written in non-ASCII digits, duplicated and deleted runs.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus"

FUZZ_SETTINGS = settings(
    max_examples=150,
    derandomize=True,  # the same examples on every run: CI never turns red by luck
    deadline=2000,  # "no hang": one example may take at most 2 s, generous for inputs of a few KB
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# Tokens that matter to one syntax or another: separators, service segment tags, numbers readers
# convert with int(), bytes that break a charset, XML markup.
TOKENS: tuple[bytes, ...] = (
    b"'",
    b"+",
    b":",
    b"?",
    b"*",
    b"~",
    b"^",
    b">",
    b"|",
    b"\n",
    b"\r\n",
    b" ",
    b"UNA:+.? '",
    b"UNB+UNOC:3+",
    b"UNB+UNOY:4+",
    b"UNB+UNOA:1+",
    b"UNG+",
    b"UNE+",
    b"UNH+",
    b"UNT+",
    b"UNZ+",
    b"UNS+S'",
    b"LIN+",
    b"QTY+21:",
    b"MOA+",
    b"DTM+137:20240101:102'",
    b"FTX+AAI+++",
    b"ISA*",
    b"IEA*",
    b"GS*",
    b"GE*",
    b"ST*",
    b"SE*",
    b"BIN*",
    b"HL*",
    b"PO1*",
    b"CTT*",
    b"N1*",
    b"0",
    b"9",
    b"99999999999999999999",
    b"-1",
    b"1e9",
    b"1,5",
    b"\xc2\xb2",
    b"\xb2",
    b"\xd9\xa3",
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\x00",
    b"\xef\xbb\xbf",
    b"<",
    b"</",
    b">",
    b"/>",
    b"&",
    b"&amp;",
    b"&#0;",
    b'<!DOCTYPE a [<!ENTITY e "x">]>',
    b"<![CDATA[",
    b"]]>",
    b'<?xml version="1.0"?>',
    b'xmlns=""',
    b' a="1"',
)


def _fixture_files(*suffixes: str) -> list[Path]:
    found = [p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix.lower() in suffixes]
    if CORPUS.is_dir():  # real files from other projects, when ../shared is there
        found += [
            p
            for p in CORPUS.rglob("*")
            if p.is_file()
            and p.suffix.lower() in suffixes
            and not p.name.startswith(("SOURCES", "README"))
            and p.stat().st_size <= 64 * 1024  # keep one example well under the deadline
        ]
    return sorted(found)


def seeds(kind: str) -> list[bytes]:
    """Real interchanges of one syntax: ``edifact``, ``x12`` or ``xml``."""
    suffixes = (".xml",) if kind == "xml" else (".edi", ".txt", ".ped")
    files = [p for p in _fixture_files(*suffixes) if p.parent.name == kind]
    return [p.read_bytes() for p in files]


@st.composite
def mutated(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """One real file with one to eight damaging edits."""
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(("flip", "insert", "delete", "duplicate", "truncate", "number")))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif op == "duplicate":
            source = draw(st.integers(0, max(len(data) - 1, 0)))
            data[at:at] = data[source : source + draw(st.integers(1, 400))]
        elif op == "truncate":
            del data[at:]
        else:
            number = draw(
                st.sampled_from((b"0", b"-7", b"2\xc2\xb2", b"2\xb2", b"\xb3", b"1" * 30, b"4294967296"))
            )
            data[at:at] = number
    return bytes(data)


def arbitrary(prefixes: tuple[bytes, ...]) -> st.SearchStrategy[bytes]:
    """Random bytes, alone or behind a header that sends them to one reader."""
    return st.one_of(
        st.binary(max_size=2048),
        st.builds(lambda p, b: p + b, st.sampled_from(prefixes), st.binary(max_size=2048)),
        st.builds(
            lambda p, parts: p + b"".join(parts),
            st.sampled_from(prefixes),
            st.lists(st.sampled_from(TOKENS), max_size=60),
        ),
    )
