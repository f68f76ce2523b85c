"""`pip install .` (the README's first command) must ship every file the code reads at run time:
templates, static files, message definitions, demo profiles, migrations."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "translators", "partners", "archive")


def _declared(path: Path, package_data: dict[str, list[str]]) -> bool:
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in package_data.get("*", [])):
        return True
    for owner, patterns in package_data.items():
        root = REPO.joinpath(*owner.split("."))
        if owner != "*" and root in path.parents:
            inside = path.relative_to(root).as_posix()
            if any(fnmatch.fnmatch(inside, pattern) for pattern in patterns):
                return True
    return False


def test_every_data_file_in_the_packages_is_declared_as_package_data():
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    data_files = [
        path
        for package in PACKAGES
        for path in (REPO / package).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert data_files, "the packages hold templates, definitions and profiles"
    assert [str(p.relative_to(REPO)) for p in data_files if not _declared(p, package_data)] == []
