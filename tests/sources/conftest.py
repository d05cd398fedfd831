"""Fixtures shared by the sources' test modules."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def links(root: Path, tmp_path: Path) -> None:
    """A file in a subdirectory, symlinks escaping the root (absolute and
    relative), symlinks to the file (absolute and relative), and a loop."""
    (root / "a").mkdir(parents=True)
    (root / "a" / "b.txt").write_bytes(b"b")
    (tmp_path / "outside.txt").write_bytes(b"x")
    (root / "out").symlink_to(tmp_path / "outside.txt")
    (root / "up").symlink_to("../outside.txt")
    (root / "abs").symlink_to(root / "a" / "b.txt")
    (root / "rel").symlink_to("a/b.txt")
    (root / "loop").symlink_to(root / "loop")
