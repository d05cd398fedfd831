"""Members in Django storages: on disk, in memory, and in S3 (moto) read with ranged GETs."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.test import RequestFactory

from dlshortcuts import serve_archive
from tests.models import Document
from tests.reading import read
from tests.s3server import RecordingS3Storage

DATA = {"docs/q1.pdf": os.urandom(300_000), "docs/q2.pdf": os.urandom(200_000)}


def _field_file(storage: Storage, name: str) -> FieldFile:
    field_file: FieldFile = Document(file=name).file
    field_file.storage = storage
    return field_file


def _saved(storage: Storage) -> list[tuple[str, FieldFile]]:
    for name, data in DATA.items():
        storage.save(name, ContentFile(data))
    return [(name.removeprefix("docs/"), _field_file(storage, name)) for name in DATA]


def _check(body: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert {name: archive.read(name) for name in archive.namelist()} == {
        name.removeprefix("docs/"): data for name, data in DATA.items()
    }


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_field_files_of_local_and_memory_storages(rf: RequestFactory, tmp_path: Path, kind: str) -> None:
    storage = InMemoryStorage() if kind == "memory" else FileSystemStorage(location=tmp_path)
    response = serve_archive(rf.get("/"), _saved(storage), filename="reports.zip")
    body = read(response)
    assert response["Content-Length"] == str(len(body))
    assert response["Accept-Ranges"] == "bytes"
    _check(body)


def test_a_field_file_missing_from_its_storage_answers_404(rf: RequestFactory) -> None:
    members = [("gone.pdf", _field_file(InMemoryStorage(), "docs/gone.pdf"))]
    with pytest.raises(Http404):
        serve_archive(rf.get("/"), members, filename="reports.zip")
    with pytest.raises(Http404):  # an empty FileField
        serve_archive(rf.get("/"), [("empty.pdf", _field_file(InMemoryStorage(), ""))], filename="r.zip")


def test_s3_members_are_read_with_ranged_gets_only_for_the_bytes_sent(
    rf: RequestFactory, s3_storage: RecordingS3Storage
) -> None:
    storage = s3_storage
    members = _saved(storage)
    full = read(serve_archive(rf.get("/"), members, filename="reports.zip"))
    _check(full)
    storage.operations.clear()
    head = serve_archive(rf.head("/"), members, filename="reports.zip")
    assert head["Content-Length"] == str(len(full))
    assert sorted({name for name, _ in storage.operations}) == ["HeadObject"]
    storage.operations.clear()
    start = full.index(b"q2.pdf") + 6 + 9 + 100  # inside q2.pdf's data
    resumed = serve_archive(rf.get("/", HTTP_RANGE=f"bytes={start}-"), members, filename="reports.zip")
    assert read(resumed) == full[start:]
    gets = [params for name, params in storage.operations if name == "GetObject"]
    # Only q2.pdf, in one ranged GET: q1.pdf's CRC was kept from the first download.
    assert [(get["Key"], get["Range"]) for get in gets] == [("docs/q2.pdf", "bytes=100-199999")]
