"""Google Cloud Storage and Azure through django-storages, against their real emulators.

gcp-storage-emulator and Azurite (tests.cloudservers): ranged streaming
(:mod:`dlshortcuts.sources.gcs`, :mod:`dlshortcuts.sources.azure`), the
object's properties as metadata, version pinning, signed redirects, and
serve_field on a FileField kept in either store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from azure.storage.blob import ContentSettings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.http import Http404
from django.test import AsyncClient, Client, RequestFactory
from pytest_django import Settings
from storages.backends.azure_storage import AzureStorage
from storages.backends.gcloud import GoogleCloudStorage

from dlshortcuts import DownloadResponse, serve_field, serve_storage
from dlshortcuts.engine.bodies import BLOCK_SIZE
from dlshortcuts.sources import azure, gcs
from dlshortcuts.sources.ranged import Body, ObjectChanged, RangedReader
from tests.cloudservers import azure_storage_options, gcs_storage_options
from tests.models import Document
from tests.reading import aread, read
from tests.servers import ROOT

pytestmark = [pytest.mark.servers, pytest.mark.urls("tests.urls_cloud")]

DATA = os.urandom(100_000)
STORES = ("gcs", "azure")


@dataclass
class Recorder:
    """The ranged GETs a reader sent, as ``(start, stop)``, and the bytes read from their bodies."""

    ranges: list[tuple[int, int]] = field(default_factory=list)
    bytes_read: int = 0


class CountingBody:
    def __init__(self, body: Body, recorder: Recorder) -> None:
        self._body = body
        self._recorder = recorder

    def read(self, size: int, /) -> bytes:
        data = self._body.read(size)
        self._recorder.bytes_read += len(data)
        return data

    def close(self) -> None:
        self._body.close()


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Every ranged GET of both readers, recorded."""
    found = Recorder()
    for reader in (gcs.BlobReader, azure.BlobReader):

        def get_range(self: RangedReader, start: int, stop: int, _original: Any = reader.get_range) -> Body:
            found.ranges.append((start, stop))
            return CountingBody(_original(self, start, stop), found)

        monkeypatch.setattr(reader, "get_range", get_range)
    return found


@pytest.fixture(params=STORES)
def cloud(request: pytest.FixtureRequest, settings: Settings) -> Storage:
    """STORAGES["cloud"] (and "default") on one emulator, holding reports/q1.bin."""
    if request.param == "gcs":
        backend, options = (
            "storages.backends.gcloud.GoogleCloudStorage",
            gcs_storage_options(request.getfixturevalue("gcs_bucket")),
        )
    else:
        endpoint = request.getfixturevalue("azurite_endpoint")
        backend = "storages.backends.azure_storage.AzureStorage"
        options = azure_storage_options(endpoint, request.getfixturevalue("azure_container"))
    entry = {"BACKEND": backend, "OPTIONS": options}
    settings.STORAGES = {"default": entry, "cloud": entry}
    storage = storages["cloud"]
    storage.save("reports/q1.bin", ContentFile(DATA))
    return storage


def etag_of(storage: Storage, name: str) -> str:
    if isinstance(storage, GoogleCloudStorage):
        return f'"{storage.bucket.get_blob(name).generation}"'
    assert isinstance(storage, AzureStorage)
    etag: str = storage.client.get_blob_client(name).get_blob_properties().etag
    return etag


def test_get_streams_the_object_with_one_ranged_get(
    rf: RequestFactory, cloud: Storage, recorder: Recorder
) -> None:
    response = serve_storage(rf.get("/"), "reports/q1.bin", storage=cloud)

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["ETag"] == etag_of(cloud, "reports/q1.bin")
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert read(response) == DATA
    assert recorder.ranges == [(0, len(DATA))]


def test_first_block_is_sent_before_the_object_is_fetched(
    rf: RequestFactory, cloud: Storage, recorder: Recorder
) -> None:
    size = 4 * 1024 * 1024
    cloud.save("big.bin", ContentFile(b"x" * size))
    response = serve_storage(rf.get("/"), "big.bin", storage=cloud)
    assert isinstance(response, DownloadResponse)
    assert recorder.ranges == []
    chunks = iter(cast(Iterable[bytes], response.streaming_content))

    first = next(chunks)

    assert len(first) == BLOCK_SIZE
    assert recorder.ranges == [(0, size)]
    assert recorder.bytes_read == BLOCK_SIZE
    response.close()
    assert recorder.bytes_read == BLOCK_SIZE


