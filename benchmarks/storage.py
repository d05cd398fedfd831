"""S3 downloads: time to first byte, peak memory and temporary disk, dlshortcuts against the usual ways.

Part of ``make bench`` (the ``storage`` suite); alone:
``python -m benchmarks.storage [--size-mib 200]``. moto's S3 server
runs on a loopback port; each way of serving runs in its own process (so
peaks do not mix) and streams the response the way a WSGI server does.

- ``dlshortcuts``: ``serve_storage`` (ranged GETs, read in blocks);
- ``FileResponse``: ``FileResponse(storage.open(name))``, the obvious view;
- ``django-downloadview``: ``StorageDownloadView``.

Both others read through django-storages' ``S3File``, which downloads the
whole object into a temporary file before the first byte.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .harness import Bench
from .report import Row, Target

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "bench"
KEY = "big.bin"
WAYS = ("dlshortcuts", "FileResponse", "django-downloadview")


def storage_options(endpoint: str) -> dict[str, str]:
    return {
        "access_key": "bench",
        "secret_key": "bench",
        "region_name": "us-east-1",
        "endpoint_url": endpoint,
        "bucket_name": BUCKET,
    }


def temp_bytes_open() -> int:
    """Bytes in temporary files this process holds open (unlinked ones included)."""
    total = 0
    temp = tempfile.gettempdir()
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(temp):
                total += os.fstat(int(fd)).st_size
        except OSError:
            continue
    return total


def measure(way: str, endpoint: str) -> dict[str, float]:
    """Serve the object one way in this process; report first byte, total time, peaks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.http import FileResponse, StreamingHttpResponse
    from django.http.response import HttpResponseBase
    from django.test import RequestFactory
    from django_downloadview import StorageDownloadView
    from storages.backends.s3 import S3Storage

    from dlshortcuts import serve_storage

    storage = S3Storage(**storage_options(endpoint))
    storage.connection  # noqa: B018 - connect before measuring
    request = RequestFactory().get("/")
    tracemalloc.start()
    started = time.perf_counter()
    response: HttpResponseBase
    if way == "dlshortcuts":
        response = serve_storage(request, KEY, storage=storage)
    elif way == "FileResponse":
        response = FileResponse(storage.open(KEY), as_attachment=True)
    else:
        response = StorageDownloadView.as_view(storage=storage, path=KEY)(request)
    first_byte = 0.0
    temp_peak = 0
    served = 0
    assert isinstance(response, StreamingHttpResponse)
    try:
        for chunk in response:
            if not served:
                first_byte = time.perf_counter() - started
            served += len(chunk)
            temp_peak = max(temp_peak, temp_bytes_open())
    finally:
        response.close()
    total = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    return {
        "first_byte_s": first_byte,
        "total_s": total,
        "served_mib": served / 2**20,
        "peak_python_mib": peak / 2**20,
        "peak_temp_disk_mib": temp_peak / 2**20,
    }


TITLE = "S3 through django-storages (moto server), one 200 MiB object"
FIRST_BYTE = "time to first byte"
PEAK = "Python memory peak"
TARGETS = (Target(TITLE, PEAK, "dlshortcuts", None, 32.0),)


def run(bench: Bench) -> list[Row]:
    """Each way in turn, ``bench.plan.runs`` times, against one object in moto."""
    size_mib = 200 if bench.plan.runs > 1 else 32
    results: dict[str, list[dict[str, float]]] = {way: [] for way in WAYS}
    with _bucket(size_mib) as endpoint:
        for _ in range(max(1, bench.plan.runs // 2)):
            for way in WAYS:
                results[way].append(_probe(way, endpoint))
    rows = []
    for way in WAYS:
        reference = None if way == "FileResponse" else "FileResponse"
        first = tuple(r["first_byte_s"] for r in results[way])
        peak = tuple(r["peak_python_mib"] for r in results[way])
        rows.append(Row(TITLE, FIRST_BYTE, "s", way, first, higher_is_better=False, reference=reference))
        rows.append(Row(TITLE, PEAK, "MiB", way, peak, higher_is_better=False, reference=reference))
    return rows


def _probe(way: str, endpoint: str) -> dict[str, float]:
    # Each way in its own process, so that peaks do not mix.
    probe = subprocess.run(
        [sys.executable, "-m", "benchmarks.storage", "--measure", way, "--endpoint", endpoint],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=True,
        timeout=900,
    )
    result: dict[str, float] = json.loads(probe.stdout)
    return result


@contextmanager
def _bucket(size_mib: int) -> Iterator[str]:
    """moto's S3 server on a loopback port with one ``size_mib`` object; yields its endpoint."""
    import boto3
    from moto.server import ThreadedMotoServer

    from servers import free_port

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        options = storage_options(endpoint)
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=options["access_key"],
            aws_secret_access_key=options["secret_key"],
            region_name=options["region_name"],
        )
        s3.create_bucket(Bucket=BUCKET)
        with tempfile.TemporaryFile() as source:
            block = os.urandom(2**20)
            for _ in range(size_mib):
                source.write(block)
            source.seek(0)
            s3.upload_fileobj(source, BUCKET, KEY)
        yield endpoint
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=200)
    parser.add_argument("--measure", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        json.dump(measure(args.measure, args.endpoint), sys.stdout)
        return
    with _bucket(args.size_mib) as endpoint:
        print(f"{args.size_mib} MiB object; first byte, whole download, peaks while streaming")
        print(f"{'way':<22}{'first byte':>12}{'total':>10}{'Python peak':>14}{'temp disk':>12}")
        for way in WAYS:
            result = _probe(way, endpoint)
            print(
                f"{way:<22}{result['first_byte_s']:>11.3f}s{result['total_s']:>9.2f}s"
                f"{result['peak_python_mib']:>10.1f} MiB{result['peak_temp_disk_mib']:>8.1f} MiB"
            )


if __name__ == "__main__":
    main()
