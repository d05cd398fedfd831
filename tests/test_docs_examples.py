"""Every Python example of the docs, executed.

A page is read from top to bottom, so its ``.. code-block:: python`` examples
run in order in one namespace per page, as module ``tests.docs_example``: an
example's ``from .models import Invoice`` is the reader's app, here
tests/models.py, which holds every model the docs import. Top-level calls run
for real (``urlpatterns``, ``@optimized_download(...)`` applied to a view,
``manage.py check``'s validation of a decorator's locations) against the
settings in :data:`SETTINGS`, the directories the examples name; the views the
examples define are not requested (their behaviour is the rest of the suite's).

Three kinds of example need a context, given here and only here:

- an option fragment (``serve_path(request, path, filename=...)``,
  ``return serve_path(...)``) runs with :func:`fragment_names` (a GET request,
  a file on disk, an invoice) and each response it makes is closed;
- a ``# settings.py`` example runs over a copy of the test settings, so that
  ``INSTALLED_APPS += [...]`` and ``BASE_DIR / "private"`` mean what they mean
  in a project;
- a signature block (``serve_path(request, path, *, root=None, **options)``)
  runs as the ``def`` it describes (tests/test_docs.py's ``as_definitions``).
"""

from __future__ import annotations

import ast
import asyncio
import collections
import datetime
import pathlib
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from tests.models import Document
from tests.test_docs import BLOCKS, parse

PAGES: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
for _page, _line, _source in BLOCKS:
    PAGES[_page].append((_line, _source))

#: The directories the examples' settings name, created under the test's root.
ROOTS = (
    "PRIVATE_ROOT",
    "PUBLIC_FILES_ROOT",
    "INVOICES_ROOT",
    "MANUALS_ROOT",
    "SENDFILE_ROOT",
    "SHARED_ROOT",
    "VIDEOS_ROOT",
)


@pytest.fixture
def example_settings(settings: Settings, tmp_path: pathlib.Path) -> Settings:
    """The settings the examples read: their roots (existing directories), the
    ``private`` and ``archive`` storages and the archive service's token."""
    for name in ROOTS:
        directory = tmp_path / name.lower()
        directory.mkdir()
        setattr(settings, name, directory)
    settings.BASE_DIR = tmp_path
    settings.ARCHIVE_TOKEN = "token"
    settings.STORAGES = {
        **django_settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
        "archive": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    (tmp_path / "private" / "invoices").mkdir(parents=True)
    return settings


UPDATED = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)


def fragment_names(tmp_path: pathlib.Path) -> dict[str, Any]:
    """The view's values docs/options.rst's fragments use: ``request``, ``path``
    (a file on disk), ``invoice`` (a row with a PDF on disk) and the others."""
    pdf = tmp_path / "INV-0042.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    return {
        "request": RequestFactory().get("/"),
        "path": str(pdf),
        "invoice": types.SimpleNamespace(number="INV-0042", pdf_path=str(pdf)),
        "text": "Quarterly figures: 12 500 €\n",
        "report_bytes": b"%PDF-1.7\n",
        "report": types.SimpleNamespace(
            updated_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
        ),
        "document": types.SimpleNamespace(pk=42, version=3),
        "upload": types.SimpleNamespace(path=str(pdf), original_name="scan.pdf"),
    }


def signed_link_names(tmp_path: pathlib.Path) -> dict[str, Any]:
    """The logged-in ``request`` and the file ``name`` of docs/signed_urls.rst's fragments."""
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.create(username="alice")
    return {"request": request, "name": "naïve résumé.pdf"}


def field_names(tmp_path: pathlib.Path) -> dict[str, Any]:
    """docs/serve_field.rst's ``request`` and ``document`` (row 42 of ``Document``,
    with a ``file`` and an ``image``)."""
    document = Document(pk=42, slug="q1")
    document.file.save("q1.txt", ContentFile(b"Quarterly figures\n"), save=False)
    document.image.save("q1.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    document.save()
    return {"request": RequestFactory().get("/"), "document": document, "Document": Document}


#: The names a fragment's prose introduces, per page.
PAGE_NAMES: dict[str, Callable[[pathlib.Path], dict[str, Any]]] = {
    "options.rst": fragment_names,
    "serve_field.rst": field_names,
    "signed_urls.rst": signed_link_names,
}


class Closing(ast.NodeTransformer):
    """Top-level calls and returns handed to ``__keep__``, which keeps what they
    make so that every response an example creates is closed afterwards."""

    def visit_Expr(self, node: ast.Expr) -> ast.Expr:
        if isinstance(node.value, ast.Call):
            node.value = ast.Call(ast.Name("__keep__", ast.Load()), [node.value], [])
        return node


def compiled(source: str, filename: str) -> types.CodeType:
    """The example as code: its top-level ``return`` (a fragment of a view)
    makes it the body of a function called at once."""
    tree = parse(source, filename)
    if any(isinstance(node, ast.Return) for node in tree.body):
        wrapper = ast.parse("def __example__():\n    pass\n__keep__(__example__())")
        cast(ast.FunctionDef, wrapper.body[0]).body = tree.body
        tree = wrapper
    tree = ast.fix_missing_locations(Closing().visit(tree))
    code: types.CodeType = compile(tree, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    return code


def project_settings() -> dict[str, Any]:
    """A settings.py example's globals: the current settings, as in a project's
    settings.py where ``INSTALLED_APPS`` and ``BASE_DIR`` are defined above it."""
    # Django 4.2 warns when a deprecated setting (USE_L10N,
    # DEFAULT_FILE_STORAGE...) is read, even at its default value.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return {name: getattr(django_settings, name) for name in dir(django_settings) if name.isupper()}


def is_settings(source: str) -> bool:
    return source.lstrip().startswith("# settings.py") or "INSTALLED_APPS +=" in source


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_example_of_a_page_runs(
    page: str, example_settings: Settings, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []
    # The page is one module of the reader's app: ``from . import views`` in
    # its urls.py example is the module its views example defined.
    page_module = types.ModuleType("tests.views")
    namespace = page_module.__dict__
    namespace.update(
        {
            "__package__": "tests",
            "__keep__": made.append,
            **(PAGE_NAMES[page](tmp_path) if page in PAGE_NAMES else {}),
        }
    )
    monkeypatch.setitem(sys.modules, "tests.views", page_module)
    # The page's urls.py is the project's: its reverse() finds the names its
    # urlpatterns define, and its admin.site.urls the admin (quickstart.rst).
    example_settings.ROOT_URLCONF = "tests.views"
    example_settings.INSTALLED_APPS = [*django_settings.INSTALLED_APPS, "django.contrib.admin"]
    try:
        for line, source in PAGES[page]:
            if is_settings(source):
                globals_ = project_settings()
                globals_["__keep__"] = made.append
                exec(compiled(source, f"{page}:{line}"), globals_)
                continue
            result = eval(compiled(source, f"{page}:{line}"), namespace)
            if asyncio.iscoroutine(result):
                asyncio.run(result)
    finally:
        for value in made:
            if hasattr(value, "close"):
                value.close()
