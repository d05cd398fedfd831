"""The header path, in process (timeit): what every request pays before the first byte.

Each row is the time of one call in microseconds, against what Django (or
libmagic, or werkzeug) does for the same job where there is such a thing.
"""

from __future__ import annotations

import os
import timeit
from collections.abc import Callable
from pathlib import Path

import django
import magic
from django.conf import settings
from django.http import FileResponse
from django.test import RequestFactory
from django.utils.http import content_disposition_header, http_date
from django.views.static import serve

from dlshortcuts import serve_path
from dlshortcuts.engine.content_type import sniff_file
from dlshortcuts.engine.response import listened
from dlshortcuts.http.disposition import content_disposition
from dlshortcuts.http.ranges import parse_range
from dlshortcuts.signals import download_finished, download_started

from .harness import GIB, Bench
from .report import Row, Target

__all__ = ["TARGETS", "TITLE", "run"]

TITLE = "header path, in process (timeit)"
TARGETS: tuple[Target, ...] = ()

WHOLE = "200 for a 4 KiB file, body not sent"
NOT_MODIFIED = "304 Not Modified for a file"
RANGE = "parse a 3-range Range header"
DISPOSITION = "Content-Disposition, non-ASCII name"
SNIFF = "sniff a file's type (warm)"
SIGNALS = "download signals, no receiver connected"
#: Timed repeats per row: each is short, so more of them than the server runs.
_REPEATS = 5
_NAME = "Überweisung März 2026 (東京).pdf"
_RANGE = "bytes=0-1023, 4096-8191, -512"


def _microseconds(call: Callable[[], object], seconds: float) -> tuple[float, ...]:
    """Microseconds per call, one figure per repeat of about ``seconds``."""
    timer = timeit.Timer(call)
    number, elapsed = timer.autorange()
    number = max(1, int(number * seconds / elapsed))
    return tuple(total / number * 1e6 for total in timer.repeat(repeat=_REPEATS, number=number))


def _django() -> None:
    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.project.settings")
    django.setup()


def _not_modified(bench: Bench) -> dict[str, Callable[[], object]]:
    factory = RequestFactory()
    root = str(bench.files)
    first = serve_path(factory.get("/"), bench.SMALL, root=root)
    first.close()
    ours = factory.get("/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    django_static = factory.get("/", HTTP_IF_MODIFIED_SINCE=http_date(bench.small.stat().st_mtime))
    calls: dict[str, Callable[[], object]] = {
        "dlshortcuts serve_path": lambda: serve_path(ours, bench.SMALL, root=root),
        "django.views.static.serve": lambda: serve(django_static, bench.SMALL, document_root=root),
    }
    for name, call in calls.items():
        response = call()
        if getattr(response, "status_code", None) != 304:
            raise RuntimeError(f"{name} did not answer 304 to a matching validator")
    return calls


def _whole(bench: Bench) -> dict[str, Callable[[], object]]:
    """What each competitor does per request before the server sends the bytes."""
    request = RequestFactory().get("/")
    root = str(bench.files)

    def ours() -> None:
        serve_path(request, bench.SMALL, root=root).close()

    def django_file_response() -> None:
        # The view of benchmarks/project/views.py: no containment check, no validators.
        FileResponse(open(os.path.join(root, bench.SMALL), "rb"), as_attachment=True).close()  # noqa: SIM115

    return {"dlshortcuts serve_path": ours, "Django FileResponse": django_file_response}


def _unheard() -> None:
    # All a download pays for dlshortcuts.signals when nothing listens: the
    # response checks download_finished when made and when closed,
    # download_started before its body; nothing is counted.
    listened(download_finished)
    listened(download_started)
    listened(download_finished)


def _sniffed_file(bench: Bench) -> Path:
    # A name that tells nothing, so that the type must come from the bytes.
    path = bench.workdir / "document"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 8)
    return path


def run(bench: Bench) -> list[Row]:
    """Time each header-path job and its nearest alternative."""
    _django()
    seconds = bench.plan.micro_seconds
    document = _sniffed_file(bench)
    stat = document.stat()
    libmagic = magic.Magic(mime=True)
    # (metric, the reference competitor or None, each competitor's call)
    jobs: list[tuple[str, str | None, dict[str, Callable[[], object]]]] = [
        (WHOLE, "Django FileResponse", _whole(bench)),
        (NOT_MODIFIED, "django.views.static.serve", _not_modified(bench)),
        (
            DISPOSITION,
            "Django content_disposition_header",
            {
                "dlshortcuts content_disposition": lambda: content_disposition(_NAME),
                "Django content_disposition_header": lambda: content_disposition_header(True, _NAME),
            },
        ),
        (
            SNIFF,
            "python-magic from_file, uncached",
            {
                "dlshortcuts sniff_file": lambda: sniff_file(
                    str(document), (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
                ),
                "python-magic from_file, uncached": lambda: libmagic.from_file(str(document)),
            },
        ),
        (RANGE, None, {"dlshortcuts parse_range": lambda: parse_range(_RANGE, GIB)}),
        (SIGNALS, None, {"dlshortcuts, the checks of one download": _unheard}),
    ]
    rows = []
    for metric, reference, calls in jobs:
        for name, call in calls.items():
            samples = _microseconds(call, seconds)
            compared = None if name == reference else reference
            rows.append(Row(TITLE, metric, "us/call", name, samples, False, compared))
    return rows
