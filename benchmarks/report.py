"""Rows, targets and the table: pure data, no servers (tested in tests/test_benchmarks.py).

A suite measures each competitor several times and returns :class:`Row`
objects; the claims are :class:`Target` objects checked against the medians
of the same run. On a shared, noisy machine absolute figures move from run to
run; the ratio between two competitors measured minutes apart moves far less,
so ratios are what the targets and the chart speak of.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Row",
    "Target",
    "Verdict",
    "advantage",
    "check_targets",
    "format_table",
    "format_verdicts",
    "grouped",
    "ratio",
    "row_to_json",
]


@dataclass(frozen=True)
class Row:
    """One competitor's figures for one metric of one suite.

    :ivar suite: the suite's title, e.g. ``"WSGI (gunicorn, 2 sync workers)"``.
    :ivar metric: what was measured, e.g. ``"4 KiB requests/s"``.
    :ivar unit: the unit of the samples.
    :ivar competitor: who was measured, e.g. ``"Django FileResponse"``.
    :ivar samples: one figure per run.
    :ivar higher_is_better: True for rates, False for memory and CPU.
    :ivar reference: the competitor this row is compared to (same suite and
        metric, same run), or None for a reference row or an absolute figure.
    :ivar note: what a reader must know to read the figure (a time cap, a
        Range ignored ...).
    :ivar floor: the smallest median that means something (measuring noise
        below it): ratios are formed from ``max(median, floor)``, so that
        0.4 MiB of memory growth against 0.004 MiB does not read as "100x".
    """

    suite: str
    metric: str
    unit: str
    competitor: str
    samples: tuple[float, ...]
    higher_is_better: bool = True
    reference: str | None = None
    note: str = ""
    floor: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def level(self) -> float:
        """The median as ratios use it: never below :attr:`floor`."""
        return max(self.median, self.floor)


@dataclass(frozen=True)
class Target:
    """A claim about one competitor, checked against the same run's medians.

    With ``against`` the claim is about the ratio of the two medians: at
    least ``bound`` for a rate, at most ``bound`` for a cost. Without it the
    median itself must stay under ``bound`` (memory growth, in the row's unit).

    :ivar suite: the suite the rows belong to.
    :ivar metric: the metric compared.
    :ivar competitor: the competitor the claim is about.
    :ivar against: the other competitor, or None for an absolute bound.
    :ivar bound: the ratio (or value) to meet.
    """

    suite: str
    metric: str
    competitor: str
    against: str | None
    bound: float

    def describe(self, higher_is_better: bool, unit: str) -> str:
        if self.against is None:
            return f"{self.competitor}: {self.metric} < {self.bound:g} {unit}"
        relation = ">=" if higher_is_better else "<="
        return f"{self.competitor}: {self.metric} {relation} {self.bound:g}x {self.against}"


@dataclass(frozen=True)
class Verdict:
    """A target and how the run measured up to it (``value`` None: not measured)."""

    target: Target
    text: str
    value: float | None
    met: bool | None = None


def ratio(row: Row, reference: Row) -> float | None:
    """``row`` over ``reference`` (their :attr:`Row.level`), or None when either is not positive."""
    if row.level <= 0 or reference.level <= 0:
        return None
    return row.level / reference.level


def advantage(row: Row, reference: Row) -> float | None:
    """How many times better ``row`` is than ``reference``: > 1 means better, whatever the direction."""
    plain = ratio(row, reference)
    if plain is None:
        return None
    return plain if row.higher_is_better else 1 / plain


def _index(rows: Iterable[Row]) -> dict[tuple[str, str, str], Row]:
    return {(row.suite, row.metric, row.competitor): row for row in rows}


def check_targets(rows: Sequence[Row], targets: Iterable[Target]) -> list[Verdict]:
    """Check each target against the rows of this run; unmeasured ones are reported, not failed."""
    index = _index(rows)
    verdicts = []
    for target in targets:
        row = index.get((target.suite, target.metric, target.competitor))
        other = index.get((target.suite, target.metric, target.against or ""))
        if row is None or (target.against is not None and other is None):
            text = target.describe(True, "") + " (not measured)"
            verdicts.append(Verdict(target, text, None))
            continue
        text = target.describe(row.higher_is_better, row.unit)
        if other is None:
            value: float | None = row.median
            met = row.median < target.bound
        else:
            value = ratio(row, other)
            if value is None:
                met = None
            else:
                met = value >= target.bound if row.higher_is_better else value <= target.bound
        verdicts.append(Verdict(target, text, value, met))
    return verdicts


def _figure(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _spread(row: Row) -> str:
    if len(row.samples) < 2:
        return ""
    return f"{_figure(min(row.samples))}..{_figure(max(row.samples))}"


def grouped(rows: Iterable[Row]) -> dict[tuple[str, str], list[Row]]:
    """Rows by (suite, metric), in the order each group first appears."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.suite, row.metric), []).append(row)
    return groups


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a plain-text table, grouped by suite and metric, with ratios to references."""
    index = _index(rows)
    header = ("competitor", "median", "unit", "x ref", "runs (min..max)", "note")
    lines: list[tuple[str, ...]] = []
    for (suite, metric), members in grouped(rows).items():
        lines.append((f"[{suite}] {metric}",))
        for row in members:
            reference = index.get((suite, metric, row.reference or ""))
            ratio_text = "ref" if row.reference is None else "-"
            if reference is not None:
                value = ratio(row, reference)
                ratio_text = "-" if value is None else f"{value:.3g}x"
            lines.append(
                (f"  {row.competitor}", _figure(row.median), row.unit, ratio_text, _spread(row), row.note)
            )
    cells = [line for line in lines if len(line) > 1]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]

    def join(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([join(header)] + [line[0] if len(line) == 1 else join(line) for line in lines])


def format_verdicts(verdicts: Iterable[Verdict]) -> str:
    """One line per target: MET, MISSED or NOT MEASURED, with the figure."""
    out = []
    for verdict in verdicts:
        word = {True: "MET    ", False: "MISSED ", None: "N/A    "}[verdict.met]
        figure = "" if verdict.value is None else f"  ->  {verdict.value:.3g}"
        if verdict.value is not None and verdict.target.against is not None:
            figure += "x"
        out.append(f"{word} [{verdict.target.suite}] {verdict.text}{figure}")
    return "\n".join(out)


def row_to_json(row: Row, rows: Sequence[Row]) -> dict[str, Any]:
    """A row as JSON, with its median and its ratio to its reference."""
    reference = _index(rows).get((row.suite, row.metric, row.reference or ""))
    return {
        "suite": row.suite,
        "metric": row.metric,
        "unit": row.unit,
        "competitor": row.competitor,
        "samples": list(row.samples),
        "median": row.median,
        "higher_is_better": row.higher_is_better,
        "reference": row.reference,
        "ratio_to_reference": None if reference is None else ratio(row, reference),
        "note": row.note,
        "floor": row.floor,
    }
