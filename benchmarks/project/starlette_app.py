"""Starlette's own FileResponse, the ASGI reference, over the same files."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from . import FILES_ROOT


async def serve(request: Request) -> FileResponse:
    """The file named in the URL, as a Starlette user writes it."""
    name = request.path_params["path"]
    return FileResponse(os.path.join(FILES_ROOT, name), filename=name)


app = Starlette(routes=[Route("/starlette/{path:path}", serve)])
