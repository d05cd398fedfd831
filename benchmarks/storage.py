"""Objects in S3, Google Cloud Storage and Azure: first byte, peak memory and temporary disk.

Part of ``make bench`` (the ``storage`` suite); alone:
``python -m benchmarks.storage [--size-mib 200] [--store s3,gcs,azure]``.
Each store runs on loopback (:mod:`benchmarks.stores`: moto's server,
gcp-storage-emulator, Azurite); each way of serving runs in its own process
(so peaks do not mix), serves a small object once (imports, connections),
then the large one, streaming the response the way a WSGI server does:

- ``dlshortcuts``: ``serve_storage`` (one metadata call, ranged GETs, read in blocks);
- ``FileResponse``: ``FileResponse(storage.open(name))``, the obvious view;
- ``django-downloadview``: ``StorageDownloadView`` (S3 only, as before).

The others read through django-storages' own file object (``S3File``,
``GoogleCloudFile``, ``AzureStorageFile``), which copies the whole object
into a ``SpooledTemporaryFile`` before the first byte: in memory on S3 and
GCS (their default limit is 0, no limit), on temporary disk past 2 MiB on
Azure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import stores
from .harness import MIB, NOISE_MIB, Bench
from .report import Row, Target

ROOT = Path(__file__).resolve().parent.parent
WAYS = ("dlshortcuts", "FileResponse", "django-downloadview")
REFERENCE = "FileResponse"
#: The ways measured on each store. django-downloadview reads the same file object as
#: FileResponse and takes a minute over 200 MiB of S3: on the other stores it would
#: add minutes to the run and nothing to learn.
STORE_WAYS: dict[stores.Store, tuple[str, ...]] = {
    "s3": WAYS,
    "gcs": ("dlshortcuts", "FileResponse"),
    "azure": ("dlshortcuts", "FileResponse"),
}
TITLES: dict[stores.Store, str] = {
    "s3": "S3 through django-storages (moto server), one 200 MiB object",
    "gcs": "Google Cloud Storage through django-storages (gcp-storage-emulator), one 200 MiB object",
    "azure": "Azure Blob Storage through django-storages (Azurite), one 200 MiB object",
}
TITLE = "S3, Google Cloud Storage and Azure through django-storages (emulators on loopback)"
FIRST_BYTE = "time to first byte"
PEAK = "peak RSS growth"
TEMP = "temporary disk peak"
#: The first byte leaves before the object is fetched; memory and temporary disk stay flat.
TARGETS = tuple(
    target
    for title in TITLES.values()
    for target in (
        Target(title, FIRST_BYTE, "dlshortcuts", REFERENCE, 0.2),
        Target(title, PEAK, "dlshortcuts", None, 32.0),
        Target(title, TEMP, "dlshortcuts", None, NOISE_MIB),
    )
)


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


def _response(way: str, storage: Any, name: str) -> Any:
    """The response the way's view would return for ``name``."""
    from django.http import FileResponse
    from django.test import RequestFactory
    from django_downloadview import StorageDownloadView

    from dlshortcuts import serve_storage

    request = RequestFactory().get("/")
    if way == "dlshortcuts":
        return serve_storage(request, name, storage=storage)
    if way == "FileResponse":
        return FileResponse(storage.open(name), as_attachment=True)
    return StorageDownloadView.as_view(storage=storage, path=name)(request)


