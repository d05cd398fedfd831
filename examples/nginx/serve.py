"""``make demo-nginx``: the demo project behind nginx, files sent by nginx itself.

gunicorn runs the project (settings ``nginx.settings``) on a free loopback
port; nginx listens on ``127.0.0.1:8080`` (``DEMO_NGINX_ADDRESS`` to change
it) with the configuration ``manage.py dlshortcuts_proxy_config`` prints,
embedded unchanged by the checkout's launcher (``servers.proxies``, the one
place an ``nginx.conf`` is written, the tests' and the benchmarks' too).
Everything nginx writes stays under ``examples/var/nginx``; Ctrl-C stops
both servers.

Run from ``examples/`` with the project's Python: ``python nginx/serve.py``.
"""

from __future__ import annotations

import grp
import os
import pwd
import signal
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent
# The launcher is a helper of the checkout, not of the installed package.
sys.path.insert(0, str(EXAMPLES.parent))

from servers import Server, start_gunicorn  # noqa: E402
from servers.proxies import start_proxy  # noqa: E402

VAR = EXAMPLES / "var"
WORKDIR = VAR / "nginx"
ADDRESS = os.environ.get("DEMO_NGINX_ADDRESS", "127.0.0.1:8080")
ENVIRONMENT = {"DJANGO_SETTINGS_MODULE": "nginx.settings", "PYTHONPATH": str(EXAMPLES)}
START_TIMEOUT = 30
#: The demo's own locations, before the rendered ones.
STATIC = f"""\
location /static/ {{
    alias {VAR}/static/;
}}"""


def main() -> int:
    """Prepare the project, start gunicorn and nginx, and wait for Ctrl-C or a server to exit."""
    # `kill` stops the servers as Ctrl-C does (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    manage("migrate", "--noinput")
    manage("demo_setup")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("check")
    host, _, port = ADDRESS.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"DEMO_NGINX_ADDRESS must be host:port, such as 127.0.0.1:8080, not {ADDRESS!r}.")
    WORKDIR.mkdir(parents=True, exist_ok=True)
    try:
        app = start_gunicorn(
            "nginx.wsgi:application",
            WORKDIR / "gunicorn.log",
            env=ENVIRONMENT,
            cwd=EXAMPLES,
            start_timeout=START_TIMEOUT,
            workers=2,
            access_log=True,
        )
    except (RuntimeError, TimeoutError) as error:
        raise SystemExit(f"gunicorn did not start: {error}") from None
    try:
        site = manage("dlshortcuts_proxy_config", "--backend", "nginx", "--upstream", f"127.0.0.1:{app.port}")
        try:
            nginx = start_proxy(
                "nginx",
                WORKDIR,
                site,
                host=host,
                port=int(port),
                extra=STATIC,
                account=own_account(),
                start_timeout=START_TIMEOUT,
            )
        except (FileNotFoundError, RuntimeError, TimeoutError) as error:
            raise SystemExit(f"nginx did not start: {error}") from None
        try:
            print(f"dlshortcuts demo behind nginx: http://{ADDRESS}/  (Ctrl-C to stop)")
            print(f"nginx configuration: {WORKDIR / 'nginx.conf'}")
            print(f"logs: {WORKDIR}/*.log")
            return wait_until_one_exits({"gunicorn": app, "nginx": nginx})
        finally:
            nginx.stop()
    finally:
        app.stop()


def manage(*arguments: str) -> str:
    """Run ``manage.py`` with the nginx settings; return what it prints."""
    argv = [sys.executable, "manage.py", *arguments]
    # check=False: a failure is reported below, after manage.py's own message on stderr.
    result = subprocess.run(
        argv, cwd=EXAMPLES, env={**os.environ, **ENVIRONMENT}, stdout=subprocess.PIPE, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed with exit status {result.returncode}.")
    return result.stdout


def own_account() -> tuple[str, str] | None:
    """nginx's workers run as the demo's own user (who can read its files), not "nobody"."""
    if os.geteuid() != 0:
        return None
    user = pwd.getpwuid(os.getuid())
    return user.pw_name, grp.getgrgid(user.pw_gid).gr_name


def wait_until_one_exits(servers: dict[str, Server]) -> int:
    """Wait for Ctrl-C (exit status 0) or for a server to exit (its status)."""
    try:
        while True:
            for name, server in servers.items():
                code = server.process.poll()
                if code is not None:
                    print(f"{name} exited with {code}; see {server.log}")
                    return code or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
