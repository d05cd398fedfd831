"""Where a small download's time goes, in process: per request, and per step of serve_path.

``python -m benchmarks.breakdown`` prints the table docs/benchmarks.rst
quotes (``--profile`` adds cProfile's view of serve_path through the
handler); ``make bench`` runs it as a suite. A 4 KiB file is answered:

- through Django's ``WSGIHandler`` with the environ gunicorn builds (its
  ``wsgi.file_wrapper`` included), by ``serve_path``, by the
  ``FileResponse`` view and by Django's ceiling (an ``HttpResponse`` of the
  bytes from memory), the result closed as the server closes it, the body
  left to the server (``sendfile(2)`` for ``FileResponse``; ``serve_path``
  has read its 4 KiB in the view, as it does any body of at most 64 KiB);
- by the same three called directly on a ``RequestFactory`` request;
- by ``aserve_path`` and the async ceiling awaited in an event loop;
- and by each step of ``serve_path`` alone.

The competitors of a row are measured in turns, the order alternating from
one repeat to the next, since the machine is shared; the command prints the
best of the repeats, ``make bench``'s table their median.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import dataclasses
import io
import os
import pstats
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncRequestFactory, RequestFactory, override_settings
from django.urls import URLPattern, path
from gunicorn.http.wsgi import FileWrapper

from dlshortcuts import aserve_path, serve_path
from dlshortcuts.download import Download
from dlshortcuts.engine.decide import Representation, decide
from dlshortcuts.engine.headers import last_modified, represent, representation_headers, set_headers
from dlshortcuts.engine.respond import request_fields, respond
from dlshortcuts.engine.response import DownloadResponse
from dlshortcuts.options import Options, path_argument
from dlshortcuts.sources.beneath import open_beneath
from dlshortcuts.sources.files import open_under_root

from .harness import KIB, QUICK, Bench, bench
from .report import Row, Target

__all__ = ["TARGETS", "TITLE", "main", "run"]

TITLE = "a 4 KiB download, request and steps, in process"
TARGETS: tuple[Target, ...] = ()

HANDLER = "4 KiB through WSGIHandler"
DIRECT = "4 KiB called directly (RequestFactory)"
LOOP = "4 KiB in an event loop (AsyncRequestFactory)"
CLOSE = "closing the response alone (the server's close(): files, signals)"
STEP = "serve_path's steps, each alone"
SERVE_PATH = "dlshortcuts serve_path"
FILE_RESPONSE = "Django FileResponse"
CEILING = "Django ceiling: HttpResponse from memory"
ASERVE_PATH = "dlshortcuts aserve_path"
ASYNC_CEILING = "Django ceiling, async view"
#: Responses made ahead for a close step at a time: each holds a descriptor.
_BATCH = 200

Call = Callable[[], object]


def _calls_for(call: Call, seconds: float) -> int:
    """How many calls of ``call`` take about ``seconds``."""
    number = 1
    while (elapsed := _timed(call, number) * number / 1e6) < 0.02:
        number *= 4
    return max(1, int(number * seconds / elapsed))


def _timed(call: Call, number: int) -> float:
    """Microseconds per call over ``number`` calls; a :class:`_Closing`'s preparation is not timed."""
    prepare = call.prepare if isinstance(call, _Closing) else None
    elapsed = 0.0
    done = 0
    while done < number:
        count = number - done if prepare is None else min(number - done, _BATCH)
        if prepare is not None:
            prepare(count)
        started = time.perf_counter()
        for _ in range(count):
            call()
        elapsed += time.perf_counter() - started
        done += count
    return elapsed / number * 1e6


class _Closing:
    """Closing responses made ahead (``prepare``, untimed), one per call."""

    def __init__(self, make: Callable[[], HttpResponseBase]) -> None:
        self._make = make
        self._pending: list[HttpResponseBase] = []

    def prepare(self, count: int) -> None:
        self._pending.extend(self._make() for _ in range(count))

    def __call__(self) -> None:
        self._pending.pop().close()


def measure(calls: dict[str, Call], seconds: float, repeats: int) -> dict[str, tuple[float, ...]]:
    """Microseconds per call of each of ``calls``, one figure per repeat, taken in alternating turns."""
    numbers = {name: _calls_for(call, seconds) for name, call in calls.items()}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls)
    for repeat in range(repeats):
        for name in order if repeat % 2 == 0 else reversed(order):
            samples[name].append(_timed(calls[name], numbers[name]))
    return {name: tuple(figures) for name, figures in samples.items()}


