"""File downloads for Django as plain functions."""

from __future__ import annotations

from dlshortcuts.async_shortcuts import (
    aserve_field,
    aserve_generated,
    aserve_path,
    aserve_storage,
    aserve_url,
)
from dlshortcuts.decorators import optimized_download
from dlshortcuts.download import Download
from dlshortcuts.engine.response import DownloadResponse
from dlshortcuts.shortcuts import (
    serve_field,
    serve_generated,
    serve_path,
    serve_storage,
    serve_url,
)
from dlshortcuts.signing import signature_required, signed_url

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
