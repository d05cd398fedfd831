"""@optimized_download at header level: every backend, every option, fallbacks, stacking, async."""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import iscoroutinefunction
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.storage import storages
from django.http import HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.test import AsyncRequestFactory, RequestFactory
from django.views.decorators.cache import cache_control
from pytest_django.fixtures import Settings as SettingsWrapper

from dlshortcuts import DownloadResponse, aserve_path, serve_generated, serve_path
from dlshortcuts.decorators import optimized_download
from dlshortcuts.download import Download
from dlshortcuts.engine.respond import respond
from dlshortcuts.options import Options
from tests.reading import read

NON_ASCII = "péter là %.txt"
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


@pytest.fixture
def private(tmp_path: Path) -> Path:
    root = tmp_path / "private"
    root.mkdir()
    (root / "report.pdf").write_bytes(PDF)
    (root / NON_ASCII).write_bytes(b"hello")
    (root / "notes.txt").write_bytes(b"notes")
    (root / "sub").mkdir()
    (root / "sub" / "a b.csv").write_bytes(b"a,b\n")
    return root


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "notes.txt").write_bytes(b"not in any location")
    return other


def locations(root: Path) -> list[dict[str, str]]:
    return [{"root": str(root), "url": "/_protected/"}]


def file_view(root: Path, **arguments: Any) -> Callable[..., HttpResponseBase]:
    @optimized_download(**arguments)
    def view(request: HttpRequest, name: str) -> HttpResponseBase:
        return serve_path(request, name, root=root)

    return view


def offload_headers(response: HttpResponseBase) -> dict[str, str]:
    return {
        k: v for k, v in response.headers.items() if k.startswith(("X-Accel", "X-Sendfile", "X-LiteSpeed"))
    }


@pytest.mark.parametrize(
    ("backend", "name", "expected"),
    [
        ("nginx", "report.pdf", {"X-Accel-Redirect": "/_protected/report.pdf"}),
        ("nginx", NON_ASCII, {"X-Accel-Redirect": "/_protected/p%C3%A9ter%20l%C3%A0%20%25.txt"}),
        ("nginx", "sub/a b.csv", {"X-Accel-Redirect": "/_protected/sub/a%20b.csv"}),
        ("caddy", NON_ASCII, {"X-Accel-Redirect": "/_protected/p%C3%A9ter%20l%C3%A0%20%25.txt"}),
        ("litespeed", NON_ASCII, {"X-LiteSpeed-Location": "/_protected/p%C3%A9ter%20l%C3%A0%20%25.txt"}),
        ("lighttpd", NON_ASCII, {"X-Sendfile": "{root}/p%C3%A9ter%20l%C3%A0%20%25.txt"}),
        ("lighttpd", "sub/a b.csv", {"X-Sendfile": "{root}/sub/a%20b.csv"}),
        # mod_xsendfile 0.12 opens the value as it is: the raw UTF-8 bytes.
        ("apache", NON_ASCII, {"X-Sendfile": "{raw_root}/p\xc3\xa9ter l\xc3\xa0 %.txt"}),
        ("apache", "report.pdf", {"X-Sendfile": "{raw_root}/report.pdf"}),
    ],
)
def test_backend_header(
    rf: RequestFactory, private: Path, backend: str, name: str, expected: dict[str, str]
) -> None:
    view = file_view(private, backend=backend, locations=locations(private))
    response = view(rf.get("/"), name)
    root = str(private.resolve())
    raw_root = root.encode().decode("latin-1")
    assert offload_headers(response) == {
        k: v.format(root=root.replace(" ", "%20"), raw_root=raw_root) for k, v in expected.items()
    }
    assert response.status_code == 200
    assert "Content-Length" not in response.headers
    # The web server announces ranges itself; Apache does not, so it is said for Apache.
    assert response.headers.get("Accept-Ranges") == ("bytes" if backend == "apache" else None)
    assert read(response) == b""


def test_offloaded_response_keeps_representation_headers(rf: RequestFactory, private: Path) -> None:
    view = file_view(private, backend="nginx", locations=locations(private))
    response = view(rf.get("/"), NON_ASCII)
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"peter la _.txt\"; filename*=UTF-8''p%C3%A9ter%20l%C3%A0%20%25.txt"
    )
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"].startswith('"5-')
    assert isinstance(response, DownloadResponse)
    assert response.download.file is not None
    assert response.download.file.closed
    response.close()


