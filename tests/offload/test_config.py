"""render_proxy_config: the exact text each backend gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import Storage
from pytest_django.fixtures import Settings

from dlshortcuts.offload.config import render_proxy_config

REMOTE = {"source_url": "https://b.example/files/", "url": "/_remote/"}


@pytest.fixture
def private_files(root: Path) -> str:
    """A directory inside the root whose name needs quoting in every server's configuration."""
    directory = root / "private files"
    directory.mkdir()
    return str(directory.resolve())


def test_nginx(private_files: str) -> None:
    text = render_proxy_config(
        "nginx", [{"root": private_files, "url": "/_protected/"}, REMOTE], upstream="127.0.0.1:9000"
    )
    assert text == (
        "# dlshortcuts: inside server { ... }\n"
        "location / {\n"
        "    proxy_pass http://127.0.0.1:9000;\n"
        "    proxy_set_header Host $http_host;\n"
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        "    proxy_set_header X-Forwarded-Proto $scheme;\n"
        "}\n"
        'location "/_protected/" {\n'
        "    internal;\n"
        f'    alias "{private_files}/";\n'
        "    add_header X-Content-Type-Options nosniff;\n"
        "}\n"
        'location "/_remote/" {\n'
        "    internal;\n"
        "    proxy_pass https://b.example/files/;\n"
        "    proxy_ssl_server_name on;\n"
        "    add_header X-Content-Type-Options nosniff;\n"
        "}\n"
    )


def test_nginx_declares_the_charset(private_files: str) -> None:
    text = render_proxy_config("nginx", [{"root": private_files, "url": "/_p/"}], charset="utf-8")
    assert f'    alias "{private_files}/";\n    charset utf-8;\n' in text


def test_nginx_skips_a_location_without_url(private_files: str) -> None:
    text = render_proxy_config("nginx", [{"root": private_files}])
    assert f"# location None (root '{private_files}') has no url: nginx cannot reach it.\n" in text
    assert "internal;" not in text


def test_apache(private_files: str) -> None:
    text = render_proxy_config("apache", [{"root": private_files}, REMOTE])
    assert text == (
        "# dlshortcuts: inside <VirtualHost>; needs mod_proxy, mod_proxy_http and mod_xsendfile.\n"
        "XSendFile On\n"
        "<IfDirective XSendFileUnescape>\n"
        "    XSendFileUnescape Off\n"
        "</IfDirective>\n"
        f'XSendFilePath "{private_files}"\n'
        "# location '/_remote/' (source_url 'https://b.example/files/') is not on local disk:"
        " X-Sendfile cannot serve it.\n"
        "ProxyPreserveHost On\n"
        'ProxyPass "/" "http://127.0.0.1:8000/"\n'
        'ProxyPassReverse "/" "http://127.0.0.1:8000/"\n'
    )


def test_lighttpd(private_files: str) -> None:
    text = render_proxy_config("lighttpd", [{"root": private_files}, {"root": "/srv/b", "url": "/_b/"}])
    assert text == (
        "# dlshortcuts: lighttpd.conf; needs mod_proxy.\n"
        'server.modules += ( "mod_proxy" )\n'
        'proxy.server = ( "" => ( (\n'
        '    "host" => "127.0.0.1",\n'
        '    "port" => 8000,\n'
        '    "x-sendfile" => "enable",\n'
        f'    "x-sendfile-docroot" => ( "{private_files}/", "/srv/b/" ),\n'
        ") ) )\n"
    )


def test_caddy(private_files: str) -> None:
    text = render_proxy_config(
        "caddy", [{"root": private_files, "url": "/_protected/"}, REMOTE], upstream="[::1]:8001"
    )
    handle = (
        "        uri path_regexp ^.*$ {rp.header.X-Accel-Redirect}\n"
        "        method * GET\n"
        "        copy_response_headers {\n"
        "            include Content-Type Content-Disposition Cache-Control Set-Cookie"
        " X-Content-Type-Options\n"
        "        }\n"
    )
    assert text == (
        "# dlshortcuts: inside the site block\n"
        "reverse_proxy [::1]:8001 {\n"
        "    @accel0 header X-Accel-Redirect /_protected/*\n"
        "    handle_response @accel0 {\n"
        f"{handle}"
        f'        root * "{private_files}"\n'
        "        uri strip_prefix /_protected\n"
        "        file_server\n"
        "    }\n"
        "    @accel1 header X-Accel-Redirect /_remote/*\n"
        "    handle_response @accel1 {\n"
        f"{handle}"
        "        uri replace /_remote/ /files/ 1\n"
        "        reverse_proxy https://b.example {\n"
        "            header_up Host {upstream_hostport}\n"
        "        }\n"
        "    }\n"
        "}\n"
    )


def test_litespeed(private_files: str) -> None:
    text = render_proxy_config("litespeed", [{"root": private_files, "url": "/_protected/"}, REMOTE])
    assert text.endswith(
        "context /_protected/ {\n"
        f"  location {private_files}/\n"
        "  allowBrowse 1\n"
        "}\n"
        "# location '/_remote/' (source_url 'https://b.example/files/') needs both a url"
        " and a directory on local disk.\n"
    )


def test_local_storage_is_served_from_its_directory(private_files: str, settings: Settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": private_files},
        },
    }
    text = render_proxy_config("nginx", [{"storage": "private", "url": "/_media/"}])
    assert f'location "/_media/" {{\n    internal;\n    alias "{private_files}/";\n' in text


def test_quotes_in_paths_are_escaped(tmp_path: Path) -> None:
    directory = tmp_path / 'say "hi" \\ there'
    directory.mkdir()
    text = render_proxy_config("apache", [{"root": str(directory)}])
    escaped = str(directory.resolve()).replace("\\", "\\\\").replace('"', '\\"')
    assert f'XSendFilePath "{escaped}"\n' in text


@pytest.mark.parametrize(
    ("backend", "upstream", "message"),
    [
        ("iis", "127.0.0.1:8000", "Unknown backend 'iis'"),
        ("nginx", "127.0.0.1", "upstream must be host:port, such as '127.0.0.1:8000', not '127.0.0.1'."),
        ("nginx", "evil; include /x:80", "upstream must be host:port"),
        ("nginx", "127.0.0.1:http", "upstream must be host:port"),
    ],
)
def test_bad_arguments(backend: str, upstream: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.")):
        render_proxy_config(backend, [], upstream=upstream)


class RemoteStorage(Storage):
    """A storage with no local path, like S3."""


@pytest.fixture
def remote_storage(settings: Settings) -> str:
    settings.STORAGES = {
        **settings.STORAGES,
        "remote": {"BACKEND": "tests.offload.test_config.RemoteStorage"},
    }
    return "remote"


@pytest.mark.parametrize(
    ("backend", "line"),
    [
        ("nginx", "    # storage 'remote' is not on local disk: use a source_url location.\n"),
        ("caddy", "        # storage 'remote' is not on local disk: use a source_url location.\n"),
        (
            "apache",
            "# location '/_m/' (storage 'remote') is not on local disk: X-Sendfile cannot serve it.\n",
        ),
    ],
)
def test_remote_storage_gets_a_note(remote_storage: str, backend: str, line: str) -> None:
    assert line in render_proxy_config(backend, [{"storage": remote_storage, "url": "/_m/"}])


def test_caddy_skips_a_location_without_url(private_files: str) -> None:
    text = render_proxy_config("caddy", [{"root": private_files}])
    assert f"    # location None (root '{private_files}') has no url: Caddy cannot reach it.\n" in text
    assert "handle_response" not in text
