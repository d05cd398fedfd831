"""File downloads for Django as plain functions."""

from __future__ import annotations

from .async_shortcuts import aserve_field, aserve_generated, aserve_path, aserve_storage, aserve_url
from .decorators import optimized_download
from .download import Download
from .responses import DownloadResponse
from .shortcuts import (
    serve_field,
    serve_generated,
    serve_path,
    serve_storage,
    serve_url,
)
from .signing import signature_required, signed_url

__version__ = "0.1.0"

__all__ = [
    "Download",
    "DownloadResponse",
    "aserve_field",
    "aserve_generated",
    "aserve_path",
    "aserve_storage",
    "aserve_url",
    "optimized_download",
    "serve_field",
    "serve_generated",
    "serve_path",
    "serve_storage",
    "serve_url",
    "signature_required",
    "signed_url",
]
