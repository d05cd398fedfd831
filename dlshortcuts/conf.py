"""The ``DLSHORTCUTS`` setting, read lazily: ``override_settings`` just works.

Every property reads ``settings.DLSHORTCUTS`` at the moment it is asked, so
tests and projects that change settings at run time see the change. Values are
checked by the system checks in :mod:`dlshortcuts.checks.settings`, not here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings

__all__ = ["Settings", "conf"]


class Settings:
    """Typed access to the keys of ``settings.DLSHORTCUTS`` (each defaults when absent)."""

    @property
    def _values(self) -> Mapping[str, Any]:
        values = getattr(settings, "DLSHORTCUTS", None)
        return values if isinstance(values, Mapping) else {}

    # @optimized_download and OptimizedDownloadMiddleware.

    @property
    def BACKEND(self) -> str | None:
        """The accelerator: nginx, apache, lighttpd, litespeed or caddy (None: no offload)."""
        value: str | None = self._values.get("BACKEND")
        return value

    @property
    def LOCATIONS(self) -> Sequence[Mapping[str, Any]]:
        """The proxy location entries, in order (first match wins)."""
        value: Sequence[Mapping[str, Any]] = self._values.get("LOCATIONS", ())
        return value

    @property
    def SNIFF(self) -> bool | None:
        """True: always sniff with python-magic; False: never; None: when the name tells nothing."""
        value: bool | None = self._values.get("SNIFF")
        return value

    @property
    def LIMIT_RATE(self) -> int | bool | None:
        """nginx ``X-Accel-Limit-Rate``: bytes per second, or False for ``off``."""
        value: int | bool | None = self._values.get("LIMIT_RATE")
        return value

    @property
    def BUFFERING(self) -> bool | None:
        """nginx ``X-Accel-Buffering``: True (yes) or False (no)."""
        value: bool | None = self._values.get("BUFFERING")
        return value

    @property
    def EXPIRES(self) -> Any:
        """nginx ``X-Accel-Expires``: seconds, a timedelta, a datetime, or False for ``off``."""
        return self._values.get("EXPIRES")

    @property
    def CHARSET(self) -> str | None:
        """nginx ``X-Accel-Charset``."""
        value: str | None = self._values.get("CHARSET")
        return value

    # serve_url (dlshortcuts.sources.remote.fetch).

    #: The keys read by serve_url, for the unknown-key check.
    URL_KEYS = frozenset({"URL_ALLOWED_HOSTS", "URL_MAX_REDIRECTS", "URL_TIMEOUT"})

    @property
    def URL_ALLOWED_HOSTS(self) -> Sequence[str] | None:
        """Host names serve_url may fetch from (Django's ``ALLOWED_HOSTS`` syntax); None: any."""
        value: Sequence[str] | None = self._values.get("URL_ALLOWED_HOSTS")
        return value

    @property
    def URL_MAX_REDIRECTS(self) -> int:
        """How many redirects serve_url follows before answering 502."""
        value: int = self._values.get("URL_MAX_REDIRECTS", 5)
        return value

    @property
    def URL_TIMEOUT(self) -> float | tuple[float, float]:
        """Seconds to connect and to wait for each read: one number for both, or ``(connect, read)``."""
        value: float | tuple[float, float] = self._values.get("URL_TIMEOUT", (5.0, 30.0))
        return value


#: The settings object every module reads (``from dlshortcuts.conf import conf``).
conf = Settings()
