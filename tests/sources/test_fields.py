"""serve_field: model lookups from the URL, FileField checks, and metadata read from the instance."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage
from django.http import Http404
from django.test import AsyncClient, Client, RequestFactory
from django.utils.http import http_date
from PIL import Image
from pytest_django import Settings

from dlshortcuts import aserve_field, serve_field
from tests.models import Document
from tests.reading import read
from tests.s3server import RecordingS3Storage, s3_storage_options

pytestmark = [pytest.mark.urls("tests.urls_storage"), pytest.mark.django_db]

DATA = b"quarterly numbers\n" * 100  # 1800 bytes
UPDATED = datetime.datetime(2024, 3, 1, 12, 30, tzinfo=datetime.timezone.utc)


class CountingStorage(InMemoryStorage):
    """An in-memory storage that records each call touching the stored files."""

    calls: list[str]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls = []

    def open(self, name: str, mode: str = "rb") -> Any:
        self.calls.append("open")
        return super().open(name, mode)

    def exists(self, name: str) -> bool:
        self.calls.append("exists")
        return super().exists(name)

    def size(self, name: str) -> int:
        self.calls.append("size")
        return super().size(name)

    def get_modified_time(self, name: str) -> datetime.datetime:
        self.calls.append("get_modified_time")
        return super().get_modified_time(name)


def store_documents_in(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give Document's file fields ``storage``.

    Overriding STORAGES is not enough on Django 4.2: a FileField resolves
    ``default_storage`` once, and that version does not reset it.
    """
    for name in ("file", "image"):
        monkeypatch.setattr(Document._meta.get_field(name), "storage", storage)


@pytest.fixture
def media(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        }
    }
    store_documents_in(FileSystemStorage(location=tmp_path), monkeypatch)
    return tmp_path


def make_document(
    slug: str = "q1-report", name: str = "q1.csv", data: bytes = DATA, **fields: Any
) -> Document:
    document = Document(slug=slug, **fields)
    document.file.save(name, ContentFile(data), save=False)
    document.save()
    return document


@pytest.fixture
def document(media: Path) -> Document:
    return make_document(title="Q1 report.pdf", size=len(DATA), updated=UPDATED)


def test_pk_from_url_serves_the_file(client: Client, document: Document) -> None:
    response = client.get(f"/docs/{document.pk}/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Length"] == "1800"
    assert response.headers["Content-Disposition"] == 'attachment; filename="q1.csv"'
    assert read(response) == DATA


