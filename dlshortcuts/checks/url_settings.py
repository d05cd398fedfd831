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


def check_url_allow_list(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """``manage.py check --deploy``: W030 for a serve_url urlpattern fetching URLs from any host.

    A URL taken from the request (a capture) with no allow-list, neither
    ``allowed_hosts`` in the urlpattern nor ``URL_ALLOWED_HOSTS``, lets a
    client make the server fetch any address, internal ones included
    (server-side request forgery). A URL given in ``path()``'s third
    argument is the project's own constant, and passes.
    """
    from dlshortcuts.checks.urls import routes  # noqa: PLC0415 - the shortcuts need the app registry
    from dlshortcuts.shortcuts import serve_url  # noqa: PLC0415

    if conf.URL_ALLOWED_HOSTS is not None:
        return []
    return [
        message(
            "dlshortcuts.W030",
            f"The urlpattern {route.route!r} fetches the URL it captures from any host: a client can "
            "make the server request internal addresses (server-side request forgery).",
            hint="Pass allowed_hosts in path()'s third argument, such as "
            '{"allowed_hosts": ["files.example.com"]}, or set DLSHORTCUTS["URL_ALLOWED_HOSTS"].',
        )
        for route, _ in routes()
        if route.shortcut is serve_url
        and "url" in route.captures
        and route.kwargs.get("allowed_hosts") is None
    ]
