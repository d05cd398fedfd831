"""File downloads for Django as plain functions."""

from __future__ import annotations

from dlshortcuts.async_shortcuts import (
    aserve_archive,
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
    serve_archive,
    serve_field,
    serve_generated,
    serve_path,
    serve_storage,
    serve_url,
)
from dlshortcuts.signing import signature_required, signed_url
from dlshortcuts.sources.archive.members import ArchiveMember

__version__ = "0.1.0"

__all__ = [
    "ArchiveMember",
    "Download",
    "DownloadResponse",
    "aserve_archive",
    "aserve_field",
    "aserve_generated",
    "aserve_path",
    "aserve_storage",
    "aserve_url",
    "optimized_download",
    "serve_archive",
    "serve_field",
    "serve_generated",
    "serve_path",
    "serve_storage",
    "serve_url",
    "signature_required",
    "signed_url",
]
