"""System checks for the django-sendfile2 settings ``dlshortcuts.compat.sendfile`` reads: E040, E041, W040."""

from __future__ import annotations

import os
from typing import Any

from django.core.checks import CheckMessage
from django.core.exceptions import ImproperlyConfigured

from dlshortcuts.checks import message
from dlshortcuts.conf import conf


def check_sendfile_settings(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """Check the settings :func:`~dlshortcuts.compat.sendfile` reads, when ``SENDFILE_BACKEND`` is set."""
    # compat imports the shortcuts, which need the app registry: only once apps are ready.
    from dlshortcuts.compat import needs_sendfile_url, sendfile_backend  # noqa: PLC0415

    name = conf.SENDFILE_BACKEND
    if name is None:
        return []
    messages: list[CheckMessage] = []
    backend = None
    try:
        backend = sendfile_backend()
    except ImproperlyConfigured as error:
        # A warning: the project may still call django-sendfile2 itself, with a backend of its own.
        messages.append(
            message("dlshortcuts.W040", str(error), hint="dlshortcuts.compat.sendfile() cannot use it.")
        )
    root = conf.SENDFILE_ROOT
    if not isinstance(root, (str, os.PathLike)) or not os.path.isdir(root):
        messages.append(
            message(
                "dlshortcuts.E040",
                f"SENDFILE_ROOT is {root!r}, which is not an existing directory.",
                hint="Set it to the directory sendfile() serves files from.",
            )
        )
    if needs_sendfile_url(backend) and not conf.SENDFILE_URL:
        messages.append(
            message(
                "dlshortcuts.E041",
                f"SENDFILE_BACKEND is {name!r} but SENDFILE_URL is not set.",
                hint="Set SENDFILE_URL to the internal URL prefix the web server serves SENDFILE_ROOT "
                "under, such as '/protected'.",
            )
        )
    return messages
