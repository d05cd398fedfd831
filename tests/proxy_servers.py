"""Real reverse proxies for the offload tests: nginx, Apache + mod_xsendfile, lighttpd, Caddy.

Each runs as the test's own process (never the system service) on a free
loopback port, with a private directory for its configuration, pid file, logs
and temporary files, in front of gunicorn running the test project
(``tests.settings_offload``). A proxy's configuration is the boilerplate below
around ``snippet``: what ``manage.py dlshortcuts_proxy_config`` prints for the
same settings, pasted unchanged.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.servers import BIN, ROOT, Server, free_port, start_server

__all__ = ["PROXIES", "app_environment", "render_proxy_config", "start_app", "start_proxy"]

#: The web servers started here (LiteSpeed has no package: it is tested at header level).
PROXIES = ("nginx", "apache", "lighttpd", "caddy")

APACHE_MODULES = Path("/usr/lib/apache2/modules")
TAB = "\t"  # Caddyfiles are tab-indented


def app_environment(backend: str, files: Path) -> dict[str, str]:
    """The environment that points ``tests.settings_offload`` at ``backend`` and ``files``."""
    return {
        "DJANGO_SETTINGS_MODULE": "tests.settings_offload",
        "DLSHORTCUTS_TEST_BACKEND": backend,
        "DLSHORTCUTS_TEST_FILES": str(files),
    }


def render_proxy_config(backend: str, files: Path, timeout: float = 60) -> str:
    """Run ``manage.py dlshortcuts_proxy_config`` as a user would, and return what it prints."""
    result = subprocess.run(
        [sys.executable, "-m", "django", "dlshortcuts_proxy_config", "--backend", backend],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **app_environment(backend, files)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def start_app(backend: str, files: Path, workdir: Path) -> Server:
    """gunicorn serving the test project for ``backend`` (one sync worker is enough here)."""
    port = free_port()
    argv = [str(BIN / "gunicorn"), "tests.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", "1", "--access-logfile", "-", "--pid", str(workdir / "gunicorn.pid")]
    return start_server(argv, port, workdir / "gunicorn.log", env=app_environment(backend, files))


def start_proxy(name: str, workdir: Path, app_port: int, snippet: str) -> Server:
    """Start the web server ``name`` on a free port in front of ``127.0.0.1:app_port``.

    :param name: one of :data:`PROXIES`.
    :param workdir: an empty directory the server keeps everything in; it and
        the files served must be readable by the server's worker user.
    :param app_port: where gunicorn listens.
    :param snippet: the rendered dlshortcuts configuration, embedded as is.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    account = _worker_account()
    if account is not None:
        # lighttpd opens its error log after dropping to the worker account.
        shutil.chown(workdir, *account)
    port = free_port()
    argv, env = _STARTERS[name](workdir, port, app_port, snippet)
    return start_server(argv, port, workdir / "server.log", env=env, cwd=workdir)


def _worker_account() -> tuple[str, str] | None:
    """The unprivileged user and group workers switch to when the tests run as root."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_name, grp.getgrgid(nobody.pw_gid).gr_name


_Started = tuple[list[str], Mapping[str, str]]


def _nginx(workdir: Path, port: int, app_port: int, snippet: str) -> _Started:
    account = _worker_account()
    user = f"user {account[0]} {account[1]};" if account else ""
    config = workdir / "nginx.conf"
    config.write_text(
        f"""\
{user}
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {workdir}/access.log;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $http_host;
        }}
{_indent(snippet, 8)}
    }}
}}
"""
    )
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin") or "nginx"
    return [nginx, "-p", str(workdir), "-c", str(config), "-g", "daemon off;"], {}


def _apache(workdir: Path, port: int, app_port: int, snippet: str) -> _Started:
    account = _worker_account()
    modules = ("mpm_event", "authz_core", "mime", "proxy", "proxy_http", "xsendfile")
    loads = "\n".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in modules)
    config = workdir / "apache2.conf"
    config.write_text(
        f"""\
ServerRoot "{workdir}"
DefaultRuntimeDir "{workdir}"
PidFile "{workdir}/apache2.pid"
ErrorLog "{workdir}/error.log"
LogLevel warn
Mutex file:{workdir} default
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
{loads}
{f"User {account[0]}" if account else ""}
{f"Group {account[1]}" if account else ""}
TypesConfig /etc/mime.types
ProxyPass "/" "http://127.0.0.1:{app_port}/"
ProxyPreserveHost On
{snippet}
"""
    )
    apache = shutil.which("apache2", path=f"{os.environ.get('PATH', '')}:/usr/sbin") or "apache2"
    # apache2ctl would read /etc/apache2/envvars; the binary run directly reads only this file.
    return [apache, "-f", str(config), "-DFOREGROUND"], {"APACHE_RUN_DIR": str(workdir)}


def _lighttpd(workdir: Path, port: int, app_port: int, snippet: str) -> _Started:
    account = _worker_account()
    config = workdir / "lighttpd.conf"
    config.write_text(
        f"""\
server.document-root = "{workdir}"
server.bind = "127.0.0.1"
server.port = {port}
server.pid-file = "{workdir}/lighttpd.pid"
server.errorlog = "{workdir}/error.log"
server.upload-dirs = ("{workdir}")
{f'server.username = "{account[0]}"' if account else ""}
{f'server.groupname = "{account[1]}"' if account else ""}
server.modules = ("mod_proxy")
proxy.server = ("" => (("host" => "127.0.0.1", "port" => {app_port})))
{snippet}
"""
    )
    lighttpd = shutil.which("lighttpd", path=f"{os.environ.get('PATH', '')}:/usr/sbin") or "lighttpd"
    return [lighttpd, "-D", "-f", str(config)], {}


def _caddy(workdir: Path, port: int, app_port: int, snippet: str) -> _Started:
    config = workdir / "Caddyfile"
    config.write_text(
        f"""\
{{
	admin off
	auto_https off
}}
http://127.0.0.1:{port} {{
	reverse_proxy 127.0.0.1:{app_port} {{
{_indent(snippet, 2, TAB)}
	}}
}}
"""
    )
    home = {"HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir), "XDG_DATA_HOME": str(workdir)}
    return ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"], home


def _indent(text: str, depth: int, unit: str = " ") -> str:
    return "\n".join(unit * depth + line if line.strip() else "" for line in text.splitlines())


_STARTERS: dict[str, Callable[[Path, int, int, str], _Started]] = {
    "apache": _apache,
    "caddy": _caddy,
    "lighttpd": _lighttpd,
    "nginx": _nginx,
}
