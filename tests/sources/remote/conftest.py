"""Fixtures shared by the serve_url test modules: real upstreams on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.upstream import DATA, Upstream, serve_upstream


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """An upstream serving ``report.pdf`` (and tests.upstream's routes: status, stall, redirect ...)."""
    with serve_upstream({"report.pdf": DATA}) as server:
        yield server


@pytest.fixture
def other_upstream() -> Iterator[Upstream]:
    """A second upstream, on another port: another origin to redirect to."""
    with serve_upstream({"report.pdf": DATA}) as server:
        yield server
