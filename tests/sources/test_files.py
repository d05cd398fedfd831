"""Root containment and opening regular files."""

from __future__ import annotations

import ctypes
import errno
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404

from dlshortcuts.sources import beneath, files
from dlshortcuts.sources.beneath import open_beneath
from dlshortcuts.sources.files import open_file, open_under_root, real_root_holding, resolve_under_root


@pytest.fixture(autouse=True)
def links(root: Path, tmp_path: Path) -> None:
    """A file in a subdirectory, symlinks escaping the root (absolute and
    relative), symlinks to the file (absolute and relative), and a loop."""
    (root / "a").mkdir(parents=True)
    (root / "a" / "b.txt").write_bytes(b"b")
    (tmp_path / "outside.txt").write_bytes(b"x")
    (root / "out").symlink_to(tmp_path / "outside.txt")
    (root / "up").symlink_to("../outside.txt")
    (root / "abs").symlink_to(root / "a" / "b.txt")
    (root / "rel").symlink_to("a/b.txt")
    (root / "loop").symlink_to(root / "loop")


@pytest.mark.parametrize(
    ("relative", "expected"),
    [("a/b.txt", "a/b.txt"), ("a/./b.txt", "a/b.txt"), ("a/../a/b.txt", "a/b.txt"), ("new.txt", "new.txt")],
)
def test_inside(root: Path, relative: str, expected: str) -> None:
    assert resolve_under_root(root, relative) == str(root / expected)


@pytest.mark.parametrize(
    "relative",
    [
        "",
        ".",
        "a/..",
        "..",
        "../outside.txt",
        "a/../../outside.txt",
        "/etc/passwd",
        "a\x00",
        "out",
        "a/",
        "\ud800.txt",  # a lone surrogate no file name can hold (os.fsencode refuses it)
    ],
)
def test_outside_is_404(root: Path, relative: str) -> None:
    with pytest.raises(Http404):
        resolve_under_root(root, relative)


def test_root_given_through_a_symlink(root: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(root)
    assert resolve_under_root(alias, "a/b.txt") == str(root / "a" / "b.txt")


def test_open_file_describes_it_from_fstat(root: Path) -> None:
    path = root / "a" / "b.txt"
    os.utime(path, ns=(1_500_000_000_000_000_000, 1_600_000_000_500_000_000))
    download = open_file(path)
    try:
        assert download.filename == "b.txt"
        assert download.size == 1
        assert download.modified == 1_600_000_000.5
        assert download.path == str(path)
        assert download.file is not None
        assert download.file.read() == b"b"
    finally:
        download.close()


@pytest.mark.parametrize("name", ["a", "missing", "loop", "a\x00b"])
def test_open_file_refuses_what_is_not_a_regular_file(root: Path, name: str) -> None:
    with pytest.raises(Http404, match=r"^No such file\.$"):
        open_file(os.path.join(root, name))


def test_real_root_holding_resolves_a_symlinked_root_only_when_it_must(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(real)
    target = os.path.realpath(real / "sub" / "f.txt")
    assert real_root_holding(target, str(real)) == str(real)
    assert real_root_holding(target, str(tmp_path / "link")) == str(real)
    assert real_root_holding(target, f"{tmp_path}/link/../real") == str(real)
    assert real_root_holding(target, str(real / "sub" / "f.txt")) is None
    assert real_root_holding(str(tmp_path / "realm" / "f.txt"), str(real)) is None
    assert real_root_holding(str(real), str(real)) is None


@pytest.mark.usefixtures("confinement")
@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("a/b.txt", "a/b.txt"),
        ("a/./b.txt", "a/b.txt"),
        ("a/../a/b.txt", "a/b.txt"),
        ("rel", "a/b.txt"),
        # What openat2 leaves to user space: an absolute symlink, a ".."
        # that leaves the root and comes back.
        ("abs", "a/b.txt"),
        ("../root/a/b.txt", "a/b.txt"),
    ],
)
def test_open_under_root_opens_inside_and_names_the_real_path(
    root: Path, relative: str, expected: str
) -> None:
    download = open_under_root(root, relative, "asked.txt")
    try:
        assert (download.path, download.filename) == (str(root / expected), "asked.txt")
        assert download.file is not None
        assert download.file.read() == b"b"
    finally:
        download.close()


@pytest.mark.parametrize(
    "relative",
    [
        "",
        ".",
        "a",
        "a/..",
        "..",
        "../outside.txt",
        "a/../../outside.txt",
        "/etc/passwd",
        "a\x00",
        "out",
        "up",
        "loop",
        "a/",
        "missing",
        "\ud800.txt",
    ],
)
@pytest.mark.usefixtures("confinement")
def test_open_under_root_refuses_what_is_outside_or_not_a_file(root: Path, relative: str) -> None:
    with pytest.raises(Http404, match=r"^No such file\.$"):
        open_under_root(root, relative)


def test_open_under_root_checks_the_name_then_the_opened_file(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In user space, resolved before the open (a symlink escaping the root is never opened);
    the descriptor is then checked too: a directory swapped for a symlink between the two is refused."""
    monkeypatch.setattr(beneath, "_syscall", None)
    (root / "a" / "c.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(Http404):
        open_under_root(root, "a/c.txt")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.txt").write_bytes(b"secret")
    resolve = files.resolve_under_root

    def resolve_then_swap(*args: Any) -> str:
        target = resolve(*args)  # the check passes on the real directory ...
        (root / "a").rename(root / "a-gone")  # ... which an attacker then swaps for a symlink
        (root / "a").symlink_to(tmp_path / "elsewhere")
        return target

    monkeypatch.setattr(files, "resolve_under_root", resolve_then_swap)
    with pytest.raises(Http404):
        open_under_root(root, "a/b.txt")


@pytest.mark.usefixtures("confinement")
def test_open_under_root_names_the_real_path_through_a_symlinked_root(root: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(root)
    download = open_under_root(alias, "a/b.txt")
    download.close()
    assert download.path == str(root / "a" / "b.txt")


@pytest.mark.usefixtures("confinement")
def test_open_under_root_without_proc_resolves_the_name(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readlink = os.readlink

    def no_proc(path: str) -> str:
        if path.startswith("/proc/"):
            raise FileNotFoundError(path)
        return readlink(path)  # realpath() reads the symlinks themselves

    monkeypatch.setattr(os, "readlink", no_proc)
    with pytest.raises(Http404):
        open_under_root(root, "out")
    download = open_under_root(root, "a/b.txt")
    download.close()
    assert download.path == str(root / "a" / "b.txt")


def test_opened_path_names_the_file_a_descriptor_holds(root: Path, tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(root / "a")
    with open(tmp_path / "link" / "b.txt", "rb") as file:
        (root / "a" / "b.txt").rename(root / "a" / "renamed.txt")
        assert files.opened_path(file) == str(root / "a" / "renamed.txt")
    assert files.opened_path(file) is None  # closed
    assert files.opened_path(io.BytesIO(b"no descriptor")) is None


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
