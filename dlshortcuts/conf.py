"""Typed settings, read from the ``DLSHORTCUTS`` dict on every access.

Nothing is cached, so ``override_settings`` and the ``settings`` fixture
just work. Values are returned as given; ``dlshortcuts.checks`` validates
them at ``manage.py check``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

__all__ = ["Settings", "conf"]


class Settings:
    """The ``DLSHORTCUTS`` setting, one property per key (upper case, as in the dict)."""

    @staticmethod
    def get(key: str, default: Any) -> Any:
        """The raw value of ``DLSHORTCUTS[key]``, or ``default`` when it is not set."""
        return getattr(settings, "DLSHORTCUTS", {}).get(key, default)

    # --- serve_url (dlshortcuts.remote) -------------------------------------

    #: The keys read by serve_url, for the unknown-key check.
    URL_KEYS = frozenset({"URL_ALLOWED_HOSTS", "URL_MAX_REDIRECTS", "URL_TIMEOUT"})

    @property
    def URL_ALLOWED_HOSTS(self) -> Sequence[str] | None:
        """Host names serve_url may fetch from (Django's ``ALLOWED_HOSTS`` syntax); None: any."""
        value: Sequence[str] | None = self.get("URL_ALLOWED_HOSTS", None)
        return value

    @property
    def URL_MAX_REDIRECTS(self) -> int:
        """How many redirects serve_url follows before answering 502."""
        value: int = self.get("URL_MAX_REDIRECTS", 5)
        return value

    @property
    def URL_TIMEOUT(self) -> float | tuple[float, float]:
        """Seconds to connect and to wait for each read: one number for both, or ``(connect, read)``."""
        value: float | tuple[float, float] = self.get("URL_TIMEOUT", (5.0, 30.0))
        return value

    # --- end of serve_url ---------------------------------------------------


conf = Settings()
