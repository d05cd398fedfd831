"""dlshortcuts.pytest_plugin: registered by the package, importable before Django is set up, media_root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_media_root_fixture(media_root: Path) -> None:
    assert str(media_root) == settings.MEDIA_ROOT
    default_storage.save("a.txt", ContentFile(b"a"))
    assert (media_root / "a.txt").read_bytes() == b"a"


def test_plugin_imports_without_django_settings() -> None:
    code = (
        "import dlshortcuts.pytest_plugin\n"
        "from django.conf import settings\n"
        "assert not settings.configured\n"
        "print('ok')\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_plugin_is_registered(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("dlshortcuts")
