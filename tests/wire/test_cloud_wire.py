"""serve_storage and serve_field on Google Cloud Storage and Azure under gunicorn, against the emulators.

One gunicorn per store (tests.settings_cloud), its STORAGES on
gcp-storage-emulator or Azurite (tests.cloudservers), asked over real
sockets: exact status, headers and bytes for 200, 206, multiple ranges, 304,
If-Range, HEAD and 404; the object replaced mid-response (the connection is
cut, no byte of the new version sent); a client leaving mid-body; the signed
redirect followed to the emulator.
"""

from __future__ import annotations

import http.client
import os
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient
from django.utils.http import http_date
from storages.backends.gcloud import GoogleCloudStorage

from servers import Server, start_gunicorn
from tests.cloudservers import azure_storage_options, gcs_storage_options
from tests.servers import TIMEOUT, fetch

pytestmark = pytest.mark.servers

DATA = os.urandom(1024 * 1024 + 7)
SIZE = len(DATA)
#: Big enough that the first part of a two-part answer fills the loopback
#: socket buffers: the server is still sending it when the object is replaced.
BIG = 24 * 1024 * 1024


class Store:
    """One emulator's container, written to with the SDK directly."""

    def __init__(self, kind: str, endpoint: str) -> None:
        self.kind = kind
        self.endpoint = endpoint
        self.container = f"wire-{uuid.uuid4().hex[:12]}"
        if kind == "gcs":
            self._gcs: Any = GoogleCloudStorage(**gcs_storage_options(self.container))
            self._gcs.client.create_bucket(self.container)
        else:
            options = azure_storage_options(endpoint, self.container)
            self._azure = BlobServiceClient.from_connection_string(options["connection_string"])
            self._azure.create_container(self.container)

    def put(self, name: str, data: bytes) -> None:
        if self.kind == "gcs":
            self._gcs.bucket.blob(name).upload_from_string(data, content_type="application/octet-stream")
        else:
            self._azure.get_blob_client(self.container, name).upload_blob(data, overwrite=True)

    def properties(self, name: str) -> tuple[str, float]:
        """The ETag dlshortcuts announces and the modification time."""
        if self.kind == "gcs":
            blob = self._gcs.bucket.get_blob(name)
            return f'"{blob.generation}"', blob.updated.timestamp()
        properties = self._azure.get_blob_client(self.container, name).get_blob_properties()
        return properties.etag, properties.last_modified.timestamp()

    def close(self) -> None:
        if self.kind == "azure":
            self._azure.delete_container(self.container)
            self._azure.close()


