"""The command line: every suite in turn, then the table, the targets, JSON and the chart."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
import traceback
from pathlib import Path

from .chart import draw_chart
from .harness import FULL, QUICK, bench, size_label
from .machine import describe_machine, format_machine
from .report import Row, Target, check_targets, format_table, format_verdicts, row_to_json
from .suites import SUITE_MODULES, load_suites

__all__ = ["DOCS", "RESULTS", "main"]

#: Where results go by default (git-ignored).
RESULTS = Path(__file__).resolve().parent / "results"
#: Where ``--record`` writes the report and the chart the docs include.
DOCS = Path(__file__).resolve().parent.parent / "docs"
_LOG_LINES = 15


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=main.__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: small files, short runs")
    parser.add_argument(
        "--only",
        default=",".join(SUITE_MODULES),
        help=f"comma-separated suites to run (default: all of {', '.join(SUITE_MODULES)})",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON and the PNG go")
    parser.add_argument(
        "--record",
        action="store_true",
        help="also write the report and the chart into docs/ (the benchmarks page shows them)",
    )
    return parser.parse_args(argv)


def _server_logs(workdir: Path) -> str:
    """The end of every server log of the run (servers' directories are removed afterwards)."""
    parts = []
    for log in sorted(workdir.glob("*/*.log")):
        lines = log.read_text(errors="replace").splitlines()[-_LOG_LINES:]
        if lines:
            parts.append(f"--- {log.parent.name}/{log.name}\n" + "\n".join(lines))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Run the suites and report; exit status 1 when a suite could not run."""
    arguments = _arguments(argv)
    plan = QUICK if arguments.quick else FULL
    suites = load_suites([name.strip() for name in arguments.only.split(",") if name.strip()])
    started = datetime.datetime.now(datetime.timezone.utc)
    rows: list[Row] = []
    targets: list[Target] = []
    failures: dict[str, str] = {}
    timings: dict[str, float] = {}
    files = f"small file {size_label(plan.small_size)}, large file {size_label(plan.large_size)}"
    print(f"dlshortcuts benchmarks ({'quick' if arguments.quick else 'full'}): {files}", flush=True)
    with bench(plan) as setup:
        for name, suite in suites.items():
            print(f"- {name}: {suite.TITLE} ...", end=" ", flush=True)
            clock = time.monotonic()
            try:
                rows += suite.run(setup)
            except Exception:  # one broken suite must not hide the others' figures
                failures[name] = traceback.format_exc() + _server_logs(setup.workdir)
                print("FAILED", flush=True)
            else:
                print(f"{time.monotonic() - clock:.0f} s", flush=True)
            timings[name] = round(time.monotonic() - clock, 1)
            targets += suite.TARGETS
    verdicts = check_targets(rows, targets)
    machine = describe_machine()
    minutes = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() / 60
    report = "\n".join(
        [
            f"Run of {started:%Y-%m-%d %H:%M} UTC ({'quick' if arguments.quick else 'full'}, "
            f"{minutes:.0f} min): {files}",
            f"Machine: {format_machine(machine)}",
            "",
            format_table(rows),
            "",
            format_verdicts(verdicts),
        ]
    )
    print()
    print(report)
    for name, text in failures.items():
        print(f"\nsuite {name} failed:\n{text}", file=sys.stderr)

    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    result = {
        "started": started.isoformat(timespec="seconds"),
        "mode": "quick" if arguments.quick else "full",
        "files": files,
        "machine": machine,
        "seconds": timings,
        "rows": [row_to_json(row, rows) for row in rows],
        "targets": [
            {"target": verdict.text, "value": verdict.value, "met": verdict.met} for verdict in verdicts
        ],
        "failures": failures,
    }
    arguments.output.mkdir(parents=True, exist_ok=True)
    for path in (arguments.output / f"bench-{stamp}.json", arguments.output / "latest.json"):
        path.write_text(json.dumps(result, indent=2) + "\n")
    title = f"dlshortcuts vs alternatives, {started:%Y-%m-%d} ({files})"
    charts = [arguments.output / "ratios.png"]
    if arguments.record:
        charts.append(DOCS / "_static" / "benchmarks.png")
        (DOCS / "benchmarks-results.txt").write_text(report + "\n")
    for chart in charts:
        draw_chart(rows, chart, title=title)
    print(f"\nresults: {arguments.output / 'latest.json'}; chart: {', '.join(map(str, charts))}")
    return 1 if failures else 0
