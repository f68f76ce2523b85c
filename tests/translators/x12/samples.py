"""Builders for X12 test interchanges: correct envelopes by default, so each test breaks one thing."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "x12"
CORPUS = REPO.parent / "shared" / "corpus" / "x12"


def isa(
    control: int = 1,
    version: str = "00501",
    sender: str = "UMBRELLA",
    receiver: str = "EDIGATEDEMO",
    elem: str = "*",
    comp: str = ">",
    rep: str = "^",
) -> str:
    """A 105-character ISA (without terminator) with correct fixed widths."""
    isa11 = rep if version >= "00402" else "U"
    fields = [
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        f"{sender:<15}",
        "ZZ",
        f"{receiver:<15}",
        "240115",
        "1030",
        isa11,
        version,
        f"{control:09d}",
        "0",
        "P",
        comp,
    ]
    return "ISA" + elem + elem.join(fields)


def po_set(control: str = "0001", lines: int = 1) -> list[str]:
    """A small valid 850 transaction set, ST … SE."""
    body = ["BEG*00*SA*PO-1**20240115"]
    for n in range(1, lines + 1):
        body += [f"PO1*{n}*2*EA*3.50**VN*ITEM-{n}"]
    body.append(f"CTT*{lines}")
    return [f"ST*850*{control}", *body, f"SE*{len(body) + 2}*{control}"]


def interchange(
    *body: str,
    control: int = 1,
    version: str = "00501",
    term: str = "~",
    groups: int | None = None,
    iea: bool = True,
) -> str:
    """ISA + body segments + IEA, joined by ``term``."""
    segments = [isa(control, version), *body]
    if iea:
        count = groups if groups is not None else sum(1 for s in body if s.startswith("GS*"))
        segments.append(f"IEA*{count}*{control:09d}")
    return term.join(segments) + term


def group(
    *sets: list[str], control: str = "1", version: str = "005010", count: int | None = None
) -> list[str]:
    segments = [f"GS*PO*UMBRELLA*EDIGATEDEMO*20240115*1030*{control}*X*{version}"]
    for s in sets:
        segments += s
    segments.append(f"GE*{len(sets) if count is None else count}*{control}")
    return segments
