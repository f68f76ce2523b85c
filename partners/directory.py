"""The partner directory: every profile, indexed for the lookups the gateway makes per message.

A directory is built once and never changed. Reloading profiles after an edit means building a new
directory (through :func:`partners.loader.load_directory`) and swapping the reference, so a request in
flight always sees one consistent set of partners.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from partners.apikey import hash_api_key
from partners.profile import CompanyProfile, EdifactIdentity, PartnerProfile, X12Identity, XmlIdentity


class PartnerDirectory:
    """Our company profile plus the partner profiles, with O(1) identity lookups.

    The constructor refuses ambiguous input (two partners with one id, one API key, or overlapping
    EDIFACT, X12 or XML identities) with ``ValueError``: a lookup must never have two answers. Operators
    get the same rules as located lint problems from :func:`partners.lint.lint_directory` before this
    point. The one lookup with several answers by design is :meth:`by_xml_root`: partners may share a
    custom XML format and are then told apart by its ``sender`` XPath.
    """

    __slots__ = (
        "_by_api_hash",
        "_by_edifact",
        "_by_edifact_any_qualifier",
        "_by_x12",
        "_by_x12_interchange",
        "_by_xml",
        "_by_xml_root",
        "_company",
        "_partners",
    )

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
        self._by_x12, self._by_x12_interchange = _index_x12(self._partners.values())
        self._by_xml = _index_xml(self._partners.values())
        roots: dict[str, list[PartnerProfile]] = {}
        for partner in self._partners.values():
            if partner.xml_map is not None:
                roots.setdefault(partner.xml_map.root, []).append(partner)
        self._by_xml_root = {root: tuple(owners) for root, owners in roots.items()}

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

    def by_x12_sender(self, qualifier: str, id: str, gs_id: str = "") -> PartnerProfile | None:
        """The partner whose profile claims ISA sender ``qualifier``/``id`` (ISA05/ISA06) and GS02 ``gs_id``.

        ``id`` may keep ISA's space padding. With ``gs_id`` (per functional group), an identity naming
        that GS02 wins over one accepting any GS02. Without it (at interchange level, e.g. to decide on
        a TA1 before any GS is read) the partner is returned only when the ISA sender alone identifies
        one partner; several partners sharing an ISA id, told apart by GS02, give None there.
        Disabled partners are returned too.
        """
        isa = (qualifier.strip(), id.rstrip())
        gs_id = gs_id.strip()
        if not gs_id:
            return self._by_x12_interchange.get(isa)
        return self._by_x12.get((*isa, gs_id)) or self._by_x12.get((*isa, ""))

    def by_xml_sender(self, scheme: str, id: str) -> PartnerProfile | None:
        """The partner claiming XML sender ``scheme``/``id`` (UBL EndpointID, cXML From Credential).

        The scheme is compared case-insensitively, the id exactly after trimming surrounding
        whitespace. Disabled partners are returned too.
        """
        return self._by_xml.get((scheme.strip().casefold(), id.strip()))

    def by_xml_root(self, local_name: str) -> list[PartnerProfile]:
        """The partners whose ``xml_map`` reads documents with root element ``local_name``, by id.

        Usually one. With several, evaluate each one's ``xml_map.sender`` and keep the partner that
        :meth:`~partners.profile.PartnerProfile.claims_xml_id` the result (lint guarantees every
        partner sharing a root has a ``sender``). A new list each call, so callers may change it.
        """
        return list(self._by_xml_root.get(local_name, ()))

    def __repr__(self) -> str:
        return f"PartnerDirectory(company={self._company.name!r}, partners={list(self._partners)!r})"


def _index_x12(
    partners: Iterable[PartnerProfile],
) -> tuple[dict[tuple[str, str, str], PartnerProfile], dict[tuple[str, str], PartnerProfile]]:
    """Index X12 identities by (qualifier, id, GS02 or "") and, where unambiguous, by (qualifier, id).

    Raises ``ValueError`` when two partners' identities overlap (see :meth:`X12Identity.overlaps`).
    """
    by_full: dict[tuple[str, str, str], PartnerProfile] = {}
    claimed: dict[tuple[str, str], list[tuple[X12Identity, PartnerProfile]]] = {}
    for partner in partners:
        for identity in partner.x12:
            isa = (identity.qualifier, identity.id)
            for other_identity, other in claimed.get(isa, []):
                if other is not partner and identity.overlaps(other_identity):
                    raise ValueError(
                        f"X12 identity {identity.describe()} of {partner.id!r} overlaps "
                        f"{other_identity.describe()} of {other.id!r}"
                    )
            claimed.setdefault(isa, []).append((identity, partner))
            by_full[(*isa, identity.gs_id)] = partner
    by_interchange = {
        isa: claims[0][1]
        for isa, claims in claimed.items()
        if all(owner is claims[0][1] for _, owner in claims)
    }
    return by_full, by_interchange


def _index_xml(partners: Iterable[PartnerProfile]) -> dict[tuple[str, str], PartnerProfile]:
    """Index XML identities by (case-folded scheme, id); ``ValueError`` when two partners claim one."""
    by_key: dict[tuple[str, str], PartnerProfile] = {}
    identities: dict[tuple[str, str], XmlIdentity] = {}
    for partner in partners:
        for identity in partner.xml:
            key = (identity.scheme.casefold(), identity.id)
            owner = by_key.setdefault(key, partner)
            if owner is not partner:
                raise ValueError(
                    f"XML identity {identity.describe()} of {partner.id!r} is also claimed as "
                    f"{identities[key].describe()} by {owner.id!r}"
                )
            identities.setdefault(key, identity)
    return by_key
