"""The benchmark harness cannot rot: its pure helpers, and one real run of the CLI.

No timing is asserted here: speed is what the harness reports, not what the
tests check.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks import micro, storage, stores
from benchmarks.chart import comparisons, draw_chart
from benchmarks.cli import main
from benchmarks.clients import parse_curl, parse_wrk
from benchmarks.harness import KIB, QUICK, bench, size_label
from benchmarks.measure import interleaved
from benchmarks.procs import children, cpu_seconds, peak_rss, rss_of, usage
from benchmarks.report import Row, Target, advantage, check_targets, format_table, ratio, row_to_json
from benchmarks.suites import SUITE_MODULES, load_suites

SUITE = "WSGI"
FAST = Row(SUITE, "req/s", "req/s", "dlshortcuts serve_path", (90.0, 100.0, 300.0), reference="FileResponse")
REFERENCE = Row(SUITE, "req/s", "req/s", "FileResponse", (50.0, 40.0, 60.0))
SMALL_GROWTH = Row(SUITE, "growth", "MiB", "dlshortcuts serve_path", (0.4,), False, "Django", floor=1.0)
NO_GROWTH = Row(SUITE, "growth", "MiB", "Django", (0.004,), False, floor=1.0)
BIG_GROWTH = Row(SUITE, "growth", "MiB", "Django", (1024.0,), False, floor=1.0)

WRK_OUTPUT = """\
Running 3s test @ http://127.0.0.1:4000/dlshortcuts/small.bin
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.01ms    1.02ms  19.20ms   90.00%
    Req/Sec     1.00k    50.00     1.10k    70.00%
  3000 requests in 3.00s, 13.20MB read
