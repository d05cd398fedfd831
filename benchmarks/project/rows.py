"""The generated report: CSV lines made one at a time (importable without Django settings)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

__all__ = ["csv_rows"]


class _Echo:
    """The pseudo-buffer of Django's "streaming large CSV files" recipe."""

    def write(self, value: str) -> str:
        return value


def csv_rows(count: int) -> Iterator[str]:
    """``count`` CSV lines, made one at a time (as a report from a queryset would be)."""
    writer = csv.writer(_Echo())
    for number in range(count):
        yield writer.writerow((number, f"customer-{number}", number * 7 % 1000, "2026-11-23T20:00:00Z"))
