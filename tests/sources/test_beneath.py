"""open_beneath: the kernel confines a name to its root (openat2) or leaves it to user space."""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path

import pytest

from dlshortcuts.sources import beneath
from dlshortcuts.sources.beneath import open_beneath

pytestmark = pytest.mark.usefixtures("links")


@pytest.mark.skipif(sys.platform != "linux", reason="openat2(2) is Linux's")
@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("a/b.txt", b"b"),
        ("rel", b"b"),
        ("a/../a/b.txt", b"b"),
        # Left to user space (None), which decides with realpath.
        ("out", None),
        ("up", None),
        ("abs", None),
        ("loop", None),
        ("..", None),
        ("../root/a/b.txt", None),
        ("a/../../outside.txt", None),
        ("missing", FileNotFoundError),
        ("a/b.txt/c", NotADirectoryError),
        ("a\x00", ValueError),
        ("\ud800.txt", ValueError),
    ],
)
def test_open_beneath_opens_only_inside_the_root(root: Path, name: str, outcome: bytes | type | None) -> None:
    """The kernel's walk: a name inside is opened, anything leaving the root is not."""
    flags = os.O_RDONLY | os.O_CLOEXEC
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            open_beneath(str(root), name, flags)
        return
    fd = open_beneath(str(root), name, flags)
    if outcome is None:
        assert fd is None
        return
    assert fd is not None
    with open(fd, "rb") as file:
        assert file.read() == outcome


def test_open_beneath_is_unavailable_once_the_kernel_says_so(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSYS (an old kernel) or EPERM (a seccomp filter): None from then on, without a system call."""
    calls = []

    def refused(*args: object) -> int:
        calls.append(args)
        ctypes.set_errno(errno.ENOSYS)
        return -1

    monkeypatch.setattr(beneath, "_syscall", refused)
    assert open_beneath(str(root), "a/b.txt", os.O_RDONLY) is None
    assert open_beneath(str(root), "a/b.txt", os.O_RDONLY) is None
    assert len(calls) == 1
