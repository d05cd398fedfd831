"""Apache with mod_xsendfile: ``X-Sendfile`` with the absolute path, as raw bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from dlshortcuts.offload.backends.encoding import decode_raw_path, raw_path
from dlshortcuts.offload.backends.nginx import ProxyOptions
from dlshortcuts.offload.backends.syntax import describe, directory, quoted
from dlshortcuts.offload.locations import Location, Target

X_SENDFILE = "X-Sendfile"


class Apache:
    """mod_xsendfile's ``X-Sendfile`` with the absolute path, as raw bytes.

    The configuration turns ``XSendFileUnescape`` off where it exists (1.0),
    so 0.12 and 1.0 read the same value.
    """

    name = "apache"
    header = X_SENDFILE
    carries: Final = "path"
    reads_options = False
    sendfile_alias = "xsendfile"

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        """``X-Sendfile`` with the raw path, or None when a header cannot carry it."""
        path = raw_path(target)
        # Apache answers Range on the file but, unlike nginx, lighttpd and
        # Caddy, does not announce it: say it for Apache.
        return None if path is None else {X_SENDFILE: path, "Accept-Ranges": "bytes"}

    def render_config(self, locations: Sequence[Location], upstream: str, _charset: str | None) -> str:
        """The lines inside ``<VirtualHost>``: mod_xsendfile on, one ``XSendFilePath`` each, the proxy."""
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
            folder = directory(location)
            if folder is None:
                lines.append(f"# {describe(location)} is not on local disk: X-Sendfile cannot serve it.")
            else:
                lines.append(f"XSendFilePath {quoted(folder.rstrip('/'))}")
        lines += [
            "ProxyPreserveHost On",
            f'ProxyPass "/" "http://{upstream}/"',
            f'ProxyPassReverse "/" "http://{upstream}/"',
        ]
        return "\n".join(lines) + "\n"

    def decode(self, value: str) -> str:
        """The path a header value names (its Latin-1 characters are the name's bytes)."""
        return decode_raw_path(value)


BACKEND = Apache()
