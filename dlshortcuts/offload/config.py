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

from collections.abc import Mapping, Sequence
from typing import Any

from dlshortcuts.offload.backends import BackendName, get_backend
from dlshortcuts.offload.locations import Location, parse_locations


def render_proxy_config(
    backend: BackendName | str,
    locations: Sequence[Location | Mapping[str, Any]],
    *,
    upstream: str = "127.0.0.1:8000",
    charset: str | None = None,
) -> str:
    """Render the configuration ``backend`` needs to serve ``locations``.

    :param backend: a web server's name (see :data:`~dlshortcuts.offload.backends.BackendName`).
    :param locations: location entries, as in the ``LOCATIONS`` setting.
    :param upstream: ``host:port`` of the Django application server.
    :param charset: the ``CHARSET`` setting; nginx must know a charset before
        ``X-Accel-Charset`` can name it.
    :raises TypeError: for a location that is not a dict of strings.
    :raises ValueError: for an unknown backend, a malformed location or upstream.
    """
    server = get_backend(backend)
    host, _, port = upstream.rpartition(":")
    if not host or not port.isdigit() or any(c.isspace() or c in "\"';{}" for c in host):
        raise ValueError(f"upstream must be host:port, such as '127.0.0.1:8000', not {upstream!r}.")
    return server.render_config(parse_locations(locations), upstream, charset)
