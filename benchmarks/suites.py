"""The suites and how one plugs in.

A suite is a module of this package with three names:

``TITLE``
    a short description shown when it starts;
``TARGETS``
    the :class:`~benchmarks.report.Target` claims it proves (may be empty);
``run(bench)``
    measures every competitor in turn and returns
    :class:`~benchmarks.report.Row` objects.

To add one (serve_url, S3 storage, ...), write ``benchmarks/NAME.py`` with
those three names and list ``NAME`` in :data:`SUITE_MODULES`; the names
already listed there that have no module yet are skipped, so a branch can
land its suite without touching this file.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from .harness import Bench
from .report import Row, Target

__all__ = ["SUITE_MODULES", "Competitor", "Suite", "load_suites"]

#: Every suite in the order it runs; the micro-benchmarks run last, on a quiet machine.
SUITE_MODULES = (
    "wsgi",
    "asgi",
    "nginx",
    "granian",
    "generated",
    "serve_url",
    "storage",
    "archive",
    "breakdown",
    "micro",
)


class Suite(Protocol):
    """What a suite module provides (see the module docstring)."""

    TITLE: str
    TARGETS: Sequence[Target]

    def run(self, bench: Bench) -> list[Row]: ...


@dataclass(frozen=True)
class Competitor:
    """One contender in a suite.

    :ivar name: as shown in the table and named by targets.
    :ivar prefix: the URL prefix it answers under, in benchmarks/project/urls.py.
    :ivar slow: an order of magnitude slower or more: its large downloads
        are cut after ``plan.slow_cap`` seconds and the rate is measured over
        what arrived, or (where nothing arrives before the end) it runs once.
    :ivar small_only: measured on the small file only (Django's ceiling, a
        view returning the bytes from memory, has no large-file route).
    """

    name: str
    prefix: str
    slow: bool = False
    small_only: bool = False


def load_suites(names: Sequence[str] = SUITE_MODULES) -> dict[str, Suite]:
    """Import the suites among ``names`` that exist, in order.

    :raises ValueError: for a name that is not in :data:`SUITE_MODULES`.
    """
    unknown = sorted(set(names) - set(SUITE_MODULES))
    if unknown:
        raise ValueError(f"unknown suite {unknown[0]!r}: choose among {', '.join(SUITE_MODULES)}")
    suites = {}
    for name in names:
        module = f"{__package__}.{name}"
        if importlib.util.find_spec(module) is not None:
            suites[name] = cast(Suite, importlib.import_module(module))
    return suites
