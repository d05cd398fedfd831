"""Real reverse proxies for the offload tests: nginx, Apache + mod_xsendfile, lighttpd, Caddy.

Each runs as the test's own process (never the system service) on a free
loopback port, with a private directory for its configuration, pid file, logs
and temporary files, in front of gunicorn running the test project
(``tests.settings_offload``). A proxy's configuration is what
``manage.py dlshortcuts_proxy_config`` prints for the same settings, pasted
unchanged into the least boilerplate that lets the server run unprivileged in
a private directory: a listening address, the paths of its own files, and
nothing that touches a request.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import gunicorn

from tests.servers import BIN, ROOT, Server, free_port, start_server

__all__ = [
    "PROXIES",
    "Site",
    "app_environment",
    "render_proxy_config",
    "running_site",
    "start_app",
    "start_proxy",
]

#: The web servers started here (LiteSpeed has no package: it is tested at header level).
PROXIES = ("nginx", "apache", "lighttpd", "caddy")

APACHE_MODULES = Path("/usr/lib/apache2/modules")
TAB = "\t"  # Caddyfiles are tab-indented


@dataclass(frozen=True)
class Site:
    """One web server in front of one gunicorn, both running.

    :ivar backend: the ``DLSHORTCUTS["BACKEND"]`` the application uses.
    :ivar app: gunicorn, to see what Django answers.
    :ivar proxy: the web server, to see what the client gets.
    :ivar error_log: the web server's error log.
    """

    backend: str
    app: Server
    proxy: Server
    error_log: Path


@contextmanager
def running_site(
    backend: str, files: Path, workdir: Path, *, charset: str | None = None, asgi: bool = False
) -> Iterator[Site]:
    """The application server, then the web server configured by ``dlshortcuts_proxy_config``.

    Both are stopped when the block ends.

    :param backend: one of :data:`PROXIES`.
    :param files: the directory ``tests.settings_offload`` serves from.
    :param workdir: an empty directory for both servers' files.
    :param charset: the ``CHARSET`` setting.
    :param asgi: uvicorn instead of gunicorn.
    """
    app = start_app(backend, files, workdir, charset=charset, asgi=asgi)
    try:
        snippet = render_proxy_config(backend, files, f"127.0.0.1:{app.port}", charset=charset)
        proxy = start_proxy(backend, workdir / "server", snippet)
        try:
            yield Site(backend, app, proxy, workdir / "server" / "error.log")
        finally:
            proxy.stop()
    finally:
        app.stop()


def app_environment(backend: str, files: Path, charset: str | None = None) -> dict[str, str]:
    """The environment that points ``tests.settings_offload`` at ``backend`` and ``files``."""
    environment = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_offload",
        "DLSHORTCUTS_TEST_BACKEND": backend,
        "DLSHORTCUTS_TEST_FILES": str(files),
    }
    if charset is not None:
        environment["DLSHORTCUTS_TEST_CHARSET"] = charset
    return environment


def render_proxy_config(
    backend: str, files: Path, upstream: str, *, charset: str | None = None, timeout: float = 60
) -> str:
    """Run ``manage.py dlshortcuts_proxy_config`` as a user would, and return what it prints.

    :param backend: the web server to configure.
    :param files: the directory ``tests.settings_offload`` serves from.
    :param upstream: gunicorn's ``host:port``.
    :param charset: the ``CHARSET`` setting.
    """
    argv = [sys.executable, "-m", "django", "dlshortcuts_proxy_config"]
    result = subprocess.run(
        [*argv, "--backend", backend, "--upstream", upstream],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **app_environment(backend, files, charset)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def start_app(
    backend: str, files: Path, workdir: Path, *, charset: str | None = None, asgi: bool = False
) -> Server:
    """The test project for ``backend``: gunicorn with one sync worker, or uvicorn when ``asgi``."""
    port = free_port()
    if asgi:
        # Django has no lifespan support: "off" keeps uvicorn from logging that.
        argv = [str(BIN / "uvicorn"), "tests.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
        argv += ["--lifespan", "off"]
    else:
        argv = [str(BIN / "gunicorn"), "tests.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        argv += ["--workers", "1", "--access-logfile", "-", "--pid", str(workdir / "gunicorn.pid")]
        if gunicorn.version_info >= (25, 1):
            argv.append("--no-control-socket")  # else it is made in the home directory, shared
    environment = app_environment(backend, files, charset)
    return start_server(argv, port, workdir / "app.log", env=environment)


def start_proxy(name: str, workdir: Path, snippet: str) -> Server:
    """Start the web server ``name`` on a free loopback port with ``snippet`` as its site.

    :param name: one of :data:`PROXIES`.
    :param workdir: a directory of its own for the configuration, pid file,
        logs and temporary files (created; handed to the worker account).
    :param snippet: the output of ``dlshortcuts_proxy_config``, embedded as is.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    account = worker_account()
    if account is not None:
        # lighttpd opens its error log after dropping to the worker account.
        shutil.chown(workdir, *account)
    port = free_port()
    argv, env = _STARTERS[name](workdir, port, snippet)
    return start_server(argv, port, workdir / "server.log", env=env, cwd=workdir)


