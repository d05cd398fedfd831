"""A ZIP of many files: serve_archive against one file of the same size, zipstream-ng and zipfile.

Part of ``make bench`` (the ``archive`` suite); alone:
``python -m benchmarks.archive [--size-mib 1024] [--members 1000]``. Each
way runs in its own process (so peaks do not mix) over the same files on
disk and streams the response the way a WSGI server does, block by block:

- ``serve_archive``: stored members, exact length, Range (dlshortcuts);
- ``serve_path``: one file of the archive's size, the reference;
- ``zipstream-ng``: ``ZipStream.from_path`` (stored, sized), streamed;
- ``zipfile+BytesIO``: the usual recipe, the archive built in memory first.

Measured: MiB/s over the whole download, time to first byte, and the
growth of the process's peak resident memory while serving.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .harness import Bench
from .procs import peak_rss, reset_peak, rss
from .report import Row, Target

ROOT = Path(__file__).resolve().parent.parent
WAYS = ("serve_archive", "serve_path", "zipstream-ng", "zipfile+BytesIO")
REFERENCE = "serve_path"


def _response(way: str, folder: Path, whole: Path) -> Iterable[bytes]:
    """The body the way would hand to a WSGI server."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from dlshortcuts import serve_archive, serve_path

    request = RequestFactory().get("/")
    members = [(path.name, path) for path in sorted(folder.iterdir())]
    if way == "serve_archive":
        return serve_archive(request, members, filename="files.zip")
    if way == "serve_path":
        return serve_path(request, whole)
    if way == "zipstream-ng":
        from django.http import StreamingHttpResponse
        from zipstream import ZipStream  # type: ignore[import-untyped]

        stream = ZipStream.from_path(str(folder), sized=True)
        return StreamingHttpResponse(stream, headers={"Content-Length": str(len(stream))})
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, path in members:
            archive.write(path, name)
    return HttpResponse(buffer.getvalue(), content_type="application/zip")


def measure(way: str, folder: Path, whole: Path) -> dict[str, float]:
    """Serve one way in this process; report the rate, the first byte and the memory growth."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    # Imported before the clock starts.
    import zipfile  # noqa: F401

    import django.test
    import zipstream  # noqa: F401

    import dlshortcuts  # noqa: F401

    # The kernel's high-water mark, restarted from here: getrusage's ru_maxrss
    # would carry the peak of the bench process this one was forked from.
    before = rss(os.getpid())
    reset_peak(os.getpid())
    started = time.perf_counter()
    response = _response(way, folder, whole)
    first_byte = 0.0
    served = 0
    try:
        for chunk in response:
            if not served:
                first_byte = time.perf_counter() - started
            served += len(chunk)
    finally:
        response.close()  # type: ignore[attr-defined]
    total = time.perf_counter() - started
    peak = peak_rss(os.getpid())
    return {
        "mib_per_s": served / 2**20 / total,
        "first_byte_s": first_byte,
        "peak_growth_mib": max(0.0, peak - before),
        "served_mib": served / 2**20,
    }


TITLE = "serve_archive: 1,000 files on disk as one ZIP (stored), WSGI-style iteration in process"
RATE = "MiB/s"
FIRST_BYTE = "time to first byte"
PEAK = "peak RSS growth"
TARGETS = (Target(TITLE, PEAK, "serve_archive", None, 32.0),)


def run(bench: Bench) -> list[Row]:
    """Each way in turn over 1,000 files (1 GiB on a full run, 64 MiB on a quick one)."""
    size_mib = 1024 if bench.plan.runs > 1 else 64
    results: dict[str, list[dict[str, float]]] = {way: [] for way in WAYS}
    with _files(bench.workdir / "archive", size_mib, 1000) as (folder, whole):
        for _ in range(max(1, bench.plan.runs // 2)):
            for way in WAYS:
                results[way].append(_probe(way, folder, whole))
    rows = []
    for way in WAYS:
        reference = None if way == REFERENCE else REFERENCE
        samples = {key: tuple(result[key] for result in results[way]) for key in results[way][0]}
        rows.append(Row(TITLE, RATE, "MiB/s", way, samples["mib_per_s"], reference=reference))
        rows.append(
            Row(
                TITLE,
                FIRST_BYTE,
                "s",
                way,
                samples["first_byte_s"],
                higher_is_better=False,
                reference=reference,
            )
        )
        rows.append(
            Row(TITLE, PEAK, "MiB", way, samples["peak_growth_mib"], higher_is_better=False, floor=1.0)
        )
    return rows


def _probe(way: str, folder: Path, whole: Path) -> dict[str, float]:
    probe = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.archive",
            "--measure",
            way,
            "--folder",
            str(folder),
            "--whole",
            str(whole),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=True,
        timeout=900,
    )
    result: dict[str, float] = json.loads(probe.stdout)
    return result


@contextmanager
def _files(directory: Path, size_mib: int, count: int) -> Iterator[tuple[Path, Path]]:
    """``count`` files of random bytes making ``size_mib`` in all, and one file of that size."""
    folder = directory / "members"
    folder.mkdir(parents=True, exist_ok=True)
    each = size_mib * 2**20 // count
    block = os.urandom(each)
    for index in range(count):
        (folder / f"photo-{index:04d}.jpg").write_bytes(block[index:] + block[:index])
    whole = directory / "whole.bin"
    with open(whole, "wb") as file:
        for _ in range(count):
            file.write(block)
    yield folder, whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--measure", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--whole", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        json.dump(measure(args.measure, args.folder, args.whole), sys.stdout)
        return
    with (
        tempfile.TemporaryDirectory() as directory,
        _files(Path(directory), args.size_mib, args.members) as files,
    ):
        print(f"{args.members} files, {args.size_mib} MiB in all; each way in its own process")
        print(f"{'way':<18}{'MiB/s':>10}{'first byte':>13}{'peak RSS growth':>18}")
        for way in WAYS:
            result = _probe(way, *files)
            print(
                f"{way:<18}{result['mib_per_s']:>10.0f}{result['first_byte_s'] * 1000:>10.1f} ms"
                f"{result['peak_growth_mib']:>14.1f} MiB"
            )


if __name__ == "__main__":
    main()
