"""Raw store in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, …), for nodes without a shared disk.

Objects are named like the files of the filesystem store, ``<prefix><sha256[:2]>/<sha256[2:4]>/<sha256>``,
so listing the bucket yields the hashes in order. S3 answers a PUT only once the object is stored
durably, which is the promise intake needs before it acknowledges a partner.

S3 cannot rename, so a stream whose hash is known only at its end goes up as a multipart upload under a
temporary key and is then copied, inside the bucket, to its hash; a stream that fits in one part is
hashed first and stored directly. An upload that fails is aborted, so no partial object remains.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from archive.store import ArchiveDamage, ArchiveError

SHA256_NAME = re.compile(r"[0-9a-f]{64}")
MIN_PART_BYTES = 5 * 1024 * 1024  # S3's smallest part, except the last one
READ_CHUNK = 1 << 20


class S3Store:
    """Implements ``archive.store.RawStore`` on a bucket through a boto3 S3 client."""

    def __init__(
        self, client: Any, bucket: str, prefix: str = "", *, part_bytes: int = 8 * 1024 * 1024
    ) -> None:
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 multipart parts must be at least {MIN_PART_BYTES} bytes")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.part_bytes = part_bytes

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> S3Store:
        """``s3://bucket/prefix``; credentials left out come from boto3's usual chain (AWS_* variables,
        instance roles)."""
        bucket, prefix = parse_s3_url(url)
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(retries={"mode": "standard", "max_attempts": 5}),
        )
        return cls(client, bucket, prefix)

    def key_for(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data)
        self._put_object(digest, data)
        return digest.hexdigest()

    def put_stream(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()
        upload: _MultipartUpload | None = None
        try:
            for chunk in chunks:  # the producer's own errors (a client gone) pass through as they are
                digest.update(chunk)
                size += len(chunk)
                buffer += chunk
                if len(buffer) >= self.part_bytes:
                    if upload is None:
                        upload = _MultipartUpload(self, f"{self.prefix}.incoming/{uuid.uuid4().hex}")
                    upload.add_part(bytes(buffer))
                    buffer.clear()
            if upload is None:
                self._put_object(digest, bytes(buffer))
                return digest.hexdigest(), size
            if buffer:
                upload.add_part(bytes(buffer))
            upload.complete()
        except BaseException:
            if upload is not None:
                upload.abort()
            raise
        sha256 = digest.hexdigest()
        try:
            if not self._exists(sha256):
                self._call(
                    "copy_object",
                    f"cannot store {size} bytes",
                    Bucket=self.bucket,
                    Key=self.key_for(sha256),
                    CopySource={"Bucket": self.bucket, "Key": upload.key},
                )
        finally:
            self._call(
                "delete_object", "cannot remove a temporary upload", Bucket=self.bucket, Key=upload.key
            )
        return sha256, size

    def get(self, sha256: str) -> bytes:
        body = self._get_body(sha256)
        try:
            return body.read()
        finally:
            body.close()

    def open(self, sha256: str) -> BinaryIO:
        """A seekable reader: the object is spooled to memory (or to a temporary file when large)."""
        body = self._get_body(sha256)
        spool = tempfile.SpooledTemporaryFile(max_size=self.part_bytes)  # noqa: SIM115 - returned open
        try:
            for chunk in iter(lambda: body.read(READ_CHUNK), b""):
                spool.write(chunk)
        except Exception as exc:
            spool.close()
            raise ArchiveError(f"archived object {sha256} cannot be read: {exc}") from exc
        finally:
            body.close()
        spool.seek(0)
        return spool  # type: ignore[return-value]

    def delete(self, sha256: str) -> bool:
        """Remove an object whose retention has run out; False when it was not there."""
        if not self._exists(sha256):
            return False
        self._call(
            "delete_object",
            f"archived object {sha256} cannot be deleted",
            Bucket=self.bucket,
            Key=self.key_for(sha256),
        )
        return True

    def check(self, sha256: str) -> ArchiveDamage | None:
        location = Path(self.bucket) / self.key_for(sha256)
        try:
            body = self._get_body(sha256)
        except _Missing:
            return ArchiveDamage(sha256, location, "missing")
        digest = hashlib.sha256()
        try:
            for chunk in iter(lambda: body.read(READ_CHUNK), b""):
                digest.update(chunk)
        finally:
            body.close()
        return None if digest.hexdigest() == sha256 else ArchiveDamage(sha256, location, "altered")

    def stored_hashes(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for entry in page.get("Contents", []):
                    relative = entry["Key"][len(self.prefix) :]
                    name = relative.rsplit("/", 1)[-1]
                    if SHA256_NAME.fullmatch(name) and relative == f"{name[:2]}/{name[2:4]}/{name}":
                        yield name
        except Exception as exc:
            raise ArchiveError(f"cannot list {self._where()}: {_reason(exc)}") from exc

    def is_writable(self) -> bool:
        probe = f"{self.prefix}.probe/{uuid.uuid4().hex}"
        try:
            self.client.put_object(Bucket=self.bucket, Key=probe, Body=b"")
            self.client.delete_object(Bucket=self.bucket, Key=probe)
        except Exception:
            return False
        return True

    # ----------------------------------------------------------------------------------------- internals

    def _put_object(self, digest: Any, data: bytes) -> None:
        sha256 = digest.hexdigest()
        if self._exists(sha256):
            return
        # S3 recomputes the checksum and refuses the object when the bytes were damaged on the way.
        self._call(
            "put_object",
            f"cannot store {len(data)} bytes",
            Bucket=self.bucket,
            Key=self.key_for(sha256),
            Body=data,
            ChecksumSHA256=base64.b64encode(digest.digest()).decode("ascii"),
        )

    def _exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key_for(sha256))
        except Exception as exc:
            if _status(exc) == 404:
                return False
            raise ArchiveError(f"cannot look up {sha256} in {self._where()}: {_reason(exc)}") from exc
        return True

    def _get_body(self, sha256: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key_for(sha256))["Body"]
        except Exception as exc:
            if _status(exc) == 404:
                raise _Missing(f"archived object {sha256} cannot be read: not in {self._where()}") from exc
            raise ArchiveError(f"archived object {sha256} cannot be read: {_reason(exc)}") from exc

    def _call(self, operation: str, what: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except Exception as exc:
            raise ArchiveError(f"{what} in {self._where()}: {_reason(exc)}") from exc

    def _where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


class _Missing(ArchiveError):
    """The object is not in the bucket (as opposed to the bucket being unreachable)."""


class _MultipartUpload:
    def __init__(self, store: S3Store, key: str) -> None:
        self.store = store
        self.key = key
        self.parts: list[dict[str, Any]] = []
        created = store._call(
            "create_multipart_upload", "cannot start an upload", Bucket=store.bucket, Key=key
        )
        self.upload_id = created["UploadId"]

    def add_part(self, data: bytes) -> None:
        number = len(self.parts) + 1
        answer = self.store._call(
            "upload_part",
            f"cannot upload part {number}",
            Bucket=self.store.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=data,
        )
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self) -> None:
        self.store._call(
            "complete_multipart_upload",
            "cannot complete an upload",
            Bucket=self.store.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def abort(self) -> None:
        # The original error matters more; a bucket lifecycle rule removes what an abort leaves.
        with contextlib.suppress(Exception):
            self.store.client.abort_multipart_upload(
                Bucket=self.store.bucket, Key=self.key, UploadId=self.upload_id
            )


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/optional/prefix`` → (bucket, prefix)."""
    if not url.startswith("s3://"):
        raise ValueError(f"archive URL {url!r} must look like s3://bucket/prefix")
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError(f"archive URL {url!r} names no bucket")
    return bucket, prefix


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status is not None:
            return int(status)
        if response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return 404
    return None


def _reason(exc: Exception) -> str:
    """The S3 error code and message (never the credentials, which botocore does not put in them)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and response.get("Error"):
        error = response["Error"]
        return f"{error.get('Code', '?')}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"