def measure(store: stores.Store, way: str, endpoint: str) -> dict[str, float]:
    """Serve the large object one way in this process; report first byte, total time, peaks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.http import StreamingHttpResponse

    from .procs import peak_rss, reset_peak, rss

    storage = stores.open_storage(store, endpoint)
    warm_up = _response(way, storage, stores.WARM)
    try:
        b"".join(warm_up)
    finally:
        warm_up.close()
    pid = os.getpid()
    reset_peak(pid)
    before = rss(pid)
    started = time.perf_counter()
    response = _response(way, storage, stores.KEY)
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
    return {
        "first_byte_s": first_byte,
        "total_s": total,
        "served_mib": served / MIB,
        "peak_growth_mib": max(0.0, peak_rss(pid) - before),
        "peak_temp_disk_mib": temp_peak / MIB,
    }


def rows_of(store: stores.Store, results: dict[str, list[dict[str, float]]]) -> list[Row]:
    """The rows of one store from each way's measurements (each a :func:`measure` result)."""
    title = TITLES[store]
    rows = []
    for way, measured in results.items():
        reference = None if way == REFERENCE else REFERENCE
        samples = {key: tuple(result[key] for result in measured) for key in measured[0]}
        for metric, key, unit, floor in (
            (FIRST_BYTE, "first_byte_s", "s", 0.0),
            (PEAK, "peak_growth_mib", "MiB", NOISE_MIB),
            (TEMP, "peak_temp_disk_mib", "MiB", NOISE_MIB),
        ):
            rows.append(
                Row(
                    title,
                    metric,
                    unit,
                    way,
                    samples[key],
                    higher_is_better=False,
                    reference=reference,
                    floor=floor,
                )
            )
    return rows


def run(bench: Bench) -> list[Row]:
    """Each store in turn, each of its ways ``bench.plan.runs // 2`` times (at least once).

    The object is 200 MiB, or the plan's large file where that is smaller (a quick run).
    """
    size_mib = max(1, min(200, bench.plan.large_size // MIB))
    source = _source(bench.workdir / "storage", size_mib)
    rows = []
    for store in stores.STORES:
        results: dict[str, list[dict[str, float]]] = {way: [] for way in STORE_WAYS[store]}
        with stores.running(store, bench.server_dir(store), source) as endpoint:
            for _ in range(max(1, bench.plan.runs // 2)):
                for way in STORE_WAYS[store]:
                    results[way].append(_probe(store, way, endpoint))
        rows += rows_of(store, results)
    return rows


def _probe(store: stores.Store, way: str, endpoint: str) -> dict[str, float]:
    # Each way in its own process, so that peaks do not mix.
    argv = ["--store", store, "--measure", way, "--endpoint", endpoint]
    probe = subprocess.run(
        [sys.executable, "-m", "benchmarks.storage", *argv],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **stores.environment(store, endpoint)},
        capture_output=True,
        check=False,
        timeout=900,
    )
    if probe.returncode:
        raise RuntimeError(f"{store} {way} probe exited with {probe.returncode}:\n{probe.stderr.decode()}")
    result: dict[str, float] = json.loads(probe.stdout)
    return result


def _source(directory: Path, size_mib: int) -> Path:
    """A file of ``size_mib`` MiB of random bytes, uploaded as the large object to every store."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / stores.KEY
    block = os.urandom(MIB)
    with path.open("wb") as file:
        for _ in range(size_mib):
            file.write(block)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=200)
    parser.add_argument("--store", default=",".join(stores.STORES), help="comma-separated stores to measure")
    parser.add_argument("--measure", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    chosen = args.store.split(",")
    if set(chosen) - set(stores.STORES):
        parser.error(f"--store: choose among {','.join(stores.STORES)}")
    if args.measure:
        json.dump(measure(args.store, args.measure, args.endpoint), sys.stdout)
        return
    with tempfile.TemporaryDirectory() as directory:
        source = _source(Path(directory), args.size_mib)
        print(f"{args.size_mib} MiB object; first byte, whole download, peaks while streaming")
        print(f"{'store':<7}{'way':<22}{'first byte':>12}{'total':>10}{'RSS growth':>14}{'temp disk':>12}")
        for store in chosen:
            with stores.running(store, Path(directory) / store, source) as endpoint:
                for way in STORE_WAYS[store]:
                    result = _probe(store, way, endpoint)
                    print(
                        f"{store:<7}{way:<22}{result['first_byte_s']:>11.3f}s{result['total_s']:>9.2f}s"
                        f"{result['peak_growth_mib']:>10.1f} MiB{result['peak_temp_disk_mib']:>8.1f} MiB"
                    )


if __name__ == "__main__":
    main()
