"""System check for the keys of DLSHORTCUTS (dlshortcuts.E070)."""

from __future__ import annotations

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings

from dlshortcuts.checks.keys import check_setting_keys


def test_known_keys_pass(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [], "SNIFF": False, "URL_TIMEOUT": 5}
    assert check_setting_keys() == []


def test_a_misspelt_key_is_named_with_the_key_it_resembles(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"backend": "nginx", "LOCATION": [], "URL_TIMEOUTS": 5}
    assert check_setting_keys() == [
        Error(
            "DLSHORTCUTS['backend'] is not a setting of dlshortcuts: it is ignored.",
            hint="Did you mean 'BACKEND'?",
            id="dlshortcuts.E070",
        ),
        Error(
            "DLSHORTCUTS['LOCATION'] is not a setting of dlshortcuts: it is ignored.",
            hint="Did you mean 'LOCATIONS'?",
            id="dlshortcuts.E070",
        ),
    ]


def test_a_key_like_no_other_lists_the_keys(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"OFFLOAD": True}
    [error] = check_setting_keys()
    assert error.hint == (
        "The keys are BACKEND, BUFFERING, CHARSET, EXPIRES, LIMIT_RATE, LOCATIONS, SNIFF, URL_*."
    )


def test_a_setting_that_is_no_dict_is_e014_alone(settings: Settings) -> None:
    settings.DLSHORTCUTS = "nginx"
    assert check_setting_keys() == []


def test_manage_py_check_fails_on_a_misspelt_key(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"LOCATION": []}
    with pytest.raises(SystemCheckError, match=r"dlshortcuts\.E070"):
        call_command("check", tags=["settings"])
