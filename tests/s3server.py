"""A real S3 endpoint for tests: moto's server on loopback, a bucket per test, a storage that counts calls."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from storages.backends.s3 import S3Storage

from servers.cloud import s3_emulator

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


class CountingBody:
    """An S3 response body that counts the bytes read from it."""

    def __init__(self, body: Any, storage: RecordingS3Storage) -> None:
        self._body = body
        self._storage = storage

    def read(self, size: int | None = None) -> bytes:
        data: bytes = self._body.read(size)
        self._storage.bytes_read += len(data)
        return data

    def close(self) -> None:
        self._body.close()


class RecordingS3Storage(S3Storage):  # type: ignore[misc]
    """S3Storage that records every request its clients send to S3 (botocore event hooks).

    ``operations`` lists ``(name, params)`` pairs such as
    ``("GetObject", {"Bucket": ..., "Key": ..., "Range": "bytes=0-9"})``;
    ``bytes_read`` counts the bytes read from GetObject bodies so far.
    """

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.operations: list[tuple[str, dict[str, Any]]] = []
        self.bytes_read = 0

    @property
    def connection(self) -> Any:
        # django-storages keeps one connection per thread: hook each one.
        connection = super().connection
        events = connection.meta.client.meta.events
        if not getattr(connection, "recorded", False):
            events.register("provide-client-params.s3", self._keep_params)
            events.register("before-call.s3", self._record)
            events.register("after-call.s3.GetObject", self._count_body)
            connection.recorded = True
        return connection

    def _keep_params(self, params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        context["api_params"] = dict(params)

    def _record(self, model: Any, context: dict[str, Any], **kwargs: Any) -> None:
        # before-call fires only for requests actually sent (not for presigning).
        self.operations.append((model.name, context.get("api_params", {})))

    def _count_body(self, parsed: dict[str, Any], **kwargs: Any) -> None:
        if "Body" in parsed:
            parsed["Body"] = CountingBody(parsed["Body"], self)

    def names(self) -> list[str]:
        """The operation names sent so far, in order."""
        return [name for name, _ in self.operations]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for the whole session."""
    with s3_emulator() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint: str) -> Iterator[str]:
    """A fresh, empty bucket, emptied and removed after the test."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3 = boto3.resource(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    s3.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        s3.Bucket(name).objects.all().delete()
        s3.Bucket(name).delete()
        s3.meta.client.close()


def s3_storage_options(endpoint: str, bucket: str) -> dict[str, Any]:
    """OPTIONS for a STORAGES entry, or keyword arguments for the storage class."""
    return {
        **CREDENTIALS,
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "file_overwrite": True,
        "signature_version": "s3v4",
    }


@pytest.fixture
def s3_storage(s3_endpoint: str, bucket: str) -> RecordingS3Storage:
    """A recording S3Storage on the test bucket."""
    return RecordingS3Storage(**s3_storage_options(s3_endpoint, bucket))
