"""serve_storage under real servers: gunicorn (WSGI) and uvicorn (ASGI), local files and S3 via moto."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from servers import Server, start_gunicorn, start_uvicorn
from tests.s3server import RecordingS3Storage
from tests.servers import fetch

pytestmark = pytest.mark.servers

DATA = os.urandom(3 * 1024 * 1024 + 123)
ETAG = f'"{hashlib.md5(DATA).hexdigest()}"'  # S3's ETag of a single-part upload
TIMEOUT = 60


@pytest.fixture(scope="module")
def private_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("private")
    (root / "reports").mkdir()
    (root / "reports" / "q1.bin").write_bytes(DATA)
    return root


@pytest.fixture(scope="module")
def wire_bucket(s3_endpoint: str) -> Iterator[str]:
    """A bucket holding reports/q1.bin for the module's servers."""
    storage = RecordingS3Storage(
        access_key="testing",
        secret_key="testing",
        region_name="us-east-1",
        endpoint_url=s3_endpoint,
        bucket_name="wire-tests",
    )
    storage.connection.meta.client.create_bucket(Bucket="wire-tests")
    storage.save("reports/q1.bin", ContentFile(DATA))
    try:
        yield "wire-tests"
    finally:
        storage.bucket.objects.all().delete()
        storage.bucket.delete()


def _start(kind: str, private_root: Path, endpoint: str, bucket: str, tmp: Path) -> Server:
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_storage",
        "DLSHORTCUTS_TEST_PRIVATE_ROOT": str(private_root),
        "DLSHORTCUTS_TEST_S3_ENDPOINT": endpoint,
        "DLSHORTCUTS_TEST_S3_BUCKET": bucket,
    }
    log = tmp / f"{kind}.log"
    if kind == "gunicorn":
        return start_gunicorn(
            "tests.wsgi:application", log, env=env, timeout=60, tmp_dir=tmp, start_timeout=TIMEOUT
        )
    options = ["-W", "always::ResourceWarning"]
    return start_uvicorn(
        "tests.asgi:application", log, env=env, python_options=options, start_timeout=TIMEOUT
    )


@pytest.fixture(scope="module", params=["gunicorn", "uvicorn"])
def server(
    request: pytest.FixtureRequest,
    private_root: Path,
    s3_endpoint: str,
    wire_bucket: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    running = _start(
        request.param, private_root, s3_endpoint, wire_bucket, tmp_path_factory.mktemp(request.param)
    )
    try:
        yield running
    finally:
        running.stop()
    log = running.log.read_text(errors="replace")
    assert "ResourceWarning" not in log, log


def s3_requests(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The requests moto's server logged for the test object ("GET", "HEAD" ...)."""
    found = []
    for record in caplog.records:
        # werkzeug's line: '127.0.0.1 - - [date] "GET /bucket/key HTTP/1.1" 206 -', maybe in ANSI colours.
        line = re.sub(r"\x1b\[[0-9;]*m", "", record.getMessage())
        match = re.search(r'"(GET|HEAD) /wire-tests/reports/q1\.bin ', line)
        if record.name == "werkzeug" and match:
            found.append(match.group(1))
    return found


@pytest.mark.parametrize("prefix", ["/media/", "/s3/"])
def test_whole_file(server: Server, prefix: str) -> None:
    response, body = fetch(server, prefix + "reports/q1.bin")

    assert response.status == 200
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["Content-Disposition"] == 'attachment; filename="q1.bin"'
    assert body == DATA


@pytest.mark.parametrize("prefix", ["/media/", "/s3/"])
def test_single_range(server: Server, prefix: str) -> None:
    response, body = fetch(server, prefix + "reports/q1.bin", headers={"Range": "bytes=1000000-1999999"})

    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes 1000000-1999999/{len(DATA)}"
    assert body == DATA[1000000:2000000]


def test_s3_head_and_304_make_no_get(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")

    head, head_body = fetch(server, "/s3/reports/q1.bin", method="HEAD")
    cached, _ = fetch(server, "/s3/reports/q1.bin", headers={"If-None-Match": ETAG})

    assert head.status == 200
    assert head.headers["ETag"] == ETAG
    assert head_body == b""
    assert cached.status == 304
    assert s3_requests(caplog) == ["HEAD", "HEAD"]


def test_s3_range_is_one_ranged_get(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")

    response, body = fetch(server, "/s3/reports/q1.bin", headers={"Range": "bytes=-100"})

    assert response.status == 206
    assert body == DATA[-100:]
    assert s3_requests(caplog) == ["HEAD", "GET"]


@pytest.mark.parametrize("path", ["/s3/reports/missing.bin", "/media/reports/missing.bin", "/s3/%2E%2E/x"])
def test_missing_is_404(server: Server, path: str) -> None:
    response, _ = fetch(server, path)

    assert response.status == 404
