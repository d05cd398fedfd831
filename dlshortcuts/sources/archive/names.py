"""Arcnames that are safe to extract: no zip-slip archive ever leaves the server.

An extracting tool joins each name to its target directory; an absolute
name, a drive letter, a backslash (a separator on Windows) or a ``..``
segment would write elsewhere (the "zip slip" of 2018), a NUL truncates the
name in C tools. APPNOTE §4.4.17: names are relative, with forward slashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DRIVE = re.compile(r"^[A-Za-z]:")


def check_names(names: Iterable[str]) -> None:
    """Refuse names that would write outside the extraction directory, or twice to one file.

    :raises ValueError: naming the entry: empty, absolute, a drive letter, a
        backslash, a NUL, an empty, ``.`` or ``..`` segment, a trailing ``/``,
        not encodable as UTF-8, longer than 65535 bytes, or given twice.
    :raises TypeError: for a name that is not a str.
    """
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"an archive member's name must be a str such as 'reports/q1.pdf', not {name!r}")
        problem = _name_problem(name)
        if problem is not None:
            raise ValueError(f"archive member name {name!r} {problem}")
        if name in seen:
            raise ValueError(f"archive member name {name!r} is given twice: each name must be unique")
        seen.add(name)


def _name_problem(name: str) -> str | None:
    if "\x00" in name:
        return "contains a NUL character"
    if "\\" in name:
        return "contains a backslash (use '/' between folders)"
    if name.startswith("/") or _DRIVE.match(name):
        return "is absolute: give a path relative to the archive's root"
    if name.endswith("/"):
        return "ends with '/': folders are implied by their members' names"
    if any(segment in ("", ".", "..") for segment in name.split("/")):
        return "has an empty, '.' or '..' segment"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "cannot be encoded as UTF-8"
    return "is longer than 65535 bytes in UTF-8" if len(encoded) > 0xFFFF else None
