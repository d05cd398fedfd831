"""System checks for the shortcuts used as views in urlpatterns (dlshortcuts.E030-E039, W030).

This module is its own URLconf: a project's urlpatterns, each mistake once,
beside the same shortcut used right.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.checks import Error, Warning
from django.core.files.storage import InMemoryStorage
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import include, path, re_path
from pytest_django import Settings

from dlshortcuts import (
    aserve_path,
    aserve_storage,
    optimized_download,
    serve_archive,
    serve_field,
    serve_generated,
    serve_path,
    serve_storage,
    serve_url,
)
from dlshortcuts.checks.url_settings import check_url_allow_list
from dlshortcuts.checks.urls import check_urls
from tests.models import Document
from tests.urls import FilesRoot

STORAGES = {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
HERE = str(Path(__file__).parent)
MISSING = "/nonexistent/dlshortcuts-checks"


def report(request: object) -> bytes:
    """A generated download."""
    return b"year,total\r\n"


def album(request: object, year: int = 2024) -> list[tuple[str, bytes]]:
    """An archive's members."""
    return [(f"{year}/cover.txt", b"cover")]


urlpatterns = [
    # Right: no message.
    path("files/<path:path>", serve_path, {"root": HERE}),
    path("lazy/<path:path>", aserve_path, {"root": FilesRoot(), "max_age": 60}),
    path("cv", serve_path, {"path": f"{HERE}/cv.pdf", "filename": "cv.pdf"}),
    re_path(r"^regex/(.+)$", serve_path, {"root": Path(HERE)}),
    path("offloaded/<path:path>", optimized_download(serve_path), {"root": HERE}),
    path("ok/<path:name>", serve_storage, {"storage": "default"}),
    path("instance/<path:name>", serve_storage, {"storage": None}),
    path("report.csv", serve_generated, {"content": report, "filename": "report.csv"}),
    path("report/<int:year>.csv", serve_generated, {"content": report, "filename": "report.csv"}),
    path("mirror/<path:url>", serve_url, {"allowed_hosts": ["files.example.com"]}),
    path("logo.png", serve_url, {"url": "https://cdn.example.com/logo.png"}),
    path("plain/", serve_field),
    path("album/<int:year>.zip", serve_archive, {"members": album, "filename": "album.zip"}),
    # Wrong: one message each, in this order.
    path("typo/<path:name>", aserve_storage, {"storage": "privat"}),
    path(
        "docs/",
        include(
            [
                path("<int:pk>/", serve_field, {"model": Document, "field": "file", "size_field": "size"}),
                path("<slug:slug>/", serve_field, {"queryset": Document.objects.all(), "field": "title"}),
                path("<uuid:uuid>/", serve_field, {"model": Document, "modified_field": "modified"}),
                path("by-name/<str:titel>/", serve_field, {"model": Document}),
                path("inline/<int:pk>/", serve_field, {"model": Document, "as_attachement": False}),
            ]
        ),
    ),
    path("anywhere/<path:path>", serve_path),
    path("gone/<path:path>", serve_path, {"root": MISSING}),
    path("number/<path:path>", serve_path, {"root": 5}),
    path("attach/<path:path>", serve_path, {"root": HERE, "as_attachement": False}),
    path("cache/<path:path>", serve_path, {"root": HERE, "max_age": -5}),
    path("named/<path:name>", serve_path, {"root": HERE}),
    path("media/<path:path>", serve_storage, {"storage": "default"}),
    path("both/<path:path>/<slug:slug>", serve_path, {"root": HERE}),
    path("slow/<path:url>", serve_url, {"allowed_hosts": ["files.example.com"], "timeout": "5s"}),
    path("photos.zip", serve_archive, {"members": album, "filename": "photos.zip", "max_ages": 60}),
    path("class/<path:name>", serve_storage, {"storage": InMemoryStorage}),
    path("by-string/<int:pk>/", serve_field, {"model": "tests.Document"}),
    path("by-manager/<int:pk>/", serve_field, {"queryset": Document.objects}),
    path("migrated/<path:path>", serve_path, {"root": HERE, "basename": "cv.pdf"}),
    path("migrated/<int:pk>/", serve_field, {"model": Document, "file_field": "image"}),
    path("unnamed.csv", serve_generated, {"content": report}),
    path("proxy/<path:url>", serve_url),
]


