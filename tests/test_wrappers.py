"""wrap_view and request_of: the one sync/async view wrapper the decorators and the middleware share."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from dlshortcuts.wrappers import request_of, wrap_view


def recording(events: list[str], answer: HttpResponse | None = None) -> Any:
    @contextmanager
    def around(args: tuple[Any, ...]) -> Iterator[HttpResponse | None]:
        events.append(f"enter {len(args)}")
        try:
            yield answer
        finally:
            events.append("exit")

    return around


def test_sync_view_runs_inside_the_context(rf: RequestFactory) -> None:
    events: list[str] = []

    def view(request: HttpRequest, name: str) -> HttpResponse:
        """The docstring."""
        events.append(f"view {name}")
        return HttpResponse(name)

    wrapped = wrap_view(view, recording(events))
    response = wrapped(rf.get("/"), "a")
    assert response.content == b"a"
    assert events == ["enter 2", "view a", "exit"]
    assert not iscoroutinefunction(wrapped)
    assert wrapped.__doc__ == "The docstring."
    assert inspect.signature(wrapped) == inspect.signature(view)


async def test_async_view_runs_inside_the_context(rf: RequestFactory) -> None:
    events: list[str] = []

    async def view(request: HttpRequest) -> HttpResponse:
        events.append("view")
        return HttpResponse("b")

    wrapped = wrap_view(view, recording(events))
    assert iscoroutinefunction(wrapped)
    response = await wrapped(rf.get("/"))
    assert response.content == b"b"
    assert events == ["enter 1", "view", "exit"]


@pytest.mark.parametrize("is_async", [False, True])
async def test_a_value_from_the_context_answers_instead_of_the_view(
    rf: RequestFactory, is_async: bool
) -> None:
    events: list[str] = []
    refusal = HttpResponse("no", status=403)

    def sync_view(request: HttpRequest) -> HttpResponse:
        events.append("view")
        return HttpResponse()

    async def async_view(request: HttpRequest) -> HttpResponse:
        events.append("view")
        return HttpResponse()

    if is_async:
        assert await wrap_view(async_view, recording(events, refusal))(rf.get("/")) is refusal
    else:
        assert wrap_view(sync_view, recording(events, refusal))(rf.get("/")) is refusal
    assert events == ["enter 1", "exit"]


def test_the_context_is_left_when_the_view_raises(rf: RequestFactory) -> None:
    events: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        wrap_view(view, recording(events))(rf.get("/"))
    assert events == ["enter 1", "exit"]


class DrfLikeRequest:
    """Passes attribute reads through to the HttpRequest, as Django REST framework's Request does."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def test_request_of_finds_the_request(rf: RequestFactory) -> None:
    request = rf.get("/")
    assert request_of((request, "x"), "d()") is request
    assert request_of((object(), request), "d()") is request
    wrapped: Any = DrfLikeRequest(request)
    assert request_of((wrapped,), "d()") is wrapped


@pytest.mark.parametrize("args", [(), ("a",), (object(), object(), HttpRequest())])
def test_request_of_refuses_a_view_without_a_request(args: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError) as caught:
        request_of(args, "signature_required()")
    assert str(caught.value) == (
        "signature_required() decorates views: their first argument (after self) must be the request."
    )