def test_view_headers_and_cookies_survive(rf: RequestFactory, private: Path) -> None:
    @optimized_download(backend="nginx", locations=locations(private))
    def view(request: HttpRequest) -> HttpResponseBase:
        response = serve_path(request, "report.pdf", root=private, headers={"X-Request-Id": "42"})
        response.set_cookie("seen", "1")
        response.headers["X-Added-Later"] = "yes"
        return response

    response = view(rf.get("/"))
    assert response.headers["X-Request-Id"] == "42"
    assert response.headers["X-Added-Later"] == "yes"
    assert response.cookies["seen"].value == "1"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Accel-Redirect"] == "/_protected/report.pdf"
    response.close()


@pytest.mark.parametrize(
    "headers",
    [
        {"Range": "bytes=0-3"},
        {"Range": "bytes=0-1,3-4"},
        {"If-None-Match": "*"},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        {"If-Match": '"nope"'},
        {"Range": "bytes=999-"},
    ],
)
def test_preconditions_and_ranges_are_left_to_the_web_server(
    rf: RequestFactory, private: Path, headers: dict[str, str]
) -> None:
    view = file_view(private, backend="nginx", locations=locations(private))
    response = view(rf.get("/", headers=headers), "report.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "Content-Length" not in response.headers
    assert "Content-Range" not in response.headers
    assert response.headers["X-Accel-Redirect"] == "/_protected/report.pdf"
    assert read(response) == b""


def test_head_is_offloaded(rf: RequestFactory, private: Path) -> None:
    view = file_view(private, backend="nginx", locations=locations(private))
    response = view(rf.head("/"), "report.pdf")
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == "/_protected/report.pdf"
    assert read(response) == b""


def test_view_answering_304_gets_no_offload_header(rf: RequestFactory, private: Path) -> None:
    @optimized_download(backend="nginx", locations=locations(private))
    def view(request: HttpRequest) -> HttpResponseBase:
        return HttpResponseNotModified()

    response = view(rf.get("/"))
    assert response.status_code == 304
    assert offload_headers(response) == {}


def test_unmapped_file_is_streamed_by_django(rf: RequestFactory, private: Path, elsewhere: Path) -> None:
    view = file_view(elsewhere, backend="nginx", locations=locations(private))
    response = view(rf.get("/"), "notes.txt")
    assert offload_headers(response) == {}
    assert response.headers["Content-Length"] == "19"
    assert read(response) == b"not in any location"


def test_unmapped_file_keeps_range_semantics(rf: RequestFactory, private: Path, elsewhere: Path) -> None:
    view = file_view(elsewhere, backend="nginx", locations=locations(private))
    response = view(rf.get("/", HTTP_RANGE="bytes=0-2"), "notes.txt")
    assert response.status_code == 206
    assert response.headers["Content-Range"] == "bytes 0-2/19"
    assert read(response) == b"not"


def test_generated_content_is_never_offloaded(rf: RequestFactory, private: Path) -> None:
    @optimized_download(backend="nginx", locations=[{"root": "/", "url": "/_all/"}])
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_generated(request, b"a,b\n", filename="report.csv")

    response = view(rf.get("/"))
    assert offload_headers(response) == {}
    assert read(response) == b"a,b\n"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (  # E007 in the setting: it silently streamed from Django
            {"root": "PRIVATE"},
            "optimized_download(locations=[...])[0]: nginx needs a url for every location. Add the "
            "internal prefix the web server serves it under, such as '/_protected/'.",
        ),
        (  # E005: it sent X-Accel-Redirect: /_preport.pdf
            {"root": "PRIVATE", "url": "/_p"},
            "optimized_download(locations=[...])[0]: url '/_p' must start and end with '/'. "
            "Write '/_p/': the file's path is appended to it.",
        ),
        (  # E004
            {"root": "/nonexistent/dir", "url": "/_p/"},
            "optimized_download(locations=[...])[0]: root '/nonexistent/dir' is not an existing "
            "directory. Create the directory, or fix the path (it must be absolute on the server).",
        ),
    ],
)
def test_locations_are_checked_as_the_setting_is(
    private: Path, location: dict[str, str], expected: str
) -> None:
    entry = {key: str(private) if value == "PRIVATE" else value for key, value in location.items()}
    with pytest.raises(ValueError, match=r"^optimized_download\(locations=") as raised:
        file_view(private, backend="nginx", locations=[entry])
    assert str(raised.value) == expected


