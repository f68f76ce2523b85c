"""Crafted nasty inputs cost memory in proportion to their size, and small ones cost little.

Each case is an input shaped to make a reader allocate far more than it reads: a segment bomb
(thousands of two-byte segments, each of which becomes an object and — unknown in its message — a
validation error), counts and lengths claiming billions, entity and decompression bombs, XML nested
10 000 deep. The bound per case is generous (what the model honestly needs per input byte, times a
margin), so the tests catch a blow-up — quadratic lists, one error per segment without end,
expanding an entity, inflating a zip bomb — not a few percent of growth.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from functools import cache

import pytest

from gateway.channels.as2.smime import CompressionError, compress, decompress
from partners.directory import PartnerDirectory
from partners.loader import demo_directory_path, load_directory
from translators.errors import MAX_ERRORS_PER_MESSAGE, EdiSyntaxError
from translators.translate import translate
from translators.xml.parser import read_xml

KB = 1024
MB = 1024 * KB
UNB = b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4000001000005:14+240101:1200+X1'"
UNH = b"UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+PO1+9'"
ISA = (
    b"ISA*00*          *00*          *ZZ*UMBRELLA       *ZZ*EDIGATEDEMO    *240115*1030*U*00401*"
    b"000000100*0*P*>~GS*PO*UMBRELLA*EDIGATEDEMO*20240115*1030*100*X*004010~ST*850*0001~"
)
X12_END = b"SE*3*0001~GE*1*100~IEA*1*000000100~"


@cache
def _directory() -> PartnerDirectory:
    return load_directory(demo_directory_path())


def _peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
    except EdiSyntaxError:
        pass  # a refusal is a fine answer; what it cost is the question
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def _laughs(levels: int) -> bytes:
    entities = b'<!ENTITY l0 "lollollollollollollollollollol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10) for i in range(1, levels + 1)
    )
    return b'<?xml version="1.0"?><!DOCTYPE lolz [' + entities + b"]><lolz>&l%d;</lolz>" % levels


# (name, input, bytes of memory allowed per input byte — about twice what was measured — on top of
# BASE for whatever a first call caches)
TRANSLATE_CASES = [
    # 60 000 segments of two bytes: a segment is a few hundred bytes of model; the validator stops
    # after MAX_ERRORS_PER_MESSAGE instead of adding one error per segment.
    ("edifact segment bomb", UNB + UNH + b"A'" * 60_000 + b"UNT+3+1'UNZ+1+X1'", 200),
    ("edifact 40 000 empty components", UNB + UNH + b"FTX+" + b":" * 40_000 + b"'UNT+4+1'UNZ+1+X1'", 40),
    ("edifact 40 000 empty elements", UNB + UNH + b"FTX" + b"+" * 40_000 + b"'UNT+4+1'UNZ+1+X1'", 60),
    (
        "edifact counts of billions",
        UNB + UNH + b"QTY+21:" + b"9" * 5000 + b"'UNT+99999999999999+1'UNZ+9999999999+X1'",
        60,
    ),
    ("edifact 5 000 messages", UNB + b"UNH+1+ORDERS:D:96A:UN:EAN008'UNT+2+1'" * 5_000 + b"UNZ+5000+X1'", 160),
    ("x12 segment bomb", ISA + b"A~" * 60_000 + b"SE*60002*0001~GE*1*100~IEA*1*000000100~", 150),
    ("x12 BIN claiming 10^20 bytes", ISA + b"BIN*" + b"9" * 20 + b"*" + b"x" * 20_000 + b"~" + X12_END, 20),
    ("xml 20 000 siblings", b"<r>" + b"<a/>" * 20_000 + b"</r>", 60),
    ("xml nested 10 000 deep", b"<a>" * 10_000 + b"</a>" * 10_000, 1),
    ("xml billion laughs", _laughs(9), 200),
]
BASE = 2 * MB


@pytest.mark.parametrize(("name", "data", "per_byte"), TRANSLATE_CASES, ids=[c[0] for c in TRANSLATE_CASES])
def test_nasty_input_costs_memory_in_proportion_to_its_size(name: str, data: bytes, per_byte: int) -> None:
    _directory()  # partner profiles are loaded once, outside the measurement
    translate(UNB + UNH + b"UNT+3+1'UNZ+1+X1'", _directory())  # message definitions too
    peak = _peak(lambda: translate(data, _directory()))
    assert peak < BASE + per_byte * len(data), f"{name}: {peak / MB:.1f} MB for {len(data) / KB:.0f} KB"


@pytest.mark.parametrize("syntax", ["edifact", "x12"])
def test_validation_stops_after_max_errors_with_a_located_error(syntax: str) -> None:
    junk = MAX_ERRORS_PER_MESSAGE * 4
    if syntax == "edifact":
        data = UNB + UNH + b"A'" * junk + b"UNT+%d+1'UNZ+1+X1'" % (junk + 3)
    else:
        data = ISA + b"A~" * junk + b"SE*%d*0001~GE*1*100~IEA*1*000000100~" % (junk + 2)
    errors = translate(data, _directory()).all_errors
    assert len(errors) <= MAX_ERRORS_PER_MESSAGE + 5
    stop = [e for e in errors if e.code == "TOO_MANY_ERRORS"]
    assert len(stop) == 1 and stop[0].location.segment_index is not None
    assert "not checked" in stop[0].text


def test_entity_bomb_and_deep_nesting_are_refused_not_expanded() -> None:
    for data, code in (
        (_laughs(9), "XML_ENTITY_DECLARED"),
        (b"<a>" * 10_000 + b"</a>" * 10_000, "XML_TOO_DEEP"),
    ):
        with pytest.raises(EdiSyntaxError) as refused:
            read_xml(data)
        assert refused.value.error.code == code


def test_as2_decompression_bomb_is_refused_within_its_limit() -> None:
    bomb = compress(b"\0" * (64 * MB))  # about 64 KB on the wire
    assert len(bomb) < MB
    peak = 0

    def inflate() -> None:
        with pytest.raises(CompressionError, match="exceeds the limit"):
            decompress(bomb, MB)

    peak = _peak(inflate)
    assert peak < 4 * MB + 10 * len(bomb)
