"""Files on disk: containment under a root, and opening without surprises."""

from __future__ import annotations

import functools
import io
import os
import stat
from typing import IO

from django.http import Http404

from dlshortcuts.download import Download
from dlshortcuts.sources.beneath import open_beneath

# O_NONBLOCK: opening a FIFO someone planted under the root must not hang the
# worker (it has no effect on regular files). O_NOCTTY: a terminal device
# never becomes the worker's controlling terminal.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def resolve_under_root(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> str:
    """The real path of ``path`` taken relative to ``root``, or Http404.

    ``path`` typically comes from the URL. It must be relative, and after
    every symlink and ``..`` is resolved it must still lie inside ``root``
    (itself resolved): Django's ``safe_join`` does not resolve symlinks.

    :raises Http404: for absolute paths, NUL bytes, a trailing separator, or
        anything resolving outside ``root`` (or to ``root`` itself). The
        message names no filesystem path.
    """
    relative = _relative(path)
    base = os.fspath(root)
    try:
        target = os.path.realpath(os.path.join(base, relative))
    except UnicodeEncodeError as exc:  # a lone surrogate that no file name on disk can hold
        raise Http404("No such file.") from exc
    if real_root_holding(target, base) is None:
        raise Http404("No such file.")
    return target


def _relative(path: str | os.PathLike[str]) -> str:
    """``path`` as a string, or Http404 if it is absolute, holds a NUL byte or ends with a separator."""
    relative = os.fspath(path)
    # A trailing separator names a directory: realpath() would drop it and
    # turn "report.pdf/" into the file.
    if "\x00" in relative or os.path.isabs(relative) or relative.endswith(("/", os.sep)):
        raise Http404("No such file.")
    return relative


def real_root_holding(target: str, root: str | os.PathLike[str]) -> str | None:
    """``root``'s real path if the real path ``target`` lies strictly below it, else None.

    ``root`` is resolved only when it has to be: realpath() costs one lstat
    per component, on every request.

    :param target: a path already resolved with :func:`os.path.realpath`.
    :param root: the directory it must lie in, as configured.
    """
    spelt = os.fspath(root)
    lexical = _lexical_root(spelt)
    if lexical is not None and _inside(target, lexical):
        return lexical
    real = os.path.realpath(spelt)
    return real if _inside(target, real) else None


def _inside(target: str, directory: str) -> bool:
    """Whether the resolved ``target`` lies strictly below the resolved ``directory``."""
    prefix = directory if directory.endswith(os.sep) else directory + os.sep
    return target.startswith(prefix) and len(target) > len(prefix)


@functools.lru_cache(maxsize=256)
def _lexical_root(root: str) -> str | None:
    """``root`` normalised, when it can be compared with a real path without resolving it.

    No component of a real path is a symlink. If one starts with ``root``
    as spelt (absolute, without ``..``, which would be collapsed lexically),
    no component of ``root`` is a symlink either, so ``root`` is its own
    real path; otherwise (a symlinked root) the caller resolves it. A pure
    function of the string, cached: the roots of an application are few.
    """
    if not os.path.isabs(root) or ".." in root.split(os.sep):
        return None
    return os.path.normpath(root)


def open_under_root(
    root: str | os.PathLike[str], path: str | os.PathLike[str], filename: str | None = None
) -> Download:
    """Open ``path`` taken relative to ``root``, contained as :func:`resolve_under_root` says.

    Where Linux has ``openat2(2)``, the kernel resolves the name under the
    root's descriptor and refuses, in the same walk, anything leading out of
    it (:mod:`~dlshortcuts.sources.beneath`); the real path is then read from
    the descriptor. Elsewhere, and for the names the kernel leaves to user
    space (an absolute symlink inside the root, a ``..`` leaving it and
    coming back), the name is resolved and checked before the open, so a
    client never makes the worker open anything outside ``root``: not even
    a symlink planted inside it that leads to a device (opening some devices
    has effects) or a file elsewhere. The opened descriptor is then checked
    again: the kernel's name for it (``/proc/self/fd/N``, one ``readlink``)
    must be the name resolved, so a symlink swapped in between the check and
    the open is refused too. Where ``/proc`` is not mounted that second look
    is impossible and the race documented in docs/security.rst remains.

    :param filename: the download name; defaults to the file's base name.
    :raises Http404: as :func:`resolve_under_root` and :func:`open_file` do.
    """
    name = filename or os.path.basename(os.fspath(path))
    relative = _relative(path)
    try:
        fd = open_beneath(os.fspath(root), relative, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte or a lone surrogate
        raise Http404("No such file.") from exc
    if fd is not None:
        file, st = _describe(fd)
        target = opened_path(file)
        if target is not None:
            return _download(file, st, target, name)
        file.close()  # no /proc to name it: resolved in user space below
    target = resolve_under_root(root, relative)
    file, st = _describe(_open(target))
    if _moved(file, target):
        file.close()
        raise Http404("No such file.")
    return _download(file, st, target, name)


def _moved(file: IO[bytes], target: str) -> bool:
    """Whether ``file``, opened from the resolved name ``target``, is no longer the file at ``target``."""
    real = opened_path(file)
    return real is not None and real != target


def opened_path(file: IO[bytes]) -> str | None:
    """The real path of the open ``file``, from one ``readlink``; None where the kernel cannot say.

    Linux names each open descriptor's file in ``/proc/self/fd/N``: no
    ``lstat`` per component as ``realpath`` needs, and the file the
    descriptor holds, whatever has been renamed since. None without
    ``/proc``, or for a file object with no descriptor.
    """
    try:
        return os.readlink(f"/proc/self/fd/{file.fileno()}")
    except (OSError, ValueError):  # io.UnsupportedOperation is both; a closed file is ValueError
        return None


def open_file(path: str | os.PathLike[str], filename: str | None = None) -> Download:
    """Open a regular file for serving and describe it from one ``fstat``.

    :param path: the file's path (already checked against a root if it came
        from the client).
    :param filename: the download name; defaults to the file's base name.
    :raises Http404: when the path is missing, unreadable, or not a
        regular file (directories, devices, FIFOs, sockets).
    """
    name = os.fspath(path)
    file, st = _describe(_open(name))
    return _download(file, st, os.path.abspath(name), filename or os.path.basename(name))


def _open(name: str) -> int:
    """A descriptor for ``name``, or Http404."""
    try:
        return os.open(name, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:  # ValueError: embedded NUL byte
        raise Http404("No such file.") from exc


def _describe(fd: int) -> tuple[IO[bytes], os.stat_result]:
    """The file object owning ``fd`` and its ``fstat``; Http404 (``fd`` closed) unless a regular file."""
    try:
        # Metadata comes from the open descriptor, not the name: a file
        # replaced while it is served keeps the validators of the bytes sent.
        st = os.fstat(fd)
        # Checked before open(), which refuses a directory with
        # IsADirectoryError (a 500, and the descriptor left open).
        if not stat.S_ISREG(st.st_mode):
            raise Http404("No such file.")
        # io.open, not os.fdopen: the same file object without os.fdopen's
        # Python wrapper (a few microseconds a request).
        file: IO[bytes] = io.open(fd, "rb")  # noqa: UP020, SIM115 - owned by the Download
    except BaseException:
        os.close(fd)
        raise
    return file, st


def _download(file: IO[bytes], st: os.stat_result, path: str, filename: str) -> Download:
    return Download(
        filename=filename,
        size=st.st_size,
        modified=st.st_mtime_ns / 1e9,
        path=path,
        identity=(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns),
        file=file,
    )
