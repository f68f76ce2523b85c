"""Loading a profile directory into a :class:`~partners.directory.PartnerDirectory`, or refusing to.

The gateway loads profiles at start and again when they change. It either gets a complete, consistent
directory or a :class:`ProfileError` listing every problem at once, never a directory with the bad
partner silently left out: a partner that vanishes because of a typo looks like an outage to them.
"""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path

from partners.directory import PartnerDirectory
from partners.lint import COMPANY_FILE, MISSING_COMPANY, LintProblem, scan_directory


class ProfileError(Exception):
    """The profile directory cannot be loaded. ``problems`` holds every located problem found."""

    def __init__(self, problems: list[LintProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in partner profiles:\n{lines}")


def load_directory(path: Path) -> PartnerDirectory:
    """Load ``company.toml`` and every ``<partner-id>.toml`` in ``path``.

    Uses the same scan as ``edigate partners lint`` (:func:`partners.lint.scan_directory`): a directory
    that lints clean loads, one that does not raises :class:`ProfileError` with the same problems.
    """
    scan = scan_directory(Path(path))
    if scan.problems:
        raise ProfileError(list(scan.problems))
    if scan.company is None:  # unreachable: a missing or invalid company.toml is already a problem
        raise ProfileError([LintProblem(COMPANY_FILE, "", MISSING_COMPANY, "our company profile is missing")])
    return PartnerDirectory(scan.company, (partner.profile for partner in scan.partners))


def profile_digests(path: Path) -> dict[str, str]:
    """SHA-256 of every profile file :func:`load_directory` reads, by file name: what a reload compares.

    Content, not modification times: a copy that keeps the old mtime, or two edits within the
    file system's timestamp resolution, still count as changes. Unreadable files are left out; the
    load reports them.
    """
    digests: dict[str, str] = {}
    folder = Path(path)
    if not folder.is_dir():
        return digests
    for file in sorted(folder.glob("*.toml")):
        if file.name.startswith(".") or not file.is_file():
            continue
        try:
            digests[file.name] = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            continue
    return digests


def demo_directory_path() -> Path:
    """The example profiles shipped in the package (``partners/demo/``), used by the quick start.

    They are ordinary package data in an ordinary (unzipped) installation, so the folder is a real
    directory that can be read or copied as a template.
    """
    return Path(str(files("partners") / "demo"))
