"""A gateway whose raw store is an S3-compatible bucket (EDIGATE_ARCHIVE_URL): messages go in, are
processed from the bucket, and the audit check reads them back from there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from archive.s3_store import S3Store
from gateway.audit_check import verify_all
from gateway.config import Settings
from gateway.database.models import Transmission
from gateway.intake import Upload, accept
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, new_bucket, s3_client, s3_server


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket_gateway(make_gateway, s3_endpoint: str) -> Any:
    bucket = new_bucket(s3_client(s3_endpoint))
    return make_gateway(
        archive_url=f"s3://{bucket}/raw",
        s3_endpoint_url=s3_endpoint,
        s3_region=REGION,
        s3_access_key_id=ACCESS_KEY,
        s3_secret_access_key=SECRET_KEY,
    )


def test_messages_are_archived_in_the_bucket_and_processed_from_it(bucket_gateway, drain, edifact_fixture):
    gw = bucket_gateway
    assert isinstance(gw.archive, S3Store) and gw.archive.prefix == "raw/"
    body = edifact_fixture("acme_orders_d96a.edi")
    receipt = accept(gw, Upload(channel="rest", data=body, partner_id="acme-retail", actor="test"))
    drain(gw)

    client = gw.archive.client
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=gw.archive.bucket)["Contents"]}
    assert gw.archive.key_for(receipt.sha256) in keys  # the raw bytes live in the bucket
    assert len(keys) >= 2  # and so does the CONTRL acknowledgement produced by processing
    with gw.sessions() as session:
        assert session.get(Transmission, receipt.id).status == "processed"
    report = verify_all(gw)
    assert report.intact, report.lines()


def test_the_audit_check_reports_an_object_altered_in_the_bucket(bucket_gateway, edifact_fixture):
    gw = bucket_gateway
    body = edifact_fixture("acme_orders_d96a.edi")
    receipt = accept(gw, Upload(channel="rest", data=body, partner_id="acme-retail", actor="test"))
    gw.archive.client.put_object(Bucket=gw.archive.bucket, Key=gw.archive.key_for(receipt.sha256), Body=b"x")
    report = verify_all(gw)
    assert not report.intact
    assert [(d.sha256, d.problem) for d in report.damaged] == [(receipt.sha256, "altered")]


def test_a_malformed_archive_url_is_refused_at_start(tmp_path):
    with pytest.raises(ValidationError, match="s3://bucket/prefix"):
        Settings(data_dir=tmp_path, archive_url="https://bucket.example/raw")
