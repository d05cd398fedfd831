"""Files on disk: containment under a root, and opening without surprises."""

from __future__ import annotations

import functools
import io
import os
import stat
from typing import IO

from django.http import Http404

from dlshortcuts.download import Download

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
    relative = os.fspath(path)
    # A trailing separator names a directory: realpath() would drop it and
    # turn "report.pdf/" into the file.
    if "\x00" in relative or os.path.isabs(relative) or relative.endswith(("/", os.sep)):
        raise Http404("No such file.")
    base = os.fspath(root)
    try:
        target = os.path.realpath(os.path.join(base, relative))
    except UnicodeEncodeError as exc:  # a lone surrogate that no file name on disk can hold
        raise Http404("No such file.") from exc
    if real_root_holding(target, base) is None:
        raise Http404("No such file.")
    return target


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
    """Open ``path`` taken relative to ``root`` and check the opened file lies inside ``root``.

    The same containment as :func:`resolve_under_root`, checked on what was
    opened rather than on a name resolved beforehand: after a lexical check
    (a ``..`` may not climb out, so a client can never make the worker open
    a device or a file elsewhere), the file is opened and the kernel's own
    name for the descriptor (``/proc/self/fd/N``, one ``readlink``) must lie
    inside ``root``. That costs one system call where ``realpath`` costs an
    ``lstat`` per component, and no symlink can be swapped between the
    check and the open. Where ``/proc`` is not mounted the name is resolved
    with ``realpath``, as :func:`resolve_under_root` does.

    :param filename: the download name; defaults to the file's base name.
    :raises Http404: as :func:`resolve_under_root` and :func:`open_file` do.
    """
    relative = os.fspath(path)
    if "\x00" in relative or os.path.isabs(relative) or relative.endswith(("/", os.sep)):
        raise Http404("No such file.")
    base = os.fspath(root)
    joined = os.path.join(base, relative)
    # Without a ".." component, the joined name cannot climb out of root.
    if ".." in relative.split(os.sep) and not _inside(os.path.normpath(joined), os.path.normpath(base)):
        raise Http404("No such file.")
    file, st = _open_regular(joined)
    try:
        real = _opened_path(file, joined)
        if real_root_holding(real, base) is None:
            raise Http404("No such file.")
    except BaseException:
        file.close()
        raise
    return _download(file, st, real, filename or os.path.basename(relative))


def _opened_path(file: IO[bytes], name: str) -> str:
    """The real path of ``file``, opened from ``name``."""
    try:
        return os.readlink(f"/proc/self/fd/{file.fileno()}")
    except OSError:  # no /proc: the portable (and racy) way
        return os.path.realpath(name)


def open_file(path: str | os.PathLike[str], filename: str | None = None) -> Download:
    """Open a regular file for serving and describe it from one ``fstat``.

    :param path: the file's path (already checked against a root if it came
        from the client).
    :param filename: the download name; defaults to the file's base name.
    :raises Http404: when the path is missing, unreadable, or not a
        regular file (directories, devices, FIFOs, sockets).
    """
    name = os.fspath(path)
    file, st = _open_regular(name)
    return _download(file, st, os.path.abspath(name), filename or os.path.basename(name))


def _open_regular(name: str) -> tuple[IO[bytes], os.stat_result]:
    """``name`` opened for reading, and its ``fstat``; Http404 unless it is a regular file."""
    try:
        fd = os.open(name, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:  # ValueError: embedded NUL byte
        raise Http404("No such file.") from exc
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
