"""``python -m benchmarks`` (``make bench``); ``--help`` lists the options."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
