"""What a map returns, and what a map needs from a partner profile.

A map never raises on bad partner data: it returns the located errors next to the document (or None
when the errors make the document untrustworthy), so the gateway can store them, show them and turn
them into acknowledgements.

Maps take the profile through the small protocols below instead of importing
``partners.profile.PartnerProfile``: a translator stays a pure function of its inputs, and a test can
pass any object with a ``codes`` attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from translators.documents.common import CanonicalModel
from translators.errors import EdiError


class CodeLookup(Protocol):
    """Partner codes → ERP codes (``partners.profile.CodeMaps`` is the real one)."""

    def unit(self, code: str) -> str: ...

    def party(self, gln: str) -> str | None: ...

    def item(self, code: str) -> str | None: ...


class ProfileWithCodes(Protocol):
    """Anything with partner code mappings (``partners.profile.PartnerProfile``)."""

    @property
    def codes(self) -> CodeLookup: ...


class IdentityCodes:
    """Code lookup for when no partner profile applies: units pass through, nothing else is known."""

    def unit(self, code: str) -> str:
        return code

    def party(self, gln: str) -> str | None:
        return None

    def item(self, code: str) -> str | None:
        return None


DocumentT = TypeVar("DocumentT", bound=CanonicalModel)


@dataclass(slots=True)
class MapResult(Generic[DocumentT]):
    """A canonical document, or None when the message could not be translated faithfully, plus why."""

    document: DocumentT | None
    errors: list[EdiError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.errors
