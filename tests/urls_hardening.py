"""URLs for the hardening tests: every shortcut that confines paths, in its one-line form.

The root is read from the ``HARDENING_ROOT`` setting at each request, so a
test (or a server started by one) points the same patterns at its own
sandbox. Shortcuts added later join :data:`CONFINED` under their own prefix.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.urls import path

from dlshortcuts import aserve_path, serve_generated, serve_path

__all__ = ["CONFINED", "SettingPath", "urlpatterns"]


class SettingPath(os.PathLike[str]):
    """A path taken from a Django setting whenever it is used."""

    def __init__(self, setting: str) -> None:
        self.setting = setting

    def __fspath__(self) -> str:
        return str(getattr(settings, self.setting))


ROOT = SettingPath("HARDENING_ROOT")

#: URL prefix of each shortcut entry point that serves client paths under ROOT.
CONFINED = {
    "serve_path": "/hardening/path/",
    "aserve_path": "/hardening/apath/",
}

urlpatterns = [
    path("hardening/path/<path:path>", serve_path, {"root": ROOT}),
    path("hardening/apath/<path:path>", aserve_path, {"root": ROOT}),
    path("hardening/generated.bin", serve_generated, {"content": b"0123456789" * 100, "filename": "g.bin"}),
]
