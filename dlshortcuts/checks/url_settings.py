"""System checks for serve_url's settings (the ``URL_*`` keys of ``DLSHORTCUTS``).

Ids ``dlshortcuts.E020``-``E029`` and ``W020``-``W029``, never reused; the
table is in docs/checks.rst.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage

from dlshortcuts.checks import message
from dlshortcuts.conf import Settings, conf
from dlshortcuts.sources.remote.policy import hosts_list, max_redirects_count, timeout_pair


def check_url_settings(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Check the ``URL_*`` keys of ``DLSHORTCUTS`` (serve_url's settings).

    :returns: E020 (URL_TIMEOUT), E021 (URL_ALLOWED_HOSTS), E022
        (URL_MAX_REDIRECTS), W020 (an unknown ``URL_`` key, a typo),
        W021 (an empty URL_ALLOWED_HOSTS refuses every URL).
    """
    if not conf.is_mapping:
        return []  # Not serve_url's to report: the setting as a whole is wrong (E014).
    messages: list[CheckMessage] = []
    known = ", ".join(sorted(Settings.URL_KEYS))
    messages += [
        message(
            "dlshortcuts.W020",
            f"DLSHORTCUTS[{key!r}] is not a serve_url setting and is ignored.",
            hint=f"serve_url reads {known}.",
        )
        for key in conf.unknown_url_keys
    ]
    try:
        timeout_pair(conf.URL_TIMEOUT, "DLSHORTCUTS['URL_TIMEOUT']")
    except TypeError as error:
        messages.append(
            message(
                "dlshortcuts.E020", str(error), hint="For example (5, 30): 5 s to connect, 30 s per read."
            )
        )
    try:
        allowed = hosts_list(conf.URL_ALLOWED_HOSTS, "DLSHORTCUTS['URL_ALLOWED_HOSTS']")
    except (TypeError, ValueError) as error:
        messages.append(
            message(
                "dlshortcuts.E021",
                str(error),
                hint="Use Django's ALLOWED_HOSTS syntax, e.g. ['files.example.com', '.cdn.example.com'].",
            )
        )
    else:
        if allowed == []:
            messages.append(
                message(
                    "dlshortcuts.W021",
                    "DLSHORTCUTS['URL_ALLOWED_HOSTS'] is empty: serve_url refuses every URL.",
                    hint="List the hosts serve_url may fetch from, or remove the key to allow any host.",
                )
            )
    try:
        max_redirects_count(conf.URL_MAX_REDIRECTS, "DLSHORTCUTS['URL_MAX_REDIRECTS']")
    except TypeError as error:
        messages.append(
            message("dlshortcuts.E022", str(error), hint="0 follows no redirect; the default is 5.")
        )
    return messages