def test_slug_from_url_serves_the_file_under_its_stored_name(client: Client, document: Document) -> None:
    response = client.get("/docs/q1-report/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Q1 report.pdf"'
    assert read(response) == DATA


def test_uuid_from_url_serves_the_file_with_stored_metadata(client: Client, document: Document) -> None:
    response = client.get(f"/docs/{document.uuid}/", HTTP_RANGE="bytes=0-9")

    assert response.status_code == 206
    assert response.headers["Last-Modified"] == "Fri, 01 Mar 2024 12:30:00 GMT"
    assert response.headers["Content-Range"] == "bytes 0-9/1800"
    assert read(response) == DATA[:10]


@pytest.mark.parametrize(
    "url", ["/docs/999/", "/docs/no-such-slug/", "/docs/6f1c2b1e-0000-4000-8000-000000000000/"]
)
def test_unknown_object_is_404(client: Client, document: Document, url: str) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("lookups", [{"pk": "abc"}, {"uuid": "not-a-uuid"}])
def test_malformed_lookup_value_is_404(
    rf: RequestFactory, document: Document, lookups: dict[str, Any]
) -> None:
    with pytest.raises(Http404):
        serve_field(rf.get("/"), model=Document, **lookups)


def test_empty_file_field_is_404(client: Client, media: Path) -> None:
    document = Document.objects.create(slug="empty")

    assert client.get(f"/docs/{document.pk}/").status_code == 404


def test_file_missing_from_storage_is_404(client: Client, document: Document) -> None:
    document.file.storage.delete(str(document.file.name))

    assert client.get(f"/docs/{document.pk}/").status_code == 404


def test_image_field_served_inline(client: Client, media: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    document = Document(slug="logo")
    document.image.save("logo.png", ContentFile(buffer.getvalue()), save=False)
    document.save()

    response = client.get(f"/images/{document.pk}/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"] == 'inline; filename="logo.png"'
    assert read(response) == buffer.getvalue()
    assert document.image.width == 2


def test_field_file_instance_and_image_field_file_are_accepted(
    rf: RequestFactory, document: Document
) -> None:
    document.image.save("pixel.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)

    assert read(serve_field(rf.get("/"), document.file)) == DATA
    assert read(serve_field(rf.get("/"), document.image)) == b"\x89PNG\r\n\x1a\n"
    assert read(serve_field(rf.get("/"), instance=document, field="image")) == b"\x89PNG\r\n\x1a\n"
    assert read(serve_field(rf.get("/"), instance=document)) == DATA


def test_queryset_filtered_by_owner_hides_other_users_files(
    client: Client, settings: Settings, media: Path
) -> None:
    settings.MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    alice = User.objects.create_user("alice")
    bob = User.objects.create_user("bob")
    document = make_document(owner=alice)

    assert client.get(f"/mine/{document.pk}/").status_code == 302  # to the login page
    client.force_login(bob)
    assert client.get(f"/mine/{document.pk}/").status_code == 404
    client.force_login(alice)
    response = client.get(f"/mine/{document.pk}/")
    assert response.status_code == 200
    assert read(response) == DATA


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "title",
            "serve_field(): Document.title is a CharField, not a FileField or ImageField; "
            "pass field= naming one.",
        ),
        ("fiel", "serve_field(): Document has no field 'fiel'; pass field= naming a FileField."),
    ],
)
def test_field_that_is_not_a_file_field_is_improperly_configured(
    rf: RequestFactory, document: Document, field: str, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        serve_field(rf.get("/"), model=Document, field=field, pk=document.pk)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        serve_field(rf.get("/"), instance=document, field=field)


def test_metadata_attribute_that_does_not_exist_is_improperly_configured(
    rf: RequestFactory, document: Document
) -> None:
    message = "serve_field(): Document has no attribute 'bytes' to read metadata from."
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        serve_field(rf.get("/"), document.file, size_field="bytes")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "serve_field() needs field_file, instance, model or queryset"),
        ({"model": Document}, "serve_field() with a model or queryset needs lookups"),
        (
            {"model": Document, "pk": 1, "as_attachement": False},
            "got an unexpected keyword argument 'as_attachement'. Did you mean 'as_attachment'?",
        ),
        ({"model": Document, "pk": 1, "colour": "red"}, "which are neither options nor fields of Document"),
        ({"instance": Document(), "pk": 1}, "serve_field() got an instance and lookups ['pk']"),
        ({"field_file": "a.pdf"}, "serve_field() field_file must be a FieldFile"),
    ],
)
def test_misuse_is_type_error(rf: RequestFactory, media: Path, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        serve_field(rf.get("/"), **kwargs)


def test_field_file_with_lookups_is_type_error(rf: RequestFactory, document: Document) -> None:
    with pytest.raises(TypeError, match=re.escape("serve_field() got a field_file and lookups ['slug']")):
        serve_field(rf.get("/"), document.file, slug="x")


#: The attribute of Document holding each kind of metadata, per option.
ATTRIBUTES = {
    "filename_field": "title",
    "content_type_field": "mime_type",
    "charset_field": "charset",
    "encoding_field": "encoding",
    "modified_field": "updated",
    "size_field": "size",
}


# Each django-downloadview ObjectDownloadView metadata option and ours:
# basename_field -> filename_field, mime_type_field -> content_type_field,
# charset_field -> charset_field, encoding_field -> encoding_field,
# modification_time_field -> modified_field, size_field -> size_field.
@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("filename_field", "Résumé 2024.txt", ("Content-Disposition",
         "attachment; filename=\"Resume 2024.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.txt")),
        ("content_type_field", "application/vnd.ms-excel", ("Content-Type", "application/vnd.ms-excel")),
        ("charset_field", "iso-8859-1", ("Content-Type", "text/csv; charset=iso-8859-1")),
        ("encoding_field", "gzip", ("Content-Encoding", "gzip")),
        ("modified_field", UPDATED, ("Last-Modified", "Fri, 01 Mar 2024 12:30:00 GMT")),
        ("size_field", 1800, ("Content-Length", "1800")),
    ],
)  # fmt: skip
def test_each_metadata_option_sets_its_header(
    rf: RequestFactory, media: Path, option: str, value: Any, expected: tuple[str, str]
) -> None:
    attribute = ATTRIBUTES[option]
    document = make_document(**{attribute: value})
    options: dict[str, Any] = {option: attribute}

    response = serve_field(rf.get("/"), model=Document, pk=document.pk, **options)

    header, header_value = expected
    assert response.headers[header] == header_value
    assert read(response) == DATA


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2024, 3, 1), "Fri, 01 Mar 2024 00:00:00 GMT"),
        (1_700_000_000.7, "Tue, 14 Nov 2023 22:13:20 GMT"),
    ],
)
def test_modified_field_accepts_dates_and_timestamps(
    rf: RequestFactory, document: Document, value: Any, expected: str
) -> None:
    document.published = value  # type: ignore[attr-defined]

    response = serve_field(rf.get("/"), document.file, modified_field="published")

    assert response.headers["Last-Modified"] == expected
    response.close()


