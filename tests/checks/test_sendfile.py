"""System checks for the django-sendfile2 settings dlshortcuts.compat.sendfile reads (E040, E041, W040)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings

from dlshortcuts.checks.sendfile import check_sendfile_settings


@pytest.fixture(autouse=True)
def sendfile_settings(root: Path, settings: Settings) -> None:
    """django-sendfile2's settings, right: SENDFILE_ROOT an existing directory."""
    settings.SENDFILE_ROOT = str(root)
    settings.SENDFILE_URL = "/private"
    settings.SENDFILE_BACKEND = "django_sendfile.backends.simple"


def check_ids() -> list[str]:
    return [message.id for message in check_sendfile_settings() if message.id is not None]


def test_checks_pass_without_sendfile_settings(settings: Settings) -> None:
    for key in ("SENDFILE_BACKEND", "SENDFILE_ROOT", "SENDFILE_URL"):
        if hasattr(settings, key):
            delattr(settings, key)
    assert check_ids() == []


def test_checks_pass_with_good_settings(root: Path, settings: Settings) -> None:
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    assert check_ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SENDFILE_BACKEND": "myproject.sendfile_backend"}, ["dlshortcuts.W040"]),
        ({"SENDFILE_ROOT": "/no/such/directory"}, ["dlshortcuts.E040"]),
        ({"SENDFILE_ROOT": None}, ["dlshortcuts.E040"]),
        ({"SENDFILE_BACKEND": "django_sendfile.backends.nginx", "SENDFILE_URL": ""}, ["dlshortcuts.E041"]),
        ({"SENDFILE_BACKEND": "caddy", "SENDFILE_URL": None}, ["dlshortcuts.E041"]),
        ({"SENDFILE_BACKEND": "django_sendfile.backends.xsendfile", "SENDFILE_URL": None}, []),
    ],
)
def test_check_ids(root: Path, settings: Settings, overrides: dict[str, Any], expected: list[str]) -> None:
    for key, value in overrides.items():
        setattr(settings, key, value)
    assert check_ids() == expected


def test_manage_py_check_reports_them(root: Path, settings: Settings) -> None:
    settings.SENDFILE_BACKEND = "nginx"
    settings.SENDFILE_URL = None
    with pytest.raises(SystemCheckError, match=r"dlshortcuts\.E041"):
        call_command("check")