def test_apache_location_without_url_is_enough(rf: RequestFactory, private: Path) -> None:
    view = file_view(private, backend="apache", locations=[{"root": str(private)}])
    response = view(rf.get("/"), "report.pdf")
    assert offload_headers(response) == {"X-Sendfile": f"{private.resolve()}/report.pdf"}
    response.close()


def test_first_matching_location_wins(rf: RequestFactory, private: Path) -> None:
    entries = [{"root": str(private / "sub"), "url": "/_sub/"}, {"root": str(private), "url": "/_protected/"}]
    view = file_view(private, backend="nginx", locations=entries)
    response = view(rf.get("/"), "sub/a b.csv")
    assert response.headers["X-Accel-Redirect"] == "/_sub/a%20b.csv"
    response.close()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"limit_rate": 1024}, {"X-Accel-Limit-Rate": "1024"}),
        ({"limit_rate": 0}, {"X-Accel-Limit-Rate": "0"}),
        ({"limit_rate": False}, {"X-Accel-Limit-Rate": "off"}),
        ({"buffering": True}, {"X-Accel-Buffering": "yes"}),
        ({"buffering": False}, {"X-Accel-Buffering": "no"}),
        ({"expires": 3600}, {"X-Accel-Expires": "3600"}),
        ({"expires": datetime.timedelta(minutes=2)}, {"X-Accel-Expires": "120"}),
        (
            {"expires": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)},
            {"X-Accel-Expires": "@1893456000"},
        ),
        ({"expires": False}, {"X-Accel-Expires": "off"}),
        ({"charset": "utf-8"}, {"X-Accel-Charset": "utf-8"}),
        ({"charset": None}, {}),
        (
            {"limit_rate": 10, "buffering": False, "expires": 0, "charset": "iso-8859-1"},
            {
                "X-Accel-Limit-Rate": "10",
                "X-Accel-Buffering": "no",
                "X-Accel-Expires": "0",
                "X-Accel-Charset": "iso-8859-1",
            },
        ),
    ],
)
def test_nginx_options(
    rf: RequestFactory, private: Path, arguments: dict[str, Any], expected: dict[str, str]
) -> None:
    view = file_view(private, backend="nginx", locations=locations(private), **arguments)
    response = view(rf.get("/"), "notes.txt")
    assert offload_headers(response) == {"X-Accel-Redirect": "/_protected/notes.txt", **expected}
    response.close()


@pytest.mark.parametrize(
    ("name", "options", "charset"),
    [
        ("notes.txt", {}, "utf-8"),
        ("report.pdf", {}, None),
        ("notes.txt", {"content_type": "application/octet-stream"}, None),
        # The view already chose the charset: nginx must not override it.
        ("notes.txt", {"charset": "iso-8859-1"}, None),
    ],
)
def test_charset_is_sent_only_for_text_without_one(
    rf: RequestFactory, private: Path, name: str, options: dict[str, Any], charset: str | None
) -> None:
    # nginx would append it to any type: "image/png; charset=utf-8".
    @optimized_download(backend="nginx", locations=locations(private), charset="utf-8")
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_path(request, name, root=private, **options)

    response = view(rf.get("/"))
    assert response.headers.get("X-Accel-Charset") == charset
    response.close()


@pytest.mark.parametrize("backend", ["apache", "lighttpd", "litespeed", "caddy"])
def test_nginx_options_are_not_sent_to_other_backends(
    rf: RequestFactory, private: Path, backend: str
) -> None:
    view = file_view(private, backend=backend, locations=locations(private), limit_rate=1, charset="utf-8")
    response = view(rf.get("/"), "report.pdf")
    assert len(offload_headers(response)) == 1
    response.close()


def test_settings_configure_the_bare_decorator(
    rf: RequestFactory, private: Path, settings: SettingsWrapper
) -> None:
    settings.DLSHORTCUTS = {
        "BACKEND": "nginx",
        "LOCATIONS": locations(private),
        "LIMIT_RATE": 2048,
        "BUFFERING": False,
        "EXPIRES": 60,
        "CHARSET": "utf-8",
    }

    @optimized_download
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_path(request, "notes.txt", root=private)

    response = view(rf.get("/"))
    assert offload_headers(response) == {
        "X-Accel-Redirect": "/_protected/notes.txt",
        "X-Accel-Limit-Rate": "2048",
        "X-Accel-Buffering": "no",
        "X-Accel-Expires": "60",
        "X-Accel-Charset": "utf-8",
    }
    response.close()


