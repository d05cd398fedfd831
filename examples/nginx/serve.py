"""``make demo-nginx``: the demo project behind nginx, files sent by nginx itself.

gunicorn runs the project (settings ``nginx.settings``) on a free loopback
port; nginx listens on ``127.0.0.1:8080`` (``DEMO_NGINX_ADDRESS`` to change
it) with the configuration ``manage.py dlshortcuts_proxy_config`` prints,
wrapped in a minimal ``nginx.conf``. Everything nginx writes stays under
``examples/var/nginx``; Ctrl-C stops both servers.

Run from ``examples/`` with the project's Python: ``python nginx/serve.py``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import gunicorn

EXAMPLES = Path(__file__).resolve().parent.parent
VAR = EXAMPLES / "var"
WORKDIR = VAR / "nginx"
ADDRESS = os.environ.get("DEMO_NGINX_ADDRESS", "127.0.0.1:8080")
ENVIRONMENT = {**os.environ, "DJANGO_SETTINGS_MODULE": "nginx.settings", "PYTHONPATH": str(EXAMPLES)}
BIN = Path(sys.executable).parent
START_TIMEOUT = 30


def main() -> int:
    """Prepare the project, start gunicorn and nginx, and wait for Ctrl-C or a server to exit."""
    # `kill` stops the servers as Ctrl-C does (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    manage("migrate", "--noinput")
    manage("demo_setup")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("check")
    WORKDIR.mkdir(parents=True, exist_ok=True)
    app_port = free_port()
    snippet = manage("dlshortcuts_proxy_config", "--backend", "nginx", "--upstream", f"127.0.0.1:{app_port}")
    config = WORKDIR / "nginx.conf"
    config.write_text(nginx_conf(snippet))
    app = start("gunicorn", [*gunicorn_argv(app_port), "nginx.wsgi:application"])
    try:
        wait_for(app, "127.0.0.1", app_port)
        # -e: nginx opens its compiled-in error log (root's) before reading the config.
        argv = [nginx_binary(), "-p", str(WORKDIR), "-e", str(WORKDIR / "error.log"), "-c", str(config)]
        nginx = start("nginx", [*argv, "-g", "daemon off;"])
        try:
            host, _, port = ADDRESS.rpartition(":")
            wait_for(nginx, host, int(port))
            print(f"dlshortcuts demo behind nginx: http://{ADDRESS}/  (Ctrl-C to stop)")
            print(f"nginx configuration: {config}")
            print(f"logs: {WORKDIR}/*.log")
            return wait_until_one_exits(app, nginx)
        finally:
            stop(nginx)
    finally:
        stop(app)


def manage(*arguments: str) -> str:
    """Run ``manage.py`` with the nginx settings; return what it prints."""
    argv = [sys.executable, "manage.py", *arguments]
    # check=False: a failure is reported below, after manage.py's own message on stderr.
    result = subprocess.run(
        argv, cwd=EXAMPLES, env=ENVIRONMENT, stdout=subprocess.PIPE, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed with exit status {result.returncode}.")
    return result.stdout


def nginx_conf(snippet: str) -> str:
    """A minimal ``nginx.conf`` around the rendered configuration."""
    indented = "\n".join(f"        {line}" if line.strip() else "" for line in snippet.splitlines())
    # nginx switches its workers to "nobody" when started as root; run them
    # as the demo's own user instead, who can read the demo's files.
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
    return f"""\
{user}
worker_processes 1;
pid {WORKDIR}/nginx.pid;
error_log {WORKDIR}/error.log warn;
events {{
    worker_connections 256;
}}
http {{
    include /etc/nginx/mime.types;
    access_log {WORKDIR}/access.log;
    client_body_temp_path {WORKDIR}/client_body;
    proxy_temp_path {WORKDIR}/proxy;
    fastcgi_temp_path {WORKDIR}/fastcgi;
    uwsgi_temp_path {WORKDIR}/uwsgi;
    scgi_temp_path {WORKDIR}/scgi;
    sendfile on;
    server {{
        listen {ADDRESS};
        server_name 127.0.0.1 localhost;
        location /static/ {{
            alias {VAR}/static/;
        }}
        # The output of: manage.py dlshortcuts_proxy_config --backend nginx
{indented}
    }}
}}
"""


def gunicorn_argv(port: int) -> list[str]:
    """gunicorn on ``127.0.0.1:port`` with two workers, logging to its output."""
    argv = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "-"]
    if gunicorn.version_info >= (25, 1):
        argv.append("--no-control-socket")  # else one socket in the home directory, shared by all
    return argv


def nginx_binary() -> str:
    """nginx from PATH or /usr/sbin (Debian's place, not on every user's PATH)."""
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
    if found is None:
        raise SystemExit("nginx is not installed: run `make system-packages` at the top of the checkout.")
    return found


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Process:
    """A server started by this script."""

    name: str
    popen: subprocess.Popen[bytes]


def start(name: str, argv: list[str]) -> Process:
    """Start ``argv`` in its own process group, its output in ``WORKDIR/<name>.log``."""
    with (WORKDIR / f"{name}.log").open("wb") as out:
        popen = subprocess.Popen(
            argv, cwd=EXAMPLES, env=ENVIRONMENT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name, popen)


def wait_for(process: Process, host: str, port: int) -> None:
    """Block until ``host:port`` accepts connections, or fail after START_TIMEOUT seconds."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            code = process.popen.returncode
            raise SystemExit(f"{process.name} exited with {code}; see {WORKDIR}/{process.name}.log")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {host}:{port} after {START_TIMEOUT}s; see {WORKDIR}/*.log")


def wait_until_one_exits(*processes: Process) -> int:
    """Wait for Ctrl-C (exit status 0) or for a server to exit (its status)."""
    try:
        while True:
            for process in processes:
                code = process.popen.poll()
                if code is not None:
                    print(f"{process.name} exited with {code}; see {WORKDIR}/{process.name}.log")
                    return code or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0


def stop(process: Process, timeout: float = 10) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after ``timeout``."""
    if process.popen.poll() is not None:
        return
    os.killpg(process.popen.pid, signal.SIGTERM)
    try:
        process.popen.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout)


if __name__ == "__main__":
    sys.exit(main())
