"""The Django project the benchmarks serve: one URL per competitor, all over the same files.

Importing this package does not need Django settings, so the harness can
read these names before any server starts.
"""

from __future__ import annotations

import os

__all__ = ["DOWNLOADVIEW_PREFIX", "FILES_ROOT", "OFFLOAD_PREFIX"]

#: The directory every competitor serves from; the harness names it in the
#: servers' environment.
FILES_ROOT = os.environ.get("BENCH_FILES_ROOT", "/nonexistent")
#: The internal nginx location dlshortcuts' offload redirects to.
OFFLOAD_PREFIX = "/_protected/"
#: The internal nginx location django-downloadview redirects to.
DOWNLOADVIEW_PREFIX = "/_downloadview/"
