"""File downloads for Django as plain functions."""

from __future__ import annotations

from .decorators import optimized_download
from .download import Download
from .responses import DownloadResponse
from .shortcuts import aserve_generated, aserve_path, serve_generated, serve_path
from .signing import signature_required, signed_url

__version__ = "0.1.0"

__all__ = [
    "Download",
    "DownloadResponse",
    "aserve_generated",
    "aserve_path",
    "optimized_download",
    "serve_generated",
    "serve_path",
    "signature_required",
    "signed_url",
]
