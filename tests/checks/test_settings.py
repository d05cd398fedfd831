"""System checks for the DLSHORTCUTS setting: exact ids, and one run of manage.py check."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import ERROR, WARNING
from django.core.checks.registry import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings

from dlshortcuts.checks import CHECKS, DEPLOY_TAGS, TAG, check_functions, message
from dlshortcuts.checks.settings import check_offload_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def ids(settings: Settings, value: Any) -> list[str]:
    settings.DLSHORTCUTS = value
    messages = check_offload_settings()
    assert all(message.hint for message in messages)
    return [str(message.id) for message in messages]


def test_no_setting_is_fine(settings: Settings) -> None:
    del settings.DLSHORTCUTS
    assert check_offload_settings() == []


@pytest.mark.parametrize("backend", ["nginx", "apache", "lighttpd", "litespeed", "caddy"])
def test_valid_configuration(settings: Settings, root: str, backend: str) -> None:
    assert ids(settings, {"BACKEND": backend, "LOCATIONS": [{"root": root, "url": "/_p/"}]}) == []


def test_valid_nginx_options(settings: Settings, root: str) -> None:
    value = {
        "BACKEND": "nginx",
        "LOCATIONS": [{"root": root, "url": "/_p/"}, {"source_url": "https://b.example/", "url": "/_r/"}],
        "LIMIT_RATE": False,
        "BUFFERING": True,
        "EXPIRES": datetime.timedelta(days=1),
        "CHARSET": "utf-8",
        "SNIFF": True,
    }
    assert ids(settings, value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nginx", ["dlshortcuts.E014"]),
        ({"BACKEND": "iis"}, ["dlshortcuts.E001"]),
        ({"BACKEND": "nginx", "LOCATIONS": {"root": "/"}}, ["dlshortcuts.E002"]),
        ({"BACKEND": "nginx", "LOCATIONS": "/srv"}, ["dlshortcuts.E002"]),
        ({"BACKEND": "nginx", "LOCATIONS": [{"url": "/_p/"}]}, ["dlshortcuts.E003"]),
        ({"BACKEND": "nginx", "LOCATIONS": [{"ROOT": "{root}", "url": "/_p/"}]}, ["dlshortcuts.E003"]),
        (
            {"BACKEND": "nginx", "LOCATIONS": [{"root": "{root}/missing", "url": "/_p/"}]},
            ["dlshortcuts.E004"],
        ),
        ({"BACKEND": "nginx", "LOCATIONS": [{"root": "{root}", "url": "/_p"}]}, ["dlshortcuts.E005"]),
        ({"BACKEND": "nginx", "LOCATIONS": [{"root": "{root}", "url": "_p/"}]}, ["dlshortcuts.E005"]),
        ({"BACKEND": "nginx", "LOCATIONS": [{"storage": "nope", "url": "/_p/"}]}, ["dlshortcuts.E006"]),
        ({"BACKEND": "caddy", "LOCATIONS": [{"root": "{root}"}]}, ["dlshortcuts.E007"]),
        (
            {"BACKEND": "apache", "LOCATIONS": [{"source_url": "https://b/", "url": "/_r/"}]},
            ["dlshortcuts.E008"],
        ),
        ({"BACKEND": "lighttpd", "LOCATIONS": [{"storage": "default"}]}, []),
        ({"BACKEND": "nginx", "LIMIT_RATE": -1}, ["dlshortcuts.E009"]),
        ({"BACKEND": "nginx", "BUFFERING": "no"}, ["dlshortcuts.E010"]),
        ({"BACKEND": "nginx", "EXPIRES": "1h"}, ["dlshortcuts.E011"]),
        ({"BACKEND": "nginx", "CHARSET": "utf 8"}, ["dlshortcuts.E012"]),
        (
            {"BACKEND": "nginx", "LOCATIONS": [{"source_url": "ftp://b/", "url": "/_r/"}]},
            ["dlshortcuts.E013"],
        ),
        (
            {"BACKEND": "nginx", "LOCATIONS": [{"source_url": "https://b", "url": "/_r/"}]},
            ["dlshortcuts.E013"],
        ),
        ({"BACKEND": "nginx", "SNIFF": "yes"}, ["dlshortcuts.E015"]),
        ({"LOCATIONS": [{"root": "{root}", "url": "/_p/"}]}, ["dlshortcuts.W001"]),
        (
            {
                "BACKEND": "nginx",
                "LOCATIONS": [{"root": "{root}", "url": "/_p/"}, {"root": "/", "url": "/_p/"}],
            },
            ["dlshortcuts.W003"],
        ),
        ({"BACKEND": "apache", "LIMIT_RATE": 100}, ["dlshortcuts.W004"]),
        ({"BACKEND": "caddy", "CHARSET": "utf-8", "EXPIRES": 5}, ["dlshortcuts.W004", "dlshortcuts.W004"]),
    ],
)
def test_ids(settings: Settings, root: str, value: Any, expected: list[str]) -> None:
    if isinstance(value, dict) and "LOCATIONS" in value and isinstance(value["LOCATIONS"], list):
        value = {
            **value,
            "LOCATIONS": [{k: v.format(root=root) for k, v in entry.items()} for entry in value["LOCATIONS"]],
        }
    assert ids(settings, value) == expected


def test_middleware_without_backend(settings: Settings) -> None:
    settings.MIDDLEWARE = ["dlshortcuts.middleware.OptimizedDownloadMiddleware"]
    assert ids(settings, {}) == ["dlshortcuts.W002"]


def test_messages_name_the_entry(settings: Settings, root: str) -> None:
    settings.DLSHORTCUTS = {
        "BACKEND": "nginx",
        "LOCATIONS": [{"root": root, "url": "/_p/"}, {"root": root, "url": "p"}],
    }
    [message] = check_offload_settings()
    assert message.msg == "DLSHORTCUTS['LOCATIONS'][1]: url 'p' must start and end with '/'."
    assert message.hint == "Write '/p/': the file's path is appended to it."


def test_manage_py_check_reports_them(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "iis"}
    with pytest.raises(SystemCheckError, match=r"dlshortcuts\.E001"):
        call_command("check")


def test_every_id_is_in_the_table_with_its_level() -> None:
    assert all(re.fullmatch(r"dlshortcuts\.[EW]0[0-7]\d", check_id) for check_id in CHECKS)
    assert message("dlshortcuts.E001", "text", hint="hint").level == ERROR
    assert message("dlshortcuts.W001", "text", hint="hint").level == WARNING
    with pytest.raises(KeyError):
        message("dlshortcuts.E999", "text", hint="hint")


def test_the_table_says_what_the_docs_say() -> None:
    documented = re.findall(r"``(dlshortcuts\.[EW]\d{3})``", (DOCS / "checks.rst").read_text())
    assert set(documented) == set(CHECKS)


def test_every_check_function_is_registered_under_its_tags() -> None:
    functions: dict[str, Any] = dict(check_functions())
    assert set(functions) == {check.tag for check in CHECKS.values()}
    for tag, function in functions.items():
        # Deployment checks run under manage.py check --deploy only.
        checks = registry.deployment_checks if tag in DEPLOY_TAGS else registry.registered_checks
        registered = [check for check in checks if check is function]
        assert [set(check.tags) for check in registered] == [{TAG, tag}]


def test_manage_py_check_runs_them_by_tag(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "iis"}
    with pytest.raises(SystemCheckError, match=r"dlshortcuts\.E001"):
        call_command("check", tags=["offload"])
    call_command("check", tags=["serve_url"])


def test_django_gzip_middleware_is_named_with_its_replacement(settings: Settings) -> None:
    settings.MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware"]
    assert ids(settings, {}) == ["dlshortcuts.W005"]
    (warning,) = check_offload_settings()
    assert warning.msg == (
        "django.middleware.gzip.GZipMiddleware compresses downloads: resumed downloads break (identity "
        "Content-Range over a gzip body, a weak ETag) and Content-Length and zero-copy are lost."
    )
    assert warning.hint == (
        "In MIDDLEWARE, replace 'django.middleware.gzip.GZipMiddleware' with "
        "'dlshortcuts.middleware.GZipMiddleware': it compresses every other response and leaves "
        "downloads alone."
    )
    settings.MIDDLEWARE = ["dlshortcuts.middleware.GZipMiddleware"]
    assert ids(settings, {}) == []
