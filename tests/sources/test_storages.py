"""serve_storage on local and in-memory storages, through the test client and directly."""

from __future__ import annotations

import datetime
import io
import os
import re
import urllib.parse
from pathlib import Path
from typing import IO, Any, cast

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import DisallowedRedirect, ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage, default_storage, storages
from django.http import Http404
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, RequestFactory
from google.oauth2 import service_account
from pytest_django import Settings
from storages.backends.azure_storage import AzureStorage
from storages.backends.gcloud import GoogleCloudStorage
from storages.backends.s3 import S3Storage

from dlshortcuts import DownloadResponse, aserve_storage, serve_storage
from dlshortcuts.engine.bodies import FileSlice
from dlshortcuts.sources.cloud import signing_keys
from dlshortcuts.sources.storages import get_storage
from tests.reading import read

pytestmark = pytest.mark.urls("tests.urls_storage")

DATA = (b"month,region,total\n" + b"2024-01,north,1234567890\n" * 410)[:10240]
MTIME = 1_700_000_000


def filesystem(location: Path) -> dict[str, Any]:
    return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}}


@pytest.fixture
def private_root(settings: Settings, tmp_path: Path) -> Path:
    """STORAGES with a "private" FileSystemStorage holding reports/q1.csv (and default elsewhere)."""
    root = tmp_path / "private"
    (root / "reports").mkdir(parents=True)
    (root / "reports" / "q1.csv").write_bytes(DATA)
    os.utime(root / "reports" / "q1.csv", (MTIME, MTIME))
    settings.STORAGES = {"default": filesystem(tmp_path / "default"), "private": filesystem(root)}
    return root


def test_local_storage_get_serves_file_with_validators(client: Client, private_root: Path) -> None:
    response = client.get("/media/reports/q1.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Length"] == "10240"
    assert response.headers["Content-Disposition"] == 'attachment; filename="q1.csv"'
    assert response.headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert read(response) == DATA


def test_local_storage_range_serves_slice(client: Client, private_root: Path) -> None:
    response = client.get("/media/reports/q1.csv", HTTP_RANGE="bytes=100-199")

    assert response.status_code == 206
    assert response.headers["Content-Range"] == "bytes 100-199/10240"
    assert response.headers["Content-Length"] == "100"
    assert read(response) == DATA[100:200]


def test_local_storage_head_sends_headers_only(client: Client, private_root: Path) -> None:
    response = client.head("/media/reports/q1.csv")

    assert response.status_code == 200
    assert response.headers["Content-Length"] == "10240"
    assert read(response) == b""


def test_local_storage_matching_etag_answers_304(client: Client, private_root: Path) -> None:
    etag = client.head("/media/reports/q1.csv").headers["ETag"]

    response = client.get("/media/reports/q1.csv", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.headers["ETag"] == etag


def test_local_storage_keeps_sendfile_under_wsgi(rf: RequestFactory, private_root: Path) -> None:
    # Larger than a body read at once: the descriptor goes to wsgi.file_wrapper.
    (private_root / "reports" / "year.csv").write_bytes(DATA * 7)
    response = serve_storage(rf.get("/"), "reports/year.csv", storage="private")

    assert isinstance(response, DownloadResponse)
    assert isinstance(response.file_to_stream, FileSlice)
    assert response.download.path == str(private_root / "reports" / "year.csv")
    assert response.download.name == "reports/year.csv"
    assert response.download.storage is storages["private"]
    response.close()


@pytest.mark.parametrize(
    "url",
    [
        "/media/reports/missing.bin",
        "/media/reports/",
        "/media/../default/secret.txt",
        "/media/reports/../../default/secret.txt",
        "/media/%2Fetc/passwd",
        "/media/reports/..%5C..%5Cdefault%5Csecret.txt",
    ],
)
def test_local_storage_missing_or_escaping_names_are_404(
    client: Client, private_root: Path, url: str
) -> None:
    (private_root.parent / "default").mkdir()
    (private_root.parent / "default" / "secret.txt").write_text("secret")

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["", "/etc/passwd", "a/../../etc/passwd", "reports/q1.csv\x00.txt", ".."])
def test_suspicious_names_raise_404_before_any_storage_call(
    rf: RequestFactory, private_root: Path, name: str
) -> None:
    with pytest.raises(Http404):
        serve_storage(rf.get("/"), name, storage="private")


