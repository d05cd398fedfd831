"""The built documentation: no docutils system message on any page, and every
Python example in it at least valid Python whose dlshortcuts imports exist.

Which examples run: the ``>>>`` examples are executed by
``sphinx-build -b doctest`` (``make docs``); the ``.. code-block:: python``
examples (settings, urlpatterns, views, tests that need a project around
them) are compiled here, every ``from dlshortcuts... import ...`` they
contain is imported, so a renamed or removed public name fails this test,
and tests/test_docs_examples.py executes them, page by page.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"

# A directive line and the indented block under it (after its options).
CODE_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. code-block:: python\n", re.MULTILINE)


def python_blocks() -> list[tuple[str, int, str]]:
    """Every ``.. code-block:: python`` of the docs as (page, line, source)."""
    found = []
    for page in sorted(DOCS.rglob("*.rst")):
        if "_build" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        lines = text.splitlines()
        for match in CODE_BLOCK.finditer(text):
            start = text.count("\n", 0, match.end())
            indent = len(match.group("indent"))
            body: list[str] = []
            for line in lines[start:]:
                stripped = line.strip()
                if not body and (not stripped or stripped.startswith(":")):
                    continue  # the directive's options and the blank line after them
                if stripped and len(line) - len(line.lstrip()) <= indent:
                    break
                body.append(line)
            found.append((page.relative_to(DOCS).as_posix(), start + 1, textwrap.dedent("\n".join(body))))
    return found


BLOCKS = python_blocks()


def test_the_docs_have_python_examples() -> None:
    assert len(BLOCKS) > 50


SIGNATURE = re.compile(r"^(await )?(\w+)\(")


def as_definitions(source: str) -> str:
    """A signature block (``serve_path(request, path, *, root=None, **options)``,
    ``await aserve_path(...)``) as the ``def`` statements it describes, so that it
    is checked as a signature instead of as a call."""
    out: list[str] = []
    depth = 0
    for original in source.splitlines():
        line = SIGNATURE.sub(lambda m: ("async def " if m[1] else "def ") + m[2] + "(", original)
        if depth:
            line = original
        depth += line.count("(") - line.count(")")
        out.append(line + (": ..." if depth == 0 and line.rstrip().endswith(")") else ""))
    return "\n".join(out)


def parse(source: str, filename: str) -> ast.Module:
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError:
        return ast.parse(as_definitions(source), filename=filename)


@pytest.mark.parametrize(("page", "line", "source"), BLOCKS, ids=[f"{p}:{n}" for p, n, _ in BLOCKS])
def test_a_python_example_compiles_and_its_imports_exist(page: str, line: str, source: str) -> None:
    # An example may elide code with "..." or comments; it is still Python. The
    # signature blocks at the top of the shortcut pages are checked as defs.
    tree = parse(source, f"{page}:{line}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dlshortcuts"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                assert hasattr(module, alias.name) or importlib.util.find_spec(name), (
                    f"{page}:{line}: no {name}"
                )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dlshortcuts"):
                    importlib.import_module(alias.name)


@pytest.mark.timeout(300)
def test_no_built_page_shows_a_docutils_system_message(tmp_path: pathlib.Path) -> None:
    # Sphinx drops docutils' system messages from the pages unless
    # keep_warnings is set; with it, every message (a rejected directive, an
    # unknown role, a bad table) is rendered as a "system-message" box, which
    # is what a reader would see, so the built HTML is searched for them.
    out = tmp_path / "html"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-D", "keep_warnings=1", "-b", "html", str(DOCS), str(out)],
        check=True,
        timeout=280,
    )
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    boxes = [
        page.relative_to(out).as_posix()
        for page in pages
        if 'class="system-message"' in page.read_text("utf-8")
    ]
    assert boxes == []
