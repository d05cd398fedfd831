"""System checks for serve_storage / serve_field urlpatterns (dlshortcuts.E030-E032)."""

from __future__ import annotations

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import include, path
from pytest_django import Settings

from dlshortcuts import aserve_storage, serve_field, serve_storage
from dlshortcuts.checks.urls import check_storage_urls
from tests.models import Document

STORAGES = {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}

urlpatterns = [
    path("ok/<path:name>", serve_storage, {"storage": "default"}),
    path("instance/<path:name>", serve_storage, {"storage": None}),
    path("typo/<path:name>", aserve_storage, {"storage": "privat"}),
    path(
        "docs/",
        include(
            [
                path("<int:pk>/", serve_field, {"model": Document, "field": "file", "size_field": "size"}),
                path("<slug:slug>/", serve_field, {"queryset": Document.objects.all(), "field": "title"}),
                path("<uuid:uuid>/", serve_field, {"model": Document, "modified_field": "modified"}),
            ]
        ),
    ),
    path("plain/", serve_field),
]


@pytest.mark.urls("tests.checks.test_urls")
def test_each_misconfigured_urlpattern_is_reported() -> None:
    assert check_storage_urls() == [
        Error(
            "The urlpattern 'typo/<path:name>' serves storage='privat', which is not an alias in "
            "settings.STORAGES.",
            hint="Use one of ['default', 'staticfiles'] or add 'privat' to STORAGES.",
            id="dlshortcuts.E030",
        ),
        Error(
            "The urlpattern 'docs/<slug:slug>/' serves field='title', which is not a FileField of Document.",
            hint="Name a FileField or ImageField of the model with field=.",
            id="dlshortcuts.E031",
        ),
        Error(
            "The urlpattern 'docs/<uuid:uuid>/' reads modified_field='modified', which Document "
            "does not have.",
            hint="Name a field or attribute of Document holding that metadata.",
            id="dlshortcuts.E032",
        ),
    ]


@pytest.mark.urls("tests.checks.test_urls")
def test_manage_py_check_fails_on_them() -> None:
    with pytest.raises(SystemCheckError, match=r"dlshortcuts\.E030"):
        call_command("check")


@pytest.mark.urls("tests.urls_storage")
def test_the_suite_urlpatterns_pass(settings: Settings) -> None:
    settings.STORAGES = dict.fromkeys(("default", "private", "s3"), STORAGES["default"])

    assert check_storage_urls() == []
