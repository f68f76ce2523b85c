"""``edigate translate`` / ``validate`` over a file or a whole folder, without touching a database.

Folders get a progress bar on stderr (only when it is a terminal or asked for) and a summary table,
so an operator can point the command at a partner's sample set and see at once what passes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from partners.directory import PartnerDirectory
from translators.outcome import Translation
from translators.translate import translate


@dataclass(slots=True)
class FileResult:
    path: Path
    translation: Translation | None
    read_error: str | None = None

    @property
    def errors(self) -> list[Any]:
        return self.translation.all_errors if self.translation else []

    @property
    def ok(self) -> bool:
        return self.read_error is None and not self.errors

    @property
    def partner(self) -> str:
        if self.translation is None:
            return ""
        ids = {i.partner.id for i in self.translation.interchanges if i.partner is not None}
        return ", ".join(sorted(ids))


def files_under(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [path]


def translate_files(
    paths: list[Path], directory: PartnerDirectory, progress: TextIO | None
) -> Iterator[FileResult]:
    total = len(paths)
    for number, path in enumerate(paths, start=1):
        if progress is not None:
            _draw_progress(progress, number, total, path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield FileResult(path, None, f"cannot read: {exc.strerror}")
            continue
        yield FileResult(path, translate(data, directory))
    if progress is not None and total:
        progress.write("\n")
        progress.flush()


def _draw_progress(stream: TextIO, number: int, total: int, path: Path) -> None:
    width = 30
    done = width * number // total
    name = path.name if len(path.name) <= 40 else path.name[:37] + "..."
    stream.write(f"\r[{'#' * done}{'.' * (width - done)}] {number}/{total} {name:<40}")
    stream.flush()


def summary_table(results: list[FileResult], root: Path) -> str:
    rows = [("file", "syntax", "partner", "documents", "errors", "first error")]
    for result in results:
        name = str(result.path.relative_to(root)) if root.is_dir() else result.path.name
        if result.translation is None:
            rows.append((name, "", "", "0", "1", result.read_error or ""))
            continue
        errors = result.errors
        first = str(errors[0]) if errors else ""
        rows.append(
            (
                name,
                result.translation.syntax,
                result.partner,
                str(len(result.translation.documents)),
                str(len(errors)),
                first if len(first) <= 80 else first[:77] + "...",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    passed = sum(1 for r in results if r.ok)
    lines.append(f"{len(results)} file(s): {passed} valid, {len(results) - passed} with errors")
    return "\n".join(lines)


def wants_progress(stream: TextIO = sys.stderr) -> bool:
    return stream.isatty()
