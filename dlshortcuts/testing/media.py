"""``temporary_media_root``: a fresh ``MEDIA_ROOT`` for a test, removed afterwards."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ParamSpec, TypeVar

from django.test import override_settings

from dlshortcuts.wrappers import wrap_view

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def _media_root() -> Iterator[str]:
    with (
        tempfile.TemporaryDirectory(prefix="dlshortcuts-media-") as directory,
        override_settings(MEDIA_ROOT=directory),
    ):
        yield directory


class temporary_media_root:  # lower case: used like override_settings
    """Point ``MEDIA_ROOT`` at a fresh temporary directory, removed afterwards.

    A context manager (``with temporary_media_root() as root:``, the target
    is the directory's absolute path) or a decorator for sync and async test
    functions (``@temporary_media_root()``, a fresh directory per call).
    Uploads saved through ``FileSystemStorage`` land there and vanish with it.
    """

    def __init__(self) -> None:
        self._entered: list[AbstractContextManager[str]] = []

    def __enter__(self) -> str:
        context = _media_root()
        directory = context.__enter__()
        self._entered.append(context)
        return directory

    def __exit__(self, *exc_info: Any) -> None:
        self._entered.pop().__exit__(*exc_info)

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        if isinstance(function, type):
            raise TypeError(
                f"temporary_media_root() decorates test functions, not the class {function.__name__!r}: "
                "decorate its methods, or use the media_root fixture."
            )
        return wrap_view(function, _fresh_media_root)


@contextmanager
def _fresh_media_root(_args: tuple[Any, ...]) -> Iterator[None]:
    """A fresh directory for one call of a decorated test (the test runs instead of a view)."""
    with _media_root():
        yield None
