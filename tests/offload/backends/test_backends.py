"""Backends and their header values, without Django in the way."""

from __future__ import annotations

import datetime
import importlib
import re
from typing import Any

import pytest

from dlshortcuts.offload.backends import BACKEND_NAMES, BACKENDS, get_backend
from dlshortcuts.offload.backends.encoding import encode_path, encode_uri, raw_path
from dlshortcuts.offload.backends.nginx import ProxyOptions
from dlshortcuts.offload.locations import Location, Target

PROTECTED = Location(root="/srv/private", url="/_protected/")
REMOTE = Location(source_url="https://b.example/", url="/_remote/")


def test_backend_names() -> None:
    assert BACKEND_NAMES == ("nginx", "apache", "lighttpd", "litespeed", "caddy")
    assert set(BACKENDS) == set(BACKEND_NAMES)


@pytest.mark.parametrize("name", ["iis", "", "NGINX", None])
def test_unknown_backend(name: Any) -> None:
    with pytest.raises(
        ValueError, match=r"Unknown backend .*; use one of nginx, apache, lighttpd, litespeed, caddy\."
    ):
        get_backend(name)


@pytest.mark.parametrize(
    ("relative", "query", "uri"),
    [
        ("a.pdf", "", "/_protected/a.pdf"),
        ("péter là %.txt", "", "/_protected/p%C3%A9ter%20l%C3%A0%20%25.txt"),
        ("a?b#c.txt", "", "/_protected/a%3Fb%23c.txt"),
        ("a\r\nX-Evil: 1", "", "/_protected/a%0D%0AX-Evil%3A%201"),
        ("d/a.pdf", "sig=a%2Fb&x=1", "/_protected/d/a.pdf?sig=a%2Fb&x=1"),
        ("a.pdf", "x=a b\r\nY: 1", "/_protected/a.pdf?x=a%20b%0D%0AY:%201"),
    ],
)
def test_encode_uri_is_ascii_without_line_breaks(relative: str, query: str, uri: str) -> None:
    assert encode_uri(Target(PROTECTED, relative, None, query)) == uri


def test_no_uri_without_url() -> None:
    assert encode_uri(Target(Location(root="/srv"), "a", "/srv/a")) is None


@pytest.mark.parametrize(
    ("path", "encoded", "raw"),
    [
        ("/srv/private/a.pdf", "/srv/private/a.pdf", "/srv/private/a.pdf"),
        (
            "/srv/private/péter là %.txt",
            "/srv/private/p%C3%A9ter%20l%C3%A0%20%25.txt",
            "/srv/private/p\xc3\xa9ter l\xc3\xa0 %.txt",
        ),
    ],
)
def test_path_encodings(path: str, encoded: str, raw: str) -> None:
    target = Target(PROTECTED, "x", path)
    assert encode_path(target) == encoded
    assert raw_path(target) == raw
    # Django sends a Latin-1 str as its bytes: the file name's own UTF-8.
    assert raw.encode("latin-1") == path.encode()


@pytest.mark.parametrize(
    ("path", "encoded", "raw"),
    [
        # A byte that is not UTF-8 (os.fsdecode's surrogate): its own byte
        # for nginx and Apache; lighttpd refuses such a path (502).
        ("/srv/private/\udcff.bin", None, "/srv/private/\xff.bin"),
        # Control characters: lighttpd would open "a_b"; no header may carry them raw.
        ("/srv/private/a\x1bb", None, None),
        ("/srv/private/a\tb", None, None),
        ("/srv/private/a\x7fb", None, None),
        ("/srv/di\nr/a", None, None),
        # The server in front strips a trailing space: Apache would open "a".
        ("/srv/private/a ", "/srv/private/a%20", None),
    ],
)
def test_paths_a_header_cannot_carry_are_left_to_django(
    path: str, encoded: str | None, raw: str | None
) -> None:
    target = Target(PROTECTED, "x", path)
    assert encode_path(target) == encoded
    assert raw_path(target) == raw


def test_uri_carries_an_undecodable_byte_as_itself() -> None:
    target = Target(PROTECTED, "d/\udcff\udcfe.bin", "/srv/private/d/\udcff\udcfe.bin")
    assert encode_uri(target) == "/_protected/d/%FF%FE.bin"


def test_no_path_for_remote_targets() -> None:
    target = Target(REMOTE, "a.pdf", None)
    assert encode_path(target) is None
    assert raw_path(target) is None
    for name in ("apache", "lighttpd"):
        assert BACKENDS[name].headers(target, ProxyOptions()) is None
    assert BACKENDS["nginx"].headers(target, ProxyOptions()) == {"X-Accel-Redirect": "/_remote/a.pdf"}


