"""System checks for serve_url's settings (the ``URL_*`` keys of ``DLSHORTCUTS``).

Ids ``dlshortcuts.E020``-``E029`` and ``W020``-``W029``, never reused; the
table is in docs/checks.rst.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from dlshortcuts.conf import Settings, conf
from dlshortcuts.sources.remote.policy import hosts_list, max_redirects_count, timeout_pair

__all__ = ["check_url_settings"]


def check_url_settings(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Check the ``URL_*`` keys of ``DLSHORTCUTS`` (serve_url's settings).

    :returns: E020 (URL_TIMEOUT), E021 (URL_ALLOWED_HOSTS), E022
        (URL_MAX_REDIRECTS), W020 (an unknown ``URL_`` key, a typo),
        W021 (an empty URL_ALLOWED_HOSTS refuses every URL).
    """
    values = getattr(settings, "DLSHORTCUTS", {})
    if not isinstance(values, Mapping):
        return []  # Not serve_url's to report: the setting as a whole is wrong.
    messages: list[CheckMessage] = []
    known = ", ".join(sorted(Settings.URL_KEYS))
    for key in sorted(key for key in values if str(key).startswith("URL_") and key not in Settings.URL_KEYS):
        messages.append(
            Warning(
                f"DLSHORTCUTS[{key!r}] is not a serve_url setting and is ignored.",
                hint=f"serve_url reads {known}.",
                id="dlshortcuts.W020",
            )
        )
    try:
        timeout_pair(conf.URL_TIMEOUT, "DLSHORTCUTS['URL_TIMEOUT']")
    except TypeError as error:
        messages.append(
            Error(
                str(error), hint="For example (5, 30): 5 s to connect, 30 s per read.", id="dlshortcuts.E020"
            )
        )
    try:
        allowed = hosts_list(conf.URL_ALLOWED_HOSTS, "DLSHORTCUTS['URL_ALLOWED_HOSTS']")
    except (TypeError, ValueError) as error:
        messages.append(
            Error(
                str(error),
                hint="Use Django's ALLOWED_HOSTS syntax, e.g. ['files.example.com', '.cdn.example.com'].",
                id="dlshortcuts.E021",
            )
        )
    else:
        if allowed == []:
            messages.append(
                Warning(
                    "DLSHORTCUTS['URL_ALLOWED_HOSTS'] is empty: serve_url refuses every URL.",
                    hint="List the hosts serve_url may fetch from, or remove the key to allow any host.",
                    id="dlshortcuts.W021",
                )
            )
    try:
        max_redirects_count(conf.URL_MAX_REDIRECTS, "DLSHORTCUTS['URL_MAX_REDIRECTS']")
    except TypeError as error:
        messages.append(
            Error(str(error), hint="0 follows no redirect; the default is 5.", id="dlshortcuts.E022")
        )
    return messages


# --- end of serve_url ---------------------------------------------------------