@dataclasses.dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, as Django caches URLconfs
class _Routes:
    """A URLconf (Django reads ``urlpatterns``), its views and the bytes they serve."""

    data: bytes
    file_response: Callable[[HttpRequest, str], FileResponse]
    ceiling: Callable[[HttpRequest, str], HttpResponse]
    async_ceiling: Callable[[HttpRequest, str], Awaitable[HttpResponse]]
    urlpatterns: list[URLPattern]


def _views(root: str) -> _Routes:
    """A URLconf of the three routes of benchmarks/project/urls.py, over ``root``."""
    with open(os.path.join(root, Bench.SMALL), "rb") as file:
        data = file.read()

    def file_response(request: HttpRequest, path: str) -> FileResponse:  # noqa: ARG001
        return FileResponse(open(os.path.join(root, path), "rb"), as_attachment=True)

    def ceiling(request: HttpRequest, path: str) -> HttpResponse:  # noqa: ARG001
        return HttpResponse(data, content_type="application/octet-stream")

    async def async_ceiling(request: HttpRequest, path: str) -> HttpResponse:  # noqa: ARG001
        return HttpResponse(data, content_type="application/octet-stream")

    return _Routes(
        data=data,
        file_response=file_response,
        ceiling=ceiling,
        async_ceiling=async_ceiling,
        urlpatterns=[
            path("dlshortcuts/<path:path>", serve_path, {"root": root}),
            path("fileresponse/<path:path>", file_response),
            path("ceiling/<path:path>", ceiling),
        ],
    )


def _environ(url: str) -> dict[str, Any]:
    """What gunicorn's sync worker passes for ``wrk``'s GET (``gunicorn.http.wsgi.create``)."""
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": url,
        "RAW_URI": url,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileWrapper,
        "wsgi.input_terminated": True,
        "SERVER_SOFTWARE": "gunicorn",
    }


def _start_response(status: str, headers: list[tuple[str, str]]) -> None:
    """The server's start_response: the handler's arguments are all it needs to have built."""


def answer(url: str) -> tuple[str, bytes]:
    """The status and body of a GET of ``url`` through a fresh ``WSGIHandler``, the body read in Python."""
    answered: list[str] = []
    result = WSGIHandler()(_environ(url), lambda status, _headers: answered.append(status))
    try:
        body = b"".join(result)
    finally:
        result.close()
    return answered[0], body


def _through_handler(url: str, expected: bytes) -> Call:
    """One request to ``url``, after checking that it answers 200 with ``expected``."""
    if answer(url) != ("200 OK", expected):
        raise RuntimeError(f"{url} does not answer 200 with the file")
    handler = WSGIHandler()
    environ = _environ(url)

    def call() -> None:
        handler({**environ, "wsgi.input": io.BytesIO()}, _start_response).close()

    return call


def _in_loop(loop: asyncio.AbstractEventLoop, view: Callable[[], Any]) -> Call:
    async def one() -> None:
        (await view()).close()

    return lambda: loop.run_until_complete(one())


def _steps(request: HttpRequest, root: str, stack: ExitStack) -> dict[str, Call]:
    """Each step of ``serve_path(request, "small.bin", root=root)``, on its own."""
    options = Options()
    # One file, opened once, stands for the download of the steps after the open.
    download = stack.enter_context(contextlib.closing(open_under_root(root, Bench.SMALL)))
    headers, content_type = representation_headers(download, options)
    representation = Representation(
        download.size, dict(headers)["ETag"], last_modified(download, options), True, content_type
    )
    descriptor = download.file.fileno() if download.file is not None else -1
    joined = os.path.join(root, Bench.SMALL)

    def beneath() -> None:
        fd = open_beneath(root, Bench.SMALL, os.O_RDONLY | os.O_CLOEXEC)
        if fd is None:
            raise RuntimeError("openat2(2) is unavailable here: open_under_root resolves in user space")
        os.close(fd)

    def describe() -> None:
        fd = os.open(joined, os.O_RDONLY | os.O_CLOEXEC)
        os.fstat(fd)
        io.open(fd, "rb").close()  # noqa: UP020 - as open_under_root makes it

    def response_object() -> None:
        response = DownloadResponse(download, request=request)
        set_headers(response, headers)

    def remembered() -> None:
        represent(DownloadResponse(download, request=request), download, options)

    return {
        "options parsed and validated": lambda: (
            Options.parse("serve_path", {}),
            os.path.basename(path_argument(Bench.SMALL, "path")),
        ),
        "confined open + fstat + real path + Download, closed (open_under_root)": lambda: open_under_root(
            root, Bench.SMALL
        ).close(),
        "  of which openat2 beneath the root's descriptor (root opened, both closed)": beneath,
        "  of which open, fstat, file object, close (what FileResponse does too)": describe,
        "  of which the real path (readlink of /proc/self/fd/N)": lambda: os.readlink(
            f"/proc/self/fd/{descriptor}"
        ),
        "  of which the Download value (made, closed)": lambda: Download(Bench.SMALL, size=4 * KIB).close(),
        "representation headers computed (type, disposition, validators)": lambda: representation_headers(
            download, options
        ),
        "decide: request fields, preconditions, Range": lambda: decide(
            "GET", request_fields(request), representation
        ),
        "response object + representation header assignment": response_object,
        "response object + representation remembered (the file served before)": remembered,
        "the engine, all of it (respond, no close)": lambda: respond(request, download, options),
        # Sent by every response's close(), FileResponse's and the ceiling's too.
        "Django's request_finished signal (every close)": lambda: request_finished.send(sender=WSGIHandler),
    }


