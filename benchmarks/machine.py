"""A description of the machine and the software measured, recorded with every result."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["describe_machine", "format_machine"]

_PACKAGES = ("Django", "gunicorn", "uvicorn", "starlette", "django-downloadview", "dlshortcuts")


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def _memory_gib() -> float:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return round(pages / 1024**3, 1)


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    first = (done.stdout + done.stderr).strip().splitlines()[0]
    # "nginx version: nginx/1.22.1", "curl 7.88.1 (x86_64...) libcurl/...": name and version only.
    return " ".join(first.removeprefix("nginx version: ").split()[:2])


def describe_machine() -> dict[str, Any]:
    """CPU, cores, memory, kernel, Python and the versions of every competitor."""
    nginx = "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "nginx"
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: _installed(name) for name in _PACKAGES},
        "nginx": _version([nginx, "-v"]),
        "wrk": _version(["wrk", "--version"]),
        "curl": _version(["curl", "--version"]),
    }


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def format_machine(machine: dict[str, Any]) -> str:
    """One line from :func:`describe_machine`'s description, for the report."""
    versions = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    hardware = f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB"
    software = f"Linux {machine['kernel']}, Python {machine['python']}; {versions}"
    return f"{hardware}; {software}; {machine['nginx']}; {machine['wrk']}; {machine['curl']}"
