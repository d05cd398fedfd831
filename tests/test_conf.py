"""The DLSHORTCUTS setting, read lazily."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import override_settings
from pytest_django.fixtures import Settings
from pytest_django.fixtures import Settings as SettingsWrapper

from dlshortcuts.conf import conf

KEYS = ["BACKEND", "LOCATIONS", "SNIFF", "LIMIT_RATE", "BUFFERING", "EXPIRES", "CHARSET"]


def test_defaults(settings: Settings) -> None:
    del settings.DLSHORTCUTS
    assert [getattr(conf, key) for key in KEYS] == [None, (), None, None, None, None, None]


@pytest.mark.parametrize("key", KEYS)
def test_each_key_is_read_when_asked(key: str) -> None:
    with override_settings(DLSHORTCUTS={key: "value"}):
        assert getattr(conf, key) == "value"
    assert getattr(conf, key) in (None, ())


def test_a_non_dict_setting_reads_as_defaults(settings: Settings) -> None:
    settings.DLSHORTCUTS = "nginx"
    assert conf.BACKEND is None


# serve_url's settings are read on every access, with their defaults.


def test_url_defaults(settings: SettingsWrapper) -> None:
    del settings.DLSHORTCUTS
    assert conf.URL_TIMEOUT == (5.0, 30.0)
    assert conf.URL_ALLOWED_HOSTS is None
    assert conf.URL_MAX_REDIRECTS == 5


def test_override_settings_is_seen_at_once() -> None:
    with override_settings(
        DLSHORTCUTS={"URL_TIMEOUT": 2, "URL_ALLOWED_HOSTS": ["a.example.com"], "URL_MAX_REDIRECTS": 1}
    ):
        assert (conf.URL_TIMEOUT, conf.URL_ALLOWED_HOSTS, conf.URL_MAX_REDIRECTS) == (2, ["a.example.com"], 1)
    assert conf.URL_TIMEOUT == (5.0, 30.0)


# Every key, known and documented: the unknown-key check (E070) reads Settings.KEYS.


def test_every_key_is_a_property_and_documented() -> None:
    settings_page = (Path(__file__).resolve().parents[1] / "docs" / "settings.rst").read_text()
    documented = set(re.findall(r"^``([A-Z_]+)``$", settings_page, flags=re.MULTILINE))
    assert documented == conf.KEYS
    assert all(isinstance(getattr(type(conf), key), property) for key in conf.KEYS)


def test_unknown_keys_are_the_keys_nothing_reads_but_url_ones(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATION": [], "backend": "x", 3: 1, "URL_TIMEOUTS": 1}
    assert conf.unknown_keys == ["LOCATION", "backend", 3]
    settings.DLSHORTCUTS = "nginx"
    assert conf.unknown_keys == []
