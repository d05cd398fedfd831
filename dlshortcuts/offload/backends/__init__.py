"""Accelerator backends: the header that hands a download over to the web server.

Each backend turns a :class:`~dlshortcuts.offload.locations.Target` into response
headers. Every value is built from percent-encoded ASCII or from validated
numbers and tokens, so no header value can carry a line break, a second header
or a non-ASCII character Django would MIME-encode.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, get_args
from urllib.parse import quote

from dlshortcuts.offload.locations import Target

__all__ = [
    "BACKENDS",
    "BACKEND_NAMES",
    "X_ACCEL_BUFFERING",
    "X_ACCEL_CHARSET",
    "X_ACCEL_EXPIRES",
    "X_ACCEL_LIMIT_RATE",
    "X_ACCEL_REDIRECT",
    "X_LITESPEED_LOCATION",
    "X_SENDFILE",
    "Backend",
    "BackendName",
    "Expires",
    "ProxyOptions",
    "encode_path",
    "encode_uri",
    "get_backend",
    "raw_path",
]

BackendName = Literal["nginx", "apache", "lighttpd", "litespeed", "caddy"]
BACKEND_NAMES: tuple[BackendName, ...] = get_args(BackendName)

X_ACCEL_REDIRECT = "X-Accel-Redirect"
X_ACCEL_LIMIT_RATE = "X-Accel-Limit-Rate"
X_ACCEL_BUFFERING = "X-Accel-Buffering"
X_ACCEL_EXPIRES = "X-Accel-Expires"
X_ACCEL_CHARSET = "X-Accel-Charset"
X_SENDFILE = "X-Sendfile"
X_LITESPEED_LOCATION = "X-LiteSpeed-Location"

#: ``expires``: seconds, a duration, a moment, or False for ``off``.
Expires = int | datetime.timedelta | datetime.datetime | bool

# RFC 9110 §5.6.2 token: what a charset name may be (RFC 9110 §8.3.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# RFC 3986 §2.2/2.3: what stays unencoded in a query string already encoded
# by whoever built the URL; everything else (spaces, CR, LF) is encoded.
_QUERY_SAFE = "=&+%-._~!$'()*,;:@/?"
# RFC 9110 §5.5: no field value may hold a CTL (RFC 5234 B.1).
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ProxyOptions:
    """nginx's per-response ``X-Accel-*`` controls; None leaves nginx's own setting.

    :ivar limit_rate: bytes per second, or False for ``off`` (no limit).
    :ivar buffering: True or False for ``X-Accel-Buffering: yes``/``no``.
    :ivar expires: how long nginx may cache the file: seconds, a
        :class:`~datetime.timedelta`, a :class:`~datetime.datetime` (sent as
        ``@epoch``), or False for ``off``.
    :ivar charset: sent as ``X-Accel-Charset``.
    """

    limit_rate: int | bool | None = None
    buffering: bool | None = None
    expires: Expires | None = None
    charset: str | None = None

    def __post_init__(self) -> None:
        limit_rate = self.limit_rate
        if limit_rate is not None and limit_rate is not False:  # noqa: SIM102 - one rule per line
            if limit_rate is True or not isinstance(limit_rate, int) or limit_rate < 0:
                raise ValueError(
                    f"limit_rate must be a non-negative int of bytes per second or False, not {limit_rate!r}."
                )
        if self.buffering is not None and not isinstance(self.buffering, bool):
            raise ValueError(f"buffering must be True, False or None, not {self.buffering!r}.")
        expires = self.expires
        if expires is not None and expires is not False:
            bad_type = expires is True or not isinstance(
                expires, (int, datetime.timedelta, datetime.datetime)
            )
            if bad_type or _seconds(expires) < 0:
                raise ValueError(
                    f"expires must be seconds, a timedelta, a datetime or False, not {expires!r}."
                )
        if self.charset is not None and not (
            isinstance(self.charset, str) and _TOKEN.fullmatch(self.charset)
        ):
            raise ValueError(f"charset must be a charset name such as 'utf-8', not {self.charset!r}.")

    def for_content_type(self, content_type: str) -> ProxyOptions:
        """These options for a response of ``content_type``.

        nginx appends ``X-Accel-Charset`` to whatever type the response has,
        so it is kept only for text without a charset, the same rule the
        engine applies to the ``charset`` option.
        """
        if self.charset is None or (content_type.startswith("text/") and "charset=" not in content_type):
            return self
        return dataclasses.replace(self, charset=None)

    def headers(self) -> dict[str, str]:
        """The ``X-Accel-*`` headers these options ask for (none for None)."""
        headers: dict[str, str] = {}
        if self.limit_rate is not None:
            headers[X_ACCEL_LIMIT_RATE] = "off" if self.limit_rate is False else str(int(self.limit_rate))
        if self.buffering is not None:
            headers[X_ACCEL_BUFFERING] = "yes" if self.buffering else "no"
        if self.expires is not None:
            headers[X_ACCEL_EXPIRES] = _expires_value(self.expires)
        if self.charset is not None:
            headers[X_ACCEL_CHARSET] = self.charset
        return headers


def _seconds(value: int | datetime.timedelta | datetime.datetime) -> int:
    if isinstance(value, datetime.datetime):
        return int(value.timestamp())
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    return value


def _expires_value(expires: Expires) -> str:
    if expires is False:
        return "off"
    assert not isinstance(expires, bool)
    # nginx: "@N" is an absolute time, seconds since the epoch; a bare number
    # is a duration in seconds.
    if isinstance(expires, datetime.datetime):
        return f"@{_seconds(expires)}"
    return str(_seconds(expires))


def encode_uri(target: Target) -> str | None:
    """The target's URI, percent-encoded ASCII (None when its location has no ``url``).

    nginx percent-decodes the redirect URI, so ``%`` and non-ASCII survive.
    """
    uri = target.uri
    if uri is None:
        return None
    encoded = _quote_path(uri)
    if target.query:
        encoded = f"{encoded}?{quote(target.query, safe=_QUERY_SAFE)}"
    return encoded


def encode_path(target: Target) -> str | None:
    """The target's absolute path, percent-encoded (None when lighttpd cannot take it).

    lighttpd decodes it; unencoded, Django would MIME-encode a non-ASCII path.
    None too (Django streams the file) when lighttpd would open another
    file or none: after decoding it turns a control character into ``_``
    and refuses a path that is not UTF-8 (502).
    """
    if target.path is None:
        return None
    path = os.fsencode(target.path)
    if _CONTROL.search(path) or not _is_utf8(path):
        return None
    return quote(path, safe="/")


def _is_utf8(path: bytes) -> bool:
    try:
        path.decode()
    except UnicodeDecodeError:
        return False
    return True


def _quote_path(path: str) -> str:
    # The file name's own bytes (os.fsencode restores a byte that is not
    # UTF-8 from the surrogate os.fsdecode made of it): the server decodes
    # them back to exactly that name.
    return quote(os.fsencode(path), safe="/")


def raw_path(target: Target) -> str | None:
    """The target's absolute path as its raw bytes, one Latin-1 character each.

    mod_xsendfile 0.12 (Debian's) opens the header value as it is: the bytes
    must be the file name's own. Django sends a Latin-1 str unchanged.
    None (Django streams the file) when a header cannot carry them as they
    are: a control character (RFC 9110 §5.5) ends the header or has the
    server refuse it, and a trailing space or tab is optional whitespace
    (RFC 9110 §5.6.3) that servers strip, naming another file.
    """
    if target.path is None:
        return None
    path = os.fsencode(target.path)
    if _CONTROL.search(path) or path.endswith((b" ", b"\t")):
        return None
    return path.decode("latin-1")


class Backend(Protocol):
    """What every accelerator does: headers for a target, or None to leave it to Django."""

    def headers(self, target: Target, options: ProxyOptions) -> dict[str, str] | None:
        """The headers handing ``target`` to the web server, or None when it cannot serve it."""
        ...


class Nginx:
    """``X-Accel-Redirect`` to an ``internal`` location, plus the ``X-Accel-*`` options."""

    def headers(self, target: Target, options: ProxyOptions) -> dict[str, str] | None:
        uri = encode_uri(target)
        if uri is None:
            return None
        return {X_ACCEL_REDIRECT: uri, **options.headers()}


class Caddy:
    """``X-Accel-Redirect``, which a ``handle_response`` block turns into a file_server.

    The block sets only the path from the header (Caddy's ``rewrite`` does
    not percent-decode it), so a remote URL with a query string stays with
    Django.
    """

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        uri = encode_uri(target)
        return None if uri is None or target.query else {X_ACCEL_REDIRECT: uri}


class LiteSpeed:
    """``X-LiteSpeed-Location``: a URI under the document root."""

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        uri = encode_uri(target)
        return None if uri is None else {X_LITESPEED_LOCATION: uri}


class Apache:
    """mod_xsendfile's ``X-Sendfile`` with the absolute path, as raw bytes.

    The configuration turns ``XSendFileUnescape`` off where it exists (1.0),
    so 0.12 and 1.0 read the same value.
    """

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        path = raw_path(target)
        # Apache answers Range on the file but, unlike nginx, lighttpd and
        # Caddy, does not announce it: say it for Apache.
        return None if path is None else {X_SENDFILE: path, "Accept-Ranges": "bytes"}


class Lighttpd:
    """lighttpd's ``X-Sendfile`` with the absolute path, percent-encoded (lighttpd decodes it)."""

    def headers(self, target: Target, _options: ProxyOptions) -> dict[str, str] | None:
        path = encode_path(target)
        return None if path is None else {X_SENDFILE: path}


BACKENDS: Mapping[BackendName, Backend] = {
    "nginx": Nginx(),
    "apache": Apache(),
    "lighttpd": Lighttpd(),
    "litespeed": LiteSpeed(),
    "caddy": Caddy(),
}


def get_backend(name: str) -> Backend:
    """The backend called ``name``.

    :raises ValueError: for an unknown name, listing the known ones.
    """
    try:
        return BACKENDS[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown backend {name!r}; use one of {', '.join(BACKEND_NAMES)}.") from None
