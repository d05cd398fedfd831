"""The Django project the benchmarks serve: one URL per competitor, all over the same files."""

from __future__ import annotations

import os

__all__ = ["FILES_ROOT"]

#: The directory every competitor serves from; the harness names it in the
#: servers' environment.
FILES_ROOT = os.environ.get("BENCH_FILES_ROOT", "/nonexistent")
