"""The per-request breakdown (benchmarks/breakdown.py) runs: every route answers, every step is timed.

No timing is asserted: the figures are what the tool reports.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchmarks import breakdown
from benchmarks.harness import KIB, QUICK, bench


def test_breakdown_times_every_route_and_step(capsys: pytest.CaptureFixture[str]) -> None:
    plan = replace(QUICK, large_size=4 * KIB, micro_seconds=0.001)
    with bench(plan) as setup:
        rows = breakdown.run(setup, repeats=2)
        profile = breakdown.profile(setup, 3)
    routes = [(row.metric, row.competitor, row.reference) for row in rows if row.metric != breakdown.STEP]
    assert routes == [
        (breakdown.HANDLER, breakdown.SERVE_PATH, breakdown.FILE_RESPONSE),
        (breakdown.HANDLER, breakdown.FILE_RESPONSE, None),
        (breakdown.HANDLER, breakdown.CEILING, None),
        (breakdown.DIRECT, breakdown.SERVE_PATH, breakdown.FILE_RESPONSE),
        (breakdown.DIRECT, breakdown.FILE_RESPONSE, None),
        (breakdown.DIRECT, breakdown.CEILING, None),
        (breakdown.LOOP, breakdown.ASERVE_PATH, breakdown.ASYNC_CEILING),
        (breakdown.LOOP, breakdown.ASYNC_CEILING, None),
        (breakdown.CLOSE, breakdown.SERVE_PATH, breakdown.FILE_RESPONSE),
        (breakdown.CLOSE, breakdown.FILE_RESPONSE, None),
        (breakdown.CLOSE, breakdown.CEILING, None),
    ]
    steps = [row.competitor for row in rows if row.metric == breakdown.STEP]
    assert steps[0] == "options parsed and validated"
    assert len(steps) == 12
    assert all(len(row.samples) == 2 and min(row.samples) > 0 for row in rows)
    assert "serve_path" in profile


def test_handler_route_answers_each_competitor_with_the_file() -> None:
    plan = replace(QUICK, large_size=4 * KIB)
    with bench(plan) as setup, breakdown.routes(str(setup.files)):
        for prefix in ("/dlshortcuts/", "/fileresponse/", "/ceiling/"):
            status, body = breakdown.answer(prefix + setup.SMALL)
            assert (status, body) == ("200 OK", setup.small.read_bytes())