Requests/sec:   1000.25
Transfer/sec:      4.40MB
"""


def test_median_is_the_middle_sample() -> None:
    assert FAST.median == 100.0
    assert REFERENCE.median == 50.0


@pytest.mark.parametrize(
    ("row", "reference", "expected"),
    [
        (FAST, REFERENCE, 2.0),
        (REFERENCE, FAST, 0.5),
        # Below the floor both read as 1 MiB: noise, not a 100x difference.
        (SMALL_GROWTH, NO_GROWTH, 1.0),
        (SMALL_GROWTH, BIG_GROWTH, 1 / 1024),
        (replace(FAST, samples=(0.0,)), REFERENCE, None),
    ],
)
def test_ratio_of_medians(row: Row, reference: Row, expected: float | None) -> None:
    assert ratio(row, reference) == expected


@pytest.mark.parametrize(
    ("row", "reference", "expected"),
    [(FAST, REFERENCE, 2.0), (SMALL_GROWTH, BIG_GROWTH, 1024.0), (BIG_GROWTH, SMALL_GROWTH, 1 / 1024)],
)
def test_advantage_is_above_one_when_better_whatever_the_direction(
    row: Row, reference: Row, expected: float
) -> None:
    assert advantage(row, reference) == expected


def test_check_targets_reports_met_missed_absolute_and_unmeasured() -> None:
    rows = [FAST, REFERENCE, SMALL_GROWTH, BIG_GROWTH]
    verdicts = check_targets(
        rows,
        [
            Target(SUITE, "req/s", "dlshortcuts serve_path", "FileResponse", 1.5),
            Target(SUITE, "req/s", "dlshortcuts serve_path", "FileResponse", 2.5),
            Target(SUITE, "growth", "dlshortcuts serve_path", "Django", 0.5),
            Target(SUITE, "growth", "dlshortcuts serve_path", None, 32),
            Target(SUITE, "growth", "Django", None, 32),
            Target(SUITE, "req/s", "dlshortcuts serve_path", "django-downloadview", 2),
        ],
    )
    assert [(verdict.met, verdict.value) for verdict in verdicts] == [
        (True, 2.0),
        (False, 2.0),
        (True, 1 / 1024),
        (True, 0.4),
        (False, 1024.0),
        (None, None),
    ]
    assert verdicts[0].text == "dlshortcuts serve_path: req/s >= 1.5x FileResponse"
    assert verdicts[2].text == "dlshortcuts serve_path: growth <= 0.5x Django"
    assert verdicts[3].text == "dlshortcuts serve_path: growth < 32 MiB"
    assert verdicts[5].text.endswith("(not measured)")


def test_format_table_groups_rows_by_metric_with_ratios() -> None:
    table = format_table([FAST, SMALL_GROWTH, REFERENCE, BIG_GROWTH]).splitlines()
    assert table[0].split() == ["competitor", "median", "unit", "x", "ref", "runs", "(min..max)", "note"]
    assert table[1] == "[WSGI] req/s"
    assert table[2].split() == ["dlshortcuts", "serve_path", "100", "req/s", "2x", "90.0..300"]
    assert table[3].split() == ["FileResponse", "50.0", "req/s", "ref", "40.0..60.0"]
    assert table[4] == "[WSGI] growth"
    assert table[5].split() == ["dlshortcuts", "serve_path", "0.4", "MiB", "0.000977x"]


def test_row_to_json_carries_median_and_ratio() -> None:
    assert row_to_json(FAST, [FAST, REFERENCE]) == {
        "suite": SUITE,
        "metric": "req/s",
        "unit": "req/s",
        "competitor": "dlshortcuts serve_path",
        "samples": [90.0, 100.0, 300.0],
        "median": 100.0,
        "higher_is_better": True,
        "reference": "FileResponse",
        "ratio_to_reference": 2.0,
        "note": "",
        "floor": 0.0,
    }


def test_interleaved_takes_turns_in_alternating_order() -> None:
    order: list[str] = []

    def measure(name: str) -> int:
        order.append(name)
        return len(order)

    assert interleaved(3, ["a", "b", "c"], measure) == {"a": [1, 6, 7], "b": [2, 5, 8], "c": [3, 4, 9]}
    assert order == ["a", "b", "c", "c", "b", "a", "a", "b", "c"]


def test_parse_wrk_reads_the_rate() -> None:
    assert parse_wrk(WRK_OUTPUT) == 1000.25


def test_parse_wrk_refuses_a_run_with_errors() -> None:
    failed = WRK_OUTPUT.replace("Requests/sec", "  Non-2xx or 3xx responses: 12\nRequests/sec")
    with pytest.raises(RuntimeError, match="Non-2xx or 3xx responses: 12"):
        parse_wrk(failed)


def test_parse_curl_reads_the_write_out_line() -> None:
    transfer = parse_curl("206 536870912 0.500000 0.001000")
    assert (transfer.status, transfer.size, transfer.seconds, transfer.first_byte) == (206, 2**29, 0.5, 0.001)
    assert transfer.mib_per_second == 1024.0


@pytest.mark.parametrize(
    ("size", "label"), [(4096, "4 KiB"), (2**30, "1 GiB"), (16 * 2**20, "16 MiB"), (1000, "1000 B")]
)
def test_size_label(size: int, label: str) -> None:
    assert size_label(size) == label


def test_load_suites_skips_suites_not_written_yet() -> None:
    suites = load_suites(["wsgi", "serve_url", "micro"])
    assert set(suites) <= {"wsgi", "serve_url", "micro"}
    assert {"wsgi", "micro"} <= set(suites)
    assert all(callable(suite.run) and suite.TITLE for suite in suites.values())


def test_load_suites_refuses_an_unknown_name() -> None:
    with pytest.raises(ValueError, match=r"unknown suite 'wsgii': choose among wsgi, asgi"):
        load_suites(["wsgii"])
    assert SUITE_MODULES[-1] == "micro"


def test_chart_compares_dlshortcuts_with_every_other_competitor(tmp_path: Path) -> None:
    rows = [FAST, REFERENCE, SMALL_GROWTH, BIG_GROWTH]
    assert comparisons(rows) == [
        ("WSGI | req/s\nvs FileResponse", 2.0),
        ("WSGI | growth\nvs Django", 1024.0),
    ]
    chart = tmp_path / "ratios.png"
    draw_chart(rows, chart, title="test")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_procs_read_this_process_and_its_children() -> None:
    pid = os.getpid()
    before = usage([pid])
    assert rss_of([pid])[pid] > 0
    assert peak_rss(pid) >= rss_of([pid])[pid] - 1
    assert cpu_seconds(pid) > 0
    assert before.cpu_since() >= 0
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert child.pid in children(pid)
    finally:
        child.kill()
        child.wait(10)


def test_bench_writes_real_files() -> None:
    plan = replace(QUICK, large_size=64 * KIB)
    with bench(plan) as setup:
        small, large = setup.small.read_bytes(), setup.large.read_bytes()
        workdir = setup.workdir
    assert (len(small), len(large)) == (4 * KIB, 64 * KIB)
    # No hole and no two blocks alike: every byte is real data.
    assert small.count(0) < len(small) // 16
    assert not workdir.exists()


def test_micro_suite_measures_every_job() -> None:
    plan = replace(QUICK, large_size=64 * KIB, micro_seconds=0.001)
    with bench(plan) as setup:
        rows = micro.run(setup)
    assert [(row.metric, row.competitor, row.reference) for row in rows] == [
        (micro.WHOLE, "dlshortcuts serve_path", "Django FileResponse"),
        (micro.WHOLE, "Django FileResponse", None),
        (micro.NOT_MODIFIED, "dlshortcuts serve_path", "django.views.static.serve"),
        (micro.NOT_MODIFIED, "django.views.static.serve", None),
        (micro.DISPOSITION, "dlshortcuts content_disposition", "Django content_disposition_header"),
        (micro.DISPOSITION, "Django content_disposition_header", None),
        (micro.SNIFF, "dlshortcuts sniff_file", "python-magic from_file, uncached"),
        (micro.SNIFF, "python-magic from_file, uncached", None),
        (micro.RANGE, "dlshortcuts parse_range", None),
        (micro.SIGNALS, "dlshortcuts, the checks of one download", None),
    ]
    assert all(len(row.samples) == 5 and min(row.samples) > 0 for row in rows)


@pytest.mark.servers
def test_quick_run_of_the_nginx_suite_writes_json_and_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--quick", "--only", "nginx", "--output", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "latest.json").read_text())
    assert result["mode"] == "quick"
    assert result["failures"] == {}
    assert {(row["metric"], row["competitor"]) for row in result["rows"]} == {
        (metric, competitor)
        for metric in ("small file: requests/s", "large file: MiB/s")
        for competitor in ("dlshortcuts offload", "django-downloadview X-Accel", "nginx direct")
    }
    assert all(row["median"] > 0 for row in result["rows"])
    assert [target["target"] for target in result["targets"]] == [
        "dlshortcuts offload: small file: requests/s >= 1.05x django-downloadview X-Accel",
        "dlshortcuts offload: large file: MiB/s >= 0.9x nginx direct",
    ]
    assert (tmp_path / "ratios.png").read_bytes()[:4] == b"\x89PNG"
    assert "[nginx in front of gunicorn (X-Accel-Redirect)] small file: requests/s" in capsys.readouterr().out


def test_storage_rows_hold_what_every_target_of_each_store_names() -> None:
    # dlshortcuts as the suite expects it against a file object that copied 200 MiB first.
    streamed = {"first_byte_s": 0.02, "peak_growth_mib": 0.3, "peak_temp_disk_mib": 0.0}
    copied = {"first_byte_s": 2.0, "peak_growth_mib": 200.0, "peak_temp_disk_mib": 200.0}
    rows = [
        row
        for store in stores.STORES
        for row in storage.rows_of(
            store, {way: [streamed if way == "dlshortcuts" else copied] for way in storage.STORE_WAYS[store]}
        )
    ]
    verdicts = check_targets(rows, storage.TARGETS)
    assert len(verdicts) == 3 * len(stores.STORES)
    assert all(verdict.met for verdict in verdicts)
    assert {row.reference for row in rows if row.competitor != storage.REFERENCE} == {storage.REFERENCE}


@pytest.mark.servers
def test_storage_suite_serves_a_small_object_from_each_store() -> None:
    with bench(replace(QUICK, large_size=64 * KIB, runs=1)) as setup:
        rows = storage.run(setup)
    assert [(row.suite, row.metric, row.competitor) for row in rows] == [
        (storage.TITLES[store], metric, way)
        for store in stores.STORES
        for way in storage.STORE_WAYS[store]
        for metric in (storage.FIRST_BYTE, storage.PEAK, storage.TEMP)
    ]
    assert all(row.median > 0 for row in rows if row.metric == storage.FIRST_BYTE)
    assert all(
        row.median == 0 for row in rows if row.metric == storage.TEMP and row.competitor == "dlshortcuts"
    )
