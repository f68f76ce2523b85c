"""Import pyas2lib (a GPL AS2 library, used only as an independent test peer) on OpenSSL 3.0.x.

pyas2lib depends on oscrypto 1.3.0, whose libcrypto version check matches ``\\d\\.\\d\\.\\d`` with word
boundaries and so cannot read "3.0.19"; importing it then fails with ``LibraryNotFoundError``. The
shim loads oscrypto's two version-detection modules with the pattern widened to multi-digit parts
and leaves everything else untouched. Nothing here is copied from pyas2lib; it only makes it load.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any

_PATCHED = ("oscrypto._openssl._libcrypto_cffi", "oscrypto._openssl._libcrypto_ctypes")
_NARROW = "'\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d[a-z]*)\\\\b'"
_WIDE = "'\\\\b(\\\\d+\\\\.\\\\d+\\\\.\\\\d+[a-z]*)\\\\b'"


class _WiderVersionLoader(importlib.abc.SourceLoader):
    def __init__(self, fullname: str, path: str) -> None:
        self.fullname = fullname
        self.path = path

    def get_filename(self, fullname: str) -> str:
        return self.path

    def get_data(self, path: str) -> bytes:
        with open(path, encoding="utf-8") as handle:
            return handle.read().replace(_NARROW, _WIDE).encode("utf-8")


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> Any:
        if fullname not in _PATCHED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, spec.origin, loader=_WiderVersionLoader(fullname, spec.origin)
        )


def load_pyas2lib() -> ModuleType:
    """Return the ``pyas2lib`` module, importing it through the shim; raises ImportError if absent."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    import pyas2lib

    return pyas2lib