@pytest.mark.parametrize(
    ("fields", "calls"),
    [
        ({"size_field": "size"}, ["open", "get_modified_time"]),
        ({"modified_field": "updated"}, ["open", "size"]),
    ],
)
def test_each_metadata_field_saves_its_own_storage_call(
    rf: RequestFactory, counting: CountingStorage, fields: dict[str, Any], calls: list[str]
) -> None:
    document = make_document(size=len(DATA), updated=UPDATED)
    counting.calls.clear()

    response = serve_field(rf.head("/"), document.file, **fields)

    assert response.headers["Content-Length"] == "1800"
    assert "Last-Modified" in response.headers
    assert counting.calls == calls


def test_empty_metadata_values_fall_back_to_the_file(rf: RequestFactory, media: Path) -> None:
    document = make_document(title="", mime_type="", charset="", encoding="")

    response = serve_field(
        rf.get("/"),
        document.file,
        filename_field="title",
        content_type_field="mime_type",
        charset_field="charset",
        encoding_field="encoding",
    )

    assert response.headers["Content-Disposition"] == 'attachment; filename="q1.csv"'
    assert response.headers["Content-Type"] == "text/csv"
    assert "Content-Encoding" not in response.headers
    response.close()


def test_explicit_options_win_over_metadata_fields(rf: RequestFactory, media: Path) -> None:
    document = make_document(title="stored.csv", charset="iso-8859-1")

    response = serve_field(
        rf.get("/"),
        document.file,
        filename_field="title",
        filename="given.csv",
        charset_field="charset",
        charset="utf-8",
    )

    assert response.headers["Content-Disposition"] == 'attachment; filename="given.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    response.close()


@pytest.fixture
def counting(db: None, monkeypatch: pytest.MonkeyPatch) -> CountingStorage:
    storage = CountingStorage()
    store_documents_in(storage, monkeypatch)
    return storage


