"""System checks for serve_url's settings (dlshortcuts.E020-E022, W020-W021)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.checks import Error, Warning
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings as SettingsWrapper

from dlshortcuts.checks.url_settings import check_url_settings


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "URL_TIMEOUT": 10,
            "URL_ALLOWED_HOSTS": ["files.example.com", ".cdn.example.com"],
            "URL_MAX_REDIRECTS": 0,
        },
        {"URL_TIMEOUT": (3.05, 27), "URL_ALLOWED_HOSTS": None},
        {"BACKEND": "nginx"},  # another feature's key: not serve_url's to judge
    ],
)
def test_valid_settings_pass(settings: SettingsWrapper, values: dict[str, Any]) -> None:
    settings.DLSHORTCUTS = values
    assert check_url_settings(app_configs=None, databases=None) == []


def test_no_setting_passes(settings: SettingsWrapper) -> None:
    del settings.DLSHORTCUTS
    assert check_url_settings(app_configs=None, databases=None) == []


def test_a_setting_that_is_not_a_dict_is_left_to_the_general_check(settings: SettingsWrapper) -> None:
    settings.DLSHORTCUTS = ["URL_TIMEOUT"]
    assert check_url_settings(app_configs=None, databases=None) == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"URL_TIMEOUT": 0},
            Error(
                "DLSHORTCUTS['URL_TIMEOUT'] must be a positive number of seconds or a (connect, read) pair "
                "of them, not 0",
                hint="For example (5, 30): 5 s to connect, 30 s per read.",
                id="dlshortcuts.E020",
            ),
        ),
        (
            {"URL_TIMEOUT": (5, None)},
            Error(
                "DLSHORTCUTS['URL_TIMEOUT'] must be a positive number of seconds or a (connect, read) pair "
                "of them, not (5, None)",
                hint="For example (5, 30): 5 s to connect, 30 s per read.",
                id="dlshortcuts.E020",
            ),
        ),
        (
            {"URL_ALLOWED_HOSTS": "files.example.com"},
            Error(
                "DLSHORTCUTS['URL_ALLOWED_HOSTS'] must be a list of host names such as "
                "['files.example.com'], not 'files.example.com'",
                hint="Use Django's ALLOWED_HOSTS syntax, e.g. ['files.example.com', '.cdn.example.com'].",
                id="dlshortcuts.E021",
            ),
        ),
        (
            {"URL_ALLOWED_HOSTS": ["https://files.example.com/"]},
            Error(
                "DLSHORTCUTS['URL_ALLOWED_HOSTS'] holds 'https://files.example.com/': give bare host names "
                "such as 'files.example.com' (no scheme, port or path)",
                hint="Use Django's ALLOWED_HOSTS syntax, e.g. ['files.example.com', '.cdn.example.com'].",
                id="dlshortcuts.E021",
            ),
        ),
        (
            {"URL_MAX_REDIRECTS": -1},
            Error(
                "DLSHORTCUTS['URL_MAX_REDIRECTS'] must be a non-negative int, not -1",
                hint="0 follows no redirect; the default is 5.",
                id="dlshortcuts.E022",
            ),
        ),
        (
            {"URL_TIMEOUTS": 5},
            Warning(
                "DLSHORTCUTS['URL_TIMEOUTS'] is not a serve_url setting and is ignored.",
                hint="serve_url reads URL_ALLOWED_HOSTS, URL_MAX_REDIRECTS, URL_TIMEOUT.",
                id="dlshortcuts.W020",
            ),
        ),
        (
            {"URL_ALLOWED_HOSTS": []},
            Warning(
                "DLSHORTCUTS['URL_ALLOWED_HOSTS'] is empty: serve_url refuses every URL.",
                hint="List the hosts serve_url may fetch from, or remove the key to allow any host.",
                id="dlshortcuts.W021",
            ),
        ),
    ],
    ids=["E020-zero", "E020-none", "E021-str", "E021-url", "E022", "W020", "W021"],
)
def test_each_mistake_is_reported(settings: SettingsWrapper, values: dict[str, Any], expected: Error) -> None:
    settings.DLSHORTCUTS = values
    assert check_url_settings(app_configs=None, databases=None) == [expected]


def test_manage_py_check_reports_them(settings: SettingsWrapper) -> None:
    settings.DLSHORTCUTS = {"URL_TIMEOUT": "30", "URL_MAX_REDIRECT": 3}
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", stdout=StringIO(), stderr=StringIO())
    assert "dlshortcuts.E020" in str(raised.value)
    assert "dlshortcuts.W020" in str(raised.value)
