"""serve_generated: a CSV made row by row, under WSGI and ASGI, against Django's own recipe.

The reference is the "streaming large CSV files" recipe of Django's docs
(StreamingHttpResponse over a generator). Under ASGI Django drains that sync
generator into a list before sending a byte; serve_generated batches rows
into blocks and streams them. The servers run one worker each, so memory
growth belongs to the one process that made the file.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass

from servers import Server

from .clients import check
from .harness import NOISE_MIB, Bench
from .measure import Download, download, interleaved
from .procs import rss_of
from .project.rows import csv_rows
from .report import Row, Target
from .servers import gunicorn_server, uvicorn_server, workers
from .suites import Competitor

__all__ = ["ASGI_TITLE", "COMPETITORS", "TARGETS", "TITLE", "WSGI_TITLE", "run"]

TITLE = "generated CSV under WSGI and ASGI"
WSGI_TITLE = "generated CSV, WSGI: gunicorn, 1 sync worker"
ASGI_TITLE = "generated CSV, ASGI: uvicorn, 1 process"
DLSHORTCUTS = "dlshortcuts serve_generated"
DJANGO = "Django StreamingHttpResponse (docs recipe)"
COMPETITORS = (
    Competitor(DLSHORTCUTS, "/generated/dlshortcuts/"),
    # About 30 s per million rows: one run, or the suite alone would take minutes.
    Competitor(DJANGO, "/generated/django/", slow=True),
)

DJANGO_ASGI = "benchmarks.project.asgi:application"
#: A suite's title, how to start its server, and which process does the work.
_Setup = tuple[str, Callable[[], AbstractContextManager[Server]], Callable[[Server], int]]

ROW_RATE = "rows/s"
RSS_GROWTH = "peak RSS growth"
#: The memory generating the whole file may add to the server, in MiB.
RSS_BOUND = 32

TARGETS = tuple(Target(title, RSS_GROWTH, DLSHORTCUTS, None, RSS_BOUND) for title in (WSGI_TITLE, ASGI_TITLE))


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity in interleaved()
class _Running:
    competitor: Competitor
    base: str
    pid: int
    baseline: dict[int, float]


def run(bench: Bench) -> list[Row]:
    """For WSGI then ASGI: a server per competitor, measured in turns."""
    servers: tuple[_Setup, ...] = (
        (WSGI_TITLE, lambda: gunicorn_server(bench, workers=1), lambda server: workers(server, 1)[0]),
        (ASGI_TITLE, lambda: uvicorn_server(bench, DJANGO_ASGI), lambda server: server.process.pid),
    )
    return [row for setup in servers for row in _measure(bench, *setup)]


def _measure(
    bench: Bench,
    title: str,
    start: Callable[[], AbstractContextManager[Server]],
    process: Callable[[Server], int],
) -> list[Row]:
    count = bench.plan.csv_rows
    expected = "".join(csv_rows(3)).encode()
    with ExitStack() as stack:
        running = []
        for competitor in COMPETITORS:
            server = stack.enter_context(start())
            base = f"{server.url}{competitor.prefix}"
            check(f"{base}3.csv", expect=expected)
            pid = process(server)
            running.append(_Running(competitor, base, pid, rss_of([pid])))

        def measure(contender: _Running) -> Download:
            url = f"{contender.base}{count}.csv"
            return download(url, [contender.pid], max_seconds=bench.plan.transfer_cap)

        made = interleaved(bench.plan.runs, [c for c in running if not c.competitor.slow], measure)
        made |= interleaved(1, [c for c in running if c.competitor.slow], measure)
    rows = []
    for contender in running:
        name = contender.competitor.name
        reference = None if name == DJANGO else DJANGO
        rate = tuple(count / d.transfer.seconds for d in made[contender])
        growth = tuple(d.growth(contender.baseline) for d in made[contender])
        note = "1 run" if contender.competitor.slow else ""
        rows += [
            Row(title, ROW_RATE, "rows/s", name, rate, reference=reference, note=note),
            Row(title, RSS_GROWTH, "MiB", name, growth, False, reference, floor=NOISE_MIB),
        ]
    return rows
