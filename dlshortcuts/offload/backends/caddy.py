"""Caddy: ``X-Accel-Redirect``, which a ``handle_response`` block turns into a file_server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import unquote, urlsplit

from dlshortcuts.offload.backends.encoding import encode_uri
from dlshortcuts.offload.backends.nginx import X_ACCEL_REDIRECT, ProxyOptions
from dlshortcuts.offload.backends.syntax import describe, directory, quoted
from dlshortcuts.offload.locations import Location, Target


class Caddy:
    """``X-Accel-Redirect``, which a ``handle_response`` block turns into a file_server.

    The block sets only the path from the header (Caddy's ``rewrite`` does
    not percent-decode it), so a remote URL with a query string stays with
    Django.
    """

    name = "caddy"
    header = X_ACCEL_REDIRECT
    carries: Final = "uri"
    reads_options = False
    sendfile_alias = None

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        """``X-Accel-Redirect`` with the encoded URI (None without a ``url`` or with a query)."""
        uri = encode_uri(target)
        return None if uri is None or target.query else {X_ACCEL_REDIRECT: uri}

    def render_config(self, locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
        """The lines inside the site block: ``reverse_proxy`` with one ``handle_response`` each."""
        lines = ["# dlshortcuts: inside the site block", f"reverse_proxy {upstream} {{"]
        for index, location in enumerate(locations):
            if location.url is None:
                lines.append(f"    # {describe(location)} has no url: Caddy cannot reach it.")
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
            folder = directory(location)
            if location.source_url is not None:
                source = urlsplit(location.source_url)
                lines += [
                    f"        uri replace {location.url} {source.path or '/'} 1",
                    f"        reverse_proxy {source.scheme}://{source.netloc} {{",
                    "            header_up Host {upstream_hostport}",
                    "        }",
                ]
            elif folder is not None:
                lines += [
                    f"        root * {quoted(folder.rstrip('/'))}",
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

    def decode(self, value: str) -> str:
        """The unencoded URI a header value names."""
        return unquote(value)


BACKEND = Caddy()
