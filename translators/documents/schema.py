"""The published JSON Schemas of the canonical documents, by document type name.

The ERP team builds against these schemas, so they describe the JSON edigate *sends* (serialisation
mode): money as strings, dates as ISO dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from translators.documents.common import CanonicalModel
from translators.documents.delivery_note import DeliveryNote
from translators.documents.invoice import Invoice
from translators.documents.order_response import OrderResponse
from translators.documents.purchase_order import PurchaseOrder

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

DOCUMENT_MODELS: Mapping[str, type[CanonicalModel]] = MappingProxyType(
    {
        "purchase_order": PurchaseOrder,
        "order_response": OrderResponse,
        "delivery_note": DeliveryNote,
        "invoice": Invoice,
    }
)
"""Document type name (the ``document_type`` field of each model) → model class. Read-only."""


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of document type ``name`` (e.g. ``"purchase_order"``).

    Raises KeyError naming the known types when ``name`` is not one of them.
    """
    try:
        model = DOCUMENT_MODELS[name]
    except KeyError:
        known = ", ".join(sorted(DOCUMENT_MODELS))
        raise KeyError(f"unknown document type {name!r}; known: {known}") from None
    schema = model.model_json_schema(mode="serialization")
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}
