"""The supported Python x Django matrix (``make matrix``).

Session names read ``tests(3.12-django6)``; ``.ci/run`` picks the oldest and
the newest Django from them. Virtualenvs live in ``.nox/`` inside the
checkout and are reused, so a second run only runs the tests.
"""

from __future__ import annotations

import glob
import hashlib
import os
from pathlib import Path

import nox

# pyenv keeps the other interpreters out of PATH; nox looks them up there.
for bindir in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[0-9].*/bin"))):
    os.environ["PATH"] = f"{os.environ['PATH']}{os.pathsep}{bindir}"

nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

DJANGO = {
    "4.2": "Django>=4.2,<4.3",
    "5.2": "Django>=5.2,<5.3",
    "6": "Django>=6.0,<7",
}
# Django 6 needs Python 3.12+; Django 4.2 stops at Python 3.12.
MATRIX = [
    ("3.10", "4.2"),
    ("3.10", "5.2"),
    ("3.11", "4.2"),
    ("3.11", "5.2"),
    ("3.12", "4.2"),
    ("3.12", "5.2"),
    ("3.12", "6"),
    ("3.13", "5.2"),
    ("3.13", "6"),
]


@nox.session
@nox.parametrize(
    ("python", "django"),
    [nox.param(python, django, id=f"{python}-django{django}") for python, django in MATRIX],
)
def tests(session: nox.Session, django: str) -> None:
    """The pytest suite on one Python x Django combination."""
    install_once(session, "-e", ".[test,docs,bench]", DJANGO[django])
    session.run("pytest", "--no-cov", "-q", *session.posargs)


def install_once(session: nox.Session, *requirements: str) -> None:
    """``pip install`` unless this virtualenv already holds these requirements
    for the current setup.cfg (pip takes half a minute even to do nothing)."""
    stamp = Path(session.virtualenv.location) / ".installed"
    key = hashlib.sha256(Path("setup.cfg").read_bytes() + repr(requirements).encode()).hexdigest()
    if stamp.is_file() and stamp.read_text() == key:
        return
    session.install(*requirements)
    stamp.write_text(key)