def test_arguments_override_settings(rf: RequestFactory, private: Path, settings: SettingsWrapper) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "apache", "LOCATIONS": [{"root": "/nowhere"}], "LIMIT_RATE": 5}
    view = file_view(private, backend="nginx", locations=locations(private), limit_rate=False)
    response = view(rf.get("/"), "report.pdf")
    assert offload_headers(response) == {
        "X-Accel-Redirect": "/_protected/report.pdf",
        "X-Accel-Limit-Rate": "off",
    }
    response.close()


def test_settings_are_read_at_each_request(
    rf: RequestFactory, private: Path, settings: SettingsWrapper
) -> None:
    view = file_view(private)
    response = view(rf.get("/"), "report.pdf")
    assert offload_headers(response) == {}
    assert read(response) == PDF
    settings.DLSHORTCUTS = {"BACKEND": "caddy", "LOCATIONS": locations(private)}
    response = view(rf.get("/"), "report.pdf")
    assert offload_headers(response) == {"X-Accel-Redirect": "/_protected/report.pdf"}
    response.close()


@pytest.mark.parametrize("name", ["line\r\nX-Injected: 1.txt", "new\nline.txt", "cr\rreturn.txt"])
@pytest.mark.parametrize("backend", ["nginx", "apache", "lighttpd", "litespeed", "caddy"])
def test_line_breaks_in_names_never_reach_a_header(
    rf: RequestFactory, private: Path, backend: str, name: str
) -> None:
    (private / name).write_bytes(b"x")
    view = file_view(private, backend=backend, locations=locations(private))
    response = view(rf.get("/"), name)
    # The file is served by Django itself; no header carries the name raw.
    assert offload_headers(response) == {}
    assert "X-Injected" not in response.headers
    assert all("\r" not in v and "\n" not in v for v in response.headers.values())
    assert read(response) == b"x"


def test_symlink_out_of_the_location_is_not_offloaded(
    rf: RequestFactory, private: Path, elsewhere: Path
) -> None:
    (private / "link.txt").symlink_to(elsewhere / "notes.txt")
    # A trusted path (no root) through a symlink: the resolved file is outside.
    response = optimized_download(backend="nginx", locations=locations(private))(
        lambda request: serve_path(request, private / "link.txt")
    )(rf.get("/"))
    assert offload_headers(response) == {}
    assert read(response) == b"not in any location"


def test_sibling_directory_with_common_prefix_is_not_inside(rf: RequestFactory, tmp_path: Path) -> None:
    (tmp_path / "private").mkdir()
    (tmp_path / "private2").mkdir()
    (tmp_path / "private2" / "f.txt").write_bytes(b"f")
    view = file_view(tmp_path / "private2", backend="nginx", locations=locations(tmp_path / "private"))
    response = view(rf.get("/"), "f.txt")
    assert offload_headers(response) == {}
    assert read(response) == b"f"


