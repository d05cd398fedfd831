"""The web-server configuration that matches the proxy locations, ready to paste.

``python manage.py dlshortcuts_proxy_config`` prints it, and the real-server
tests embed exactly this text in their configurations::

    render_proxy_config(backend, locations, *, upstream="127.0.0.1:8000", charset=None) -> str

The text goes inside the server's site block (nginx ``server { }``, Apache
``<VirtualHost>``, lighttpd's top level, Caddy's site block): it proxies every
request to ``upstream`` (the gunicorn or uvicorn ``host:port``) and serves the
locations the application hands downloads over to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from dlshortcuts.offload.backends import BackendName, get_backend
from dlshortcuts.offload.locations import Location, parse_locations

__all__ = ["render_proxy_config"]


def render_proxy_config(
    backend: BackendName | str,
    locations: Sequence[Location | Mapping[str, Any]],
    *,
    upstream: str = "127.0.0.1:8000",
    charset: str | None = None,
) -> str:
    """Render the configuration ``backend`` needs to serve ``locations``.

    :param backend: ``"nginx"``, ``"apache"``, ``"lighttpd"``, ``"litespeed"``
        or ``"caddy"``.
    :param locations: location entries, as in the ``LOCATIONS`` setting.
    :param upstream: ``host:port`` of the Django application server.
    :param charset: the ``CHARSET`` setting; nginx must know a charset before
        ``X-Accel-Charset`` can name it.
    :raises ValueError: for an unknown backend or a malformed location.
    """
    get_backend(backend)
    host, _, port = upstream.rpartition(":")
    if not host or not port.isdigit() or any(c.isspace() or c in "\"';{}" for c in host):
        raise ValueError(f"upstream must be host:port, such as '127.0.0.1:8000', not {upstream!r}.")
    render = _RENDERERS[backend]
    return render(parse_locations(locations), upstream, charset)


def _quoted(value: str) -> str:
    """A double-quoted configuration string (nginx, Apache, lighttpd and Caddy agree on this)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _describe(location: Location) -> str:
    source = next((key, value) for key, value in vars(location).items() if key != "url" and value is not None)
    return f"location {location.url!r} ({source[0]} {source[1]!r})"


def _directory(location: Location) -> str | None:
    root = location.local_root
    return None if root is None else root.rstrip("/") + "/"


def _nginx(locations: Sequence[Location], upstream: str, charset: str | None) -> str:
    lines = [
        "# dlshortcuts: inside server { ... }",
        "location / {",
        f"    proxy_pass http://{upstream};",
        # $http_host is the client's Host with its port ($host drops it), so
        # Django's absolute URLs and CSRF origin check see the real address.
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "}",
    ]
    for location in locations:
        if location.url is None:
            lines.append(f"# {_describe(location)} has no url: nginx cannot reach it.")
            continue
        lines += [f"location {_quoted(location.url)} {{", "    internal;"]
        if location.source_url is not None:
            lines += [
                f"    proxy_pass {location.source_url};",
                "    proxy_ssl_server_name on;",
            ]
        elif (directory := _directory(location)) is not None:
            lines.append(f"    alias {_quoted(directory)};")
        else:
            lines.append(
                f"    # storage {location.storage!r} is not on local disk: use a source_url location."
            )
        if charset is not None:
            # Declaring the charset is what makes nginx accept X-Accel-Charset.
            lines.append(f"    charset {charset};")
        # nginx keeps only a few of the application's headers after the
        # redirect; dlshortcuts sends this one on every download.
        lines += ["    add_header X-Content-Type-Options nosniff;", "}"]
    return "\n".join(lines) + "\n"


