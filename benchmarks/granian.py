"""Granian: a 1 GiB file sent with ``http.response.pathsend`` against nginx alone.

``dlshortcuts.asgi.get_asgi_application()`` under Granian hands a whole file
to the server as one pathsend message: Granian reads it from disk itself
and no byte passes through Python. The same project under Django's own
handler (the async body, one worker-thread read per 256 KiB block) shows
what that saves; nginx serving the directory with sendfile is the ceiling.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from servers import Server, start_granian

from .clients import check, curl
from .harness import NOISE_MIB, Bench
from .measure import download, interleaved
from .procs import rss_of
from .project import OFFLOAD_PREFIX
from .report import Row, Target
from .servers import NGINX_DIRECT, nginx_server, workers

__all__ = ["TARGETS", "TITLE", "run"]

TITLE = "Granian, 1 worker: pathsend"
PATHSEND = "dlshortcuts.asgi, pathsend"
DJANGO_HANDLER = "Django's ASGIHandler, async body"
DIRECT = "nginx direct"
LARGE_RATE = "large file: MiB/s"
RSS_GROWTH = "peak RSS growth"
#: The memory a large download may add to the server, in MiB.
RSS_BOUND = 32
#: Downloads per contender (at least). One 1 GiB transfer under Granian
#: or nginx swung by 30 % from one to the next on a shared 2-core machine
#: (nginx 985..1,732 MiB/s within one run): the plan's three made the
#: median a draw. Seven cost about 20 s more.
RUNS = 7
APPS = {
    PATHSEND: ("dlshortcuts.asgi:get_asgi_application", True),
    DJANGO_HANDLER: ("benchmarks.project.asgi:application", False),
}

TARGETS = (
    Target(TITLE, LARGE_RATE, PATHSEND, DIRECT, 0.9),
    Target(TITLE, RSS_GROWTH, PATHSEND, None, RSS_BOUND),
)


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity in interleaved()
class _Running:
    name: str
    url: str
    pids: list[int]
    baseline: dict[int, float]


@contextmanager
def granian_server(bench: Bench, app: str, *, factory: bool) -> Iterator[Server]:
    """Granian (one worker) serving the benchmark project through ``app``."""
    directory = bench.server_dir("granian")
    env = {"DJANGO_SETTINGS_MODULE": "benchmarks.project.settings", **bench.environment()}
    with start_granian(
        app, directory / "server.log", env=env, factory=factory, log_level="warning"
    ) as server:
        yield server


def run(bench: Bench) -> list[Row]:
    """Start both Granians and nginx, then download the large file from each in turns."""
    plan = bench.plan
    with ExitStack() as stack:
        running = []
        for name, (app, factory) in APPS.items():
            server = stack.enter_context(granian_server(bench, app, factory=factory))
            url = f"{server.url}/dlshortcuts/{bench.LARGE}"
            check(f"{server.url}/dlshortcuts/{bench.SMALL}", expect=bench.small.read_bytes())
            pids = workers(server, 1)
            running.append(_Running(name, url, pids, rss_of(pids)))
        proxy = stack.enter_context(nginx_server(bench, upstream=server.port, internal=(OFFLOAD_PREFIX,)))
        check(f"{proxy.url}{NGINX_DIRECT}{bench.SMALL}", expect=bench.small.read_bytes())
        direct = _Running(DIRECT, f"{proxy.url}{NGINX_DIRECT}{bench.LARGE}", [], {})

        def measure(contender: _Running) -> tuple[float, float | None]:
            if not contender.pids:
                return curl(contender.url, max_seconds=plan.transfer_cap).mib_per_second, None
            measured = download(contender.url, contender.pids, max_seconds=plan.transfer_cap)
            return measured.transfer.mib_per_second, measured.growth(contender.baseline)

        results = interleaved(max(plan.runs, RUNS), [*running, direct], measure)
    rows = []
    for contender, figures in results.items():
        reference = None if contender is direct else DIRECT
        rates = tuple(rate for rate, _ in figures)
        rows.append(Row(TITLE, LARGE_RATE, "MiB/s", contender.name, rates, reference=reference))
        if contender is not direct:
            growth = tuple(g for _, g in figures if g is not None)
            rows.append(
                Row(
                    TITLE,
                    RSS_GROWTH,
                    "MiB",
                    contender.name,
                    growth,
                    False,
                    PATHSEND if contender.name != PATHSEND else None,
                    floor=NOISE_MIB,
                )
            )
    return rows
