"""What serve_url may fetch, and for how long it waits: checked before any connection.

The same validators serve the arguments (a wrong one raises TypeError or
ValueError at the call) and the settings (``dlshortcuts.checks.settings`` turns the
same messages into system check errors).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.http.request import validate_host

from dlshortcuts.conf import conf
from dlshortcuts.http.forwarding import HOP_BY_HOP_HEADERS

if TYPE_CHECKING:
    import requests

#: The only schemes ever fetched: a ``file:`` or ``gopher:`` URL is how a
#: server-side request forgery reads local files or talks to internal services.
ALLOWED_SCHEMES = frozenset({"http", "https"})

# Fields that frame the client's request to us: copied upstream, a client's
# Host would pick the upstream's virtual host, a Content-Length a body that
# never comes.
_REQUEST_FRAMING = frozenset({"host", "content-length"})

#: Seconds to connect, seconds to wait for each read (as requests takes them).
Timeout = tuple[float, float]


@dataclass(frozen=True)
class RemotePolicy:
    """What one serve_url call may fetch and how, its arguments checked and defaulted.

    :ivar session: the requests session, or None for the process-wide one.
    :ivar timeout: seconds to connect and to wait for each read.
    :ivar allowed_hosts: host patterns the URL and every redirect must match
        (None: any host).
    :ivar max_redirects: redirects followed before giving up with 502.
    :ivar forward_headers: more request fields sent upstream.
    """

    session: requests.Session | None
    timeout: Timeout
    allowed_hosts: list[str] | None
    max_redirects: int
    forward_headers: tuple[str, ...]


def remote_policy(
    *,
    session: requests.Session | None = None,
    timeout: object = None,
    allowed_hosts: object = None,
    forward_headers: Iterable[str] | None = None,
) -> RemotePolicy:
    """serve_url's arguments checked, each missing one taken from its ``URL_*`` setting.

    :raises TypeError: for an argument of the wrong type.
    :raises ValueError: for a host pattern or header name that can never be right.
    """
    return RemotePolicy(
        session=session,
        timeout=timeout_pair(conf.URL_TIMEOUT if timeout is None else timeout),
        allowed_hosts=hosts_list(conf.URL_ALLOWED_HOSTS if allowed_hosts is None else allowed_hosts),
        max_redirects=max_redirects_count(conf.URL_MAX_REDIRECTS),
        forward_headers=forwarded_names(forward_headers),
    )


class RefusedURLError(ValueError):
    """A URL serve_url will not fetch; the message says why (for the log only)."""


def url_origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of ``url``, lower-cased, the port as written.

    :raises RefusedURLError: when ``url`` cannot be parsed or has no host.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedURLError(f"malformed URL ({error})") from None
    if not parts.hostname:
        raise RefusedURLError("no host in the URL")
    return parts.scheme.lower(), parts.hostname.lower(), port


def check_url(url: str, allowed_hosts: Sequence[str] | None) -> None:
    """Refuse ``url`` unless it is http(s) to a host ``allowed_hosts`` names.

    :param url: an absolute URL.
    :param allowed_hosts: Django ``ALLOWED_HOSTS`` patterns (``"files.example.com"``,
        ``".example.com"`` for a domain and its subdomains, ``"*"``), or None
        for any host.
    :raises RefusedURLError: naming the reason.
    """
    scheme, host, _ = url_origin(url)
    if scheme not in ALLOWED_SCHEMES:
        raise RefusedURLError(f"scheme {scheme!r} is not http or https")
    if allowed_hosts is not None:
        # Django's patterns write IPv6 literals in brackets, as in a Host field.
        name = f"[{host}]" if ":" in host else host
        if not validate_host(name, list(allowed_hosts)):
            raise RefusedURLError(f"host {host!r} is not in allowed_hosts")


def timeout_pair(value: object, name: str = "timeout") -> Timeout:
    """Normalise a timeout to ``(connect, read)`` seconds.

    :param value: a positive number of seconds for both, or a pair of them.
    :param name: how the value is called, for the message.
    :raises TypeError: when ``value`` is neither.
    """
    pair = value if isinstance(value, (tuple, list)) and len(value) == 2 else (value, value)
    connect, read = (_positive_seconds(item) for item in pair)
    if connect is None or read is None:
        raise TypeError(
            f"{name} must be a positive number of seconds or a (connect, read) pair of them, not {value!r}"
        )
    return connect, read


def _positive_seconds(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
        return float(value)
    return None


def hosts_list(value: object, name: str = "allowed_hosts") -> list[str] | None:
    """Check a host allow-list: None, or a list or tuple of host-name strings.

    :param value: the allow-list as given.
    :param name: how the value is called, for the message.
    :raises TypeError: for a lone string (a classic slip) or a non-string item.
    :raises ValueError: for an item that carries a scheme, a path or a port,
        which could never match a host.
    """
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{name} must be a list of host names such as ['files.example.com'], not {value!r}")
    for item in value:
        if any(mark in item for mark in "/@?#") or item.count(":") == 1:
            raise ValueError(
                f"{name} holds {item!r}: give bare host names such as 'files.example.com' "
                "(no scheme, port or path)"
            )
    return list(value)


def max_redirects_count(value: object, name: str = "URL_MAX_REDIRECTS") -> int:
    """Check a redirect limit: a non-negative int.

    :raises TypeError: otherwise.
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"{name} must be a non-negative int, not {value!r}")
    return value


def forwarded_names(value: Iterable[str] | None) -> tuple[str, ...]:
    """Check ``forward_headers``: names of request fields to send upstream.

    :raises TypeError: for a lone string or a non-string item.
    :raises ValueError: for a hop-by-hop field, which describes the client's
        connection and must never be forwarded (RFC 9110 §7.6.1).
    """
    if value is None:
        return ()
    names = () if isinstance(value, str) else tuple(value)
    if isinstance(value, str) or not all(isinstance(item, str) for item in names):
        raise TypeError(
            f"forward_headers must be a list of header names such as ['Authorization'], not {value!r}"
        )
    for item in names:
        if item.lower() in HOP_BY_HOP_HEADERS:
            raise ValueError(f"forward_headers holds {item!r}, a hop-by-hop header that is never forwarded")
        if item.lower() in _REQUEST_FRAMING:
            raise ValueError(
                f"forward_headers holds {item!r}, which describes the client's own request: "
                "requests sets it for the upstream request"
            )
    return names
