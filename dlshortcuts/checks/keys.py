"""System check for the keys of ``DLSHORTCUTS`` themselves: id dlshortcuts.E070.

A misspelt key (``LOCATION``, a lower-case ``backend``) reads as absent, so
offload would be silently off. An unknown ``URL_*`` key is serve_url's
W020; an unknown key inside a location entry is E003, with the same hint.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from dlshortcuts.checks import message
from dlshortcuts.conf import Settings, conf
from dlshortcuts.options import did_you_mean


def check_setting_keys(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Report every key of ``DLSHORTCUTS`` that nothing reads (E070), with the key it most resembles."""
    known = ", ".join(sorted(Settings.KEYS - Settings.URL_KEYS)) + ", URL_*"
    return [
        message(
            "dlshortcuts.E070",
            f"DLSHORTCUTS[{key!r}] is not a setting of dlshortcuts: it is ignored.",
            hint=did_you_mean(str(key), Settings.KEYS) or f"The keys are {known}.",
        )
        for key in conf.unknown_keys
    ]
