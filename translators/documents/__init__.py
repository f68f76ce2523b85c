"""Canonical ERP documents: typed models with a published JSON Schema, independent of any EDI syntax."""

from translators.documents.common import Address, DocumentLine, Party, Reference
from translators.documents.purchase_order import PurchaseOrder, PurchaseOrderLine
from translators.documents.schema import DOCUMENT_MODELS, json_schema

__all__ = [
    "DOCUMENT_MODELS",
    "Address",
    "DocumentLine",
    "Party",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Reference",
    "json_schema",
]
