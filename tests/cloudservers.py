"""Real Google Cloud Storage and Azure endpoints for tests: gcp-storage-emulator and Azurite on loopback.

Each emulator runs as our own process (servers.start_server: its own process
group on a free 127.0.0.1 port, waited for with a timeout, stopped by pid)
with a private directory, for the whole session; each test gets a fresh
bucket or container. gcp-storage-emulator comes from the test extra (PyPI),
Azurite from npm, installed into the checkout's node_modules/ by make test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.credentials import AnonymousCredentials, Signing
from google.auth.crypt import RSASigner
from storages.backends.gcloud import GoogleCloudStorage

from servers.cloud import (
    AZURE_ACCOUNT,
    AZURE_KEY,
    azurite_account_url,
    azurite_connection_string,
    start_azurite,
    start_gcs_emulator,
)


class SigningAnonymousCredentials(AnonymousCredentials, Signing):
    """No credentials for requests (the emulator wants none, and no token is
    fetched from Google), but a key of our own to sign URLs with (v4)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._signer: RSASigner = RSASigner.from_string(pem)  # type: ignore[no-untyped-call]

    def sign_bytes(self, message: bytes) -> bytes:
        signature: bytes = self._signer.sign(message)
        return signature

    @property
    def signer_email(self) -> str:
        return "tests@dlshortcuts.iam.gserviceaccount.com"

    @property
    def signer(self) -> RSASigner:
        return self._signer


@pytest.fixture(scope="session")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gcp-storage-emulator on a free loopback port, in memory, for the whole session."""
    with start_gcs_emulator(tmp_path_factory.mktemp("gcs-emulator")) as server:
        yield server.url


@pytest.fixture(scope="session")
def azurite_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Azurite's blob service on a free loopback port, its data in a private directory.

    Its account URL (``http://127.0.0.1:PORT/devstoreaccount1``) is returned.
    """
    with start_azurite(tmp_path_factory.mktemp("azurite")) as server:
        yield azurite_account_url(server)


def gcs_storage_options(bucket: str) -> dict[str, Any]:
    """OPTIONS for a GoogleCloudStorage on the emulator (``STORAGE_EMULATOR_HOST`` set)."""
    return {
        "bucket_name": bucket,
        "project_id": "dlshortcuts-tests",
        "credentials": SigningAnonymousCredentials(),
        "file_overwrite": True,
    }


def azure_storage_options(endpoint: str, container: str) -> dict[str, Any]:
    """OPTIONS for an AzureStorage on Azurite whose URLs are signed (SAS, one hour)."""
    return {
        "connection_string": azurite_connection_string(endpoint),
        "account_name": AZURE_ACCOUNT,
        "account_key": AZURE_KEY,
        "azure_container": container,
        "expiration_secs": 3600,
        "overwrite_files": True,
    }


@pytest.fixture
def gcs_bucket(gcs_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket on the emulator; the google client pointed at it for the test."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_endpoint)
    name = f"test-{uuid.uuid4().hex[:12]}"
    GoogleCloudStorage(**gcs_storage_options(name)).client.create_bucket(name)
    return name


@pytest.fixture
def azure_container(azurite_endpoint: str) -> Iterator[str]:
    """A fresh container on Azurite, deleted after the test."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    options = azure_storage_options(azurite_endpoint, name)
    with BlobServiceClient.from_connection_string(options["connection_string"]) as service:
        service.create_container(name)
        try:
            yield name
        finally:
            service.delete_container(name)
