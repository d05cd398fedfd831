"""Stream one S3 object through serve_storage in a fresh process and report what it cost.

Run as ``python -m tests.s3_stream_probe ENDPOINT BUCKET KEY``; prints JSON with
the bytes served, their digest, the ranged GETs sent, the temporary files open
halfway through, and the peak of Python allocations (tracemalloc) while the
response is built and streamed the way a WSGI server iterates it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import tracemalloc


def open_temp_files() -> list[str]:
    """Files under the temp directory this process holds open (deleted ones included)."""
    temp = tempfile.gettempdir()
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:  # the descriptor listdir itself used
            continue
        if target.startswith(temp):
            found.append(target)
    return found


def main(endpoint: str, bucket: str, key: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.test import RequestFactory

    from dlshortcuts import DownloadResponse, serve_storage
    from tests.s3server import RecordingS3Storage, s3_storage_options

    storage = RecordingS3Storage(**s3_storage_options(endpoint, bucket))
    storage.connection  # noqa: B018 - connect before measuring
    tracemalloc.start()
    response = serve_storage(RequestFactory().get("/"), key, storage=storage)
    assert isinstance(response, DownloadResponse)
    size = int(response.headers["Content-Length"])
    digest = hashlib.blake2b()
    served = 0
    temp_files_midway: list[str] | None = None
    try:
        for block in response:
            digest.update(block)
            served += len(block)
            if temp_files_midway is None and served >= size // 2:
                temp_files_midway = open_temp_files()
    finally:
        response.close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    json.dump(
        {
            "size": served,
            "digest": digest.hexdigest(),
            "get_ranges": [params["Range"] for name, params in storage.operations if name == "GetObject"],
            "temp_files_midway": temp_files_midway,
            "peak_traced_bytes": peak,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
