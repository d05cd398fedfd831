"""Path traversal probes and the sandbox they are aimed at, shared by every shortcut's tests.

A sandbox is a directory holding ``root/`` (what a shortcut may serve),
``outside/`` and ``root2/`` (siblings it must never serve; ``root2`` shares
``root``'s prefix) and symlinks from inside ``root`` to outside it. Probes
are URL path suffixes, written as a client would send them (percent
encoding included); ``{outside}`` and ``{root}`` are replaced by the
sandbox's absolute paths. Any shortcut confined to ``root`` (``serve_path``
with ``root=``, a ``FileSystemStorage`` at ``root`` behind ``serve_storage``)
must answer every probe with 404 and open nothing outside ``root``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

__all__ = ["ESCAPES", "INSIDE", "SECRET", "Sandbox", "build_sandbox"]

#: The content of every file outside the root: it must never reach a client.
SECRET = b"SECRET outside the root\n"


@dataclass(frozen=True)
class Sandbox:
    """Where the probes point: the served ``root`` and what lies around it."""

    base: Path
    root: Path
    outside: Path

    def url_suffix(self, probe: str) -> str:
        """The probe with the sandbox's absolute paths filled in."""
        return probe.format(outside=quote(str(self.outside)), root=quote(str(self.root)))


def build_sandbox(base: Path) -> Sandbox:
    """Create the sandbox's files, directories and symlinks under ``base``."""
    root, outside, sibling = base / "root", base / "outside", base / "root2"
    for directory in (root / "sub", outside / "deeper", sibling):
        directory.mkdir(parents=True)
    (root / "inside.txt").write_bytes(b"inside\n")
    (root / "sub" / "nested.txt").write_bytes(b"nested\n")
    for secret in (outside / "secret.txt", outside / "deeper" / "secret.txt", sibling / "secret.txt"):
        secret.write_bytes(SECRET)
    os.symlink("inside.txt", root / "link-inside")
    os.symlink("../outside/secret.txt", root / "link-outside")
    os.symlink(outside / "secret.txt", root / "link-absolute")
    os.symlink("../outside", root / "link-outside-dir")
    os.symlink("/etc", root / "link-etc")
    os.symlink("/dev/zero", root / "link-device")
    # A chain that leaves the root only at its last hop, and one that
    # leaves and comes back through the outside directory.
    os.symlink("chain2", root / "chain1")
    os.symlink("sub/chain3", root / "chain2")
    os.symlink("../../outside/deeper/secret.txt", root / "sub" / "chain3")
    os.symlink(root / "sub" / "chain3", outside / "back-in")
    os.symlink("../outside/back-in", root / "chain-through-outside")
    os.symlink("loop", root / "loop")
    os.mkfifo(root / "fifo")
    return Sandbox(base=base, root=root, outside=outside)


#: Requests that must succeed: they prove the route serves files at all.
INSIDE = {
    "inside.txt": b"inside\n",
    "sub/nested.txt": b"nested\n",
    "sub/../inside.txt": b"inside\n",
    "sub%2fnested.txt": b"nested\n",
    "link-inside": b"inside\n",
    "./inside.txt": b"inside\n",
}

_DOT_DOT_SPELLINGS = {
    "plain": "..",
    "percent": "%2e%2e",
    "percent upper": "%2E%2E",
    "half percent": ".%2e",
    "other half percent": "%2e.",
    "double percent": "%252e%252e",
    "overlong utf-8 2 bytes": "%c0%ae%c0%ae",
    "overlong utf-8 3 bytes": "%e0%80%ae%e0%80%ae",
    "iis unicode": "%u002e%u002e",
    "fullwidth": quote("\uff0e\uff0e"),
    "one dot leader": quote("\u2024\u2024"),
    "two dot leader": quote("\u2025"),
    "combining dot": quote(".\u0307."),
}
_SEPARATOR_SPELLINGS = {
    "slash": "/",
    "percent slash": "%2f",
    "double percent slash": "%252f",
    "backslash": "\\",
    "percent backslash": "%5c",
    "overlong slash": "%c0%af",
    "fullwidth slash": quote("\uff0f"),
}

#: Every way out of the root a probe tries, by name.
ESCAPES: dict[str, str] = {
    **{
        f"dot-dot {dots} + {sep}": f"{dots_value}{sep_value}outside{sep_value}secret.txt"
        for dots, dots_value in _DOT_DOT_SPELLINGS.items()
        for sep, sep_value in _SEPARATOR_SPELLINGS.items()
    },
    "deep dot-dot to /etc/passwd": "../" * 12 + "etc/passwd",
    "dot-dot after a directory": "sub/../../outside/secret.txt",
    "dot-dot after a missing directory": "missing/../../outside/secret.txt",
    "mixed separators": "..%2f..\\..%5coutside/secret.txt",
    "sibling sharing the root's prefix": "../root2/secret.txt",
    "absolute": "/etc/passwd",
    "absolute percent": "%2fetc%2fpasswd",
    "absolute to outside": "{outside}/secret.txt",
    "absolute to the root itself": "{root}/inside.txt",
    "home": "~/.bashrc",
    "other home": "~root/.bashrc",
    "nul byte after a name": "inside.txt%00.pdf",
    "nul byte alone": "%00",
    "nul byte in dot-dot": "..%00/outside/secret.txt",
    "symlink out": "link-outside",
    "absolute symlink out": "link-absolute",
    "symlinked directory out": "link-outside-dir/secret.txt",
    "symlink to /etc": "link-etc/passwd",
    "symlink to a device": "link-device",
    "symlink chain out": "chain1",
    "symlink chain through outside": "chain-through-outside",
    "symlink loop": "loop",
    "fifo": "fifo",
    "directory": "sub",
    "the root": ".",
    "the root with a slash": "./",
    "the root through a directory": "sub/..",
    "component longer than NAME_MAX": "a" * 300,
    "path longer than PATH_MAX": "a/" * 2100 + "inside.txt",
    "long path back out": "a/" * 2100 + "../" * 2101 + "outside/secret.txt",
    "windows device": "CON",
    "windows device with extension": "aux.txt",
    "windows device lower case": "nul",
    "windows com port": "COM1",
    "windows printer": "LPT1",
    "windows drive": "C:\\Windows\\win.ini",
    "windows drive percent": "C:%5cWindows%5cwin.ini",
    "windows unc": "\\\\server\\share\\secret.txt",
    "windows alternate data stream": "inside.txt::$DATA",
    "file url": "file:///etc/passwd",
}