def test_keeps_name_docstring_and_signature(private: Path) -> None:
    def view(request: HttpRequest, name: str, *, inline: bool = False) -> HttpResponseBase:
        """Serve a report."""
        return serve_path(request, name, root=private)

    for decorated in (optimized_download(view), optimized_download(backend="nginx")(view)):
        assert decorated.__name__ == "view"
        assert decorated.__doc__ == "Serve a report."
        assert inspect.signature(decorated) == inspect.signature(view)
        assert not iscoroutinefunction(decorated)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"backend": "iis"},
            ValueError,
            "Unknown backend 'iis'; use one of nginx, apache, lighttpd, litespeed, caddy.",
        ),
        (
            {"locations": [{"url": "/x/"}]},
            ValueError,
            "needs exactly one of 'root', 'storage' or 'source_url'",
        ),
        ({"limit_rate": -1}, ValueError, "limit_rate must be a non-negative int"),
        ({"expires": "soon"}, TypeError, "expires must be seconds"),
        ({"expires": -1}, ValueError, "expires must be seconds"),
        ({"charset": "utf-8\r\nX-Evil: 1"}, ValueError, "charset must be a charset name"),
        ({"charset": 8}, TypeError, "charset must be a charset name"),
        ({"buffering": "yes"}, TypeError, "buffering must be True, False or None"),
        ({"sniff": "yes"}, TypeError, "sniff must be True, False or None"),
        ({"root": "/srv"}, TypeError, "optimized_download() got an unexpected keyword argument 'root'"),
    ],
)
def test_bad_arguments_fail_at_decoration(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        optimized_download(**arguments)
    assert message in str(caught.value)


def test_method_views_find_the_request(rf: RequestFactory, private: Path) -> None:
    class Downloads:
        @optimized_download(backend="nginx", locations=locations(private))
        def get(self, request: HttpRequest, name: str) -> HttpResponseBase:
            return serve_path(request, name, root=private)

    response = Downloads().get(rf.get("/"), "report.pdf")
    assert response.headers["X-Accel-Redirect"] == "/_protected/report.pdf"
    response.close()


def test_without_a_request_is_a_type_error() -> None:
    view = optimized_download(backend="nginx")(lambda name: name)
    with pytest.raises(TypeError, match="their first argument"):
        view("x")


@pytest.mark.parametrize("order", ["login_required outside", "login_required inside"])
def test_stacks_with_login_required(rf: RequestFactory, private: Path, order: str) -> None:
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_path(request, "report.pdf", root=private)

    offload = optimized_download(backend="nginx", locations=locations(private))
    decorated = (
        login_required(offload(view)) if order == "login_required outside" else offload(login_required(view))
    )

    anonymous = rf.get("/report")
    anonymous.user = AnonymousUser()
    refused = decorated(anonymous)
    assert refused.status_code == 302
    assert offload_headers(refused) == {}

    request = rf.get("/report")
    request.user = User(username="ada")
    response = decorated(request)
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == "/_protected/report.pdf"
    response.close()


@pytest.mark.parametrize("order", ["cache_control outside", "cache_control inside"])
def test_stacks_with_cache_control(rf: RequestFactory, private: Path, order: str) -> None:
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_path(request, "report.pdf", root=private)

    offload = optimized_download(backend="nginx", locations=locations(private))
    cache = cache_control(max_age=60, public=True)
    decorated = cache(offload(view)) if order == "cache_control outside" else offload(cache(view))
    response = decorated(rf.get("/"))
    assert response.headers["Cache-Control"] == "no-cache, max-age=60, public"
    assert response.headers["X-Accel-Redirect"] == "/_protected/report.pdf"
    response.close()


async def test_async_view(async_rf: AsyncRequestFactory, private: Path) -> None:
    @optimized_download(backend="nginx", locations=locations(private), buffering=False)
    async def view(request: HttpRequest, name: str) -> HttpResponseBase:
        """Async."""
        return await aserve_path(request, name, root=private)

    assert iscoroutinefunction(view)
    assert view.__doc__ == "Async."
    response = await view(async_rf.get("/", HTTP_RANGE="bytes=0-1"), NON_ASCII)
    assert response.status_code == 200
    assert offload_headers(response) == {
        "X-Accel-Redirect": "/_protected/p%C3%A9ter%20l%C3%A0%20%25.txt",
        "X-Accel-Buffering": "no",
    }
    assert response.is_async  # type: ignore[attr-defined]
    assert [chunk async for chunk in response] == []  # type: ignore[attr-defined]
    response.close()


async def test_bare_decorator_on_async_view(
    async_rf: AsyncRequestFactory, private: Path, settings: SettingsWrapper
) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "litespeed", "LOCATIONS": locations(private)}

    @optimized_download
    async def view(request: HttpRequest) -> HttpResponseBase:
        return await aserve_path(request, "report.pdf", root=private)

    response = await view(async_rf.get("/"))
    assert offload_headers(response) == {"X-LiteSpeed-Location": "/_protected/report.pdf"}
    response.close()