def _django() -> None:
    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.project.settings")
    django.setup()


@contextmanager
def routes(root: str) -> Iterator[_Routes]:
    _django()
    views = _views(root)
    with override_settings(ROOT_URLCONF=views):
        yield views


def _jobs(
    root: str, views: _Routes, loop: asyncio.AbstractEventLoop, stack: ExitStack
) -> list[tuple[str, dict[str, Call]]]:
    small = Bench.SMALL
    request = RequestFactory().get("/dlshortcuts/" + small)
    async_request = AsyncRequestFactory().get("/async/dlshortcuts/" + small)
    return [
        (
            HANDLER,
            {
                SERVE_PATH: _through_handler("/dlshortcuts/" + small, views.data),
                FILE_RESPONSE: _through_handler("/fileresponse/" + small, views.data),
                CEILING: _through_handler("/ceiling/" + small, views.data),
            },
        ),
        (
            DIRECT,
            {
                SERVE_PATH: lambda: serve_path(request, small, root=root).close(),
                FILE_RESPONSE: lambda: views.file_response(request, small).close(),
                CEILING: lambda: views.ceiling(request, small).close(),
            },
        ),
        (
            LOOP,
            {
                ASERVE_PATH: _in_loop(loop, lambda: aserve_path(async_request, small, root=root)),
                ASYNC_CEILING: _in_loop(loop, lambda: views.async_ceiling(async_request, small)),
            },
        ),
        (
            CLOSE,
            {
                SERVE_PATH: _Closing(lambda: serve_path(request, small, root=root)),
                FILE_RESPONSE: _Closing(lambda: views.file_response(request, small)),
                CEILING: _Closing(lambda: views.ceiling(request, small)),
            },
        ),
        (STEP, _steps(request, root, stack)),
    ]


def run(bench: Bench, repeats: int = 5) -> list[Row]:
    """Time each request route and each step; rows compare serve_path with FileResponse."""
    root = str(bench.files)
    rows = []
    with ExitStack() as stack:
        loop = stack.enter_context(contextlib.closing(asyncio.new_event_loop()))
        views = stack.enter_context(routes(root))
        for metric, calls in _jobs(root, views, loop, stack):
            for name, samples in measure(calls, bench.plan.micro_seconds, repeats).items():
                reference = (
                    FILE_RESPONSE if metric in (HANDLER, DIRECT, CLOSE) and name == SERVE_PATH else None
                )
                reference = ASYNC_CEILING if name == ASERVE_PATH else reference
                rows.append(Row(TITLE, metric, "us/call", name, samples, False, reference))
    return rows


def profile(bench: Bench, calls: int) -> str:
    """cProfile's view of ``calls`` serve_path requests through the handler, by own time."""
    with routes(str(bench.files)):
        call = _through_handler("/dlshortcuts/" + Bench.SMALL, bench.small.read_bytes())
        call()
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [call() for _ in range(calls)])
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    """Print the breakdown: microseconds per call, best of the repeats."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.breakdown", description=main.__doc__)
    parser.add_argument("--seconds", type=float, default=0.2, help="rough length of one repeat of a row")
    parser.add_argument("--repeats", type=int, default=7, help="repeats per row (the best is shown)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also profile N requests")
    arguments = parser.parse_args(argv)
    plan = dataclasses.replace(QUICK, large_size=4 * KIB, micro_seconds=arguments.seconds)
    with bench(plan) as setup:
        rows = run(setup, arguments.repeats)
        report = profile(setup, arguments.profile) if arguments.profile else ""
    metric = ""
    for row in rows:
        if row.metric != metric:
            metric = row.metric
            print(f"\n{metric}")
        print(f"  {min(row.samples):8.1f} us  {row.competitor}")
    print(report)


if __name__ == "__main__":
    main()