def test_single_range_is_one_ranged_get(client: Client, cloud: Storage, recorder: Recorder) -> None:
    response = client.get("/cloud/reports/q1.bin", headers={"Range": "bytes=1000-1999"})

    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(DATA)}"
    assert response.headers["Content-Length"] == "1000"
    assert read(response) == DATA[1000:2000]
    assert recorder.ranges == [(1000, 2000)]


def test_multiple_ranges_make_one_ranged_get_each(client: Client, cloud: Storage, recorder: Recorder) -> None:
    response = client.get("/cloud/reports/q1.bin", headers={"Range": "bytes=0-9,-5"})

    assert response.status_code == 206
    body = read(response)
    boundary = response.headers["Content-Type"].split("boundary=")[1]
    size = len(DATA)
    parts = [(f"0-9/{size}", DATA[:10]), (f"{size - 5}-{size - 1}/{size}", DATA[-5:])]
    expected = b"".join(
        f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Range: bytes {where}\r\n\r\n".encode()
        + data
        + b"\r\n"
        for where, data in parts
    )
    assert body == expected + f"--{boundary}--\r\n".encode()
    assert recorder.ranges == [(0, 10), (len(DATA) - 5, len(DATA))]


def test_head_304_and_416_make_no_get(client: Client, cloud: Storage, recorder: Recorder) -> None:
    etag = etag_of(cloud, "reports/q1.bin")

    head = client.head("/cloud/reports/q1.bin")
    cached = client.get("/cloud/reports/q1.bin", headers={"If-None-Match": etag})
    unsatisfiable = client.get("/cloud/reports/q1.bin", headers={"Range": f"bytes={len(DATA)}-"})

    assert (head.status_code, head.headers["Content-Length"], read(head)) == (200, str(len(DATA)), b"")
    assert (cached.status_code, cached.headers["ETag"], read(cached)) == (304, etag, b"")
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["Content-Range"] == f"bytes */{len(DATA)}"
    read(unsatisfiable)
    assert recorder.ranges == []


def test_if_range_with_a_stale_validator_serves_the_whole_object(
    client: Client, cloud: Storage, recorder: Recorder
) -> None:
    response = client.get("/cloud/reports/q1.bin", headers={"Range": "bytes=0-9", "If-Range": '"stale"'})

    assert response.status_code == 200
    assert read(response) == DATA
    assert recorder.ranges == [(0, len(DATA))]


def test_stored_type_is_the_content_type(rf: RequestFactory, cloud: Storage) -> None:
    # A name that tells no type: the type given at upload is the one served.
    file = ContentFile(b"a,b\n1,2\n")
    file.content_type = "text/csv"  # type: ignore[attr-defined]
    if isinstance(cloud, GoogleCloudStorage):
        blob = cloud.bucket.blob("exports/latest")
        blob.upload_from_string(file.read(), content_type="text/csv")
    else:
        assert isinstance(cloud, AzureStorage)
        cloud.client.upload_blob("exports/latest", file.read(), content_settings=ContentSettings("text/csv"))

    response = serve_storage(rf.get("/"), "exports/latest", storage=cloud)

    assert response.headers["Content-Type"] == "text/csv"
    assert read(response) == b"a,b\n1,2\n"


@pytest.mark.parametrize("name", ["reports/missing.bin", "../reports/q1.bin"])
def test_missing_or_suspicious_object_is_404(rf: RequestFactory, cloud: Storage, name: str) -> None:
    with pytest.raises(Http404):
        serve_storage(rf.get("/"), name, storage=cloud)


def test_object_replaced_mid_download_fails_instead_of_mixing_versions(
    client: Client, cloud: Storage
) -> None:
    response: Any = client.get("/cloud/reports/q1.bin", headers={"Range": "bytes=0-9,-5"})
    chunks = iter(cast(Iterable[bytes], response.streaming_content))
    head = next(chunks) + next(chunks)  # the first part's header and bytes
    # gcp-storage-emulator ignores ifGenerationMatch: another length tells it
    # apart there (real GCS answers 412; Azurite honours If-Match whatever the length).
    cloud.save("reports/q1.bin", ContentFile(b"new version" * 10))

    with pytest.raises(ObjectChanged):
        head += b"".join(chunks)
    response.close()
    assert b"new version" not in head


