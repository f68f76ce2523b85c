"""The XML namespaces edigate reads and writes, and the prefixes it shows them with.

Error paths (``Location.path``) and the UBL writer use the prefixes UBL people know from the
specification (``cac``, ``cbc``) no matter which prefixes a sender chose, so an operator reading
``/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity`` can look it up in any UBL guide.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
UBL_DOCUMENT_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
"""A UBL document's root namespace is this + ``<DocumentType>-2`` (e.g. ``...:xsd:Invoice-2``)."""

UBL_PREFIXES: Mapping[str, str] = MappingProxyType({"cac": UBL_CAC, "cbc": UBL_CBC, "ext": UBL_EXT})
"""Prefix → namespace for XPath over UBL documents."""

DISPLAY_PREFIXES: Mapping[str, str] = MappingProxyType({UBL_CAC: "cac", UBL_CBC: "cbc", UBL_EXT: "ext"})
"""Namespace → the prefix error paths use for it."""


def ubl_namespace(document_type: str) -> str:
    """The root namespace of UBL document type ``document_type`` (``Order`` → ``...:xsd:Order-2``)."""
    return f"{UBL_DOCUMENT_PREFIX}{document_type}-2"
