"""S3 through django-storages against moto's real S3 server: ranged GETs, no buffering."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import AsyncClient, Client, RequestFactory
from pytest_django import Settings

from dlshortcuts import DownloadResponse, serve_storage
from dlshortcuts.engine.bodies import ASYNC_BLOCK_SIZE, BLOCK_SIZE
from dlshortcuts.sources.s3 import ObjectReader
from tests.reading import aread, read
from tests.s3server import RecordingS3Storage, s3_storage_options
from tests.servers import ROOT

pytestmark = pytest.mark.urls("tests.urls_storage")

DATA = os.urandom(100_000)


@pytest.fixture
def s3(settings: Settings, s3_endpoint: str, bucket: str) -> RecordingS3Storage:
    """STORAGES["s3"]: a recording S3Storage holding reports/q1.bin, with no operation recorded yet."""
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "s3": {
            "BACKEND": "tests.s3server.RecordingS3Storage",
            "OPTIONS": s3_storage_options(s3_endpoint, bucket),
        },
    }
    storage = storages["s3"]
    assert isinstance(storage, RecordingS3Storage)
    storage.save("reports/q1.bin", ContentFile(DATA))
    storage.operations.clear()
    return storage


def get_ranges(storage: RecordingS3Storage) -> list[str]:
    return [params["Range"] for name, params in storage.operations if name == "GetObject"]


def test_get_streams_object_with_one_ranged_get(client: Client, s3: RecordingS3Storage) -> None:
    response = client.get("/s3/reports/q1.bin")

    assert response.status_code == 200
    assert response.headers["Content-Length"] == "100000"
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == 'attachment; filename="q1.bin"'
    assert response.headers["ETag"] == f'"{hashlib.md5(DATA).hexdigest()}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "Last-Modified" in response.headers
    assert read(response) == DATA
    assert s3.names() == ["HeadObject", "GetObject"]
    assert get_ranges(s3) == ["bytes=0-99999"]


def test_get_is_conditional_on_the_etag_it_announced(client: Client, s3: RecordingS3Storage) -> None:
    read(client.get("/s3/reports/q1.bin"))

    params = dict(s3.operations)["GetObject"]
    assert params["IfMatch"] == f'"{hashlib.md5(DATA).hexdigest()}"'


def test_single_range_becomes_one_ranged_get(client: Client, s3: RecordingS3Storage) -> None:
    response = client.get("/s3/reports/q1.bin", HTTP_RANGE="bytes=1000-1999")

    assert response.status_code == 206
    assert response.headers["Content-Range"] == "bytes 1000-1999/100000"
    assert response.headers["Content-Length"] == "1000"
    assert read(response) == DATA[1000:2000]
    assert get_ranges(s3) == ["bytes=1000-1999"]


def test_suffix_range_becomes_one_ranged_get(client: Client, s3: RecordingS3Storage) -> None:
    response = client.get("/s3/reports/q1.bin", HTTP_RANGE="bytes=-10")

    assert response.status_code == 206
    assert read(response) == DATA[-10:]
    assert get_ranges(s3) == ["bytes=99990-99999"]


def test_multiple_ranges_make_one_ranged_get_each(client: Client, s3: RecordingS3Storage) -> None:
    response = client.get("/s3/reports/q1.bin", HTTP_RANGE="bytes=0-9,500-509")

    assert response.status_code == 206
    body = read(response)
    assert DATA[0:10] in body
    assert DATA[500:510] in body
    assert get_ranges(s3) == ["bytes=0-9", "bytes=500-509"]


def test_head_makes_no_get(client: Client, s3: RecordingS3Storage) -> None:
    response = client.head("/s3/reports/q1.bin")

    assert response.status_code == 200
    assert response.headers["Content-Length"] == "100000"
    assert read(response) == b""
    assert s3.names() == ["HeadObject"]


def test_name_without_type_is_not_sniffed_unless_asked(rf: RequestFactory, s3: RecordingS3Storage) -> None:
    s3.save("notes/README", ContentFile(b"Plain words and nothing else.\n" * 10))
    s3.operations.clear()

    head = serve_storage(rf.head("/"), "notes/README", storage=s3)
    sniffed = serve_storage(rf.head("/"), "notes/README", storage=s3, sniff=True)

    assert head.headers["Content-Type"] == "application/octet-stream"
    assert sniffed.headers["Content-Type"] == "text/plain"
    assert s3.names() == ["HeadObject", "HeadObject", "GetObject"]
    assert get_ranges(s3) == ["bytes=0-299"]  # the first 2 KiB, or less


def test_matching_etag_answers_304_without_get(client: Client, s3: RecordingS3Storage) -> None:
    etag = f'"{hashlib.md5(DATA).hexdigest()}"'

    response = client.get("/s3/reports/q1.bin", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert s3.names() == ["HeadObject"]


def test_unsatisfiable_range_answers_416_without_get(client: Client, s3: RecordingS3Storage) -> None:
    response = client.get("/s3/reports/q1.bin", HTTP_RANGE="bytes=100000-")

    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */100000"
    assert s3.names() == ["HeadObject"]


def test_missing_object_is_404(client: Client, s3: RecordingS3Storage) -> None:
    assert client.get("/s3/reports/missing.bin").status_code == 404
    assert s3.names() == ["HeadObject"]


@pytest.mark.parametrize("name", ["../q1.bin", "/reports/q1.bin", "reports/../../x", ""])
def test_suspicious_names_are_404_without_any_request(
    rf: RequestFactory, s3: RecordingS3Storage, name: str
) -> None:
    with pytest.raises(Http404):
        serve_storage(rf.get("/"), name, storage=s3)
    assert s3.operations == []


def test_redirect_presigns_url_carrying_disposition_and_type(client: Client, s3: RecordingS3Storage) -> None:
    # Uploaded as octet-stream: the signed URL's override is what makes S3 say text/csv.
    upload = SimpleUploadedFile("q1.csv", b"month,total\njan,12\n", content_type="application/octet-stream")
    s3.save("reports/q1.csv", upload)
    s3.operations.clear()

    response = client.get("/s3-redirect/reports/q1.csv")

    assert response.status_code == 302
    location = response.headers["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["response-content-disposition"] == ['attachment; filename="q1.csv"']
    assert query["response-content-type"] == ["text/csv"]
    assert "X-Amz-Signature" in query
    assert s3.operations == []
    # The object store itself honours the signed overrides.
    with urllib.request.urlopen(location, timeout=10) as upstream:
        assert upstream.headers["Content-Disposition"] == 'attachment; filename="q1.csv"'
        assert upstream.headers["Content-Type"] == "text/csv"
        assert upstream.read() == b"month,total\njan,12\n"


def test_redirect_carries_non_ascii_download_name(rf: RequestFactory, s3: RecordingS3Storage) -> None:
    response = serve_storage(rf.get("/"), "reports/q1.bin", storage=s3, redirect=True, filename="Résumé.pdf")

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response.headers["Location"]).query)
    assert query["response-content-disposition"] == [
        "attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"
    ]
    assert query["response-content-type"] == ["application/pdf"]


def test_first_block_is_sent_before_the_object_is_fetched(rf: RequestFactory, s3: RecordingS3Storage) -> None:
    size = 8 * 1024 * 1024
    s3.save("big.bin", ContentFile(b"x" * size))
    s3.operations.clear()
    response = serve_storage(rf.get("/"), "big.bin", storage=s3)
    assert isinstance(response, DownloadResponse)
    chunks: Iterator[bytes] = response.streaming_content

    first = next(chunks)

    assert len(first) == BLOCK_SIZE
    assert s3.bytes_read == BLOCK_SIZE
    assert get_ranges(s3) == [f"bytes=0-{size - 1}"]
    response.close()
    assert s3.bytes_read == BLOCK_SIZE


async def test_async_first_block_is_sent_before_the_object_is_fetched(
    async_client: AsyncClient, s3: RecordingS3Storage
) -> None:
    size = 4 * 1024 * 1024
    s3.save("big.bin", ContentFile(b"y" * size))
    s3.operations.clear()
    response: Any = await async_client.get("/s3/big.bin")
    chunks = aiter(response.streaming_content)

    first = await anext(chunks)

    assert len(first) == ASYNC_BLOCK_SIZE
    assert s3.bytes_read == ASYNC_BLOCK_SIZE
    response.close()


async def test_async_range_streams_from_s3(async_client: AsyncClient, s3: RecordingS3Storage) -> None:
    response = await async_client.get("/s3/reports/q1.bin", headers={"Range": "bytes=10-19"})

    assert response.status_code == 206
    assert await aread(response) == DATA[10:20]
    assert get_ranges(s3) == ["bytes=10-19"]


def test_object_replaced_mid_download_fails_instead_of_mixing_versions(
    rf: RequestFactory, s3: RecordingS3Storage
) -> None:
    response = serve_storage(rf.get("/"), "reports/q1.bin", storage=s3)
    assert isinstance(response, DownloadResponse)
    s3.save("reports/q1.bin", ContentFile(b"new version"))

    chunks: Iterator[bytes] = response.streaming_content
    with pytest.raises(ClientError, match="PreconditionFailed"):
        next(chunks)
    response.close()


def test_reader_reads_seeks_and_fetches_unannounced_reads_exactly(s3: RecordingS3Storage) -> None:
    with s3.open("reports/q1.bin") as file:
        reader = ObjectReader(file.obj)
    s3.operations.clear()

    assert reader.seekable()
    assert reader.readable()
    assert reader.read(5) == DATA[:5]
    assert reader.seek(-3, os.SEEK_END) == 99_997
    assert reader.read() == DATA[-3:]
    assert reader.read(1) == b""
    assert reader.seek(10) == 10
    assert reader.seek(5, os.SEEK_CUR) == 15
    assert reader.tell() == 15
    reader.will_read(15, 40)
    assert reader.read(10) + reader.read(15) == DATA[15:40]
    assert get_ranges(s3) == ["bytes=0-4", "bytes=99997-99999", "bytes=15-39"]
    with pytest.raises(ValueError, match="negative seek position -1"):
        reader.seek(-1)
    reader.close()
    assert reader.closed


def test_reader_stops_at_the_end_of_a_short_body(s3: RecordingS3Storage) -> None:
    with s3.open("reports/q1.bin") as file:
        reader = ObjectReader(file.obj)
    reader.etag = None  # no If-Match: S3 answers with what the object now holds
    s3.save("reports/q1.bin", ContentFile(b"short"))

    assert reader.read(100) == b"short"
    reader.close()


def test_redirect_without_a_type_lets_s3_send_the_stored_one(
    rf: RequestFactory, s3: RecordingS3Storage
) -> None:
    response = serve_storage(rf.get("/"), "reports/README", storage=s3, redirect=True)

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response.headers["Location"]).query)
    assert query["response-content-disposition"] == ['attachment; filename="README"']
    assert "response-content-type" not in query


@pytest.mark.timeout(360)  # 200 MiB through moto; the probe subprocess alone is given 300 s
def test_peak_memory_and_temp_disk_stay_flat_for_200_mib(
    s3_endpoint: str, s3: RecordingS3Storage, bucket: str, tmp_path: Path
) -> None:
    size = 200 * 1024 * 1024
    source = tmp_path / "big.bin"
    digest = hashlib.blake2b()
    with source.open("wb") as out:
        for index in range(size // (1024 * 1024)):
            block = index.to_bytes(4, "big") * (256 * 1024)
            digest.update(block)
            out.write(block)
    s3.connection.meta.client.upload_file(str(source), bucket, "huge.bin")
    source.unlink()
    temp = tmp_path / "temp"
    temp.mkdir()

    probe = subprocess.run(
        [sys.executable, "-m", "tests.s3_stream_probe", s3_endpoint, bucket, "huge.bin"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)},
        capture_output=True,
        timeout=300,
        check=False,
    )

    assert probe.returncode == 0, probe.stderr.decode(errors="replace")
    result = json.loads(probe.stdout)
    assert result["size"] == size
    assert result["digest"] == digest.hexdigest()
    assert result["get_ranges"] == [f"bytes=0-{size - 1}"]
    assert result["temp_files_midway"] == []
    # Flat: a few blocks and botocore's buffers, nowhere near the 200 MiB served.
    assert result["peak_traced_bytes"] < 4 * 1024 * 1024
