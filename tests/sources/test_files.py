"""Root containment and opening regular files."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404

from dlshortcuts.sources import beneath, files
from dlshortcuts.sources.files import open_file, open_under_root, real_root_holding, resolve_under_root

pytestmark = pytest.mark.usefixtures("links")


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
