"""ASGI, uvicorn (one process): serve_path against Django's FileResponse and Starlette's.

Django's FileResponse under ASGI drains its file into a list before sending
(FIELD-NOTES: "must consume synchronous iterators"), so the server grows by
about the file size; Starlette streams it. Each competitor gets a uvicorn of
its own so that its memory growth is its own.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from .clients import check
from .harness import NOISE_MIB, Bench
from .measure import download, interleaved, request_rates
from .procs import rss_of
from .report import Row, Target
from .servers import uvicorn_server
from .suites import Competitor

__all__ = ["COMPETITORS", "TARGETS", "TITLE", "run"]

TITLE = "ASGI: uvicorn, 1 process"
DLSHORTCUTS = "dlshortcuts serve_path"
ASYNC_DLSHORTCUTS = "dlshortcuts aserve_path, async view"
FILE_RESPONSE = "Django FileResponse"
STARLETTE = "Starlette FileResponse"
CEILING = "Django ceiling: async view, bytes from memory"
DJANGO_APP = "benchmarks.project.asgi:application"
COMPETITORS = (
    (Competitor(DLSHORTCUTS, "/dlshortcuts/"), DJANGO_APP),
    (Competitor(ASYNC_DLSHORTCUTS, "/async/dlshortcuts/"), DJANGO_APP),
    (Competitor(FILE_RESPONSE, "/fileresponse/"), DJANGO_APP),
    (Competitor(STARLETTE, "/starlette/"), "benchmarks.project.starlette_app:app"),
    (Competitor(CEILING, "/async/ceiling/", small_only=True), DJANGO_APP),
)

SMALL_RATE = "small file: requests/s"
LARGE_RATE = "large file: MiB/s"
RSS_GROWTH = "peak RSS growth"
#: The memory a large download may add to the server, in MiB.
RSS_BOUND = 32

TARGETS = (
    Target(TITLE, SMALL_RATE, ASYNC_DLSHORTCUTS, CEILING, 0.85),
    Target(TITLE, SMALL_RATE, DLSHORTCUTS, FILE_RESPONSE, 1.0),
    Target(TITLE, LARGE_RATE, DLSHORTCUTS, STARLETTE, 0.8),
    Target(TITLE, RSS_GROWTH, DLSHORTCUTS, None, RSS_BOUND),
)


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity in interleaved()
class _Running:
    competitor: Competitor
    base: str
    pid: int
    baseline: dict[int, float]


def run(bench: Bench) -> list[Row]:
    """Start a uvicorn per competitor, then measure them in turns."""
    plan = bench.plan
    with ExitStack() as stack:
        running = []
        for competitor, app in COMPETITORS:
            server = stack.enter_context(uvicorn_server(bench, app))
            base = f"{server.url}{competitor.prefix}"
            check(base + bench.SMALL, expect=bench.small.read_bytes())
            pid = server.process.pid
            running.append(_Running(competitor, base, pid, rss_of([pid])))
        rates = request_rates(plan, running, lambda c: c.base + bench.SMALL)
        files = [contender for contender in running if not contender.competitor.small_only]
        whole = interleaved(
            plan.runs,
            files,
            lambda c: download(c.base + bench.LARGE, [c.pid], max_seconds=plan.transfer_cap),
        )
    rows = [
        Row(TITLE, SMALL_RATE, "req/s", c.competitor.name, tuple(rates[c]), reference=STARLETTE)
        for c in running
        if c.competitor.small_only
    ]
    for contender in files:
        name = contender.competitor.name
        reference = None if name == STARLETTE else STARLETTE
        rows += [
            Row(TITLE, SMALL_RATE, "req/s", name, tuple(rates[contender]), reference=reference),
            Row(
                TITLE,
                LARGE_RATE,
                "MiB/s",
                name,
                tuple(d.transfer.mib_per_second for d in whole[contender]),
                reference=reference,
            ),
            Row(
                TITLE,
                RSS_GROWTH,
                "MiB",
                name,
                tuple(d.growth(contender.baseline) for d in whole[contender]),
                higher_is_better=False,
                reference=reference,
                floor=NOISE_MIB,
            ),
        ]
    return rows
