"""URLs used by the client and real-server tests."""

from __future__ import annotations

urlpatterns: list[object] = []
