"""A real browser on the demo: headless Chromium saves downloads and shows inline files.

The demo runs under gunicorn on loopback with its own settings, after its
migrations and its setup command, in a temporary DEMO_VAR_DIR; one Chromium
(``tests/browser.py``) serves the whole module, with a new tab and an empty
download directory for each test.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from servers import ROOT, Server, start_gunicorn
from tests.browser import Browser, chromium

# Setting the demo up runs two manage.py commands, each given 120 s.
pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]

NON_ASCII_NAME = "naïve résumé.pdf"


@dataclass
class Demo:
    """The demo served on loopback and the directory it keeps its files in."""

    server: Server
    var_dir: Path

    @property
    def private_root(self) -> Path:
        return self.var_dir / "private"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    var_dir = tmp_path_factory.mktemp("demo-var")
    env = {
        "DJANGO_SETTINGS_MODULE": "demo.settings",
        "DEMO_VAR_DIR": str(var_dir),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "examples")]),
    }
    for command in (["migrate", "--noinput"], ["demo_setup"]):
        subprocess.run(
            [sys.executable, "examples/manage.py", *command, "--verbosity=0"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            timeout=120,
        )
    # Threads, not the sync worker: Chromium opens spare connections ahead of
    # time, and a sync worker would wait on an idle one instead of answering.
    server = start_gunicorn(
        "demo.wsgi:application",
        tmp_path_factory.mktemp("demo-log") / "gunicorn.log",
        env=env,
        worker_class="gthread",
        threads=4,
    )
    try:
        yield Demo(server, var_dir)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(
        tmp_path_factory.mktemp("chromium-profile"), tmp_path_factory.mktemp("chromium-log") / "log"
    ) as running:
        yield running


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    directory = tmp_path / "downloads"
    directory.mkdir()
    return directory


@pytest.fixture
def tab(browser: Browser, downloads: Path) -> Iterator[str]:
    """A new tab whose downloads go to ``downloads`` under the name the server gives."""
    browser.events.clear()
    browser.call(
        "Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads), eventsEnabled=True
    )
    with browser.page() as session:
        yield session


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_non_ascii_download_is_saved_under_its_exact_name(
    demo: Demo, browser: Browser, tab: str, downloads: Path
) -> None:
    browser.navigate(tab, f"{demo.server.url}/")
    browser.click_link(tab, NON_ASCII_NAME)
    begun = browser.wait_for_event("Browser.downloadWillBegin")["params"]
    ended = browser.wait_for_event(
        "Browser.downloadProgress",
        until=lambda progress: progress["guid"] == begun["guid"] and progress["state"] != "inProgress",
    )["params"]
    assert (begun["suggestedFilename"], ended["state"]) == (NON_ASCII_NAME, "completed")
    # Chromium writes to a .crdownload file and renames it before it reports completion.
    assert [path.name for path in downloads.iterdir()] == [NON_ASCII_NAME]
    assert sha256(downloads / NON_ASCII_NAME) == sha256(demo.private_root / "files" / NON_ASCII_NAME)


def test_inline_image_is_shown_not_saved(demo: Demo, browser: Browser, tab: str, downloads: Path) -> None:
    browser.navigate(tab, f"{demo.server.url}/")
    browser.click_link(tab, "An inline image")
    # A download would leave the home page in place: whichever comes first tells.
    first = browser.wait_for_event("Page.loadEventFired", "Browser.downloadWillBegin")
    assert first["method"] == "Page.loadEventFired", first
    shown = browser.evaluate(
        tab,
        """({path: location.pathname, type: document.contentType,
             width: document.images[0].naturalWidth, height: document.images[0].naturalHeight})""",
    )
    assert shown == {"path": "/images/gradient.png", "type": "image/png", "width": 160, "height": 90}
    assert [
        event["method"] for event in browser.events if event["method"].startswith("Browser.download")
    ] == []
    assert list(downloads.iterdir()) == []