@pytest.mark.parametrize(
    ("name", "content", "arguments", "content_type", "disposition"),
    [
        # The name tells nothing: sniffed.
        ("scan", PDF, {}, "application/pdf", "attachment"),
        # The name lies, sniff=True trusts the bytes.
        ("lies.txt", PNG, {"sniff": True}, "image/png", "attachment"),
        ("lies.txt", PNG, {}, "text/plain", "attachment"),
        ("scan", PDF, {"sniff": False}, "application/octet-stream", "attachment"),
        # Sniffed active content is never shown inline, even when asked.
        (
            "page",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            {"inline": True},
            "text/html",
            "attachment",
        ),
        # Asked explicitly for both the type and inline: the view's choice.
        (
            "page",
            b"<!DOCTYPE html><html></html>",
            {"inline": True, "content_type": "text/html"},
            "text/html",
            "inline",
        ),
    ],
)
def test_sniffing_on_offloaded_files(
    rf: RequestFactory,
    private: Path,
    name: str,
    content: bytes,
    arguments: dict[str, Any],
    content_type: str,
    disposition: str,
) -> None:
    (private / name).write_bytes(content)
    sniff = arguments.get("sniff")

    @optimized_download(backend="nginx", locations=locations(private), sniff=sniff)
    def view(request: HttpRequest) -> HttpResponseBase:
        options: dict[str, Any] = {}
        if arguments.get("inline"):
            options["as_attachment"] = False
        if "content_type" in arguments:
            options["content_type"] = arguments["content_type"]
        return serve_path(request, name, root=private, **options)

    response = view(rf.get("/"))
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"].split(";")[0] == disposition
    assert response.headers["X-Accel-Redirect"] == f"/_protected/{name}"
    response.close()


def test_shortcut_sniff_option_wins_over_the_decorator(rf: RequestFactory, private: Path) -> None:
    (private / "lies.txt").write_bytes(PNG)

    @optimized_download(backend="nginx", locations=locations(private), sniff=True)
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_path(request, "lies.txt", root=private, sniff=False)

    response = view(rf.get("/"))
    assert response.headers["Content-Type"] == "text/plain"
    response.close()


class ClosingStream:
    """A one-shot stream that records whether it was closed (an upstream body)."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b"remote bytes"

    def close(self) -> None:
        self.closed = True


def test_remote_download_is_proxied_and_its_stream_closed(rf: RequestFactory) -> None:
    stream = ClosingStream()

    @optimized_download(
        backend="nginx", locations=[{"source_url": "https://b.example/files/", "url": "/_s3/"}]
    )
    def view(request: HttpRequest) -> HttpResponseBase:
        # What a remote resolver (serve_url, S3) hands the engine.
        download = Download(
            "report.pdf",
            size=12,
            url="https://b.example/files/2024/r%C3%A9sum%C3%A9.pdf?X-Amz-Signature=ab",
            stream=stream,
        )
        return respond(request, download, Options())

    response = view(rf.get("/", headers={"Range": "bytes=0-1"}))
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == "/_s3/2024/r%C3%A9sum%C3%A9.pdf?X-Amz-Signature=ab"
    assert stream.closed
    assert read(response) == b""


def test_storage_download_is_offloaded(rf: RequestFactory, private: Path, settings: SettingsWrapper) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
    }

    @optimized_download(backend="caddy", locations=[{"storage": "private", "url": "/_media/"}])
    def view(request: HttpRequest) -> HttpResponseBase:
        # What a storage resolver (serve_storage, serve_field) hands the engine.
        storage = storages["private"]
        download = Download("a b.csv", size=storage.size("sub/a b.csv"), storage=storage, name="sub/a b.csv")
        return respond(request, download, Options())

    response = view(rf.get("/"))
    assert response.headers["X-Accel-Redirect"] == "/_media/sub/a%20b.csv"
    assert response.headers["Content-Type"] == "text/csv"
    assert read(response) == b""


def test_rest_framework_views(rf: RequestFactory, private: Path) -> None:
    from rest_framework.request import Request

    class Downloads:
        @optimized_download(backend="nginx", locations=locations(private))
        def get(self, request: Request, name: str) -> HttpResponseBase:
            return serve_path(request, name, root=private)

    response = Downloads().get(Request(rf.get("/")), "report.pdf")
    assert response.headers["X-Accel-Redirect"] == "/_protected/report.pdf"
    response.close()


@pytest.mark.parametrize("locations", ["/srv", {"root": "/srv", "url": "/_p/"}, 5])
def test_locations_not_a_list_is_named(locations: object) -> None:
    from dlshortcuts import optimized_download

    with pytest.raises(TypeError) as raised:
        optimized_download(backend="nginx", locations=locations)  # type: ignore[call-overload]
    assert str(raised.value) == (
        "locations must be a list of location dicts such as [{'root': '/srv/private', "
        f"'url': '/_protected/'}}], not {locations!r}."
    )
