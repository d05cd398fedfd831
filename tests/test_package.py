"""The package's shape: its public boundary and the rules of its architecture.

What 0.1.0 users import keeps working; ``__all__`` marks the public modules
and only them; the pure HTTP layer imports nothing from Django; each web
server's name is known to its own backend module alone; no module grows past
what one reader holds in mind (docs/architecture.rst).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from django.core.management import get_commands

import dlshortcuts

PACKAGE = Path(dlshortcuts.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))

# Every name a 0.1.0 user could import from a public path (issue 11, point 4).
PUBLIC_0_1 = {
    "dlshortcuts": [
        "ArchiveMember",
        "Download",
        "DownloadResponse",
        "aserve_archive",
        "aserve_field",
        "aserve_generated",
        "aserve_path",
        "aserve_storage",
        "aserve_url",
        "optimized_download",
        "serve_archive",
        "serve_field",
        "serve_generated",
        "serve_path",
        "serve_storage",
        "serve_url",
        "signature_required",
        "signed_url",
    ],
    "dlshortcuts.testing": [
        "NOT_GIVEN",
        "NotGiven",
        "assert_download",
        "assert_offloaded",
        "temporary_media_root",
    ],
    "dlshortcuts.compat": ["sendfile", "SENDFILE_BACKENDS"],
    "dlshortcuts.signing": [
        "EXPIRES_PARAMETER",
        "SIGNATURE_PARAMETER",
        "SignedFileSystemStorage",
        "SignedURLStorageMixin",
        "check_signature",
        "signature_required",
        "signed_url",
    ],
    "dlshortcuts.middleware": ["GZipMiddleware", "OptimizedDownloadMiddleware"],
    "dlshortcuts.pytest_plugin": ["media_root"],
}
# The modules whose names are the public API (docs/api.rst): the only ones with __all__.
PUBLIC_MODULES = {
    "__init__.py",
    "shortcuts.py",
    "async_shortcuts.py",
    "decorators.py",
    "middleware.py",
    "signing.py",
    "compat.py",
    "testing/__init__.py",
    "pytest_plugin.py",
    "asgi.py",
    "signals.py",
}
BACKEND_NAMES = ("nginx", "apache", "lighttpd", "litespeed", "caddy")
MAX_LINES = 250


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize(("module", "names"), PUBLIC_0_1.items())
def test_every_0_1_public_name_still_imports_from_its_path(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    missing = [name for name in names if not hasattr(imported, name)]
    assert missing == []


def test_the_top_level_all_is_exactly_the_public_api() -> None:
    assert sorted(dlshortcuts.__all__) == sorted(PUBLIC_0_1["dlshortcuts"])


def test_the_proxy_config_command_is_still_registered() -> None:
    assert get_commands()["dlshortcuts_proxy_config"] == "dlshortcuts"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_all_is_declared_in_public_modules_only(path: Path) -> None:
    declares_all = any(
        isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets)
        for node in _tree(path).body
    )
    assert declares_all == (_relative(path) in PUBLIC_MODULES)


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_module_is_longer_than_a_reader_holds_in_mind(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", sorted((PACKAGE / "http").glob("*.py")), ids=_relative)
def test_the_http_layer_imports_nothing_from_django(path: Path) -> None:
    imported: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            imported.add(node.module)
    assert sorted(name for name in imported if name.split(".")[0] in ("django", "asgiref")) == []
    outside = {name for name in imported if name.startswith("dlshortcuts.")}
    assert sorted(name for name in outside if not name.startswith("dlshortcuts.http.")) == []


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_backend_names_are_literals_in_their_backend_modules_only(path: Path) -> None:
    if _relative(path).startswith("offload/backends/"):
        return
    literals = {
        node.value
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in BACKEND_NAMES
    }
    assert literals == set()
