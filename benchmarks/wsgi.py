"""WSGI, gunicorn with 2 sync workers: serve_path against Django's and django-downloadview's ways.

Each competitor gets a gunicorn of its own, so the memory and CPU figures of
its workers are its own; all are started first, then measured in turns.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from .clients import check
from .harness import Bench
from .measure import Download, download, interleaved, request_rates
from .report import Row, Target
from .servers import gunicorn_server, workers
from .suites import Competitor

__all__ = ["COMPETITORS", "TARGETS", "TITLE", "run"]

TITLE = "WSGI: gunicorn, 2 sync workers"
DLSHORTCUTS = "dlshortcuts serve_path"
FILE_RESPONSE = "Django FileResponse"
DOWNLOADVIEW = "django-downloadview PathDownloadView"
CEILING = "Django ceiling: HttpResponse from memory"
COMPETITORS = (
    Competitor(DLSHORTCUTS, "/dlshortcuts/"),
    Competitor(FILE_RESPONSE, "/fileresponse/"),
    Competitor(CEILING, "/ceiling/", small_only=True),
    Competitor("django.views.static.serve", "/static/"),
    Competitor(DOWNLOADVIEW, "/downloadview/", slow=True),
)

SMALL_RATE = "small file: requests/s"
LARGE_RATE = "large file: MiB/s"
RANGE_RATE = "single Range: MiB/s"
PEAK_RSS = "peak worker RSS"
CPU_PER_GIB = "worker CPU per GiB"

TARGETS = (
    Target(TITLE, SMALL_RATE, DLSHORTCUTS, FILE_RESPONSE, 1.0),
    Target(TITLE, SMALL_RATE, DLSHORTCUTS, CEILING, 0.8),
    Target(TITLE, SMALL_RATE, DLSHORTCUTS, DOWNLOADVIEW, 2.0),
    Target(TITLE, LARGE_RATE, DLSHORTCUTS, FILE_RESPONSE, 0.95),
    Target(TITLE, LARGE_RATE, DLSHORTCUTS, DOWNLOADVIEW, 50.0),
    Target(TITLE, RANGE_RATE, DLSHORTCUTS, FILE_RESPONSE, 0.95),
    Target(TITLE, RANGE_RATE, DLSHORTCUTS, DOWNLOADVIEW, 50.0),
    Target(TITLE, CPU_PER_GIB, DLSHORTCUTS, FILE_RESPONSE, 1.5),
)

_WORKERS = 2


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity in interleaved()
class _Running:
    competitor: Competitor
    base: str
    pids: list[int]


def run(bench: Bench) -> list[Row]:
    """Start a fresh gunicorn per competitor, then measure them in turns."""
    plan = bench.plan
    with ExitStack() as stack:
        running = []
        for competitor in COMPETITORS:
            server = stack.enter_context(gunicorn_server(bench, workers=_WORKERS))
            base = f"{server.url}{competitor.prefix}"
            check(base + bench.SMALL, expect=bench.small.read_bytes())
            running.append(_Running(competitor, base, workers(server, _WORKERS)))

        def cap(contender: _Running) -> float:
            return plan.slow_cap if contender.competitor.slow else plan.transfer_cap

        # An unaligned middle half, as a resumed or seeking client asks.
        size = plan.large_size
        wanted = {"Range": f"bytes={size // 4 + 1}-{3 * size // 4}"}
        rates = request_rates(plan, running, lambda c: c.base + bench.SMALL)
        files = [contender for contender in running if not contender.competitor.small_only]
        whole = interleaved(
            plan.runs, files, lambda c: download(c.base + bench.LARGE, c.pids, max_seconds=cap(c))
        )
        ranged = interleaved(
            plan.runs,
            files,
            lambda c: download(c.base + bench.LARGE, c.pids, max_seconds=cap(c), headers=wanted),
        )
    rows = [
        Row(TITLE, SMALL_RATE, "req/s", c.competitor.name, tuple(rates[c]), reference=FILE_RESPONSE)
        for c in running
        if c.competitor.small_only
    ]
    for contender in files:
        capped = f"rate over the first {cap(contender):g} s" if contender.competitor.slow else ""
        statuses = {d.transfer.status for d in ranged[contender]}
        ignored = "ignores Range: 200, whole file" if statuses != {206} else ""
        rows += _rows(
            contender.competitor.name,
            rates=rates[contender],
            whole=whole[contender],
            ranged=ranged[contender],
            capped=capped,
            range_note="; ".join(text for text in (ignored, capped) if text),
        )
    return rows


def _rows(
    name: str,
    *,
    rates: list[float],
    whole: list[Download],
    ranged: list[Download],
    capped: str,
    range_note: str,
) -> list[Row]:
    reference = None if name == FILE_RESPONSE else FILE_RESPONSE

    def row(metric: str, unit: str, samples: list[float], *, note: str = "", higher: bool = True) -> Row:
        return Row(TITLE, metric, unit, name, tuple(samples), higher, reference, note)

    return [
        row(SMALL_RATE, "req/s", rates),
        row(LARGE_RATE, "MiB/s", [d.transfer.mib_per_second for d in whole], note=capped),
        row(RANGE_RATE, "MiB/s", [d.transfer.mib_per_second for d in ranged], note=range_note),
        row(PEAK_RSS, "MiB", [d.peak_rss for d in whole + ranged], higher=False),
        row(CPU_PER_GIB, "CPU s", [d.cpu_per_gib for d in whole], note=capped, higher=False),
    ]
