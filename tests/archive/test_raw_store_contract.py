"""What every raw store promises (archive.store.RawStore): content addressing, streaming writes,
deletion, damage checks. Checked on the filesystem store and on the S3 store against a real
S3-compatible server; then what only the S3 store does (multipart uploads, key layout)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.s3_store import MIN_PART_BYTES, S3Store, parse_s3_url
from archive.store import ArchiveError, ArchiveStore, RawStore
from tests.s3_server import new_bucket, s3_client, s3_server

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    return s3_client(s3_endpoint)


@pytest.fixture
def s3_store(s3: Any) -> S3Store:
    return S3Store(s3, new_bucket(s3), "edigate/raw", part_bytes=MIN_PART_BYTES)


@pytest.fixture(params=["filesystem", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> RawStore:
    if request.param == "filesystem":
        return ArchiveStore(tmp_path / "archive")
    return request.getfixturevalue("s3_store")


def leftovers(store: RawStore) -> list[str]:
    """Temporary objects a store uses on the way to naming one by its hash; none may outlive a put."""
    if isinstance(store, ArchiveStore):
        return [p.name for p in store.root.iterdir() if p.name.startswith(".incoming-")]
    assert isinstance(store, S3Store)
    listed = store.client.list_objects_v2(Bucket=store.bucket).get("Contents", [])
    uploads = store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    return [o["Key"] for o in listed if "/.incoming/" in o["Key"]] + [u["Key"] for u in uploads]


@pytest.fixture
def overwrite(store: RawStore) -> Callable[[str, bytes], None]:
    """Change a stored object behind the store's back, as a faulty disk or an intruder would."""

    def change(sha256: str, data: bytes) -> None:
        if isinstance(store, ArchiveStore):
            path = store.path_for(sha256)
            path.chmod(0o644)
            path.write_bytes(data)
        else:
            assert isinstance(store, S3Store)
            store.client.put_object(Bucket=store.bucket, Key=store.key_for(sha256), Body=data)

    return change


def test_put_stream_names_the_object_by_the_hash_of_all_chunks(store: RawStore) -> None:
    chunks = [b"UNA:+.? 'UNB+UNOC:3", b"+SENDER+RECEIVER'", b"", b"UNZ+0+1'"]
    sha256, size = store.put_stream(iter(chunks))
    whole = b"".join(chunks)
    assert (sha256, size) == (hashlib.sha256(whole).hexdigest(), len(whole))
    assert store.get(sha256) == whole
    with store.open(sha256) as handle:
        assert handle.read(3) == b"UNA"
        handle.seek(0)
        assert handle.read() == whole
    assert leftovers(store) == []


def test_the_same_bytes_twice_keep_one_object(store: RawStore) -> None:
    first = store.put(b"same")
    second, _ = store.put_stream([b"sa", b"me"])
    assert first == second == hashlib.sha256(b"same").hexdigest()
    assert list(store.stored_hashes()) == [first]


def test_stored_hashes_come_in_order(store: RawStore) -> None:
    hashes = [store.put(f"message {n}".encode()) for n in range(5)]
    assert list(store.stored_hashes()) == sorted(hashes)


def test_a_failing_stream_leaves_nothing_behind(store: RawStore) -> None:
    def broken() -> Iterator[bytes]:
        yield b"x" * (MIN_PART_BYTES + MiB)  # past one part: the S3 store has begun a multipart upload
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put_stream(broken())
    assert list(store.stored_hashes()) == []
    assert leftovers(store) == []


def test_delete_removes_once_and_reading_afterwards_is_a_clear_error(store: RawStore) -> None:
    sha256 = store.put(b"expired invoice")
    assert store.delete(sha256) is True
    assert store.delete(sha256) is False
    with pytest.raises(ArchiveError, match=sha256):
        store.get(sha256)
    with pytest.raises(ArchiveError, match=sha256):
        store.open(sha256)
    damage = store.check(sha256)
    assert damage is not None and damage.problem == "missing"


def test_check_finds_altered_bytes(store: RawStore, overwrite: Callable[[str, bytes], None]) -> None:
    sha256 = store.put(b"UNH+1+ORDERS:D:96A:UN'")
    assert store.check(sha256) is None
    overwrite(sha256, b"UNH+1+ORDERS:D:96A:UN'  tampered")
    damage = store.check(sha256)
    assert damage is not None and (damage.sha256, damage.problem) == (sha256, "altered")


def test_a_usable_store_is_writable(store: RawStore) -> None:
    assert store.is_writable() is True
    assert list(store.stored_hashes()) == []  # the probe leaves nothing behind


# ------------------------------------------------------------------------------------------ S3 only


def test_a_large_stream_goes_up_in_parts_and_lands_under_its_hash(s3_store: S3Store) -> None:
    data = hashlib.sha256(b"seed").digest() * (12 * MiB // 32)  # 12 MiB: three parts of 5, 5 and 2
    sha256, size = s3_store.put_stream(data[i : i + MiB] for i in range(0, len(data), MiB))
    assert (sha256, size) == (hashlib.sha256(data).hexdigest(), len(data))
    keys = [o["Key"] for o in s3_store.client.list_objects_v2(Bucket=s3_store.bucket)["Contents"]]
    assert keys == [f"edigate/raw/{sha256[:2]}/{sha256[2:4]}/{sha256}"]  # no temporary upload left
    assert s3_store.get(sha256) == data
    with s3_store.open(sha256) as handle:
        handle.seek(len(data) - 32)
        assert handle.read() == data[-32:]


def test_objects_outside_the_store_layout_are_not_listed(s3_store: S3Store) -> None:
    sha256 = s3_store.put(b"kept")
    client, bucket = s3_store.client, s3_store.bucket
    client.put_object(Bucket=bucket, Key="other-app/" + "a" * 64, Body=b"not ours")
    client.put_object(Bucket=bucket, Key="edigate/raw/notes.txt", Body=b"not a hash")
    assert list(s3_store.stored_hashes()) == [sha256]


def test_an_unreachable_bucket_is_not_writable_and_says_where(s3: Any) -> None:
    store = S3Store(s3, "no-such-bucket-edigate")
    assert store.is_writable() is False
    with pytest.raises(ArchiveError, match="s3://no-such-bucket-edigate/"):
        store.put(b"data")


@pytest.mark.parametrize(
    ("url", "expected"),
    [("s3://bucket", ("bucket", "")), ("s3://bucket/edi/raw", ("bucket", "edi/raw"))],
)
def test_archive_urls_name_a_bucket_and_an_optional_prefix(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize("url", ["https://bucket/x", "s3:///prefix", "/srv/archive"])
def test_other_archive_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="s3://"):
        parse_s3_url(url)
