"""serve_url's settings are read on every access, with their defaults."""

from __future__ import annotations

from django.test import override_settings
from pytest_django.fixtures import Settings as SettingsWrapper

from dlshortcuts.conf import conf


def test_defaults(settings: SettingsWrapper) -> None:
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
