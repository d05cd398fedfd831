"""Record every path the process opens, through a ``sys.addaudithook`` hook.

CPython raises the ``open`` audit event for ``open()``, ``io.open()`` and
``os.open()`` (PEP 578), from every thread, before the call succeeds or
fails. An audit hook cannot be removed, so one hook is installed for the
whole session, on first use, and records only while a recorder is active.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["recording_opens"]

_lock = threading.Lock()
_recorders: list[list[str]] = []
_installed = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _recorders:
        return
    path = args[0]
    if isinstance(path, int):
        return  # os.fdopen(fd): the file was opened (and recorded) before
    name = os.fsdecode(path)
    with _lock:
        for recorder in _recorders:
            recorder.append(name)


@contextmanager
def recording_opens() -> Iterator[list[str]]:
    """Collect, into the yielded list, the paths opened while the block runs (any thread)."""
    global _installed  # noqa: PLW0603 - one hook per process, by the nature of audit hooks
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True
    opened: list[str] = []
    with _lock:
        _recorders.append(opened)
    try:
        yield opened
    finally:
        with _lock:
            _recorders.remove(opened)
