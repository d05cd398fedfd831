"""A file of known bytes and times, and serving it through the engine's ``respond()``.

Shared by the engine's test modules; the ``doc`` fixture (tests/engine/conftest.py)
writes this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from dlshortcuts import Download
from dlshortcuts.engine.respond import respond
from dlshortcuts.options import Options
from tests.samples import RecordingFile

if TYPE_CHECKING:
    from tests.conftest import Factory

CONTENT = bytes(i % 251 for i in range(1000))
MTIME_NS = 1_700_000_000_123_456_000
ETAG = f'"3e8-{1_700_000_000_123_456:x}"'
LAST_MODIFIED = "Tue, 14 Nov 2023 22:13:20 GMT"


def download_of(path: Path, file: IO[bytes] | None = None, **fields: Any) -> Download:
    """What serve_path resolves ``path`` into, with a file that records its reads."""
    st = path.stat()
    return Download(
        filename=path.name,
        size=st.st_size,
        modified=st.st_mtime_ns / 1e9,
        path=str(path),
        file=file or RecordingFile(path),
        **fields,
    )


def serve(request: HttpRequest, download: Download, **options: Any) -> HttpResponseBase:
    return respond(request, download, Options.parse("test", options)[0])


def get(factory: Factory, path: Path, method: str = "get", **options: Any) -> HttpResponseBase:
    headers = options.pop("request_headers", {})
    return serve(getattr(factory, method)("/", headers=headers), download_of(path), **options)
