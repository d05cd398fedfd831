"""File downloads for Django as plain functions."""

from __future__ import annotations

from .download import Download
from .responses import DownloadResponse
from .shortcuts import (
    aserve_field,
    aserve_generated,
    aserve_path,
    aserve_storage,
    serve_field,
    serve_generated,
    serve_path,
    serve_storage,
)

__version__ = "0.1.0"

__all__ = [
    "Download",
    "DownloadResponse",
    "aserve_field",
    "aserve_generated",
    "aserve_path",
    "aserve_storage",
    "serve_field",
    "serve_generated",
    "serve_path",
    "serve_storage",
]
