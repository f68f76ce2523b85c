"""How fast edigate reads X12 compared with a plain ``str.split`` tokenizer on the same bytes.

Run from the repository root:  python bench/x12_read.py [--repeat N] [--size MB]

Prints MB/s and segments/s for a generated 850 file (~2 MB by default), best of ``--repeat`` runs by
elapsed and by CPU time (the steadier figure on a shared machine):

* ``edigate read``: ``read_x12_interchanges`` with every envelope check (ISA, GS/GE, ST/SE counts and
  control numbers, duplicates). Segments split their elements lazily, on first access;
* ``read + all elements``: the same, then every segment's elements touched once - what the
  validator or a map pays on top;
* ``str.split``: ``data.decode().split("~")`` and each segment ``.split("*")``, no checks at all -
  the floor any Python tokenizer works against.

A benchmark measures; it never fails a build.
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from timing import best_of  # noqa: E402

from translators.x12.reader import read_x12_interchanges  # noqa: E402
from translators.x12.validator import validate_transaction  # noqa: E402


def purchase_orders(target_bytes: int, seed: int = 1) -> bytes:
    """One interchange, one group, as many 850s (5-40 lines each) as fit ``target_bytes``."""
    rng = random.Random(seed)
    isa = (
        "ISA*00*          *00*          *ZZ*UMBRELLA       *ZZ*EDIGATEDEMO    *240115*1030*^*00501"
        "*000000001*0*P*>"
    )
    segs = [isa, "GS*PO*UMBRELLA*EDIGATEDEMO*20240115*1030*1*X*005010"]
    size, count = 0, 0
    while size < target_bytes:
        count += 1
        body = [
            f"ST*850*{count:04d}",
            f"BEG*00*SA*PO{count:08d}**20240115",
            "CUR*BY*USD",
            "REF*DP*038",
            "DTM*002*20240201",
            "N1*BY*UMBRELLA CORP*92*0001",
            "N3*1 MAIN ST",
            "N4*RACCOON CITY*MO*65101*US",
            "N1*ST*WAREHOUSE 7*92*0007",
        ]
        lines = rng.randint(5, 40)
        for n in range(1, lines + 1):
            body += [
                f"PO1*{n}*{rng.randint(1, 500)}*EA*{rng.randint(100, 99999) / 100:.2f}**UP*"
                f"{rng.randrange(10**11, 10**12)}*VN*SKU{n:05d}",
                f"PID*F****WIDGET NUMBER {n}",
                "PO4*12*1*EA",
            ]
        body.append(f"CTT*{lines}")
        body.append(f"SE*{len(body) + 1}*{count:04d}")
        segs += body
        size += sum(len(s) + 2 for s in body)
    segs += [f"GE*{count}*1", "IEA*1*000000001"]
    return ("~\n".join(segs) + "~\n").encode("ascii")


def read_and_touch(data: bytes) -> None:
    for ic in read_x12_interchanges(data):
        for ts in ic.messages:
            for seg in ts.segments:
                seg.elements  # noqa: B018 - the point is to split them


def read_and_validate(data: bytes) -> None:
    for ic in read_x12_interchanges(data):
        for grp in ic.groups:
            for ts in grp.transactions:
                validate_transaction(ts, grp.version)


def plain_split(data: bytes) -> list[list[str]]:
    text = data.decode("ascii").replace("~\n", "~")
    return [raw.split("*") for raw in text.split("~")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement; the best counts")
    parser.add_argument("--size", type=float, default=2.0, help="size of the generated file in MB")
    args = parser.parse_args()
    data = purchase_orders(int(args.size * 1_000_000))
    segments = data.count(b"~")
    errors = [e for ic in read_x12_interchanges(data) for e in ic.all_errors]
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(
        f"python {sys.version.split()[0]}; generated 850 file: {len(data) / 1e6:.3f} MB, "
        f"{segments} segments, "
        f"{len(errors)} envelope errors"
    )
    baseline = best_of(args.repeat, lambda: plain_split(data))
    for name, fn in (
        ("edigate read (envelope checks)", lambda: read_x12_interchanges(data)),
        ("edigate read + all elements", lambda: read_and_touch(data)),
        ("edigate read + validate every set", lambda: read_and_validate(data)),
        ("plain str.split tokenizer", lambda: plain_split(data)),
    ):
        times = best_of(args.repeat, fn)
        for clock, seconds, base in zip(("elapsed", "cpu"), times, baseline, strict=True):
            print(
                f"{name + ' [' + clock + ']':44s} {len(data) / 1e6 / seconds:7.2f} MB/s  "
                f"{segments / seconds:12,.0f} seg/s  {seconds / base:5.2f}x str.split time"
            )


if __name__ == "__main__":
    main()