async def test_async_range_streams_from_the_store(
    async_client: AsyncClient, cloud: Storage, recorder: Recorder
) -> None:
    response = await async_client.get("/cloud/reports/q1.bin", headers={"Range": "bytes=10-19"})

    assert response.status_code == 206
    assert await aread(response) == DATA[10:20]
    assert recorder.ranges == [(10, 20)]


def test_redirect_follows_to_the_store_with_a_non_ascii_download_name(
    rf: RequestFactory, cloud: Storage
) -> None:
    response = serve_storage(
        rf.get("/"), "reports/q1.bin", storage=cloud, redirect=True, filename="Bericht März.pdf"
    )

    assert response.status_code == 302
    location = response.headers["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    disposition = "attachment; filename=\"Bericht Marz.pdf\"; filename*=UTF-8''Bericht%20M%C3%A4rz.pdf"
    if isinstance(cloud, GoogleCloudStorage):
        assert query["response-content-disposition"] == [disposition]
        assert query["response-content-type"] == ["application/pdf"]
        assert "X-Goog-Signature" in query
    else:
        assert (query["rscd"], query["rsct"], query["sp"]) == ([disposition], ["application/pdf"], ["r"])
        assert "sig" in query
    with urllib.request.urlopen(location, timeout=30) as answer:
        assert answer.read() == DATA
        assert answer.headers["Content-Disposition"] == disposition
        if isinstance(cloud, AzureStorage):
            # gcp-storage-emulator applies response-content-disposition only.
            assert answer.headers["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_field_file_in_the_store_streams_with_ranges(
    client: Client, cloud: Storage, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("file", "image"):
        monkeypatch.setattr(Document._meta.get_field(name), "storage", cloud)
    document = Document(slug="q1")
    document.file.save("q1.bin", ContentFile(DATA), save=False)
    document.save()

    whole = client.get(f"/docs/{document.pk}/")
    part = client.get(f"/docs/{document.pk}/", headers={"Range": "bytes=5-9"})

    assert (whole.status_code, whole.headers["ETag"], read(whole)) == (
        200,
        etag_of(cloud, str(document.file.name)),
        DATA,
    )
    assert (part.status_code, read(part)) == (206, DATA[5:10])
    assert recorder.ranges == [(0, len(DATA)), (5, 10)]


@pytest.mark.django_db
def test_field_with_stored_size_and_time_answers_head_without_the_store(
    rf: RequestFactory, cloud: Storage, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", cloud)
    document = Document(slug="q1", size=len(DATA), updated=None)
    document.file.save("q1.bin", ContentFile(DATA), save=False)
    document.updated = cloud.get_modified_time(str(document.file.name))
    document.save()

    head = serve_field(rf.head("/"), document.file, size_field="size", modified_field="updated")
    part = serve_field(
        rf.get("/", HTTP_RANGE="bytes=0-3"), document.file, size_field="size", modified_field="updated"
    )

    assert (head.status_code, head.headers["Content-Length"], read(head)) == (200, str(len(DATA)), b"")
    assert (part.status_code, read(part)) == (206, DATA[:4])
    assert recorder.ranges == [(0, 4)]


# The SDKs stay optional: dlshortcuts imports, and manage.py check runs, without them.
SCRIPT = """
import sys

class NoCloudSDK:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"google", "azure", "boto3", "botocore", "storages"}:
            raise ImportError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, NoCloudSDK())
import dlshortcuts
import dlshortcuts.sources.cloud
import django
django.setup()
from django.core.management import call_command
call_command("check")
from django.core.exceptions import ImproperlyConfigured
from dlshortcuts.sources.azure import open_blob
try:
    open_blob(object(), "x")
except ImproperlyConfigured as exc:
    print(exc)
"""


def test_import_and_check_without_the_cloud_sdks() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "Serving from Azure Blob Storage needs azure-storage-blob: pip install dlshortcuts[azure]"
    )
