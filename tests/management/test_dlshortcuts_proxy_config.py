"""manage.py dlshortcuts_proxy_config prints render_proxy_config's text for the settings."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from dlshortcuts.offload.backends import BACKEND_NAMES
from dlshortcuts.offload.config import render_proxy_config


@pytest.fixture
def configured(tmp_path: Path, settings: Settings) -> list[dict[str, str]]:
    locations = [{"root": str(tmp_path), "url": "/_protected/"}]
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": locations, "CHARSET": "utf-8"}
    return locations


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("dlshortcuts_proxy_config", *args, stdout=out)
    return out.getvalue()


def test_backend_from_settings(configured: list[dict[str, str]]) -> None:
    assert run() == render_proxy_config("nginx", configured, charset="utf-8")


@pytest.mark.parametrize("backend", BACKEND_NAMES)
def test_each_backend(configured: list[dict[str, str]], backend: str) -> None:
    assert run("--backend", backend, "--upstream", "127.0.0.1:9100") == render_proxy_config(
        backend, configured, upstream="127.0.0.1:9100", charset="utf-8"
    )


def test_unknown_backend_is_refused(configured: list[dict[str, str]]) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'iis'"):
        run("--backend", "iis")


def test_without_a_backend(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"LOCATIONS": [{"root": "/srv", "url": "/_p/"}]}
    with pytest.raises(CommandError, match=r"^Pass --backend, or set DLSHORTCUTS\['BACKEND'\]\.$"):
        run()


def test_without_locations(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx"}
    with pytest.raises(CommandError, match="is empty: there is nothing to configure"):
        run()


def test_bad_settings_point_at_check(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [{"url": "/_p/"}]}
    with pytest.raises(CommandError, match=r"needs exactly one of .* Run manage.py check for details\.$"):
        run()


def test_bad_upstream(configured: list[dict[str, str]]) -> None:
    with pytest.raises(CommandError, match="upstream must be host:port"):
        run("--upstream", "localhost")
