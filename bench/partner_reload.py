"""What hot reload of partner profiles costs: the idle poll, and a reload, for folders of N partners.

Run from the repository root:  python bench/partner_reload.py [--partners 7,100,1000] [--repeat N]

Builds a folder of N partner profiles (copies of the demo's ACME profile with their own UNB sender
and API key) next to the demo company profile, then prints the median time of
- the poll the watcher makes every ``partners_reload_seconds`` when nothing changed (hash every file),
- a reload after one file changed (load, lint and index the whole folder, swap, audit in SQLite).
A benchmark measures; it never fails a build.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.config import Settings
from gateway.context import open_gateway
from gateway.partner_reload import reload_partners
from partners.apikey import hash_api_key
from partners.loader import demo_directory_path, profile_digests


def _gln(number: int) -> str:
    body = f"{540000000000 + number:012d}"
    weighted = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - weighted % 10) % 10)


def build_folder(folder: Path, count: int) -> None:
    demo = demo_directory_path()
    (folder / "company.toml").write_text((demo / "company.toml").read_text())
    template = (demo / "acme-retail.toml").read_text()
    template = template.split("\n[sftp]", 1)[0]  # keep the identity part; no SFTP/AS2 clashes
    for number in range(count):
        text = (
            template.replace('id = "acme-retail"', f'id = "partner-{number}"')
            .replace('id = "5412345000013"', f'id = "{_gln(number)}"')
            .replace(hash_api_key("demo-acme-key"), hash_api_key(f"bench-key-{number}"))
        )
        (folder / f"partner-{number}.toml").write_text(text)


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", default="7,100,1000", help="comma-separated folder sizes")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'partners':>8}  {'idle poll':>10}  {'reload':>10}")
    for count in (int(n) for n in args.partners.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            folder = root / "partners"
            folder.mkdir()
            build_folder(folder, count)
            gw = open_gateway(Settings(data_dir=root / "data", partners_dir=folder))
            poll = median_ms(lambda folder=folder: profile_digests(folder), args.repeat)
            edited = folder / "partner-0.toml"
            flips = iter(range(args.repeat * 2))

            def edit_and_reload(gw=gw, edited=edited, flips=flips) -> None:
                edited.write_text(edited.read_text() + f"# edit {next(flips)}\n")
                result = reload_partners(gw)
                assert result.status == "reloaded", result

            reload_ms = median_ms(edit_and_reload, args.repeat)
            gw.close()
        print(f"{count:>8}  {poll:>8.1f}ms  {reload_ms:>8.1f}ms")


if __name__ == "__main__":
    main()
