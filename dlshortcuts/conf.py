"""The ``DLSHORTCUTS`` setting, read lazily: ``override_settings`` just works.

Every property reads ``settings.DLSHORTCUTS`` at the moment it is asked, so
tests and projects that change settings at run time see the change. Values are
checked by the system checks in :mod:`dlshortcuts.checks`, not here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings

__all__ = ["conf"]


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


#: The settings object every module reads (``from dlshortcuts.conf import conf``).
conf = Settings()
