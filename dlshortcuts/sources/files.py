"""Files on disk: containment under a root, and opening without surprises."""

from __future__ import annotations

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
    if _fast_inside(target, spelt):
        return os.path.normpath(spelt)
    real = os.path.realpath(spelt)
    return real if _inside(target, real) else None


def _inside(target: str, directory: str) -> bool:
    """Whether the resolved ``target`` lies strictly below the resolved ``directory``."""
    prefix = directory if directory.endswith(os.sep) else directory + os.sep
    return target.startswith(prefix) and len(target) > len(prefix)


def _fast_inside(target: str, root: str) -> bool:
    """:func:`_inside` without resolving ``root``: realpath() costs one lstat per component.

    No component of the real path ``target`` is a symlink. If it starts with
    ``root`` as spelt (absolute, without ``..``, which would be collapsed
    lexically), no component of ``root`` is a symlink either, so ``root`` is
    its own real path. Otherwise (a symlinked root) the caller resolves it.
    """
    if not os.path.isabs(root) or ".." in root.split(os.sep):
        return False
    return _inside(target, os.path.normpath(root))


def open_file(path: str | os.PathLike[str], filename: str | None = None) -> Download:
    """Open a regular file for serving and describe it from one ``fstat``.

    :param path: the file's path (already checked against a root if it came
        from the client).
    :param filename: the download name; defaults to the file's base name.
    :raises Http404: when the path is missing, unreadable, or not a
        regular file (directories, devices, FIFOs, sockets).
    """
    name = os.fspath(path)
    try:
        fd = os.open(name, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:  # ValueError: embedded NUL byte
        raise Http404("No such file.") from exc
    try:
        # Metadata comes from the open descriptor, not the name: a file
        # replaced while it is served keeps the validators of the bytes sent.
        st = os.fstat(fd)
        # Checked before fdopen, which refuses a directory with
        # IsADirectoryError (a 500, and the descriptor left open).
        if not stat.S_ISREG(st.st_mode):
            raise Http404("No such file.")
        # Only now: fdopen() itself refuses a directory with IsADirectoryError.
        file: IO[bytes] = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return Download(
        filename=filename or os.path.basename(name),
        size=st.st_size,
        modified=st.st_mtime_ns / 1e9,
        path=os.path.abspath(name),
        identity=(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns),
        file=file,
    )
