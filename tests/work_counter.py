"""Count the Python work a call does, to prove a bound on it without a clock.

Timing assertions flake on a shared machine; the number of Python lines a
call executes does not. A parser that is linear in its input executes about
ten times more lines on an input ten times longer (or a constant number, if
it refuses long inputs early); a quadratic one executes about a hundred times
more. Work done inside C (``str.split``, one ``re`` match) is not counted:
the tests that use this keep each such step a single linear scan.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["executed_lines"]


def executed_lines(function: Callable[..., object], *args: object) -> int:
    """The number of Python source lines executed by ``function(*args)``, in every frame it calls."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal count
        if event == "line":
            count += 1
        return trace

    previous = sys.gettrace()  # coverage's tracer, when it runs: put it back after
    sys.settrace(trace)
    try:
        function(*args)
    finally:
        sys.settrace(previous)
    return count
