"""How fast edigate validates EDIFACT messages against their definitions.

Run from the repository root:  python bench/edifact_validate.py [--repeat N] [--size BYTES]

Generates one ~2 MB interchange of EANCOM ORDERS D96A messages (fixed seed, so every run measures
the same input; every message is valid, so the element checks run in full and no error texts are
built) and prints segments/s and MB/s for read only, validate only, and read + validate, best of
``--repeat`` runs by elapsed and by CPU time (the steadier figure on a shared machine).
A benchmark measures; it never fails a build, so every problem is printed, not raised.
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

from translators.edifact.model import Interchange  # noqa: E402
from translators.edifact.reader import read_interchange  # noqa: E402
from translators.edifact.validator import validate_message  # noqa: E402


def orders_message(rng: random.Random, ref: int) -> list[str]:
    """One EANCOM ORDERS D96A (EAN008) with header parties, 5-40 lines and a summary section."""
    segs = [
        f"UNH+{ref}+ORDERS:D:96A:UN:EAN008",
        f"BGM+220+PO{ref:08d}+9",
        "DTM+137:20240115:102",
        f"DTM+2:202402{rng.randint(1, 28):02d}:102",
        "FTX+AAI+++Deliver to gate 3?+4, ask for M?:Muller",
        f"RFF+CT:K-{rng.randint(1000, 9999)}",
        "NAD+BY+5412345000013::9++Backerei Muller?'s GmbH+Hauptstrasse 1+Koeln++50667+DE",
        "RFF+VA:DE123456789",
        "CTA+PD+:Anna Schmidt",
        "COM+0049221123456:TE",
        "NAD+SU+4012345000009::9",
        "NAD+DP+5412345000020::9++Lager Nord+Hafenstrasse 7+Hamburg++20457+DE",
        "CUX+2:EUR:9",
    ]
    lines = rng.randint(5, 40)
    total = 0.0
    for line in range(1, lines + 1):
        qty = rng.randint(1, 500)
        price = rng.randint(10, 99999) / 100
        total += qty * price
        segs += [
            f"LIN+{line}++{rng.randrange(10**12, 10**13)}:EN",
            f"PIA+1+ART-{rng.randint(1, 99999)}:SA",
            f"IMD+F++:::Article {rng.randint(1, 99999)} blue {rng.randint(1, 40)} mm",
            f"QTY+21:{qty}:PCE",
            f"DTM+2:202402{rng.randint(1, 28):02d}:102",
            f"MOA+203:{qty * price:.2f}",
            f"PRI+AAA:{price:.2f}",
        ]
    segs += ["UNS+S", f"MOA+86:{total:.2f}", f"CNT+2:{lines}"]
    segs.append(f"UNT+{len(segs) + 1}+{ref}")
    return segs


def big_interchange(target_bytes: int, seed: int = 20240115) -> str:
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


def validate_all(interchange: Interchange) -> int:
    """Validate every message; returns the number of errors found (0 expected)."""
    decimal = interchange.separators.decimal
    return sum(len(validate_message(m, decimal)) for m in interchange.messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (best is kept)")
    parser.add_argument("--size", type=int, default=2_000_000, help="interchange size in bytes")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"python {sys.version.split()[0]}")

    text = big_interchange(args.size)
    data = text.encode("latin-1")
    size_mb = len(data) / 1e6
    interchange = read_interchange(data)
    segments = sum(len(m.segments) for m in interchange.messages)
    errors = validate_all(interchange)  # also warms the definition and compiled-program caches
    print(
        f"input: {size_mb:.3f} MB, {len(interchange.messages):,} messages, {segments:,} message segments,"
        f" {errors} validation errors (0 expected)"
    )

    runs = {
        "read": lambda: read_interchange(data),
        "validate": lambda: validate_all(interchange),
        "read + validate": lambda: validate_all(read_interchange(data)),
    }
    for name, fn in runs.items():
        for clock, seconds in zip(("elapsed", "cpu"), best_of(args.repeat, fn), strict=True):
            label = f"{name} [{clock}]"
            print(
                f"{label:26s} {segments / seconds:11,.0f} seg/s {size_mb / seconds:7.2f} MB/s"
                f"  ({seconds * 1000:.1f} ms)"
            )


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # measure, never fail
        print(f"benchmark stopped: {type(exc).__name__}: {exc}")