def test_name_that_is_not_a_string_is_type_error(rf: RequestFactory, private_root: Path) -> None:
    message = "a storage name must be a str relative to the storage, not PosixPath('reports/q1.csv')"
    with pytest.raises(TypeError, match=re.escape(message)):
        serve_storage(rf.get("/"), Path("reports/q1.csv"), storage="private")  # type: ignore[arg-type]


def test_symlink_escaping_local_storage_is_404(client: Client, private_root: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("outside")
    (private_root / "link.txt").symlink_to(tmp_path / "outside.txt")

    assert client.get("/media/link.txt").status_code == 404


def test_storage_instance_and_default_storage_are_accepted(rf: RequestFactory, tmp_path: Path) -> None:
    storage = FileSystemStorage(location=tmp_path)
    storage.save("x.txt", ContentFile(b"hello"))

    assert read(serve_storage(rf.get("/"), "x.txt", storage=storage)) == b"hello"
    assert get_storage(None) is default_storage


def test_unknown_alias_is_improperly_configured(rf: RequestFactory, private_root: Path) -> None:
    message = "storage='privat' is not an alias in settings.STORAGES"
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        serve_storage(rf.get("/"), "reports/q1.csv", storage="privat")


def test_storage_of_wrong_type_is_type_error(rf: RequestFactory) -> None:
    with pytest.raises(
        TypeError, match="storage must be a Storage instance or an alias from STORAGES, not 42"
    ):
        serve_storage(rf.get("/"), "x", storage=42)  # type: ignore[arg-type]


def test_unknown_option_is_type_error(rf: RequestFactory, private_root: Path) -> None:
    with pytest.raises(
        TypeError, match="serve_storage\\(\\) got an unexpected keyword argument 'as_attachement'"
    ):
        serve_storage(rf.get("/"), "reports/q1.csv", storage="private", as_attachement=False)  # type: ignore[call-arg]


def test_options_apply_to_storage_files(client: Client, private_root: Path) -> None:
    response = serve_storage(
        RequestFactory().get("/"),
        "reports/q1.csv",
        storage="private",
        filename="Q1 report.pdf",
        as_attachment=False,
        max_age=60,
    )

    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="Q1 report.pdf"'
    assert response.headers["Cache-Control"] == "private, max-age=60"
    response.close()


def test_redirect_answers_302_to_storage_url(rf: RequestFactory, tmp_path: Path) -> None:
    storage = FileSystemStorage(location=tmp_path, base_url="/protected/")

    response = serve_storage(rf.get("/"), "reports/q 1.bin", storage=storage, redirect=True)

    assert response.status_code == 302
    assert response.headers["Location"] == "/protected/reports/q%201.bin"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_redirect_refuses_suspicious_names(rf: RequestFactory, tmp_path: Path) -> None:
    with pytest.raises(Http404):
        serve_storage(rf.get("/"), "../x", storage=FileSystemStorage(location=tmp_path), redirect=True)


def test_redirect_refuses_a_scheme_django_would_not_redirect_to(rf: RequestFactory, tmp_path: Path) -> None:
    # As HttpResponseRedirect: a storage URL must never turn into a script URL.
    class ScriptURLStorage(FileSystemStorage):
        def url(self, name: str | None) -> str:
            return f"javascript:alert({name!r})"

    storage = ScriptURLStorage(location=tmp_path)
    with pytest.raises(DisallowedRedirect, match="Unsafe redirect to URL with protocol 'javascript'"):
        serve_storage(rf.get("/"), "a.txt", storage=storage, redirect=True)


class BareStorage(InMemoryStorage):
    """A remote-style storage that implements neither size() nor get_modified_time()."""

    def size(self, name: str) -> int:
        raise NotImplementedError("no size here")

    def get_modified_time(self, name: str) -> datetime.datetime:
        raise NotImplementedError("no times here")


class Stream(io.RawIOBase):
    """Bytes that can only be read front to back, like a network stream."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


class UnseekableStorage(InMemoryStorage):
    """A storage whose files cannot seek."""

    def open(self, name: str, mode: str = "rb") -> File[bytes]:
        with super().open(name, mode) as stored:
            return File(cast(IO[bytes], Stream(stored.read())), name=name)


def test_in_memory_storage_is_served_through_its_api_with_ranges(rf: RequestFactory) -> None:
    storage = InMemoryStorage()
    storage.save("notes/a.txt", ContentFile(b"0123456789"))
    modified = storage.get_modified_time("notes/a.txt")

    response = serve_storage(rf.get("/", HTTP_RANGE="bytes=2-4"), "notes/a.txt", storage=storage)

    assert response.status_code == 206
    assert response.headers["Content-Range"] == "bytes 2-4/10"
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["Last-Modified"] == modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert isinstance(response, DownloadResponse)
    assert response.download.path is None
    assert read(response) == b"234"


def test_storage_without_size_or_times_loses_those_headers_only(rf: RequestFactory) -> None:
    storage = BareStorage()
    storage.save("a.bin", ContentFile(b"abc"))

    response = serve_storage(rf.get("/", HTTP_RANGE="bytes=0-0"), "a.bin", storage=storage)

    assert response.status_code == 200
    assert "Content-Length" not in response.headers
    assert "Last-Modified" not in response.headers
    assert "ETag" not in response.headers
    assert response.headers["Accept-Ranges"] == "none"
    assert read(response) == b"abc"


def test_unseekable_storage_file_is_streamed_whole(rf: RequestFactory) -> None:
    storage = UnseekableStorage()
    storage.save("a.bin", ContentFile(b"abcdef"))

    response = serve_storage(rf.get("/", HTTP_RANGE="bytes=1-2"), "a.bin", storage=storage)

    assert response.status_code == 200
    assert response.headers["Content-Length"] == "6"
    assert response.headers["Accept-Ranges"] == "none"
    assert read(response) == b"abcdef"


@pytest.mark.parametrize("storage_class", [InMemoryStorage, BareStorage])
def test_missing_file_in_remote_storage_is_404(
    rf: RequestFactory, storage_class: type[InMemoryStorage]
) -> None:
    with pytest.raises(Http404):
        serve_storage(rf.get("/"), "nothing.bin", storage=storage_class())


async def test_async_view_streams_local_storage(async_client: AsyncClient, private_root: Path) -> None:
    response = await async_client.get("/async/media/reports/q1.csv", headers={"Range": "bytes=-10"})

    assert response.status_code == 206
    assert response.headers["Content-Range"] == "bytes 10230-10239/10240"
    assert b"".join([chunk async for chunk in response.streaming_content]) == DATA[-10:]  # type: ignore[attr-defined]
    response.close()


async def test_aserve_storage_answers_404_for_missing(async_rf: Any, private_root: Path) -> None:
    with pytest.raises(Http404):
        await aserve_storage(async_rf.get("/"), "nope.bin", storage="private")


class PickyStorage(InMemoryStorage):
    """A storage whose path() flags every name as suspicious once it is locked."""

    locked = False

    def path(self, name: str) -> str:
        if self.locked:
            raise SuspiciousFileOperation(f"{name!r} is not allowed here")
        return super().path(name)


class VanishingStorage(InMemoryStorage):
    """A storage whose file disappears between open() and size()."""

    def size(self, name: str) -> int:
        raise FileNotFoundError(name)


def test_name_the_storage_flags_as_suspicious_is_404(rf: RequestFactory) -> None:
    storage = PickyStorage()
    storage.save("a.txt", ContentFile(b"x"))
    storage.locked = True

    with pytest.raises(Http404):
        serve_storage(rf.get("/"), "a.txt", storage=storage)


def test_file_vanishing_after_open_is_404_and_closed(rf: RequestFactory) -> None:
    storage = VanishingStorage()
    storage.save("a.txt", ContentFile(b"x"))

    with pytest.raises(Http404):
        serve_storage(rf.get("/"), "a.txt", storage=storage)


# Signed redirects on django-storages' cloud backends: the download name and type under
# each backend's own parameter names (the signing is offline; the URLs are checked
# parameter by parameter).
DISPOSITION = "attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"
# Azurite's published development account key (not a secret).
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@pytest.fixture(scope="module")
def gcs_credentials() -> service_account.Credentials:
    """A throw-away service account key: enough for V4 signing, which needs no network."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "test",
        "private_key_id": "1",
        "private_key": pem,
        "client_email": "signer@test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return service_account.Credentials.from_service_account_info(info)  # type: ignore[no-untyped-call,no-any-return]


def _redirect(rf: RequestFactory, storage: Storage) -> HttpResponseBase:
    return serve_storage(rf.get("/"), "reports/q1.bin", storage=storage, redirect=True, filename="Résumé.pdf")


def _query(url: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)


def test_gcs_signed_url_carries_non_ascii_name_and_type(
    rf: RequestFactory, gcs_credentials: service_account.Credentials
) -> None:
    storage = GoogleCloudStorage(bucket_name="media", project_id="test", credentials=gcs_credentials)

    response = serve_storage(
        rf.get("/"), "reports/q1.bin", storage=storage, redirect=True, filename="Résumé.pdf"
    )

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://storage.googleapis.com/media/reports/q1.bin?")
    query = _query(location)
    assert query["response-content-disposition"] == [DISPOSITION]
    assert query["response-content-type"] == ["application/pdf"]
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]