def worker_account() -> tuple[str, str] | None:
    """The user and group workers switch to when the tests run as root (None otherwise).

    Apache refuses to serve as root; the others are kept unprivileged too, so
    every server reads the files as a stranger would.
    """
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_name, grp.getgrgid(nobody.pw_gid).gr_name


_Command = tuple[list[str], Mapping[str, str]]


def _nginx(workdir: Path, port: int, snippet: str) -> _Command:
    account = worker_account()
    user = f"user {account[0]} {account[1]};" if account else ""
    config = workdir / "nginx.conf"
    config.write_text(
        f"""\
{user}
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{
    worker_connections 64;
}}
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
{_indent(snippet, "        ")}
    }}
}}
"""
    )
    # -e: nginx opens its compiled-in error log before reading the config.
    argv = [_system_binary("nginx"), "-p", str(workdir), "-e", str(workdir / "error.log")]
    return [*argv, "-c", str(config), "-g", "daemon off;"], {}


def _apache(workdir: Path, port: int, snippet: str) -> _Command:
    account = worker_account()
    modules = ("mpm_event", "authz_core", "mime", "proxy", "proxy_http", "xsendfile")
    loads = "\n".join(f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so" for name in modules)
    user = f"User {account[0]}\nGroup {account[1]}" if account else ""
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
{user}
TypesConfig /etc/mime.types
<VirtualHost 127.0.0.1:{port}>
{_indent(snippet, "    ")}
</VirtualHost>
"""
    )
    # Run directly, apache2 reads only this file (apache2ctl would source /etc/apache2/envvars).
    return [_system_binary("apache2"), "-f", str(config), "-DFOREGROUND"], {}


def _lighttpd(workdir: Path, port: int, snippet: str) -> _Command:
    account = worker_account()
    user = f'server.username = "{account[0]}"\nserver.groupname = "{account[1]}"' if account else ""
    config = workdir / "lighttpd.conf"
    config.write_text(
        f"""\
server.document-root = "{workdir}/empty"
server.bind = "127.0.0.1"
server.port = {port}
server.pid-file = "{workdir}/lighttpd.pid"
server.errorlog = "{workdir}/error.log"
server.upload-dirs = ( "{workdir}" )
{user}
{snippet}
"""
    )
    (workdir / "empty").mkdir(exist_ok=True)
    return [_system_binary("lighttpd"), "-D", "-f", str(config)], {}


def _caddy(workdir: Path, port: int, snippet: str) -> _Command:
    config = workdir / "Caddyfile"
    config.write_text(
        f"""\
{{
{TAB}admin off
{TAB}auto_https off
}}
http://127.0.0.1:{port} {{
{_indent(snippet, TAB)}
}}
"""
    )
    # Caddy keeps state under $HOME / XDG directories: keep them private too.
    home = {"HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir), "XDG_DATA_HOME": str(workdir)}
    return [_system_binary("caddy"), "run", "--config", str(config), "--adapter", "caddyfile"], home


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.splitlines())


def _system_binary(name: str) -> str:
    # Debian installs the servers in /usr/sbin, which a non-root PATH may lack.
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
    if found is None:
        raise FileNotFoundError(f"{name} is not installed: run `make system-packages`.")
    return found


_STARTERS: dict[str, Callable[[Path, int, str], _Command]] = {
    "apache": _apache,
    "caddy": _caddy,
    "lighttpd": _lighttpd,
    "nginx": _nginx,
}
