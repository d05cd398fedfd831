"""System check for content sniffing: python-magic and libmagic installed where sniffing is asked.

Ids dlshortcuts.E071 (sniffing configured, ``SNIFF`` True or a urlpattern's
``sniff=True``: those downloads would fail) and W071 (the default ``SNIFF``:
a file whose name tells no type is served as ``application/octet-stream``).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.checks import CheckMessage

from dlshortcuts.checks import message
from dlshortcuts.conf import conf
from dlshortcuts.engine.content_type import libmagic_error


def check_libmagic(**kwargs: Any) -> list[CheckMessage]:  # noqa: ARG001 - app_configs, databases: unused
    """E071 or W071 when sniffing may be needed and python-magic cannot load here."""
    from dlshortcuts.checks.urls import routes  # noqa: PLC0415 - the shortcuts need the app registry

    error = libmagic_error()
    if error is None:
        return []
    asked = ["DLSHORTCUTS['SNIFF'] is True"] if conf.SNIFF is True else []
    asked += [
        f"the urlpattern {route.route!r} passes sniff=True"
        for route, _ in routes()
        if route.kwargs.get("sniff")
    ]
    if asked:
        what = " and ".join(asked)
        return [
            message(
                "dlshortcuts.E071",
                f"{what[0].upper()}{what[1:]}, but python-magic cannot load ({error}): those downloads "
                "would fail.",
                hint=install_hint(error),
            )
        ]
    if conf.SNIFF is False:
        return []  # Never sniffs.
    return [
        message(
            "dlshortcuts.W071",
            f"python-magic cannot load ({error}): a file whose name tells no type is served as "
            "application/octet-stream instead of being sniffed.",
            hint=install_hint(error) + " Or set DLSHORTCUTS['SNIFF'] = False to never sniff.",
        )
    ]


def install_hint(error: ImportError) -> str:
    """What to install: the python-magic package, or the libmagic C library it loads."""
    if isinstance(error, ModuleNotFoundError) and error.name == "magic":
        return "Install python-magic: pip install python-magic (it comes with dlshortcuts)."
    if sys.platform == "darwin":
        return "Install libmagic: brew install libmagic."
    if sys.platform == "win32":
        return "Install python-magic-bin, which bundles libmagic: pip install python-magic-bin."
    return "Install libmagic: apt install libmagic1 (Debian, Ubuntu), dnf install file-libs (Fedora)."