def error(check_id: str, text: str, hint: str) -> Error:
    return Error(text, hint=hint, id=f"dlshortcuts.{check_id}")


RAISES = "every request would fail with a TypeError."
FIELD_HINT = (
    'Import the model and pass it, such as {"model": Document}, or {"queryset": Document.objects.all()}.'
)
EXPECTED = [
    error(
        "E030",
        "The urlpattern 'typo/<path:name>' serves storage='privat', which is not an alias in "
        "settings.STORAGES.",
        "Use one of ['default', 'staticfiles'] or add 'privat' to STORAGES.",
    ),
    error(
        "E031",
        "The urlpattern 'docs/<slug:slug>/' serves field='title', which is not a FileField of Document.",
        "Name a FileField or ImageField of the model with field=.",
    ),
    error(
        "E032",
        "The urlpattern 'docs/<uuid:uuid>/' reads modified_field='modified', which Document does not have.",
        "Name a field or attribute of Document holding that metadata.",
    ),
    error(
        "E039",
        f"The urlpattern 'docs/by-name/<str:titel>/' looks Document up by 'titel', which is not one of its "
        f"fields: {RAISES}",
        "Did you mean 'title'?",
    ),
    error(
        "E035",
        "The urlpattern 'docs/inline/<int:pk>/' passes as_attachement=False, which serve_field does not "
        f"take: {RAISES}",
        "Did you mean 'as_attachment'?",
    ),
    error(
        "E033",
        "The urlpattern 'anywhere/<path:path>' serves a path from the URL without a root: a client can ask "
        "for any file the server can read.",
        'Add the directory the files are in, such as {"root": settings.PRIVATE_ROOT}.',
    ),
    error(
        "E034",
        f"The urlpattern 'gone/<path:path>' serves files under root={MISSING!r}, which is not an existing "
        "directory: every request would answer 404.",
        "Create the directory, or fix the path (absolute, on the server).",
    ),
    error(
        "E036",
        "The urlpattern 'number/<path:path>' passes serve_path a wrong option: root must be a str or "
        "os.PathLike, not 5 (int).",
        "Give the directory as a str or a pathlib.Path.",
    ),
    error(
        "E035",
        "The urlpattern 'attach/<path:path>' passes as_attachement=False, which serve_path does not take: "
        f"{RAISES}",
        "Did you mean 'as_attachment'?",
    ),
    error(
        "E036",
        "The urlpattern 'cache/<path:path>' passes serve_path a wrong option: max_age must be a "
        "non-negative int of seconds, not -5.",
        "Fix the value in path()'s third argument; see the options' types.",
    ),
    error(
        "E037",
        f"The urlpattern 'named/<path:name>' never gives serve_path its 'path' argument: {RAISES}",
        "Rename the capture 'name' to 'path'.",
    ),
    error(
        "E037",
        f"The urlpattern 'media/<path:path>' never gives serve_storage its 'name' argument: {RAISES}",
        "Rename the capture 'path' to 'name'. django-downloadview's 'path' is serve_storage's 'name'.",
    ),
    error(
        "E038",
        "The urlpattern 'both/<path:path>/<slug:slug>' captures 'slug', which serve_path does not take: "
        + RAISES,
        "Remove the capture, or capture it in a view of yours that calls serve_path.",
    ),
    error(
        "E036",
        "The urlpattern 'slow/<path:url>' passes serve_url a wrong option: timeout must be a positive number "
        "of seconds or a (connect, read) pair of them, not '5s'.",
        "See serve_url's timeout in the docs.",
    ),
    error(
        "E035",
        f"The urlpattern 'photos.zip' passes max_ages=60, which serve_archive does not take: {RAISES}",
        "Did you mean 'max_age'?",
    ),
    error(
        "E036",
        "The urlpattern 'class/<path:name>' passes serve_storage a wrong option: storage must be a Storage "
        f"instance or an alias from STORAGES, not {InMemoryStorage!r}.",
        "Give an alias of STORAGES, or a Storage instance.",
    ),
    error(
        "E036",
        "The urlpattern 'by-string/<int:pk>/' passes serve_field a wrong option: model must be a model "
        "class, not 'tests.Document'.",
        FIELD_HINT,
    ),
    error(
        "E036",
        "The urlpattern 'by-manager/<int:pk>/' passes serve_field a wrong option: queryset must be a "
        f"QuerySet, not {Document.objects!r}.",
        FIELD_HINT,
    ),
    error(
        "E035",
        "The urlpattern 'migrated/<path:path>' passes basename='cv.pdf', which serve_path does not take: "
        + RAISES,
        "django-downloadview's 'basename' is serve_path's 'filename'.",
    ),
    error(
        "E035",
        "The urlpattern 'migrated/<int:pk>/' passes file_field='image', which serve_field does not take: "
        + RAISES,
        "django-downloadview's 'file_field' is serve_field's 'field'.",
    ),
    error(
        "E037",
        f"The urlpattern 'unnamed.csv' never gives serve_generated its 'filename' argument: {RAISES}",
        "Give it in path()'s third argument, {'filename': ...}, or capture it in the route.",
    ),
]


