"""File drop to the ERP: complete files only (temporary dot-name, fsync, rename), JSON or UBL."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from lxml import etree

from gateway.erp import file_drop
from tests.gateway.test_erp_support import SUPPLIER_FILES, delivery, document_of, submit_file

FINAL_NAME = re.compile(
    r"^\d{10}_supplier-one_(order_response|delivery_note|invoice)_[0-9a-f-]{36}\.(json|xml)$"
)
TEMP_NAME = re.compile(r"^\..+\.tmp$")


def test_json_file_is_the_document_envelope(make_gateway, drain, tmp_path):
    drop_dir = tmp_path / "erp-in"
    gw = make_gateway(erp_file_drop_dir=drop_dir)
    submit_file(gw, SUPPLIER_FILES[0])
    drain(gw)
    document = document_of(gw, _only_transmission(gw))
    [path] = sorted(drop_dir.iterdir())
    assert FINAL_NAME.match(path.name) and path.name.endswith(f"_{document.id}.json")
    content = json.loads(path.read_text(encoding="utf-8"))
    assert content["id"] == document.id
    assert content["document_type"] == "order_response"
    assert content["partner"] == "supplier-one"
    assert content["document"] == document.content
    assert delivery(gw, document.id, "file_drop").state == "delivered"


def _only_transmission(gw) -> str:
    from sqlalchemy import select

    from gateway.database.models import Transmission

    with gw.sessions() as session:
        return session.execute(select(Transmission.id)).scalar_one()


def test_ubl_files_are_ubl_21_documents_named_in_delivery_order(make_gateway, drain, tmp_path):
    drop_dir = tmp_path / "erp-in"
    gw = make_gateway(erp_file_drop_dir=drop_dir, erp_file_drop_format="ubl")
    transmissions = [submit_file(gw, name) for name in SUPPLIER_FILES]
    drain(gw)
    names = sorted(p.name for p in drop_dir.iterdir())
    assert len(names) == 3 and all(FINAL_NAME.match(n) and n.endswith(".xml") for n in names)
    expected_ids = [document_of(gw, t).id for t in transmissions]
    assert [n.rsplit("_", 1)[1].removesuffix(".xml") for n in names] == expected_ids
    roots = [etree.parse(str(drop_dir / n)).getroot() for n in names]
    assert [etree.QName(r).localname for r in roots] == ["OrderResponse", "DespatchAdvice", "Invoice"]
    assert all(
        etree.QName(r).namespace.startswith("urn:oasis:names:specification:ubl:schema:xsd:") for r in roots
    )


def test_a_file_is_only_ever_visible_complete(make_gateway, drain, tmp_path, monkeypatch):
    drop_dir = tmp_path / "erp-in"
    gw = make_gateway(erp_file_drop_dir=drop_dir)
    renames: list[tuple[str, str, bytes]] = []
    real_replace = os.replace

    def watching_replace(src: str | Path, dst: str | Path) -> None:
        source, target = Path(src), Path(dst)
        if drop_dir not in (source.parent, target.parent):  # the archive renames too
            return real_replace(src, dst)
        assert source.parent == target.parent == drop_dir  # same folder: the rename is atomic
        assert TEMP_NAME.match(source.name), source.name
        assert not target.exists()
        assert [p.name for p in drop_dir.iterdir()] == [source.name]  # only the temporary file shows
        renames.append((source.name, target.name, source.read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching_replace)
    submit_file(gw, SUPPLIER_FILES[0])
    drain(gw)
    [(_temp, final, data)] = renames
    assert (drop_dir / final).read_bytes() == data  # what was renamed was already complete
    json.loads(data)
    assert [p.name for p in drop_dir.iterdir()] == [final]


def test_a_failed_write_leaves_no_file_and_is_retried(make_gateway, drain, tmp_path, monkeypatch, clock):
    drop_dir = tmp_path / "erp-in"
    gw = make_gateway(erp_file_drop_dir=drop_dir)
    real_fsync = os.fsync

    def disk_full(fd: int) -> None:
        """Only the drop folder's disk is full; the archive elsewhere still works."""
        if Path(os.readlink(f"/proc/self/fd/{fd}")).parent == drop_dir:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_full)
    transmission = submit_file(gw, SUPPLIER_FILES[0])
    drain(gw)
    document = document_of(gw, transmission)
    assert list(drop_dir.iterdir()) == []  # neither a partial final file nor a temporary one
    row = delivery(gw, document.id, "file_drop")
    assert row.state == "retrying" and "No space left on device" in (row.last_error or "")

    monkeypatch.setattr(os, "fsync", real_fsync)
    clock.advance(hours=1)
    drain(gw)
    assert [p.name.endswith(f"_{document.id}.json") for p in drop_dir.iterdir()] == [True]
    assert delivery(gw, document.id, "file_drop").state == "delivered"


def test_a_document_that_cannot_be_rendered_goes_to_the_dead_letter(
    make_gateway, drain, tmp_path, monkeypatch
):
    gw = make_gateway(erp_file_drop_dir=tmp_path / "erp-in", erp_file_drop_format="ubl")

    def broken(_document: object) -> bytes:
        raise TypeError("no UBL rendering for this")

    monkeypatch.setattr(file_drop, "to_ubl", broken)
    transmission = submit_file(gw, SUPPLIER_FILES[0])
    drain(gw)
    row = delivery(gw, document_of(gw, transmission).id, "file_drop")
    assert row.state == "dead" and "cannot render" in (row.last_error or "")


def test_write_atomically_replaces_an_earlier_copy(tmp_path):
    target = file_drop.write_atomically(tmp_path, "a.json", b"first")
    assert file_drop.write_atomically(tmp_path, "a.json", b"second") == target
    assert target.read_bytes() == b"second" and [p.name for p in tmp_path.iterdir()] == ["a.json"]
