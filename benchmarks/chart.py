"""The bar chart of ratios the docs show: how many times better dlshortcuts is than each alternative."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: render straight to a file

import matplotlib.pyplot as plt

from .report import Row, advantage, grouped

__all__ = ["comparisons", "draw_chart"]

#: Rows of these competitors are the ones compared against everybody else.
OURS = "dlshortcuts"
#: Ratios this close to 1 are drawn as ties.
TIE = 0.05


def comparisons(rows: Sequence[Row]) -> list[tuple[str, float]]:
    """(label, times better) for each dlshortcuts row against every other competitor of its metric.

    A ratio that cannot be formed (a zero or negative median, such as a
    memory growth within measuring noise) is left out.
    """
    bars = []
    for (suite, metric), members in grouped(rows).items():
        for ours in (row for row in members if row.competitor.startswith(OURS)):
            for other in members:
                if other.competitor.startswith(OURS):
                    continue
                value = advantage(ours, other)
                if value is not None:
                    bars.append((f"{suite} | {metric}\nvs {other.competitor}", value))
    return bars


def _colour(value: float) -> str:
    """Green when dlshortcuts is better, red when worse, grey within 5% (a tie on a noisy machine)."""
    if value > 1 + TIE:
        return "#2a7d4f"
    if value < 1 - TIE:
        return "#b8452f"
    return "#8c8c8c"


def draw_chart(rows: Sequence[Row], path: Path, *, title: str) -> None:
    """Write a horizontal bar chart (PNG, log scale) of :func:`comparisons` to ``path``."""
    bars = comparisons(rows)
    if not bars:
        return
    labels, values = zip(*reversed(bars), strict=True)
    figure, axes = plt.subplots(figsize=(10, 1.0 + 0.42 * len(bars)))
    colours = [_colour(value) for value in values]
    axes.barh(range(len(values)), values, color=colours)
    axes.set_yticks(range(len(values)), labels, fontsize=7)
    axes.set_xscale("log")
    axes.axvline(1.0, color="black", linewidth=0.8)
    for position, value in enumerate(values):
        axes.annotate(
            f"{value:.3g}x",
            (value, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    axes.set_xlabel("times better than the alternative (log scale; > 1: dlshortcuts is better)")
    axes.set_title(title, fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
