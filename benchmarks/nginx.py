"""Through nginx: dlshortcuts' offload against django-downloadview's X-Accel route and nginx alone.

One gunicorn (2 sync workers) behind one nginx. The app only decides and
names the file in ``X-Accel-Redirect``; nginx sends it from an ``internal``
location with sendfile. "nginx direct" is nginx serving the same directory
with no app at all: the ceiling.
"""

from __future__ import annotations

from contextlib import ExitStack

from .clients import check, curl
from .harness import Bench
from .measure import interleaved, request_rates
from .project import DOWNLOADVIEW_PREFIX, OFFLOAD_PREFIX
from .report import Row, Target
from .servers import NGINX_DIRECT, gunicorn_server, nginx_server
from .suites import Competitor

__all__ = ["COMPETITORS", "TARGETS", "TITLE", "run"]

TITLE = "nginx in front of gunicorn (X-Accel-Redirect)"
DLSHORTCUTS = "dlshortcuts offload"
DOWNLOADVIEW = "django-downloadview X-Accel"
DIRECT = "nginx direct"
COMPETITORS = (
    Competitor(DLSHORTCUTS, "/offload/"),
    Competitor(DOWNLOADVIEW, "/downloadview-x-accel/"),
    Competitor(DIRECT, NGINX_DIRECT),
)

SMALL_RATE = "small file: requests/s"
LARGE_RATE = "large file: MiB/s"
#: Each metric's reference: the alternative a user would otherwise deploy, and the ceiling.
REFERENCES = {SMALL_RATE: DOWNLOADVIEW, LARGE_RATE: DIRECT}

TARGETS = (
    Target(TITLE, SMALL_RATE, DLSHORTCUTS, DOWNLOADVIEW, 1.05),
    Target(TITLE, LARGE_RATE, DLSHORTCUTS, DIRECT, 0.9),
)


def run(bench: Bench) -> list[Row]:
    """Start gunicorn and nginx once, then measure the three routes in turns."""
    plan = bench.plan
    with ExitStack() as stack:
        app = stack.enter_context(gunicorn_server(bench, workers=2))
        proxy = stack.enter_context(
            nginx_server(bench, upstream=app.port, internal=(OFFLOAD_PREFIX, DOWNLOADVIEW_PREFIX))
        )
        for competitor in COMPETITORS:
            if competitor.name != DIRECT:
                # The app itself must answer with the header, not the bytes.
                _, headers = check(f"{app.url}{competitor.prefix}{bench.SMALL}")
                if "X-Accel-Redirect" not in headers:
                    raise RuntimeError(f"{competitor.name} did not answer with X-Accel-Redirect: {headers}")
            check(f"{proxy.url}{competitor.prefix}{bench.SMALL}", expect=bench.small.read_bytes())
        rates = request_rates(plan, COMPETITORS, lambda c: f"{proxy.url}{c.prefix}{bench.SMALL}")
        whole = interleaved(
            plan.runs,
            COMPETITORS,
            lambda c: curl(f"{proxy.url}{c.prefix}{bench.LARGE}", max_seconds=plan.transfer_cap),
        )
    implementation = "@optimized_download around serve_path"
    rows = []
    for competitor in COMPETITORS:
        note = implementation if competitor.name == DLSHORTCUTS else ""
        samples = {
            SMALL_RATE: ("req/s", tuple(rates[competitor])),
            LARGE_RATE: ("MiB/s", tuple(t.mib_per_second for t in whole[competitor])),
        }
        for metric, (unit, values) in samples.items():
            reference = None if competitor.name == REFERENCES[metric] else REFERENCES[metric]
            rows.append(Row(TITLE, metric, unit, competitor.name, values, reference=reference, note=note))
    return rows
