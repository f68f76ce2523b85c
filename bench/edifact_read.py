"""How fast edigate reads EDIFACT compared with pydifact's parser.

Run from the repository root:  python bench/edifact_read.py [--repeat N] [--no-corpus]

Prints segments/s and MB/s (by CPU time, best of ``--repeat``) for (a) a generated ~2 MB ORDERS
interchange, (b) one file holding 1,000 small ORDERS interchanges, (c) each file of the shared
corpus when ``../shared`` exists.
A benchmark measures; it never fails a build, so every problem is printed and skipped.
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import timing  # noqa: E402

from translators.edifact.reader import read_interchange, read_interchanges  # noqa: E402
from translators.errors import EdiSyntaxError  # noqa: E402

CORPUS = REPO / ".." / "shared" / "corpus" / "edifact"


def orders_message(rng: random.Random, ref: int) -> list[str]:
    """One EANCOM ORDERS D96A with 5-30 lines, a released character now and then."""
    segs = [
        f"UNH+{ref}+ORDERS:D:96A:UN:EAN008",
        f"BGM+220+PO{ref:08d}+9",
        "DTM+137:20240115:102",
        "FTX+AAI+++Deliver to gate 3?+4, ask for M?:Muller",
        "NAD+BY+5412345000013::9++Backerei Muller?'s GmbH+Hauptstrasse 1+Koeln++50667+DE",
        "NAD+SU+4012345000009::9",
    ]
    for line in range(1, rng.randint(5, 30) + 1):
        gtin = rng.randrange(10**12, 10**13)
        qty = rng.randint(1, 500)
        price = rng.randint(10, 99999) / 100
        segs += [
            f"LIN+{line}++{gtin}:EN",
            f"QTY+21:{qty}:PCE",
            f"PRI+AAA:{price:.2f}",
            f"MOA+203:{qty * price:.2f}",
        ]
    segs += ["UNS+S", f"CNT+2:{line}"]
    segs.append(f"UNT+{len(segs) + 1}+{ref}")
    return segs


def big_interchange(target_bytes: int = 2_000_000, seed: int = 20240115) -> str:
    rng = random.Random(seed)
    segs = ["UNB+UNOC:3+5412345000013:14+4012345000009:14+240115:1030+BIG1"]
    size, n = 0, 0
    while size < target_bytes:
        n += 1
        msg = orders_message(rng, n)
        size += sum(len(s) + 3 for s in msg)
        segs += msg
    segs.append(f"UNZ+{n}+BIG1")
    return "UNA:+.? '\r\n" + "".join(s + "'\r\n" for s in segs)


def many_interchanges(count: int = 1000, seed: int = 7) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        segs = [
            f"UNB+UNOC:3+5412345000013:14+4012345000009:14+240115:1030+IC{i}",
            *orders_message(rng, 1),
            f"UNZ+1+IC{i}",
        ]
        out.append("".join(s + "'\n" for s in segs))
    return "".join(out)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Best CPU seconds: both readers run in this one process, so their ratio is fair either way."""
    return timing.best_of(repeat, fn)[1]


def pydifact_parse(text: str) -> int:
    from pydifact.segmentcollection import RawSegmentCollection

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return len(RawSegmentCollection.from_str(text).segments)


def report(name: str, text: str, ours: Callable[[], int], repeat: int) -> None:
    size_mb = len(text.encode("utf-8")) / 1e6
    try:
        segments = ours()
        t_ours = best_of(ours, repeat)
    except EdiSyntaxError as exc:
        print(f"{name:48s} edigate: not an interchange ({exc.error.code}); skipped")
        return
    line = (
        f"{name:48s} {size_mb:7.3f} MB {segments:8d} seg | edigate {segments / t_ours:11,.0f} seg/s "
        f"{size_mb / t_ours:7.2f} MB/s"
    )
    try:
        t_theirs = best_of(lambda: pydifact_parse(text), repeat)  # same number of runs: a fair best
        line += (
            f" | pydifact {segments / t_theirs:9,.0f} seg/s {size_mb / t_theirs:6.2f} MB/s"
            f" | {t_theirs / t_ours:5.1f}x faster"
        )
    except Exception as exc:  # a benchmark never fails: pydifact may reject a file
        line += f" | pydifact failed: {type(exc).__name__}"
    print(line, flush=True)


def count(interchanges: list) -> int:
    return sum(2 + len(ic.groups) * 2 + sum(len(m.segments) for m in ic.messages) for ic in interchanges)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (best is kept)")
    parser.add_argument("--no-corpus", action="store_true", help="skip the shared corpus files")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"python {sys.version.split()[0]}")

    big = big_interchange()
    report("(a) generated ORDERS interchange ~2 MB", big, lambda: count([read_interchange(big)]), args.repeat)

    many = many_interchanges()
    report("(b) 1,000 small ORDERS interchanges", many, lambda: count(read_interchanges(many)), args.repeat)

    if args.no_corpus or not CORPUS.is_dir():
        print("(c) shared corpus: not present" if not args.no_corpus else "(c) shared corpus: skipped")
        return
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".edi", ".ped"):
            continue
        data = path.read_bytes()
        text = data.decode("latin-1")
        report(f"(c) {path.name[:44]}", text, lambda d=data: count(read_interchanges(d)), args.repeat)


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # measure, never fail
        print(f"benchmark stopped: {type(exc).__name__}: {exc}")
