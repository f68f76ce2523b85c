"""Coverage-guided fuzzing of the readers and the AS2 unwrapping with atheris, time-boxed per target.

Run from the repository root:

    python bench/fuzz_atheris.py --seconds 120                # every target, 2 minutes each
    python bench/fuzz_atheris.py --seconds 60 --target x12    # one target

atheris is not a dependency of edigate (it builds a native extension against libFuzzer); install it
into the same environment with ``pip install atheris``. Without it the script says so and exits 0.

Each target runs in a child process (libFuzzer ends its process when time is up), seeded with the
fixtures (and ../shared/corpus when present). A target may return or raise edigate's own refusal
(``EdiSyntaxError`` for the readers, ``As2Rejection`` / ``MimeError`` for AS2); any other exception
is a crash: libFuzzer writes the input to ``--artifacts`` and the script prints where. Turn each one
into a test in tests/fuzz/test_found_crashes.py. Like every benchmark it reports and never fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGETS = ("edifact", "x12", "xml", "translate", "as2")
_SEED_FOLDERS = {
    "edifact": ("edifact",),
    "x12": ("x12",),
    "xml": ("xml",),
    "translate": ("edifact", "x12", "xml"),
    "as2": (),
}


def _seed_corpus(target: str, folder: Path) -> None:
    """Real files as the starting corpus; libFuzzer mutates from there."""
    folder.mkdir(parents=True, exist_ok=True)
    roots = [REPO / "tests" / "fixtures", REPO.parent / "shared" / "corpus"]
    for root in roots:
        for name in _SEED_FOLDERS[target]:
            for path in sorted((root / name).glob("*")) if (root / name).is_dir() else []:
                if (
                    path.is_file()
                    and path.stat().st_size <= 64 * 1024
                    and not path.name.startswith("SOURCES")
                ):
                    shutil.copy(path, folder / f"{root.name}-{path.name}")
    if target == "as2":
        from tests.fuzz.test_as2_mime_fuzz import _messages

        for index, (content_type, body) in enumerate(_messages()):
            (folder / f"message-{index}").write_bytes(content_type.encode("latin-1") + b"\n" + body)


def _one_input(target: str):
    """The function libFuzzer calls with each input, raising only on a real crash."""
    if target == "as2":
        from gateway.channels.as2.inbound import As2Rejection
        from gateway.channels.as2.mime import MimeError
        from tests.fuzz.test_as2_mime_fuzz import _open

        def as2(data: bytes) -> None:
            content_type, _sep, body = data.partition(b"\n")
            with contextlib.suppress(As2Rejection, MimeError):
                _open(content_type.decode("latin-1"), None, body)

        return as2

    from translators.errors import EdiSyntaxError

    if target == "translate":
        from partners.loader import demo_directory_path, load_directory
        from translators.translate import translate

        directory = load_directory(demo_directory_path())
        return lambda data: translate(data, directory)
    if target == "edifact":
        from translators.edifact.reader import read_interchanges as reader
    elif target == "x12":
        from translators.x12.reader import read_x12_interchanges as reader
    else:
        from translators.xml.parser import read_xml as reader

    def read(data: bytes) -> None:
        with contextlib.suppress(EdiSyntaxError):
            reader(data)

    return read


def _child(target: str, seconds: int, corpus: Path, artifacts: Path) -> None:
    import atheris

    with atheris.instrument_imports(include=["translators", "gateway.channels.as2", "partners"]):
        work = _one_input(target)
    artifacts.mkdir(parents=True, exist_ok=True)
    atheris.Setup(
        [
            sys.argv[0],
            f"-max_total_time={seconds}",
            f"-artifact_prefix={artifacts}/{target}-",
            "-rss_limit_mb=2048",
            "-timeout=10",
            "-print_final_stats=1",
            str(corpus),
        ],
        work,
    )
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target")
    parser.add_argument("--target", choices=TARGETS, action="append", help="repeat for several; default all")
    parser.add_argument("--artifacts", type=Path, default=REPO / "bench" / "fuzz-artifacts")
    parser.add_argument("--child", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed (pip install atheris); nothing fuzzed.")
        return 0
    if args.child:
        _child(args.child, args.seconds, args.corpus, args.artifacts)
        return 0
    for target in args.target or TARGETS:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            _seed_corpus(target, corpus)
            before = set(args.artifacts.glob(f"{target}-*")) if args.artifacts.is_dir() else set()
            started = time.monotonic()
            run = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    target,
                    "--seconds",
                    str(args.seconds),
                    "--corpus",
                    str(corpus),
                    "--artifacts",
                    str(args.artifacts),
                ],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            elapsed = time.monotonic() - started
            stats = [line for line in run.stderr.splitlines() if line.startswith(("stat::", "#", "Done"))]
            found = (
                sorted(set(args.artifacts.glob(f"{target}-*")) - before) if args.artifacts.is_dir() else []
            )
            executions = next(
                (
                    line.split(":")[-1].strip()
                    for line in stats
                    if line.startswith("stat::number_of_executed_units")
                ),
                "?",
            )
            print(
                f"{target:10} {elapsed:6.0f} s  {executions:>9} inputs  exit {run.returncode}  "
                f"{len(found)} new crash file(s)"
            )
            for path in found:
                print(f"    {path}")
            if found:
                print(
                    "\n".join(
                        "    " + line
                        for line in run.stderr.splitlines()
                        if "Error" in line or "Traceback" in line or "File " in line
                    )[-3000:]
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
