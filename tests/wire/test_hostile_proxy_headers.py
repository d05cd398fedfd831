"""Hostile names and paths through ``@optimized_download``: the handover header stays safe.

For every backend, whatever the file name, the location's directory or its
URL prefix, the value of ``X-Accel-Redirect`` / ``X-Sendfile`` /
``X-LiteSpeed-Location``:

- carries no control character (RFC 9110 §5.5: no CR, LF, NUL or any other
  CTL), so it can never end the header or start a second one;
- is ASCII (percent-encoded) for the backends that decode it, and raw
  bytes for Apache's mod_xsendfile 0.12, which opens the value as it is;
- decodes, as that web server decodes it, to exactly the file the view
  chose, inside the location's directory.

Paths that leave the location (``..``, symlinks) are never handed over:
Django streams them itself when the view's own root allows it, else 404.
A second module-level test sends a corpus of hostile names through the real
web servers, proving the decoding model above is the servers' own.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

import pytest
import requests
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.test import RequestFactory, override_settings
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dlshortcuts import optimized_download, serve_path, serve_storage
from dlshortcuts.download import Download
from dlshortcuts.offload.backends import BACKEND_NAMES, BACKENDS, BackendName
from dlshortcuts.offload.backends.apache import X_SENDFILE
from dlshortcuts.offload.backends.litespeed import X_LITESPEED_LOCATION
from dlshortcuts.offload.backends.nginx import X_ACCEL_REDIRECT, ProxyOptions
from dlshortcuts.offload.locations import find_target, parse_locations
from tests.hostile_names import NAMES
from tests.proxy_servers import PROXIES, Site, running_site
from tests.reading import read

#: The header each backend hands a download over with.
HEADER = {
    "nginx": X_ACCEL_REDIRECT,
    "caddy": X_ACCEL_REDIRECT,
    "litespeed": X_LITESPEED_LOCATION,
    "apache": X_SENDFILE,
    "lighttpd": X_SENDFILE,
}
#: Backends whose header is a URI under the location's prefix (the others take a path).
URI_BACKENDS = ("nginx", "caddy", "litespeed")
#: What ``quote(..., safe="/")`` leaves: unreserved characters, "/" and %XX (RFC 3986 §2).
PERCENT_ENCODED = re.compile(r"(?:[A-Za-z0-9_.~/-]|%[0-9A-F]{2})+")
#: RFC 9110 §5.5 field-vchar and SP: printable ASCII and obs-text (bytes 0x80-0xFF, sent as Latin-1).
FIELD_VALUE = re.compile(r"[\x21-\x7e\x80-\xff](?:[\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?")

#: Directory names for the location: spaces, percent signs, non-ASCII, a
#: control character and an undecodable byte (the surrogate os.fsdecode gives it).
ROOT_NAMES = st.sampled_from(["loc", "l o c", "l%41c", "lé日c", "l\x1bc", "l\udcffc", "l\nc"])
#: URL prefixes a configuration may hold (the system check wants "/.../").
PREFIXES = st.sampled_from(["/_protected/", "/_pro tected/é/", "/%41/", "/a/b/"])

#: The storage alias the storage-backed views serve from (a FileSystemStorage at the location).
STORAGE = "hostile"

factory = RequestFactory()


def _view(
    backend: BackendName, root: str, prefix: str, served_root: str, *, storage: bool = False
) -> Callable[[HttpRequest, str], HttpResponseBase]:
    """A decorated view serving names from ``served_root`` with serve_path, or
    from the ``STORAGE`` alias with serve_storage; the one location is ``root``
    (or the storage), under ``prefix`` for the backends that take a URI."""
    location = {"storage": STORAGE} if storage else {"root": root}
    if backend in URI_BACKENDS:
        location["url"] = prefix

    @optimized_download(backend=backend, locations=[location])
    def view(request: HttpRequest, name: str) -> HttpResponseBase:
        if storage:
            return serve_storage(request, name, storage=STORAGE)
        return serve_path(request, name, root=served_root)

    return view


def storages_at(root: str) -> dict[str, dict[str, Any]]:
    """``STORAGES`` with the ``STORAGE`` alias on ``root``."""
    return {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        STORAGE: {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }


def decoded_path(backend: str, value: str, prefix: str, root: str) -> bytes:
    """The file the web server opens for ``value``, as bytes (how each one reads its header).

    nginx, Caddy and LiteSpeed percent-decode the URI and map what follows
    the location's prefix into its directory; lighttpd percent-decodes an
    absolute path; mod_xsendfile 0.12 takes the raw bytes.
    """
    if backend == "apache":
        return value.encode("latin-1")
    decoded = unquote_to_bytes(value)
    if backend == "lighttpd":
        return decoded
    encoded_prefix = prefix.encode()
    assert decoded.startswith(encoded_prefix), (value, prefix)
    return os.fsencode(root) + b"/" + decoded[len(encoded_prefix) :]


def assert_safe_value(backend: str, value: str) -> None:
    """One field value: no control character, ASCII where the server decodes it."""
    assert FIELD_VALUE.fullmatch(value), repr(value)
    if backend != "apache":
        assert PERCENT_ENCODED.fullmatch(value), repr(value)


def assert_one_header_each(response: HttpResponseBase) -> None:
    """The head Django sends has exactly one line per header it holds."""
    lines = response.serialize_headers().split(b"\r\n")
    assert len(lines) == len(response.headers)
    assert {line.split(b":", 1)[0].decode().lower() for line in lines} == {
        name.lower() for name in response.headers
    }


def call(view: Callable[[HttpRequest, str], HttpResponseBase], name: str) -> HttpResponseBase | None:
    """The view's answer to a GET for ``name``; None for Http404 (Django's handler makes it a 404)."""
    try:
        return view(factory.get("/"), name)
    except Http404:
        return None


def _create(path: str, content: bytes) -> bool:
    """Write ``content`` at ``path`` if such a name can exist on disk (not NUL, not too long ...)."""
    try:
        with open(path, "xb") as file:
            file.write(content)
    except (OSError, ValueError, UnicodeError):
        return False
    return True


@pytest.fixture
def sandbox() -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="dlshortcuts-headers-")
    yield directory
    shutil.rmtree(directory)


@settings(deadline=None, max_examples=150)
@given(
    backend=st.sampled_from(BACKEND_NAMES),
    name=NAMES,
    root_name=ROOT_NAMES,
    prefix=PREFIXES,
    storage=st.booleans(),
)
@example(backend="apache", name="a\x1bb", root_name="loc", prefix="/_protected/", storage=False)
@example(backend="apache", name="trailing ", root_name="loc", prefix="/_protected/", storage=False)
@example(backend="nginx", name="\udcff.bin", root_name="loc", prefix="/_protected/", storage=False)
@example(backend="lighttpd", name="\udcff.bin", root_name="loc", prefix="/_protected/", storage=False)
@example(backend="nginx", name="a?b#c%2e%2e;x", root_name="l%41c", prefix="/%41/", storage=False)
@example(backend="apache", name="x", root_name="l\nc", prefix="/_protected/", storage=False)
@example(backend="caddy", name="x\r\nX-Evil: 1", root_name="loc", prefix="/_protected/", storage=False)
@example(backend="nginx", name="\udcff.bin", root_name="l%41c", prefix="/_protected/", storage=True)
@example(backend="lighttpd", name="a\x1bb", root_name="loc", prefix="/_protected/", storage=True)
@example(backend="nginx", name="\\", root_name="loc", prefix="/_protected/", storage=True)
def test_handover_header_names_exactly_the_file_inside_the_location(
    backend: BackendName, name: str, root_name: str, prefix: str, storage: bool
) -> None:
    # Not a fixture: each example gets a fresh directory.
    with tempfile.TemporaryDirectory(prefix="dlshortcuts-headers-") as base:
        root = os.path.join(base, root_name)
        os.mkdir(root)
        settings_override = override_settings(STORAGES=storages_at(root))
        content = os.urandom(16)
        # A name that cannot be a file here (a path, NUL, too long, a lone
        # surrogate) must get 404; any other one is created in the location.
        # Django's storages take a backslash for a separator (Windows).
        is_path = "/" in name or (storage and "\\" in name)
        created = not is_path and _create(os.path.join(root, name), content)

        with settings_override:
            response = call(_view(backend, root, prefix, root, storage=storage), name)

        if not created:
            assert response is None  # 404
            return
        assert response is not None
        value = response.get(HEADER[backend])
        if streamed_by_django(backend, root, name):
            assert (response.status_code, value) == (200, None)
            assert read(response, streaming=True) == content
            return
        assert value is not None, (response.status_code, dict(response.headers))
        assert response.status_code == 200
        assert read(response, streaming=True) == b""
        assert_safe_value(backend, value)
        assert_one_header_each(response)
        opened = decoded_path(backend, value, prefix, os.path.realpath(root))
        assert b"\x00" not in opened
        assert b".." not in opened.split(b"/")
        real = os.fsencode(os.path.realpath(os.path.join(root, name)))
        assert opened == real
        assert opened.startswith(os.fsencode(os.path.realpath(root)) + b"/")


def streamed_by_django(backend: str, root: str, name: str) -> bool:
    """Whether a file inside the location is kept from the web server, and why.

    A line break in the name is refused for every backend (locations.py).
    Apache and lighttpd take the whole path, and neither can take a control
    byte in it; Apache's front end would strip a trailing space or tab, and
    lighttpd refuses a path that is not UTF-8.
    """
    if "\r" in name or "\n" in name:
        return True
    raw = os.fsencode(os.path.realpath(os.path.join(root, name)))
    control = any(byte < 0x20 or byte == 0x7F for byte in raw)
    if backend == "apache":
        return control or raw.endswith((b" ", b"\t"))
    if backend == "lighttpd":
        return control or raw.decode(errors="replace").encode() != raw
    return False


#: Paths the view serves (its root is the sandbox, the location only ``loc``),
#: and what each must give: "offload" (the header names ``loc/inside.txt``),
#: "stream" (Django sends the file outside the location) or 404.
LEAVING = {
    "loc/inside.txt": "offload",
    "loc/sub/../inside.txt": "offload",
    "loc/./inside.txt": "offload",
    "loc//inside.txt": "offload",
    "loc/link-in": "offload",
    "loc/link-out-and-back": "offload",
    "loc/../outside.txt": "stream",
    "loc/sub/../../outside.txt": "stream",
    "loc/link-out": "stream",
    "loc/link-out-dir/outside.txt": "stream",
    "loc/chain": "stream",
    "loc2/sibling.txt": "stream",
    "loc": 404,
    "loc/": 404,
    "loc/sub": 404,
    "loc/inside.txt\x00": 404,
    "loc/inside.txt\x00.pdf": 404,
    "loc/../../etc/passwd": 404,
    "/etc/passwd": 404,
    "loc/link-etc/passwd": 404,
    "loc/missing.txt": 404,
}


@pytest.fixture
def leaving(sandbox: str) -> str:
    base = Path(sandbox)
    for directory in ("loc/sub", "loc2", "outside/dir"):
        (base / directory).mkdir(parents=True)
    (base / "loc" / "inside.txt").write_bytes(b"inside\n")
    (base / "outside.txt").write_bytes(b"outside\n")
    (base / "outside" / "dir" / "outside.txt").write_bytes(b"outside\n")
    (base / "loc2" / "sibling.txt").write_bytes(b"outside\n")
    os.symlink("inside.txt", base / "loc" / "link-in")
    os.symlink("../outside.txt", base / "loc" / "link-out")
    os.symlink("../outside/dir", base / "loc" / "link-out-dir")
    os.symlink("/etc", base / "loc" / "link-etc")
    os.symlink("../loc/inside.txt", base / "outside" / "back-in")
    os.symlink("../outside/back-in", base / "loc" / "link-out-and-back")
    os.symlink("sub/chain2", base / "loc" / "chain")
    os.symlink("../../outside.txt", base / "loc" / "sub" / "chain2")
    return sandbox


@pytest.mark.parametrize("backend", BACKEND_NAMES)
@pytest.mark.parametrize(("path", "outcome"), LEAVING.items(), ids=[repr(p) for p in LEAVING])
def test_paths_leaving_the_location_are_never_handed_over(
    leaving: str, backend: BackendName, path: str, outcome: str | int
) -> None:
    root = os.path.join(leaving, "loc")
    response = call(_view(backend, root, "/_protected/", leaving), path)

    if outcome == 404:
        assert response is None
        return
    assert response is not None
    assert response.status_code == 200
    value = response.get(HEADER[backend])
    if outcome == "stream":
        assert value is None
        assert read(response, streaming=True) == b"outside\n"
        return
    assert read(response, streaming=True) == b""
    assert value is not None
    assert_safe_value(backend, value)
    assert decoded_path(backend, value, "/_protected/", os.path.realpath(root)) == os.fsencode(
        os.path.realpath(os.path.join(root, "inside.txt"))
    )


#: Names that a web server decoding the header differently from the model
#: above would get wrong; the decoys next to them catch a server that opens
#: a neighbour instead (a trailing space stripped, a percent decoded twice).
REAL_NAMES = [
    b"sp ace.txt",
    b"a%41.txt",
    b"aA.txt",
    b"x%2520y.txt",
    b"x%20y.txt",
    b"x y.txt",
    b"trailing ",
    b"trailing",
    b"q?x#y&z=1.txt",
    b"semi;comma,plus+$@.txt",
    b"back\\slash.txt",
    b"quote\"'`.txt",
    b"~tilde..txt",
    "é日本\u202e\u0085.txt".encode(),
    b"esc\x1b.txt",
    b"tab\tin.txt",
    b"del\x7f.txt",
    b"cr\rlf\n.txt",
    b"\xff\xfe.bin",  # not UTF-8: no URL names it, only a symlink leads to it
]


def _content(name: bytes) -> bytes:
    return b"file " + name + b"\n"


def _direct(name: bytes) -> bool:
    """Whether a client can ask for ``name`` in the URL itself.

    Not with a control character (lighttpd refuses the request line, Django's
    ``<path:>`` stops at a line break) nor with bytes that are not UTF-8.
    """
    try:
        text = name.decode()
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 0x20 or c == "\x7f" for c in text)


@pytest.fixture(scope="module")
def hostile_files() -> Iterator[Path]:
    # Readable by the servers' workers (nobody, when the tests run as root).
    directory = Path(tempfile.mkdtemp(prefix="dlshortcuts-hostile-"))
    protected = directory / "protected"
    protected.mkdir(parents=True)
    (directory / "elsewhere").mkdir()
    for index, name in enumerate(REAL_NAMES):
        path = os.path.join(os.fsencode(protected), name)
        with open(path, "wb") as file:
            file.write(_content(name))
        os.chmod(path, 0o644)
        # A plain name for each: the header carries the target's name.
        os.symlink(name, os.path.join(os.fsencode(protected), b"alias-%d" % index))
    for directory_path in (directory, protected, directory / "elsewhere"):
        directory_path.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


@pytest.fixture(scope="module", params=PROXIES)
def hostile_site(request: pytest.FixtureRequest, hostile_files: Path) -> Iterator[Site]:
    workdir = hostile_files / f"server-{request.param}"
    workdir.mkdir(mode=0o755)
    with running_site(request.param, hostile_files, workdir) as site:
        yield site


@pytest.mark.servers
def test_real_servers_send_exactly_the_file_named(hostile_site: Site, hostile_files: Path) -> None:
    """Through nginx, Apache, lighttpd and Caddy, every hostile name gets its own bytes,
    handed over unless the header cannot name it (then Django streams it)."""
    backend, protected = hostile_site.backend, str(hostile_files / "protected")
    answers, expected = {}, {}
    with requests.Session() as http:
        for index, name in enumerate(REAL_NAMES):
            handed_over = not streamed_by_django(backend, protected, os.fsdecode(name))
            for path in [f"alias-{index}"] + ([quote(name)] if _direct(name) else []):
                django = http.get(f"{hostile_site.app.url}/protected/{path}", timeout=10)
                client = http.get(f"{hostile_site.proxy.url}/protected/{path}", timeout=10)
                answers[name, path] = (
                    HEADER[backend] in django.headers,
                    client.status_code,
                    client.content == _content(name),
                )
                expected[name, path] = (handed_over, 200, True)
    assert answers == expected


REMOTE_SOURCE = "https://files.example/bucket/"
REMOTE_PREFIX = "/_remote/"
#: What a URL's path and query may hold as a client or an upstream spells them:
#: percent-escapes (valid or not, of any byte), reserved characters, and hostile text.
_URL_PIECES = [*"%/?#.;=&+ ", "%2e", "%2F", "%00", "%0D%0A", "%FF", "%C3%A9", "é", "\r\n"]
URL_TEXT = st.one_of(st.text(), st.lists(st.sampled_from(_URL_PIECES)).map("".join))


@settings(deadline=None, max_examples=150)
@given(backend=st.sampled_from(BACKEND_NAMES), path=URL_TEXT, query=URL_TEXT)
@example(backend="nginx", path="a%FFb.bin", query="")
@example(backend="nginx", path="%2e%2e/%2e%2e/etc/passwd", query="")
@example(backend="litespeed", path="a.bin", query="x=1\r\nX-Evil: 1")
def test_remote_handover_names_exactly_the_remote_path(backend: BackendName, path: str, query: str) -> None:
    """A remote URL under a ``source_url`` location: the path is handed over
    byte for byte, under the prefix and never with ``..``; the query as an
    encoded query; Apache and lighttpd, which take files, never get one."""
    url = REMOTE_SOURCE + path + (f"?{query}" if query else "")
    locations = parse_locations([{"source_url": REMOTE_SOURCE, "url": REMOTE_PREFIX}])
    download = Download(filename="x", url=url)

    target = find_target(download, locations)
    headers = None if target is None else BACKENDS[backend].headers(target, ProxyOptions())

    if headers is None:
        return
    assert backend in URI_BACKENDS
    value = headers[HEADER[backend]]
    assert FIELD_VALUE.fullmatch(value), repr(value)
    encoded_path, _, sent_query = value.partition("?")
    assert PERCENT_ENCODED.fullmatch(encoded_path), repr(value)
    decoded = unquote_to_bytes(encoded_path)
    assert decoded.startswith(REMOTE_PREFIX.encode())
    segments = decoded[len(REMOTE_PREFIX) :].split(b"/")
    assert b".." not in segments
    assert b"." not in segments
    assert b"\x00" not in decoded
    # Byte for byte, with one exception nginx shares: an encoded "/" is a "/".
    remote = url[len(REMOTE_SOURCE) :].partition("?")[0].replace("%2F", "/").replace("%2f", "/")
    assert decoded[len(REMOTE_PREFIX) :].lstrip(b"/") == unquote_to_bytes(remote.encode()).lstrip(b"/")
    if backend == "caddy":
        assert sent_query == ""