@pytest.fixture(scope="module", params=["gcs", "azure"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "gcs":
        endpoint = request.getfixturevalue("gcs_endpoint")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("STORAGE_EMULATOR_HOST", endpoint)
            created = Store("gcs", endpoint)
            created.put("reports/q1.bin", DATA)
            yield created
    else:
        created = Store("azure", request.getfixturevalue("azurite_endpoint"))
        created.put("reports/q1.bin", DATA)
        try:
            yield created
        finally:
            created.close()


@pytest.fixture(scope="module")
def server(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp(f"gunicorn-{store.kind}")
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_cloud",
        "DLSHORTCUTS_TEST_CLOUD": store.kind,
        "DLSHORTCUTS_TEST_CLOUD_BUCKET": store.container,
        "DLSHORTCUTS_TEST_AZURITE": store.endpoint,
        "STORAGE_EMULATOR_HOST": store.endpoint,
    }
    running = start_gunicorn(
        "tests.wsgi:application",
        tmp / "gunicorn.log",
        env=env,
        timeout=60,
        tmp_dir=tmp,
        start_timeout=TIMEOUT,
    )
    with running:
        yield running


@pytest.fixture(scope="module")
def validators(store: Store) -> tuple[str, str]:
    etag, modified = store.properties("reports/q1.bin")
    return etag, http_date(modified)


PREFIXES = ["/cloud/", "/field/"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_whole_object(server: Server, validators: tuple[str, str], prefix: str) -> None:
    response, body = fetch(server, prefix + "reports/q1.bin")

    assert response.status == 200
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == 'attachment; filename="q1.bin"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert (response.headers["ETag"], response.headers["Last-Modified"]) == validators
    assert body == DATA


@pytest.mark.parametrize("prefix", PREFIXES)
def test_single_range(server: Server, prefix: str) -> None:
    response, body = fetch(server, prefix + "reports/q1.bin", headers={"Range": "bytes=1000-1999"})

    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{SIZE}"
    assert response.headers["Content-Length"] == "1000"
    assert body == DATA[1000:2000]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_multiple_ranges(server: Server, prefix: str) -> None:
    response, body = fetch(server, prefix + "reports/q1.bin", headers={"Range": "bytes=0-4,-3"})

    assert response.status == 206
    boundary = response.headers["Content-Type"].removeprefix("multipart/byteranges; boundary=")
    parts = [(f"0-4/{SIZE}", DATA[:5]), (f"{SIZE - 3}-{SIZE - 1}/{SIZE}", DATA[-3:])]
    expected = (
        b"".join(
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Range: bytes {where}\r\n\r\n".encode()
            + data
            + b"\r\n"
            for where, data in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    assert body == expected
    assert response.headers["Content-Length"] == str(len(expected))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_conditional_requests(server: Server, validators: tuple[str, str], prefix: str) -> None:
    etag, modified = validators
    path = prefix + "reports/q1.bin"

    not_modified, empty = fetch(server, path, headers={"If-None-Match": etag})
    since, _ = fetch(server, path, headers={"If-Modified-Since": modified})
    same, part = fetch(server, path, headers={"Range": "bytes=-10", "If-Range": etag})
    stale, whole = fetch(server, path, headers={"Range": "bytes=-10", "If-Range": '"another"'})

    assert (not_modified.status, not_modified.headers["ETag"], empty) == (304, etag, b"")
    assert "Content-Length" not in not_modified.headers
    assert since.status == 304
    assert (same.status, part) == (206, DATA[-10:])
    assert (stale.status, whole) == (200, DATA)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_head(server: Server, validators: tuple[str, str], prefix: str) -> None:
    response, body = fetch(server, prefix + "reports/q1.bin", method="HEAD")

    assert response.status == 200
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["ETag"] == validators[0]
    assert body == b""


@pytest.mark.parametrize(
    "path", ["/cloud/reports/missing.bin", "/field/reports/missing.bin", "/cloud/%2E%2E/x"]
)
def test_missing_is_404(server: Server, path: str) -> None:
    response, _ = fetch(server, path)

    assert response.status == 404


def test_redirect_is_signed_and_served_by_the_store(server: Server, store: Store) -> None:
    response, _ = fetch(server, "/cloud-redirect/reports/q1.bin")

    assert response.status == 302
    location = response.headers["Location"]
    assert location.startswith(store.endpoint if store.kind == "azure" else store.endpoint + "/")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert "X-Goog-Signature" in query if store.kind == "gcs" else "sig" in query
    with urllib.request.urlopen(location, timeout=TIMEOUT) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Disposition"] == 'attachment; filename="q1.bin"'
        assert answer.read() == DATA


# Azure only: gcp-storage-emulator serves one request at a time, so an upload
# waits until the GET being streamed is over and nothing can replace the
# object mid-response there; tests/sources/test_cloud.py replaces a GCS object
# between two ranges instead.
@pytest.mark.parametrize("store", ["azure"], indirect=True)
def test_object_replaced_mid_response_cuts_the_connection(server: Server, store: Store) -> None:
    old = os.urandom(BIG)
    store.put("reports/big.bin", old)
    first = f"0-{BIG - 1024 * 1024 - 1}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/cloud/reports/big.bin", headers={"Range": f"bytes={first},-100"})
        response = connection.getresponse()
        assert response.status == 206
        received = response.read(64 * 1024)
        store.put("reports/big.bin", b"N" * (BIG // 2))
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
        received += cut.value.partial
    finally:
        connection.close()

    # The first part whole, from the old version; not a byte of the second.
    assert old[: BIG - 1024 * 1024] in received
    assert b"N" * 100 not in received
    assert old[-100:] not in received


def test_client_leaving_mid_body_leaves_the_server_serving(server: Server, store: Store) -> None:
    store.put("reports/leave.bin", os.urandom(BIG))
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    connection.request("GET", "/cloud/reports/leave.bin")
    response = connection.getresponse()
    assert response.read(1024 * 1024)
    # The response's file holds the socket too: both closed, the client is gone.
    response.close()
    connection.close()

    after, body = fetch(server, "/cloud/reports/q1.bin", headers={"Range": "bytes=0-9"})

    assert (after.status, body) == (206, DATA[:10])
