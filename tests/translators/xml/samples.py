"""Shared helpers for the XML translator tests: fixture paths, the shared corpus, a code-map stand-in."""

from __future__ import annotations

from pathlib import Path

from translators.xml.parser import XmlDocument, read_xml

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "xml"
CORPUS = REPO.parent / "shared" / "corpus" / "xml"


def fixture(name: str) -> XmlDocument:
    return read_xml((FIXTURES / name).read_bytes())


class Codes:
    """A partner's code maps, as ``partners.profile.CodeMaps`` answers them."""

    def __init__(
        self,
        units: dict[str, str] | None = None,
        parties: dict[str, str] | None = None,
        items: dict[str, str] | None = None,
    ) -> None:
        self.units = units or {}
        self.parties = parties or {}
        self.items = items or {}

    def unit(self, code: str) -> str:
        return self.units.get(code, code)

    def party(self, gln: str) -> str | None:
        return self.parties.get(gln)

    def item(self, code: str) -> str | None:
        return self.items.get(code)


class Profile:
    """The parts of a partner profile the XML maps read."""

    def __init__(self, codes: Codes | None = None, xml_map: object | None = None) -> None:
        self.codes = codes or Codes()
        self.xml_map = xml_map
