"""Headless Chromium for the browser tests, driven over the Chrome DevTools Protocol.

Debian's ``chromium`` package is the browser (no browser download, no
chromedriver): it is started with ``--remote-debugging-port=0``, writes the
port it chose to ``DevToolsActivePort`` in its profile, and this module talks
to it over one websocket in the protocol's flat mode, where each page is a
``sessionId`` on the browser's connection. Every wait has a timeout.

Protocol reference: https://chromedevtools.github.io/devtools-protocol/
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.servers import stop_process

CHROMIUM = "/usr/bin/chromium"
# No sandbox: the tests may run as root, where Chromium refuses to start with
# one. The rest keep a test run off the network and away from the user's profile.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]
TIMEOUT = 30.0

Message = dict[str, Any]


@dataclass
class Browser:
    """A running Chromium and the DevTools connection to it.

    Events that arrive while a command waits for its answer are kept in
    ``events`` until :meth:`wait_for_event` takes them, so none is missed.
    """

    connection: ClientConnection
    events: list[Message] = field(default_factory=list)
    last_id: int = 0

    def call(self, method: str, session: str | None = None, **params: Any) -> Message:
        """Send one command and return its result.

        :param method: the protocol method, e.g. ``"Page.navigate"``.
        :param session: the page's ``sessionId``; None for the browser itself.
        :param params: the method's parameters.
        :raises RuntimeError: when Chromium answers with an error.
        """
        self.last_id += 1
        command: Message = {"id": self.last_id, "method": method, "params": params}
        if session is not None:
            command["sessionId"] = session
        self.connection.send(json.dumps(command))
        answer = self._receive_until(lambda message: message.get("id") == self.last_id, f"answer to {method}")
        if "error" in answer:
            raise RuntimeError(f"{method} failed: {answer['error']}")
        result: Message = answer["result"]
        return result

    def wait_for_event(
        self,
        *methods: str,
        session: str | None = None,
        until: Callable[[Message], bool] = lambda params: True,
    ) -> Message:
        """Take the first event named in ``methods`` whose params satisfy ``until``.

        :param methods: event names, e.g. ``"Page.loadEventFired"``; the first of any.
        :param session: only this page's events; None for events from anywhere.
        :param until: a test on the event's params.
        :returns: the whole event: ``method``, ``params`` and (from a page) ``sessionId``.
        :raises TimeoutError: when no such event comes within TIMEOUT seconds.
        """

        def wanted(message: Message) -> bool:
            return (
                message.get("method") in methods
                and session in (None, message.get("sessionId"))
                and until(message["params"])
            )

        for index, event in enumerate(self.events):
            if wanted(event):
                return self.events.pop(index)
        return self._receive_until(wanted, " or ".join(methods))

    def evaluate(self, session: str, expression: str) -> Any:
        """The value of a JavaScript ``expression`` in the page (awaited if a promise).

        :raises RuntimeError: when the expression throws.
        """
        answer = self.call(
            "Runtime.evaluate", session, expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression!r} threw: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def navigate(self, session: str, url: str) -> None:
        """Open ``url`` in the page and wait for its load event."""
        answer = self.call("Page.navigate", session, url=url)
        if "errorText" in answer:
            raise RuntimeError(f"cannot open {url}: {answer['errorText']}")
        self.wait_for_event("Page.loadEventFired", session=session)

    def click_link(self, session: str, text: str) -> None:
        """Click, with the mouse as a person would, the link whose text is ``text``."""
        # Scrolled into view first: the mouse can only press what is on screen.
        x, y = self.evaluate(
            session,
            f"""(() => {{
                const link = [...document.links].find(a => a.textContent.trim() === {json.dumps(text)});
                link.scrollIntoView({{block: "center"}});
                const box = link.getBoundingClientRect();
                return [box.x + box.width / 2, box.y + box.height / 2];
            }})()""",
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", session, type=kind, x=x, y=y, button="left", clickCount=1)

    def _receive_until(self, wanted: Callable[[Message], bool], waiting_for: str) -> Message:
        """Read messages until one is ``wanted``; keep the events passed on the way."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            try:
                message: Message = json.loads(self.connection.recv(timeout=max(remaining, 0)))
            except TimeoutError:
                raise TimeoutError(f"no {waiting_for} from Chromium in {TIMEOUT}s") from None
            if wanted(message):
                return message
            if "method" in message:
                self.events.append(message)

    @contextmanager
    def page(self) -> Iterator[str]:
        """A new tab, closed afterwards; yields its ``sessionId``."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        try:
            session: str = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.call("Page.enable", session)
            yield session
        finally:
            self.call("Target.closeTarget", targetId=target)


@contextmanager
def chromium(profile: Path, log: Path) -> Iterator[Browser]:
    """Start headless Chromium with a fresh profile in ``profile``; stop it by pid afterwards.

    :param profile: an empty directory for the user data (and DevToolsActivePort).
    :param log: where Chromium's output goes.
    """
    argv = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        port, path = devtools_endpoint(profile / "DevToolsActivePort", process, log)
        with connect(f"ws://127.0.0.1:{port}{path}", proxy=None, max_size=None, open_timeout=TIMEOUT) as ws:
            yield Browser(ws)
    finally:
        stop_process(process)


def devtools_endpoint(active_port: Path, process: subprocess.Popen[bytes], log: Path) -> tuple[str, str]:
    """The port and websocket path Chromium writes to ``active_port`` once it listens.

    :raises RuntimeError: when Chromium exits first.
    :raises TimeoutError: when the file is not complete within TIMEOUT seconds.
    """
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"chromium exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        # Line 1 is the port, line 2 the browser's websocket path.
        lines = active_port.read_text().splitlines() if active_port.exists() else []
        if len(lines) == 2:
            return lines[0], lines[1]
        time.sleep(0.05)
    raise TimeoutError(
        f"chromium wrote no {active_port.name} in {TIMEOUT}s:\n{log.read_text(errors='replace')}"
    )
