"""Fixtures shared by the test modules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import AsyncRequestFactory, RequestFactory, override_settings

from dlshortcuts.sources import beneath

pytest_plugins = ["tests.s3server", "tests.cloudservers"]

#: What :func:`factory` gives: the request factory of one of the two handlers.
Factory = RequestFactory | AsyncRequestFactory


def _leave_connections(**kwargs: Any) -> None:
    """Stands in for close_old_connections while tests run."""


@pytest.fixture(autouse=True)
def _keep_database_connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Starting a request and closing a response send ``request_started`` and
    ``request_finished``, whose ``close_old_connections`` checks the database
    connection; once a database test has opened it, pytest-django forbids that
    check in every later test without the ``django_db`` mark. Django's test
    client disconnects the handler around its own requests and connects it
    again after: it connects a no-op instead."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    monkeypatch.setattr("django.test.client.close_old_connections", _leave_connections)
    try:
        yield
    finally:
        for signal in signals:
            signal.disconnect(_leave_connections)
            signal.connect(close_old_connections)


@pytest.fixture(autouse=True, scope="session")
def _private_media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """MEDIA_ROOT defaults to the current directory: no test may write files
    into the checkout (where a later test's storage could find them)."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The files root a test serves from: an empty ``tmp_path/root``.

    A module says what it holds with a fixture of its own, named for the
    content, that writes into this one (``tmp_path`` beside it is outside).
    """
    directory = tmp_path / "root"
    directory.mkdir()
    return directory


@pytest.fixture(scope="module")
def module_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`root` for a whole module: the files a module's servers serve, written once."""
    return tmp_path_factory.mktemp("root")


@pytest.fixture(params=["openat2", "user space"])
def confinement(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a name is confined to a root: by the kernel (openat2, which
    this Linux has) and resolved in user space (other systems, and the names
    the kernel leaves to it)."""
    if request.param == "user space":
        monkeypatch.setattr(beneath, "_syscall", None)
    else:
        assert sys.platform != "linux" or beneath._syscall is not None
    return str(request.param)


@pytest.fixture(params=["wsgi", "asgi"])
def factory(request: pytest.FixtureRequest, rf: RequestFactory, async_rf: AsyncRequestFactory) -> Factory:
    """Each test that takes it runs twice: with a WSGI request (``rf``), then an ASGI one (``async_rf``)."""
    return rf if request.param == "wsgi" else async_rf
