"""lighttpd: ``X-Sendfile`` with the absolute path, percent-encoded (lighttpd decodes it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import unquote

from dlshortcuts.offload.backends.apache import X_SENDFILE
from dlshortcuts.offload.backends.encoding import encode_path
from dlshortcuts.offload.backends.nginx import ProxyOptions
from dlshortcuts.offload.backends.syntax import describe, directory, quoted
from dlshortcuts.offload.locations import Location, Target


class Lighttpd:
    """lighttpd's ``X-Sendfile`` with the absolute path, percent-encoded (lighttpd decodes it)."""

    name = "lighttpd"
    header = X_SENDFILE
    carries: Final = "path"
    reads_options = False
    sendfile_alias = None

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        """``X-Sendfile`` with the encoded path, or None when lighttpd could not open it."""
        path = encode_path(target)
        return None if path is None else {X_SENDFILE: path}

    def render_config(self, locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
        """lighttpd.conf lines: mod_proxy to ``upstream`` with ``x-sendfile-docroot`` the locations."""
        host, _, port = upstream.rpartition(":")
        roots = [directory(location) for location in locations]
        docroots = ", ".join(quoted(root) for root in roots if root is not None)
        lines = ["# dlshortcuts: lighttpd.conf; needs mod_proxy.", 'server.modules += ( "mod_proxy" )']
        lines += [
            f"# {describe(location)} is not on local disk: X-Sendfile cannot serve it."
            for location, root in zip(locations, roots, strict=True)
            if root is None
        ]
        lines += [
            'proxy.server = ( "" => ( (',
            f'    "host" => {quoted(host)},',
            f'    "port" => {int(port)},',
            '    "x-sendfile" => "enable",',
            f'    "x-sendfile-docroot" => ( {docroots} ),',
            ") ) )",
        ]
        return "\n".join(lines) + "\n"

    def decode(self, value: str) -> str:
        """The path a header value names."""
        return unquote(value)


BACKEND = Lighttpd()
