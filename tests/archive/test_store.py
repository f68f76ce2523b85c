"""The filesystem raw store: content addressing, streaming writes, deletion."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from archive.store import ArchiveError, ArchiveStore


def test_put_stream_names_the_file_by_the_hash_of_all_chunks(tmp_path: Path) -> None:
    store = ArchiveStore(tmp_path / "archive")
    chunks = [b"UNA:+.? 'UNB+UNOC:3", b"+SENDER+RECEIVER'", b"", b"UNZ+0+1'"]
    sha256, size = store.put_stream(iter(chunks))
    whole = b"".join(chunks)
    assert (sha256, size) == (hashlib.sha256(whole).hexdigest(), len(whole))
    assert store.get(sha256) == whole
    with store.open(sha256) as handle:
        assert handle.read(3) == b"UNA"
    assert not [p for p in store.root.iterdir() if p.name.startswith(".incoming-")]


def test_the_same_bytes_twice_keep_one_file(tmp_path: Path) -> None:
    store = ArchiveStore(tmp_path / "archive")
    first = store.put(b"same")
    second, _ = store.put_stream([b"sa", b"me"])
    assert first == second
    assert list(store.stored_hashes()) == [first]


def test_a_failing_stream_leaves_no_file_behind(tmp_path: Path) -> None:
    store = ArchiveStore(tmp_path / "archive")

    def broken():
        yield b"half of an upload"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put_stream(broken())
    assert list(store.stored_hashes()) == []
    assert not [p for p in store.root.iterdir() if p.name.startswith(".incoming-")]


def test_delete_removes_once_and_reading_afterwards_is_a_clear_error(tmp_path: Path) -> None:
    store = ArchiveStore(tmp_path / "archive")
    sha256 = store.put(b"expired invoice")
    assert store.delete(sha256) is True
    assert store.delete(sha256) is False
    with pytest.raises(ArchiveError, match=sha256):
        store.get(sha256)
    assert store.check(sha256).problem == "missing"