def test_gcs_public_bucket_redirects_to_the_plain_url(
    rf: RequestFactory, gcs_credentials: service_account.Credentials
) -> None:
    storage = GoogleCloudStorage(
        bucket_name="media", project_id="test", credentials=gcs_credentials, default_acl="publicRead"
    )

    response = serve_storage(
        rf.get("/"), "reports/q1.bin", storage=storage, redirect=True, filename="Résumé.pdf"
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "https://storage.googleapis.com/media/reports/q1.bin"


def test_azure_sas_carries_non_ascii_name_and_type(rf: RequestFactory) -> None:
    storage = AzureStorage(
        account_name="devstoreaccount1",
        account_key=AZURITE_KEY,
        azure_container="media",
        expiration_secs=3600,
    )

    response = serve_storage(
        rf.get("/"), "reports/q1.bin", storage=storage, redirect=True, filename="Résumé.pdf"
    )

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://devstoreaccount1.blob.core.windows.net/media/reports/q1.bin?")
    query = _query(location)
    # rscd / rsct: the SAS response-header overrides (Azure "Create a service SAS").
    assert query["rscd"] == [DISPOSITION]
    assert query["rsct"] == ["application/pdf"]
    assert "sig" in query


def test_azure_without_expiry_cannot_sign_and_redirects_plainly(rf: RequestFactory) -> None:
    # AZURE_URL_EXPIRATION_SECS defaults to None: no SAS at all.
    storage = AzureStorage(account_name="devstoreaccount1", account_key=AZURITE_KEY, azure_container="media")

    response = serve_storage(
        rf.get("/"), "reports/q1.bin", storage=storage, redirect=True, filename="Résumé.pdf"
    )

    assert (
        response.headers["Location"] == "https://devstoreaccount1.blob.core.windows.net/media/reports/q1.bin"
    )


@pytest.mark.parametrize(
    ("options", "keys"),
    [
        ({}, ("ResponseContentDisposition", "ResponseContentType")),
        ({"custom_domain": "cdn.example.com"}, None),
        ({"querystring_auth": False}, None),
    ],
)
def test_s3_signing_keys_follow_the_configuration(options: dict[str, object], keys: object) -> None:
    storage = S3Storage(
        bucket_name="media", access_key="k", secret_key="s", region_name="eu-west-1", **options
    )
    assert signing_keys(storage) == keys


def test_a_storage_outside_django_storages_gets_no_parameters(tmp_path: object) -> None:
    assert signing_keys(FileSystemStorage(location=str(tmp_path))) is None