def test_head_and_304_with_size_and_modified_fields_make_no_storage_call(
    client: Client, counting: CountingStorage
) -> None:
    document = make_document(size=len(DATA), updated=UPDATED)
    counting.calls.clear()
    url = f"/docs/{document.uuid}/"

    head = client.head(url)
    not_modified = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(UPDATED.timestamp()))
    etag = client.get(url, HTTP_IF_NONE_MATCH=head.headers["ETag"])

    assert head.status_code == 200
    assert head.headers["Content-Length"] == "1800"
    assert not_modified.status_code == 304
    assert etag.status_code == 304
    assert counting.calls == []
    response = client.get(url)
    assert read(response) == DATA
    assert counting.calls == ["open"]


def test_without_metadata_fields_the_storage_is_asked(client: Client, counting: CountingStorage) -> None:
    document = make_document()
    counting.calls.clear()

    response = client.head(f"/docs/{document.pk}/")

    assert response.status_code == 200
    assert counting.calls == ["open", "size", "get_modified_time"]


def test_file_missing_with_metadata_fields_is_404_on_get(client: Client, counting: CountingStorage) -> None:
    document = make_document(size=len(DATA), updated=UPDATED)
    counting.delete(str(document.file.name))

    assert client.get(f"/docs/{document.uuid}/").status_code == 404


@pytest.fixture
def s3_default(
    db: None, s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> RecordingS3Storage:
    storage = RecordingS3Storage(**s3_storage_options(s3_endpoint, bucket))
    store_documents_in(storage, monkeypatch)
    return storage


def test_s3_field_with_metadata_fields_answers_head_without_any_request(
    client: Client, s3_default: RecordingS3Storage
) -> None:
    document = make_document(size=len(DATA), updated=UPDATED)
    s3_default.operations.clear()

    head = client.head(f"/docs/{document.uuid}/")
    get = client.get(f"/docs/{document.uuid}/", HTTP_RANGE="bytes=5-9")

    assert head.status_code == 200
    assert get.status_code == 206
    assert read(get) == DATA[5:10]
    assert s3_default.names() == ["HeadObject", "GetObject"]
    assert dict(s3_default.operations)["GetObject"]["Range"] == "bytes=5-9"


def test_s3_field_without_metadata_fields_costs_one_head_object(
    client: Client, s3_default: RecordingS3Storage
) -> None:
    document = make_document()
    s3_default.operations.clear()

    response = client.head(f"/docs/{document.pk}/")

    assert response.headers["Content-Length"] == "1800"
    assert s3_default.names() == ["HeadObject"]


@pytest.mark.django_db(transaction=True)
async def test_async_view_serves_field(async_client: AsyncClient, document: Document) -> None:
    response: Any = await async_client.get(f"/async/docs/{document.pk}/")

    assert response.status_code == 200
    assert response.headers["Last-Modified"] == "Fri, 01 Mar 2024 12:30:00 GMT"
    assert b"".join([chunk async for chunk in response.streaming_content]) == DATA
    response.close()
    assert (await async_client.get("/async/docs/999/")).status_code == 404


@pytest.mark.django_db(transaction=True)
async def test_aserve_field_accepts_a_field_file(async_rf: Any, document: Document) -> None:
    response: Any = await aserve_field(async_rf.get("/"), document.file, filename="copy.csv")

    assert response.headers["Content-Disposition"] == 'attachment; filename="copy.csv"'
    assert b"".join([chunk async for chunk in response.streaming_content]) == DATA
    response.close()


@pytest.mark.django_db(transaction=True)
async def test_async_view_serves_s3_field_with_ranged_get(
    async_client: AsyncClient, s3_default: RecordingS3Storage
) -> None:
    document = await sync_to_async(make_document)(size=len(DATA), updated=UPDATED)
    s3_default.operations.clear()

    response: Any = await async_client.get(f"/async/docs/{document.pk}/", headers={"Range": "bytes=100-199"})

    assert response.status_code == 206
    assert b"".join([chunk async for chunk in response.streaming_content]) == DATA[100:200]
    response.close()
    assert s3_default.names() == ["HeadObject", "GetObject"]
    assert dict(s3_default.operations)["GetObject"]["Range"] == "bytes=100-199"
