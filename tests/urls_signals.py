"""Views and receivers for the signal wire tests (settings: tests.settings_signals).

The receivers append one JSON line per signal to ``SIGNALS_LOG``: the test,
in another process, reads what the server reported.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dlshortcuts import aserve_path, aserve_url, optimized_download, serve_generated, serve_path, serve_url
from dlshortcuts.signals import download_finished, download_started
from tests.settings_signals import SIGNALS_FILES, SIGNALS_LOG, SIGNALS_PROTECTED, SIGNALS_UPSTREAM

#: The generated body: this many blocks of 64 KiB.
GENERATED_BLOCKS = 512
_lock = threading.Lock()


def _record(sender: object, *, signal: object, request: HttpRequest, download: Any, **kwargs: Any) -> None:
    line: dict[str, object] = {
        "signal": "started" if signal is download_started else "finished",
        "path": request.get_full_path(),
        "method": request.method,
        "filename": download.filename,
    }
    line.update(
        (key, kwargs[key]) for key in ("status", "bytes_sent", "complete", "offloaded") if key in kwargs
    )
    with _lock, SIGNALS_LOG.open("a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")


download_started.connect(_record)
download_finished.connect(_record)


def _blocks(request: HttpRequest) -> Iterator[bytes]:
    for number in range(GENERATED_BLOCKS):
        yield bytes([number % 256]) * 65536


def generated(request: HttpRequest) -> HttpResponseBase:
    return serve_generated(request, _blocks, filename="generated.bin")


def remote(request: HttpRequest, name: str) -> HttpResponseBase:
    return serve_url(request, f"{SIGNALS_UPSTREAM}/files/{name}")


async def aremote(request: HttpRequest, name: str) -> HttpResponseBase:
    return await aserve_url(request, f"{SIGNALS_UPSTREAM}/files/{name}")


def files(request: HttpRequest, name: str) -> HttpResponseBase:
    return serve_path(request, name, root=SIGNALS_FILES)


async def afiles(request: HttpRequest, name: str) -> HttpResponseBase:
    return await aserve_path(request, name, root=SIGNALS_FILES)


@optimized_download(backend="nginx", locations=[{"root": str(SIGNALS_PROTECTED), "url": "/_protected/"}])
def protected(request: HttpRequest, name: str) -> HttpResponseBase:
    return serve_path(request, name, root=SIGNALS_PROTECTED)


urlpatterns = [
    path("signals/files/<path:name>", files),
    path("signals/afiles/<path:name>", afiles),
    path("signals/generated.bin", generated),
    path("signals/remote/<path:name>", remote),
    path("signals/aremote/<path:name>", aremote),
    path("signals/protected/<path:name>", protected),
]
