"""The web servers a download can be handed over to: one module each, registered here.

Each module (``nginx``, ``apache``, ...) owns everything about its server:
its name, its handover header, how the header encodes the file, the
configuration ``dlshortcuts_proxy_config`` prints, the data the system checks
read and how the test helpers read the header back. Adding a server is one
module defining ``BACKEND`` plus its name in :data:`BackendName` and its line
in :data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol, get_args

from dlshortcuts.offload.backends import apache, caddy, lighttpd, litespeed, nginx
from dlshortcuts.offload.backends.nginx import ProxyOptions
from dlshortcuts.offload.locations import Location, Target

BackendName = Literal["nginx", "apache", "lighttpd", "litespeed", "caddy"]
BACKEND_NAMES: tuple[BackendName, ...] = get_args(BackendName)


class Backend(Protocol):
    """What every web server module's ``BACKEND`` provides."""

    @property
    def name(self) -> str:
        """The name in the ``BACKEND`` setting and the decorator's ``backend`` argument."""

    @property
    def header(self) -> str:
        """The response header that hands a download over."""

    @property
    def carries(self) -> Literal["uri", "path"]:
        """What the header names: a URI under a location's ``url``, or a path on local disk.

        The checks read it: a URI server needs a ``url`` in every location (E007,
        and ``SENDFILE_URL``, E041), a path server a directory on disk (E008).
        """

    @property
    def reads_options(self) -> bool:
        """Whether the server obeys :class:`ProxyOptions` (else W004 warns about them)."""

    @property
    def sendfile_alias(self) -> str | None:
        """Its name among django-sendfile2's backends (``django_sendfile.backends.X``), if any."""

    def headers(self, target: Target, options: ProxyOptions) -> dict[str, str] | None:
        """The headers handing ``target`` to the web server, or None when it cannot serve it."""

    def render_config(self, locations: Sequence[Location], upstream: str, charset: str | None) -> str:
        """The configuration serving ``locations``, proxying the rest to ``upstream``."""

    def decode(self, value: str) -> str:
        """The URI or path a header value stands for, unencoded (read back by the test helpers)."""


#: Every web server, in the order of :data:`BackendName`.
BACKENDS: Mapping[str, Backend] = {
    nginx.BACKEND.name: nginx.BACKEND,
    apache.BACKEND.name: apache.BACKEND,
    lighttpd.BACKEND.name: lighttpd.BACKEND,
    litespeed.BACKEND.name: litespeed.BACKEND,
    caddy.BACKEND.name: caddy.BACKEND,
}


def get_backend(name: str) -> Backend:
    """The backend called ``name``.

    :raises ValueError: for an unknown name, listing the known ones.
    """
    try:
        return BACKENDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown backend {name!r}; use one of {', '.join(BACKEND_NAMES)}.") from None