@pytest.fixture(autouse=True)
def _urlconf(settings: Settings) -> None:
    settings.ROOT_URLCONF = __name__
    settings.STORAGES = {**STORAGES, "staticfiles": STORAGES["default"]}


def test_each_misconfigured_urlpattern_is_reported_and_no_other() -> None:
    assert check_urls() == EXPECTED


def test_manage_py_check_fails_on_them() -> None:
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", tags=["urls"])
    for expected in EXPECTED:
        assert str(expected.id) in str(raised.value)


def test_deploy_warns_of_a_captured_url_fetched_from_any_host() -> None:
    assert check_url_allow_list() == [
        Warning(
            "The urlpattern 'proxy/<path:url>' fetches the URL it captures from any host: a client can make "
            "the server request internal addresses (server-side request forgery).",
            hint="Pass allowed_hosts in path()'s third argument, such as "
            '{"allowed_hosts": ["files.example.com"]}, or set DLSHORTCUTS["URL_ALLOWED_HOSTS"].',
            id="dlshortcuts.W030",
        )
    ]


def test_an_allow_list_in_the_setting_silences_the_deploy_warning(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"URL_ALLOWED_HOSTS": ["files.example.com"]}
    assert check_url_allow_list() == []


def test_the_deploy_warning_runs_with_deploy_only(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("check", tags=["security"])
    assert "dlshortcuts.W030" not in capsys.readouterr().err
    call_command("check", tags=["security"], deploy=True)
    assert "dlshortcuts.W030" in capsys.readouterr().err


@pytest.mark.parametrize(
    "urlconf", ["tests.urls", "tests.urls_storage", "tests.urls_remote", "tests.urls_drf"]
)
def test_the_suite_urlpatterns_pass(settings: Settings, urlconf: str) -> None:
    settings.ROOT_URLCONF = urlconf
    settings.STORAGES = dict.fromkeys(("default", "private", "s3", "staticfiles"), STORAGES["default"])
    assert check_urls() == []


def test_no_urlconf_no_message(settings: Settings) -> None:
    del settings.ROOT_URLCONF
    assert check_urls() == []
    assert check_url_allow_list() == []
