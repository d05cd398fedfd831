"""The DLSHORTCUTS setting, read lazily."""

from __future__ import annotations

import pytest
from django.test import override_settings
from pytest_django.fixtures import Settings

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
