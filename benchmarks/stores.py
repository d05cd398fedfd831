"""The object stores of the ``storage`` suite: each on loopback, holding the objects served.

- S3: moto's server, in this process's threads (as the tests run it);
- Google Cloud Storage: gcp-storage-emulator, objects in its memory (it reads a
  whole object for every GET, ranged or not: both ways pay that);
- Azure Blob Storage: Azurite, objects in its location.

The emulators are started by :mod:`servers.cloud` (moto in threads, the
others in their own process group; free 127.0.0.1 port, waited for with a
timeout, stopped by pid). :func:`running` uploads the large object and a
small one (the warm-up each way serves before it is measured);
:func:`open_storage` builds, in a probe process, the django-storages
storage reading them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

__all__ = ["BUCKET", "KEY", "STORES", "WARM", "Store", "environment", "open_storage", "running"]

Store = Literal["s3", "gcs", "azure"]
STORES: tuple[Store, ...] = ("s3", "gcs", "azure")
BUCKET = "bench"
KEY = "big.bin"
#: A small object each way serves once before it is measured (imports, connections).
WARM = "warm.bin"
_S3_CREDENTIALS = {"access_key": "bench", "secret_key": "bench", "region_name": "us-east-1"}
_GCS_PROJECT = "dlshortcuts-bench"


def environment(store: Store, endpoint: str) -> dict[str, str]:
    """What a probe process needs in its environment to reach ``endpoint``."""
    # google-cloud-storage reads its emulator's address from the environment only.
    return {"STORAGE_EMULATOR_HOST": endpoint} if store == "gcs" else {}


def open_storage(store: Store, endpoint: str) -> Any:
    """django-storages' storage of ``store`` on ``endpoint``, with the backend's defaults otherwise."""
    if store == "s3":
        from storages.backends.s3 import S3Storage

        return S3Storage(**_S3_CREDENTIALS, endpoint_url=endpoint, bucket_name=BUCKET)
    if store == "gcs":
        from google.auth.credentials import AnonymousCredentials
        from storages.backends.gcloud import GoogleCloudStorage

        credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
        return GoogleCloudStorage(bucket_name=BUCKET, project_id=_GCS_PROJECT, credentials=credentials)
    from storages.backends.azure_storage import AzureStorage

    from servers.cloud import azurite_connection_string

    return AzureStorage(connection_string=azurite_connection_string(endpoint), azure_container=BUCKET)


@contextmanager
def running(store: Store, directory: Path, source: Path) -> Iterator[str]:
    """``store`` on loopback holding :data:`KEY` (``source``'s bytes) and :data:`WARM`; yields its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    if store == "s3":
        with _moto(source) as endpoint:
            yield endpoint
    elif store == "gcs":
        with _gcs(directory, source) as endpoint:
            yield endpoint
    else:
        with _azurite(directory, source) as endpoint:
            yield endpoint


@contextmanager
def _moto(source: Path) -> Iterator[str]:
    import boto3

    from servers.cloud import s3_emulator

    with s3_emulator() as endpoint:
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=_S3_CREDENTIALS["access_key"],
            aws_secret_access_key=_S3_CREDENTIALS["secret_key"],
            region_name=_S3_CREDENTIALS["region_name"],
        )
        s3.create_bucket(Bucket=BUCKET)
        with source.open("rb") as file:
            s3.upload_fileobj(file, BUCKET, KEY)
        s3.put_object(Bucket=BUCKET, Key=WARM, Body=os.urandom(4096))
        yield endpoint


@contextmanager
def _gcs(directory: Path, source: Path) -> Iterator[str]:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud.storage import Client  # type: ignore[import-untyped]

    from servers.cloud import start_gcs_emulator

    with start_gcs_emulator(directory) as server:
        client = Client(
            project=_GCS_PROJECT,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": server.url},
        )
        bucket = client.create_bucket(BUCKET)
        bucket.blob(KEY).upload_from_filename(str(source), timeout=300)
        bucket.blob(WARM).upload_from_string(os.urandom(4096))
        yield server.url


@contextmanager
def _azurite(directory: Path, source: Path) -> Iterator[str]:
    from azure.storage.blob import BlobServiceClient

    from servers.cloud import azurite_account_url, azurite_connection_string, start_azurite

    with start_azurite(directory, debug_log=False) as server:
        endpoint = azurite_account_url(server)
        with BlobServiceClient.from_connection_string(azurite_connection_string(endpoint)) as service:
            container = service.create_container(BUCKET)
            with source.open("rb") as file:
                container.upload_blob(KEY, file, length=source.stat().st_size, timeout=300)
            container.upload_blob(WARM, os.urandom(4096))
        yield endpoint
