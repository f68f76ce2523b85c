"""The partner directory: every profile, indexed for the lookups the gateway makes per message.

A directory is built once and never changed. Reloading profiles after an edit means building a new
directory (through :func:`partners.loader.load_directory`) and swapping the reference, so a request in
flight always sees one consistent set of partners.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from partners.apikey import hash_api_key
from partners.profile import CompanyProfile, EdifactIdentity, PartnerProfile


class PartnerDirectory:
    """Our company profile plus the partner profiles, with O(1) identity lookups.

    The constructor refuses ambiguous input (two partners with one id, one API key, or overlapping
    EDIFACT identities) with ``ValueError``: a lookup must never have two answers. Operators get the
    same rules as located lint problems from :func:`partners.lint.lint_directory` before this point.
    """

    __slots__ = ("_by_api_hash", "_by_edifact", "_by_edifact_any_qualifier", "_company", "_partners")

    def __init__(self, company: CompanyProfile, partners: Iterable[PartnerProfile]) -> None:
        by_id: dict[str, PartnerProfile] = {}
        by_api_hash: dict[str, PartnerProfile] = {}
        by_edifact: dict[tuple[str, str], PartnerProfile] = {}
        by_edifact_any: dict[str, PartnerProfile] = {}
        claimed: dict[str, list[tuple[EdifactIdentity, PartnerProfile]]] = {}

        for partner in partners:
            if partner.id in by_id:
                raise ValueError(f"duplicate partner id {partner.id!r}")
            by_id[partner.id] = partner

            for digest in partner.api_key_sha256:
                owner = by_api_hash.setdefault(digest, partner)
                if owner is not partner:
                    raise ValueError(f"API key hash {digest} is on both {owner.id!r} and {partner.id!r}")

            for identity in partner.edifact:
                for other_identity, other in claimed.get(identity.id, []):
                    if other is not partner and identity.overlaps(other_identity):
                        raise ValueError(
                            f"EDIFACT identity {identity.describe()} of {partner.id!r} overlaps "
                            f"{other_identity.describe()} of {other.id!r}"
                        )
                claimed.setdefault(identity.id, []).append((identity, partner))
                if identity.qualifier:
                    by_edifact[(identity.id, identity.qualifier)] = partner
                else:
                    by_edifact_any[identity.id] = partner

        self._company = company
        self._partners: Mapping[str, PartnerProfile] = MappingProxyType(dict(sorted(by_id.items())))
        self._by_api_hash = by_api_hash
        self._by_edifact = by_edifact
        self._by_edifact_any_qualifier = by_edifact_any

    @property
    def company(self) -> CompanyProfile:
        return self._company

    @property
    def partners(self) -> Mapping[str, PartnerProfile]:
        """Partners by id, sorted by id; a read-only view."""
        return self._partners

    def __len__(self) -> int:
        return len(self._partners)

    def __iter__(self) -> Iterator[PartnerProfile]:
        return iter(self._partners.values())

    def __contains__(self, partner_id: object) -> bool:
        return partner_id in self._partners

    def get(self, partner_id: str) -> PartnerProfile | None:
        return self._partners.get(partner_id)

    def by_api_key(self, key: str) -> PartnerProfile | None:
        """The partner owning REST API key ``key``, or None.

        The lookup is a dict probe on the key's SHA-256. That is safe against timing attacks: what an
        attacker could learn from timing is about the *hash* of their guess, which says nothing useful
        about any valid key. Disabled partners are returned too; the caller checks ``enabled``.
        """
        if not key:
            return None
        return self._by_api_hash.get(hash_api_key(key))

    def by_edifact_sender(self, sender_id: str, qualifier: str = "") -> PartnerProfile | None:
        """The partner whose profile claims UNB sender ``sender_id`` with qualifier 0007 ``qualifier``.

        A profile identity with a qualifier matches only that qualifier; one without a qualifier
        matches the id with any qualifier (or none). Disabled partners are returned too.
        """
        exact = self._by_edifact.get((sender_id, qualifier)) if qualifier else None
        return exact or self._by_edifact_any_qualifier.get(sender_id)

    def __repr__(self) -> str:
        return f"PartnerDirectory(company={self._company.name!r}, partners={list(self._partners)!r})"
