"""@optimized_download proven through the real web servers.

Each web server runs once per module (tests/proxy_servers.py) in front of its
own gunicorn, configured with exactly what ``manage.py
dlshortcuts_proxy_config`` prints. Asking gunicorn directly shows what Django
answers (an empty 200 and the backend's header); asking the web server shows
what the client gets (the file's bytes, ranges and 304s answered by the server).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.proxy_servers import PROXIES, Site, running_site
from tests.servers import Server

pytestmark = pytest.mark.servers

ASCII_NAME = "hello.txt"
NON_ASCII_NAME = "péter là %.txt"
# 100 KiB of every byte value: big enough for sendfile and ranges to matter.
CONTENTS = {
    ASCII_NAME: b"hello, world\n",
    NON_ASCII_NAME: bytes(range(256)) * 400,
}
# A real PNG whose name says text: only sniffing tells the truth.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
OUTSIDE = b"in no location: Django streams this\n"
SECRET = b"above every root: never served\n"
# Django's headers every server must pass on (the validators are the server's own).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "X-Content-Type-Options")
NAMES = pytest.mark.parametrize("name", [ASCII_NAME, NON_ASCII_NAME], ids=["ascii", "non-ascii"])


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    # Not tmp_path: pytest's base directory is private to the user, and the
    # servers' workers (nobody, when the tests run as root) must read the files.
    directory = Path(tempfile.mkdtemp(prefix="dlshortcuts-proxies-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


@pytest.fixture(scope="module")
def files(scratch: Path) -> Path:
    directory = scratch / "files"
    protected = directory / "protected"
    protected.mkdir(parents=True)
    (directory / "elsewhere").mkdir()
    for name, content in CONTENTS.items():
        (protected / name).write_bytes(content)
    (protected / "picture.txt").write_bytes(PNG)
    (directory / "elsewhere" / "outside.txt").write_bytes(OUTSIDE)
    (directory / "secret.txt").write_bytes(SECRET)
    for path in [directory, *directory.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return directory


@pytest.fixture(scope="module", params=PROXIES)
def site(request: pytest.FixtureRequest, scratch: Path, files: Path) -> Iterator[Site]:
    backend: str = request.param
    workdir = scratch / backend
    workdir.mkdir(mode=0o755)
    with running_site(backend, files, workdir) as running:
        yield running


@pytest.fixture(scope="module")
def nginx_with_charset(scratch: Path, files: Path) -> Iterator[Site]:
    workdir = scratch / "nginx-charset"
    workdir.mkdir(mode=0o755)
    with running_site("nginx", files, workdir, charset="utf-8") as running:
        yield running


@pytest.fixture(scope="module")
def nginx_over_uvicorn(scratch: Path, files: Path) -> Iterator[Site]:
    workdir = scratch / "nginx-asgi"
    workdir.mkdir(mode=0o755)
    with running_site("nginx", files, workdir, asgi=True) as running:
        yield running


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def url(server: Server, view: str, name: str) -> str:
    return f"{server.url}/{view}/{quote(name)}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_header(backend: str, path: Path) -> tuple[str, str]:
    """The header (name, value as received) Django hands ``path`` over with."""
    real = os.path.realpath(path)
    relative = quote(path.name)
    return {
        "nginx": ("X-Accel-Redirect", f"/_protected/{relative}"),
        "caddy": ("X-Accel-Redirect", f"/_protected/{relative}"),
        # mod_xsendfile 0.12 reads raw bytes; requests decodes headers as Latin-1.
        "apache": ("X-Sendfile", os.fsencode(real).decode("latin-1")),
        "lighttpd": ("X-Sendfile", quote(real)),
    }[backend]


def test_plain_view_is_proxied_untouched(site: Site, http: requests.Session) -> None:
    response = http.get(f"{site.proxy.url}/ping", timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert response.content == b"pong"


@NAMES
def test_django_hands_the_file_over_with_an_empty_body(
    site: Site, http: requests.Session, files: Path, name: str
) -> None:
    response = http.get(url(site.app, "protected", name), timeout=10)

    header, value = expected_header(site.backend, files / "protected" / name)
    assert response.status_code == 200
    assert response.headers[header] == value
    assert response.content == b""


@NAMES
def test_client_gets_the_exact_bytes(site: Site, http: requests.Session, name: str) -> None:
    response = http.get(url(site.proxy, "protected", name), timeout=10)

    assert response.status_code == 200
    assert sha256(response.content) == sha256(CONTENTS[name])
    assert response.headers["Content-Length"] == str(len(CONTENTS[name]))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "X-Accel-Redirect" not in response.headers
    assert "X-Sendfile" not in response.headers


@NAMES
def test_django_headers_reach_the_client(site: Site, http: requests.Session, name: str) -> None:
    direct = http.get(url(site.app, "protected", name), timeout=10)
    response = http.get(url(site.proxy, "protected", name), timeout=10)

    assert response.status_code == 200
    kept = {header: response.headers.get(header) for header in KEPT_HEADERS}
    assert kept == {header: direct.headers[header] for header in KEPT_HEADERS}


def test_head_gets_the_length_without_the_body(site: Site, http: requests.Session) -> None:
    response = http.head(url(site.proxy, "protected", NON_ASCII_NAME), timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(CONTENTS[NON_ASCII_NAME]))
    assert response.content == b""


def test_async_view_is_handed_over_too(site: Site, http: requests.Session, files: Path) -> None:
    direct = http.get(url(site.app, "aprotected", NON_ASCII_NAME), timeout=10)
    response = http.get(url(site.proxy, "aprotected", NON_ASCII_NAME), timeout=10)

    header, value = expected_header(site.backend, files / "protected" / NON_ASCII_NAME)
    assert (direct.status_code, direct.headers[header], direct.content) == (200, value, b"")
    assert response.status_code == 200
    assert sha256(response.content) == sha256(CONTENTS[NON_ASCII_NAME])


def test_range_is_answered_by_the_web_server(site: Site, http: requests.Session) -> None:
    size = len(CONTENTS[NON_ASCII_NAME])
    headers = {"Range": "bytes=1000-1999"}
    direct = http.get(url(site.app, "protected", NON_ASCII_NAME), headers=headers, timeout=10)
    response = http.get(url(site.proxy, "protected", NON_ASCII_NAME), headers=headers, timeout=10)

    # Django leaves the range to the web server: a plain empty 200.
    assert (direct.status_code, direct.content, "Content-Range" in direct.headers) == (200, b"", False)
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{size}"
    assert response.content == CONTENTS[NON_ASCII_NAME][1000:2000]


def test_suffix_range_is_answered_by_the_web_server(site: Site, http: requests.Session) -> None:
    response = http.get(url(site.proxy, "protected", ASCII_NAME), headers={"Range": "bytes=-6"}, timeout=10)

    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 7-12/{len(CONTENTS[ASCII_NAME])}"
    assert response.content == b"world\n"


@NAMES
@pytest.mark.parametrize(
    ("validator", "precondition"),
    [("ETag", "If-None-Match"), ("Last-Modified", "If-Modified-Since")],
    ids=["etag", "last-modified"],
)
def test_revalidation_gets_304(
    site: Site, http: requests.Session, name: str, validator: str, precondition: str
) -> None:
    first = http.get(url(site.proxy, "protected", name), timeout=10)
    value = first.headers[validator]

    response = http.get(url(site.proxy, "protected", name), headers={precondition: value}, timeout=10)

    assert response.status_code == 304
    assert response.content == b""


def test_unsatisfiable_range_gets_416(site: Site, http: requests.Session) -> None:
    size = len(CONTENTS[ASCII_NAME])
    headers = {"Range": f"bytes={size}-"}

    response = http.get(url(site.proxy, "protected", ASCII_NAME), headers=headers, timeout=10)

    assert response.status_code == 416
    # RFC 9110 §15.5.17 says SHOULD: Apache (mod_xsendfile) and lighttpd leave it out.
    expected = None if site.backend in ("apache", "lighttpd") else f"bytes */{size}"
    assert response.headers.get("Content-Range") == expected
    assert CONTENTS[ASCII_NAME] not in response.content


def test_each_file_has_its_own_etag(site: Site, http: requests.Session) -> None:
    # mod_xsendfile 0.12 answers ETag "0" for every file unless the
    # application sends one: a changed file would then revalidate as 304.
    etags = {http.get(url(site.proxy, "protected", name), timeout=10).headers["ETag"] for name in CONTENTS}

    assert len(etags) == len(CONTENTS)


def test_file_outside_every_location_is_streamed_by_django(site: Site, http: requests.Session) -> None:
    direct = http.get(url(site.app, "elsewhere", "outside.txt"), timeout=10)
    response = http.get(url(site.proxy, "elsewhere", "outside.txt"), timeout=10)

    assert (direct.status_code, direct.content) == (200, OUTSIDE)
    assert "X-Accel-Redirect" not in direct.headers
    assert "X-Sendfile" not in direct.headers
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert response.content == OUTSIDE


def test_file_whose_extension_lies_gets_the_sniffed_type(site: Site, http: requests.Session) -> None:
    response = http.get(url(site.proxy, "sniffed", "picture.txt"), timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.content == PNG


def test_name_outside_the_root_is_not_served(site: Site, http: requests.Session) -> None:
    # Some servers normalize the path first (then no view matches), others pass
    # "../secret.txt" to the view, whose root check answers 404.
    response = http.get(f"{site.proxy.url}/protected/..%2Fsecret.txt", timeout=10)

    assert response.status_code == 404
    assert SECRET not in response.content


def test_internal_prefix_is_not_public(site: Site, http: requests.Session) -> None:
    response = http.get(url(site.proxy, "_protected", ASCII_NAME), timeout=10)

    assert response.status_code == 404
    assert CONTENTS[ASCII_NAME] not in response.content


def test_nginx_consumes_its_x_accel_headers(nginx_with_charset: Site, http: requests.Session) -> None:
    site = nginx_with_charset
    direct = http.get(url(site.app, "tuned", ASCII_NAME), timeout=10)
    response = http.get(url(site.proxy, "tuned", ASCII_NAME), timeout=10)

    assert direct.headers["X-Accel-Limit-Rate"] == "1000000"
    assert direct.headers["X-Accel-Buffering"] == "no"
    assert direct.headers["X-Accel-Expires"] == "60"
    assert response.status_code == 200
    assert response.content == CONTENTS[ASCII_NAME]
    assert not [header for header in response.headers if header.lower().startswith("x-accel-")]


@pytest.mark.parametrize(
    ("view", "name", "content_type"),
    [
        ("protected", ASCII_NAME, "text/plain; charset=utf-8"),
        ("sniffed", "picture.txt", "image/png"),
    ],
    ids=["text", "image"],
)
def test_nginx_charset_names_text_files_only(
    nginx_with_charset: Site, http: requests.Session, view: str, name: str, content_type: str
) -> None:
    response = http.get(url(nginx_with_charset.proxy, view, name), timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    # The rendered configuration declares the charset: nginx knows the name.
    assert "unknown charset" not in nginx_with_charset.error_log.read_text()


@pytest.mark.parametrize("view", ["protected", "aprotected"])
def test_offload_under_asgi(nginx_over_uvicorn: Site, http: requests.Session, view: str) -> None:
    site = nginx_over_uvicorn
    direct = http.get(url(site.app, view, NON_ASCII_NAME), timeout=10)
    response = http.get(url(site.proxy, view, NON_ASCII_NAME), headers={"Range": "bytes=0-99"}, timeout=10)

    assert (direct.status_code, direct.content) == (200, b"")
    assert direct.headers["X-Accel-Redirect"] == f"/_protected/{quote(NON_ASCII_NAME)}"
    assert response.status_code == 206
    assert response.content == CONTENTS[NON_ASCII_NAME][:100]
