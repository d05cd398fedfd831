"""The ``DLSHORTCUTS`` setting, read lazily: ``override_settings`` just works.

Every property reads ``settings.DLSHORTCUTS`` at the moment it is asked, so
tests and projects that change settings at run time see the change. Values are
checked by the system checks in :mod:`dlshortcuts.checks`, not here, and every
check reads the settings through this module. The django-sendfile2 settings
``dlshortcuts.compat.sendfile`` reads (``SENDFILE_*``) are here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings


class Settings:
    """Typed access to the keys of ``settings.DLSHORTCUTS`` (each defaults when absent)."""

    @property
    def raw(self) -> object:
        """``settings.DLSHORTCUTS`` as written (``{}`` when absent), for the checks to judge."""
        return getattr(settings, "DLSHORTCUTS", {})

    @property
    def is_mapping(self) -> bool:
        """Whether ``DLSHORTCUTS`` is a dict (when it is not, every key reads as its default)."""
        return isinstance(self.raw, Mapping)

    @property
    def _values(self) -> Mapping[str, Any]:
        values = self.raw
        return values if isinstance(values, Mapping) else {}

    # @optimized_download and OptimizedDownloadMiddleware.

    @property
    def BACKEND(self) -> str | None:
        """The web server downloads are handed over to (None: no offload).

        One of :data:`~dlshortcuts.offload.backends.BackendName`.
        """
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

    @property
    def unknown_url_keys(self) -> list[str]:
        """The ``URL_*`` keys serve_url does not read (typos, most likely), sorted."""
        return sorted(
            str(key) for key in self._values if str(key).startswith("URL_") and key not in self.URL_KEYS
        )

    #: Every key of ``DLSHORTCUTS``: one property each above, one entry each in docs/settings.rst.
    KEYS = frozenset(
        {"BACKEND", "LOCATIONS", "SNIFF", "LIMIT_RATE", "BUFFERING", "EXPIRES", "CHARSET"} | URL_KEYS
    )

    @property
    def unknown_keys(self) -> list[object]:
        """The keys of ``DLSHORTCUTS`` nothing reads (``LOCATION``, ``backend``), but ``URL_*`` ones.

        An unknown ``URL_*`` key is serve_url's to report, with its own
        list of keys (W020).
        """
        return [
            key
            for key in self._values
            if key not in self.KEYS and not (isinstance(key, str) and key.startswith("URL_"))
        ]

    # dlshortcuts.compat.sendfile: django-sendfile2's own settings, at the top level.

    @property
    def SENDFILE_BACKEND(self) -> object:
        """django-sendfile2's backend path (or a dlshortcuts backend name); None when unset."""
        return getattr(settings, "SENDFILE_BACKEND", None)

    @property
    def SENDFILE_ROOT(self) -> object:
        """The directory ``sendfile()`` serves files from."""
        return getattr(settings, "SENDFILE_ROOT", None)

    @property
    def SENDFILE_URL(self) -> object:
        """The internal URL prefix the web server serves ``SENDFILE_ROOT`` under."""
        return getattr(settings, "SENDFILE_URL", None)


#: The settings object every module reads (``from dlshortcuts.conf import conf``).
conf = Settings()