@pytest.mark.parametrize(
    ("options", "headers"),
    [
        (ProxyOptions(), {}),
        (ProxyOptions(limit_rate=512), {"X-Accel-Limit-Rate": "512"}),
        (ProxyOptions(limit_rate=False), {"X-Accel-Limit-Rate": "off"}),
        (ProxyOptions(buffering=True), {"X-Accel-Buffering": "yes"}),
        (ProxyOptions(buffering=False), {"X-Accel-Buffering": "no"}),
        (ProxyOptions(expires=0), {"X-Accel-Expires": "0"}),
        (ProxyOptions(expires=datetime.timedelta(hours=1)), {"X-Accel-Expires": "3600"}),
        (
            ProxyOptions(expires=datetime.datetime(1970, 1, 2, tzinfo=datetime.timezone.utc)),
            {"X-Accel-Expires": "@86400"},
        ),
        (ProxyOptions(expires=False), {"X-Accel-Expires": "off"}),
        (ProxyOptions(charset="utf-8"), {"X-Accel-Charset": "utf-8"}),
    ],
)
def test_nginx_option_headers(options: ProxyOptions, headers: dict[str, str]) -> None:
    assert options.headers() == headers


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"limit_rate": -1},
            ValueError,
            "limit_rate must be a non-negative int of bytes per second or False, not -1.",
        ),
        (
            {"limit_rate": True},
            TypeError,
            "limit_rate must be a non-negative int of bytes per second or False, not True.",
        ),
        (
            {"limit_rate": "1k"},
            TypeError,
            "limit_rate must be a non-negative int of bytes per second or False, not '1k'.",
        ),
        ({"buffering": "no"}, TypeError, "buffering must be True, False or None, not 'no'."),
        (
            {"expires": True},
            TypeError,
            "expires must be seconds, a timedelta, a datetime or False, not True.",
        ),
        ({"expires": -5}, ValueError, "expires must be seconds, a timedelta, a datetime or False, not -5."),
        (
            {"expires": "1h"},
            TypeError,
            "expires must be seconds, a timedelta, a datetime or False, not '1h'.",
        ),
        ({"charset": "None x"}, ValueError, "charset must be a charset name such as 'utf-8', not 'None x'."),
        (
            {"charset": "utf-8\r\nX: 1"},
            ValueError,
            "charset must be a charset name such as 'utf-8', not 'utf-8\\r\\nX: 1'.",
        ),
        ({"charset": 8}, TypeError, "charset must be a charset name such as 'utf-8', not 8."),
    ],
)
def test_bad_option_values(arguments: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)) as caught:
        ProxyOptions(**arguments)
    assert str(caught.value) == message


def test_caddy_leaves_remote_urls_with_a_query_to_django() -> None:
    caddy = BACKENDS["caddy"]
    assert caddy.headers(Target(REMOTE, "a.pdf", None, "sig=1"), ProxyOptions()) is None
    assert caddy.headers(Target(REMOTE, "a.pdf", None), ProxyOptions()) == {
        "X-Accel-Redirect": "/_remote/a.pdf"
    }


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        ("text/plain", "utf-8"),
        ("text/csv", "utf-8"),
        ("text/plain; charset=iso-8859-1", None),
        ("image/png", None),
        ("application/octet-stream", None),
    ],
)
def test_charset_kept_only_for_text_without_one(content_type: str, charset: str | None) -> None:
    assert ProxyOptions(charset="utf-8", buffering=False).for_content_type(content_type) == ProxyOptions(
        charset=charset, buffering=False
    )


def test_apache_announces_ranges_itself() -> None:
    target = Target(PROTECTED, "a.pdf", "/srv/private/a.pdf")
    assert BACKENDS["apache"].headers(target, ProxyOptions()) == {
        "X-Sendfile": "/srv/private/a.pdf",
        "Accept-Ranges": "bytes",
    }
    assert BACKENDS["lighttpd"].headers(target, ProxyOptions()) == {"X-Sendfile": "/srv/private/a.pdf"}


@pytest.mark.parametrize("name", BACKEND_NAMES)
def test_each_backend_module_registers_under_its_own_name(name: str) -> None:
    backend = get_backend(name)
    assert backend.name == name
    assert backend.carries in ("uri", "path")
    module = importlib.import_module(f"dlshortcuts.offload.backends.{name}")
    assert module.BACKEND is backend


@pytest.mark.parametrize(
    ("name", "header", "carries", "reads_options", "sendfile_alias"),
    [
        ("nginx", "X-Accel-Redirect", "uri", True, "nginx"),
        ("apache", "X-Sendfile", "path", False, "xsendfile"),
        ("lighttpd", "X-Sendfile", "path", False, None),
        ("litespeed", "X-LiteSpeed-Location", "uri", False, None),
        ("caddy", "X-Accel-Redirect", "uri", False, None),
    ],
)
def test_backend_data(
    name: str, header: str, carries: str, reads_options: bool, sendfile_alias: str | None
) -> None:
    backend = get_backend(name)
    assert (backend.header, backend.carries, backend.reads_options, backend.sendfile_alias) == (
        header,
        carries,
        reads_options,
        sendfile_alias,
    )


@pytest.mark.parametrize(
    ("name", "value", "decoded"),
    [
        ("nginx", "/_p/na%C3%AFve%20r%C3%A9sum%C3%A9.pdf", "/_p/naïve résumé.pdf"),
        ("caddy", "/_p/a%25b.pdf", "/_p/a%b.pdf"),
        ("litespeed", "/_p/%E6%97%A5.txt", "/_p/日.txt"),
        ("lighttpd", "/srv/na%C3%AFve.pdf", "/srv/naïve.pdf"),
        ("apache", "/srv/na\xc3\xafve.pdf", "/srv/naïve.pdf"),
    ],
)
def test_decode_reads_a_header_value_back(name: str, value: str, decoded: str) -> None:
    assert get_backend(name).decode(value) == decoded


@pytest.mark.parametrize("name", BACKEND_NAMES)
def test_decode_inverts_headers(name: str) -> None:
    backend = get_backend(name)
    target = Target(PROTECTED, "naïve résumé 100%.pdf", "/srv/private/naïve résumé 100%.pdf")
    headers = backend.headers(target, ProxyOptions())
    assert headers is not None
    expected = target.uri if backend.carries == "uri" else target.path
    assert backend.decode(headers[backend.header]) == expected
