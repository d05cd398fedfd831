"""nginx: ``X-Accel-Redirect`` to an ``internal`` location, plus the ``X-Accel-*`` options."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

from dlshortcuts.offload.backends.encoding import encode_uri
from dlshortcuts.offload.backends.syntax import describe, directory, quoted
from dlshortcuts.offload.locations import Location, Target

X_ACCEL_REDIRECT = "X-Accel-Redirect"
X_ACCEL_LIMIT_RATE = "X-Accel-Limit-Rate"
X_ACCEL_BUFFERING = "X-Accel-Buffering"
X_ACCEL_EXPIRES = "X-Accel-Expires"
X_ACCEL_CHARSET = "X-Accel-Charset"

#: ``expires``: seconds, a duration, a moment, or False for ``off``.
Expires = int | datetime.timedelta | datetime.datetime | bool

# RFC 9110 §5.6.2 token: what a charset name may be (RFC 9110 §8.3.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True)
class ProxyOptions:
    """nginx's per-response ``X-Accel-*`` controls; None leaves nginx's own setting.

    :ivar limit_rate: bytes per second, or False for ``off`` (no limit).
    :ivar buffering: True or False for ``X-Accel-Buffering: yes``/``no``.
    :ivar expires: how long nginx may cache the file: seconds, a
        :class:`~datetime.timedelta`, a :class:`~datetime.datetime` (sent as
        ``@epoch``), or False for ``off``.
    :ivar charset: sent as ``X-Accel-Charset``.
    :raises TypeError: for a value of the wrong type.
    :raises ValueError: for a negative number or a charset that is not a token.
    """

    limit_rate: int | bool | None = None
    buffering: bool | None = None
    expires: Expires | None = None
    charset: str | None = None

    def __post_init__(self) -> None:
        limit_rate = self.limit_rate
        if limit_rate is not None and limit_rate is not False:
            message = (
                f"limit_rate must be a non-negative int of bytes per second or False, not {limit_rate!r}."
            )
            if limit_rate is True or not isinstance(limit_rate, int):
                raise TypeError(message)
            if limit_rate < 0:
                raise ValueError(message)
        if self.buffering is not None and not isinstance(self.buffering, bool):
            raise TypeError(f"buffering must be True, False or None, not {self.buffering!r}.")
        expires = self.expires
        if expires is not None and expires is not False:
            message = f"expires must be seconds, a timedelta, a datetime or False, not {expires!r}."
            if expires is True or not isinstance(expires, (int, datetime.timedelta, datetime.datetime)):
                raise TypeError(message)
            if _seconds(expires) < 0:
                raise ValueError(message)
        charset = self.charset
        if charset is not None:
            message = f"charset must be a charset name such as 'utf-8', not {charset!r}."
            if not isinstance(charset, str):
                raise TypeError(message)
            if not _TOKEN.fullmatch(charset):
                raise ValueError(message)

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


class Nginx:
    """``X-Accel-Redirect`` to an ``internal`` location, plus the ``X-Accel-*`` options."""

    name = "nginx"
    header = X_ACCEL_REDIRECT
    carries: Final = "uri"
    reads_options = True
    sendfile_alias = "nginx"

    def headers(self, target: Target, options: ProxyOptions) -> dict[str, str] | None:
        """``X-Accel-Redirect`` with the encoded URI, and the options' headers."""
        uri = encode_uri(target)
        if uri is None:
            return None
        return {X_ACCEL_REDIRECT: uri, **options.headers()}

    def render_config(self, locations: Sequence[Location], upstream: str, charset: str | None) -> str:
        """The lines inside ``server { }``: proxy to ``upstream``, one ``internal`` location each."""
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
                lines.append(f"# {describe(location)} has no url: nginx cannot reach it.")
                continue
            lines += [f"location {quoted(location.url)} {{", "    internal;"]
            if location.source_url is not None:
                lines += [
                    f"    proxy_pass {location.source_url};",
                    "    proxy_ssl_server_name on;",
                ]
            elif (folder := directory(location)) is not None:
                lines.append(f"    alias {quoted(folder)};")
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

    def decode(self, value: str) -> str:
        """The unencoded URI a header value names."""
        return unquote(value)


BACKEND = Nginx()
