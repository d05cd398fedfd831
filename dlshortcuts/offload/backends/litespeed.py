"""LiteSpeed (and OpenLiteSpeed): ``X-LiteSpeed-Location``, a URI under the document root."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import unquote

from dlshortcuts.offload.backends.encoding import encode_uri
from dlshortcuts.offload.backends.nginx import ProxyOptions
from dlshortcuts.offload.backends.syntax import describe, directory
from dlshortcuts.offload.locations import Location, Target

X_LITESPEED_LOCATION = "X-LiteSpeed-Location"


class LiteSpeed:
    """``X-LiteSpeed-Location``: a URI under the document root."""

    name = "litespeed"
    header = X_LITESPEED_LOCATION
    carries: Final = "uri"
    reads_options = False
    sendfile_alias = None

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        """``X-LiteSpeed-Location`` with the encoded URI (None without a ``url``)."""
        uri = encode_uri(target)
        return None if uri is None else {X_LITESPEED_LOCATION: uri}

    def render_config(self, locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
        """OpenLiteSpeed virtual host contexts, one per location."""
        lines = [
            "# dlshortcuts: OpenLiteSpeed virtual host contexts for X-LiteSpeed-Location.",
            f"# Proxy the site to {upstream} (an external app of type proxy), then map",
            "# each internal prefix to its directory. X-LiteSpeed-Location takes a URI",
            "# under the document root; keep these prefixes out of public links.",
        ]
        for location in locations:
            folder = directory(location)
            if location.url is None or folder is None:
                lines.append(f"# {describe(location)} needs both a url and a directory on local disk.")
                continue
            lines += [f"context {location.url} {{", f"  location {folder}", "  allowBrowse 1", "}"]
        return "\n".join(lines) + "\n"

    def decode(self, value: str) -> str:
        """The unencoded URI a header value names."""
        return unquote(value)


BACKEND = LiteSpeed()
