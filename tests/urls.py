"""URLs used by the client and real-server tests."""

from __future__ import annotations

from django.urls import path

urlpatterns: list[object] = []