def _apache(locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
    lines = [
        "# dlshortcuts: inside <VirtualHost>; needs mod_proxy, mod_proxy_http and mod_xsendfile.",
        "XSendFile On",
        # mod_xsendfile 1.0 would percent-decode the header; 0.12 (Debian's)
        # has no such directive and reads the raw bytes dlshortcuts sends.
        "<IfDirective XSendFileUnescape>",
        "    XSendFileUnescape Off",
        "</IfDirective>",
    ]
    for location in locations:
        directory = _directory(location)
        if directory is None:
            lines.append(f"# {_describe(location)} is not on local disk: X-Sendfile cannot serve it.")
        else:
            lines.append(f"XSendFilePath {_quoted(directory.rstrip('/'))}")
    lines += [
        "ProxyPreserveHost On",
        f'ProxyPass "/" "http://{upstream}/"',
        f'ProxyPassReverse "/" "http://{upstream}/"',
    ]
    return "\n".join(lines) + "\n"


def _lighttpd(locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
    host, _, port = upstream.rpartition(":")
    roots = [_directory(location) for location in locations]
    docroots = ", ".join(_quoted(root) for root in roots if root is not None)
    lines = ["# dlshortcuts: lighttpd.conf; needs mod_proxy.", 'server.modules += ( "mod_proxy" )']
    lines += [
        f"# {_describe(location)} is not on local disk: X-Sendfile cannot serve it."
        for location, root in zip(locations, roots, strict=True)
        if root is None
    ]
    lines += [
        'proxy.server = ( "" => ( (',
        f'    "host" => {_quoted(host)},',
        f'    "port" => {int(port)},',
        '    "x-sendfile" => "enable",',
        f'    "x-sendfile-docroot" => ( {docroots} ),',
        ") ) )",
    ]
    return "\n".join(lines) + "\n"


def _caddy(locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
    lines = ["# dlshortcuts: inside the site block", f"reverse_proxy {upstream} {{"]
    for index, location in enumerate(locations):
        if location.url is None:
            lines.append(f"    # {_describe(location)} has no url: Caddy cannot reach it.")
            continue
        prefix = location.url.rstrip("/")
        # Only a value under the internal prefix is obeyed: a header the
        # application did not mean as a redirect cannot serve files.
        lines += [
            f"    @accel{index} header X-Accel-Redirect {location.url}*",
            f"    handle_response @accel{index} {{",
            # Not rewrite: it would keep the header's percent-encoding in the
            # path (caddyserver/caddy#4180); path_regexp decodes it.
            "        uri path_regexp ^.*$ {rp.header.X-Accel-Redirect}",
            "        method * GET",
            "        copy_response_headers {",
            "            include Content-Type Content-Disposition Cache-Control Set-Cookie"
            " X-Content-Type-Options",
            "        }",
        ]
        directory = _directory(location)
        if location.source_url is not None:
            source = urlsplit(location.source_url)
            lines += [
                f"        uri replace {location.url} {source.path or '/'} 1",
                f"        reverse_proxy {source.scheme}://{source.netloc} {{",
                "            header_up Host {upstream_hostport}",
                "        }",
            ]
        elif directory is not None:
            lines += [
                f"        root * {_quoted(directory.rstrip('/'))}",
                f"        uri strip_prefix {prefix}",
                "        file_server",
            ]
        else:
            lines.append(
                f"        # storage {location.storage!r} is not on local disk: use a source_url location."
            )
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _litespeed(locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
    lines = [
        "# dlshortcuts: OpenLiteSpeed virtual host contexts for X-LiteSpeed-Location.",
        f"# Proxy the site to {upstream} (an external app of type proxy), then map",
        "# each internal prefix to its directory. X-LiteSpeed-Location takes a URI",
        "# under the document root; keep these prefixes out of public links.",
    ]
    for location in locations:
        directory = _directory(location)
        if location.url is None or directory is None:
            lines.append(f"# {_describe(location)} needs both a url and a directory on local disk.")
            continue
        lines += [f"context {location.url} {{", f"  location {directory}", "  allowBrowse 1", "}"]
    return "\n".join(lines) + "\n"


_RENDERERS: Mapping[str, Callable[[Sequence[Location], str, str | None], str]] = {
    "nginx": _nginx,
    "apache": _apache,
    "lighttpd": _lighttpd,
    "litespeed": _litespeed,
    "caddy": _caddy,
}
