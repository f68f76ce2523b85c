"""File drop: each document written into a folder the ERP imports from.

A file appears complete or not at all: it is written under a temporary name that starts with a dot
and ends in ``.tmp`` (importers should skip both), flushed and fsynced, renamed into place (atomic on
one filesystem), and the folder is fsynced so the rename survives a crash. The final name is fixed
per delivery, so a redelivery replaces the file instead of adding a second copy, and names sort in
delivery order.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from archive.durable_write import fsync_path
from gateway.database.models import Document, ErpDelivery
from gateway.erp.envelope import envelope
from translators.documents.schema import DOCUMENT_MODELS
from translators.xml.writer_ubl import to_ubl

TEMP_SUFFIX = ".tmp"


class RenderError(Exception):
    """The document cannot be written in the configured format; retrying will not change that."""


def render(document: Document, file_format: str) -> tuple[bytes, str]:
    """The file's bytes and extension: the JSON envelope, or the UBL 2.1 rendering of the document."""
    if file_format == "ubl":
        model = DOCUMENT_MODELS.get(document.document_type)
        if model is None:
            raise RenderError(f"no UBL rendering for document type {document.document_type!r}")
        try:
            return to_ubl(model.model_validate(document.content)), "xml"  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise RenderError(f"cannot render {document.document_type} as UBL: {exc}") from exc
    data = json.dumps(envelope(document).model_dump(mode="json"), ensure_ascii=False, indent=2)
    return data.encode("utf-8") + b"\n", "json"


def file_name(delivery: ErpDelivery, document: Document, extension: str) -> str:
    partner = "".join(c if c.isalnum() or c in "-_" else "_" for c in document.partner_id or "unknown")
    return f"{delivery.id:010d}_{partner}_{document.document_type}_{document.id}.{extension}"


def write_atomically(directory: Path, name: str, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o640)  # mkstemp's 0600 would hide the file from an importer in our group
        os.replace(temp, directory / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_path(directory)
    return directory / name


def drop(directory: Path, file_format: str, delivery: ErpDelivery, document: Document) -> Path:
    """Write one document; raises RenderError (permanent) or OSError (worth retrying)."""
    data, extension = render(document, file_format)
    return write_atomically(directory, file_name(delivery, document, extension), data)
