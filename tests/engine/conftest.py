"""Fixtures shared by the engine's test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.engine.serving import CONTENT, MTIME_NS


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    """``doc.pdf``, holding ``CONTENT`` and modified at ``MTIME_NS`` (tests.engine.serving)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(CONTENT)
    os.utime(path, ns=(MTIME_NS, MTIME_NS))
    return path
