"""openat2(2) with ``RESOLVE_BENEATH``: containment under a root done by the kernel, where Linux has it.

Confining a client's name to a root in user space costs an ``lstat`` per
path component (``realpath``) before the open and a ``readlink`` of the
descriptor after it: about 25 us of a 4 KiB download's budget. Linux 5.6's
``openat2(2)`` resolves the name relative to the root's descriptor and, in
the same walk, refuses any ``..`` or symlink that would leave it
(``RESOLVE_BENEATH``) and every ``/proc`` magic link
(``RESOLVE_NO_MAGICLINKS``): nothing outside the root is opened, with no
window between a check and the open for a swapped symlink. Python has no
binding for it, so it is called through libc's ``syscall(2)``; ctypes raises
its ``ctypes.call_function`` audit event for each call.

Where the kernel, the architecture or a seccomp filter has no ``openat2``,
or where it refuses a name that user space judges differently (an absolute
symlink that stays inside the root, a ``..`` that leaves the root and comes
back), :func:`open_beneath` returns None and the caller decides as before.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import platform
import sys

# openat2 has one number on every architecture's unified table (Linux 5.6);
# alpha and the mips ABIs offset theirs, so they are left out.
_SYS_OPENAT2 = 437
_MACHINES = frozenset(
    {"x86_64", "i386", "i686", "aarch64", "armv7l", "armv8l", "ppc64le", "riscv64", "s390x"}
)
# linux/openat2.h
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_BENEATH = 0x08
# The system call is missing (ENOSYS), filtered out by a seccomp profile
# (EPERM), or the kernel predates a field or flag (E2BIG, EINVAL): the same
# answer for every later call.
_UNAVAILABLE = frozenset({errno.ENOSYS, errno.EPERM, errno.E2BIG, errno.EINVAL})
# A symlink or ".." leaving the root (EXDEV), a loop or magic link (ELOOP),
# a rename racing a ".." walk (EAGAIN): user space resolves the name itself.
_UNDECIDED = frozenset({errno.EXDEV, errno.ELOOP, errno.EAGAIN})


class _OpenHow(ctypes.Structure):
    """``struct open_how`` of linux/openat2.h."""

    _fields_ = (("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64))


def _bind() -> ctypes._NamedFuncPointer | None:
    if sys.platform != "linux" or platform.machine() not in _MACHINES:
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).syscall
    except (OSError, AttributeError):  # a libc without syscall(2)
        return None
    call.restype = ctypes.c_long
    call.argtypes = (ctypes.c_long, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t)
    return call


_syscall = _bind()


@functools.lru_cache(maxsize=8)
def _how(flags: int) -> _OpenHow:
    """One ``open_how`` per set of open flags, kept alive by the cache for the calls that point to it."""
    return _OpenHow(flags, 0, _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS)


def open_beneath(root: str, name: str, flags: int) -> int | None:
    """A descriptor for ``name`` opened relative to ``root``, never leaving it; None to decide in user space.

    :param root: the directory the name is confined to (symlinks in it are
        followed, as a configured root is trusted).
    :param name: a relative name, typically from the URL.
    :param flags: the ``os.open`` flags (``O_CLOEXEC`` among them).
    :returns: the descriptor, or None when ``openat2`` is unavailable or
        the kernel refused the name for a reason user space must judge.
    :raises OSError: when ``root`` cannot be opened as a directory, or the
        name names nothing that can be opened (missing, not permitted).
    :raises ValueError: for a name no file name can hold (a NUL byte, a lone
        surrogate).
    """
    global _syscall  # noqa: PLW0603 - learnt once per process: the kernel has no openat2
    call = _syscall
    if call is None:
        return None
    encoded = os.fsencode(name)
    if b"\x00" in encoded:
        raise ValueError("embedded null byte")
    how = _how(flags)
    directory = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fd: int = call(_SYS_OPENAT2, directory, encoded, ctypes.byref(how), ctypes.sizeof(how))
    finally:
        os.close(directory)
    if fd >= 0:
        return fd
    code = ctypes.get_errno()
    if code in _UNAVAILABLE:
        _syscall = None
        return None
    if code in _UNDECIDED:
        return None
    raise OSError(code, os.strerror(code))
