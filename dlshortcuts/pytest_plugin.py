"""pytest fixtures for projects testing their downloads, registered as the ``dlshortcuts`` plugin.

Installed with the package (a ``pytest11`` entry point), so the fixtures are
there in every test suite. Nothing here touches Django settings until a
fixture runs: pytest loads plugins before pytest-django configures Django.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["media_root"]


@pytest.fixture
def media_root() -> Iterator[Path]:
    """``MEDIA_ROOT`` pointed at a fresh temporary directory for the test, removed afterwards."""
    from dlshortcuts.testing import temporary_media_root  # noqa: PLC0415 - Django is configured by now

    with temporary_media_root() as directory:
        yield Path(directory)
