"""Web servers in front of an application server: nginx, Apache + mod_xsendfile, lighttpd, Caddy.

Each runs as the caller's own process (never the system service) on a
loopback port, with a private directory for its configuration, pid file,
logs and temporary files. What it does with requests is ``site``: the
output of ``manage.py dlshortcuts_proxy_config`` (the package's own
renderer, ``dlshortcuts.offload.config.render_proxy_config``), embedded
unchanged in the least boilerplate that lets the server run unprivileged in
its directory: a listening address, the paths of its own files, and nothing
that touches a request (``extra``, for nginx, adds the caller's own
directives, e.g. the demo's static files or the benchmark's ``access_log
off``). This is the one place an nginx.conf is written: the tests, the
benchmarks and ``make demo-nginx`` all start nginx here.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from servers import Server, free_port, start_server

#: The web servers started here (LiteSpeed has no package: it is tested at header level).
PROXIES = ("nginx", "apache", "lighttpd", "caddy")

APACHE_MODULES = Path("/usr/lib/apache2/modules")
TAB = "\t"  # Caddyfiles are tab-indented


def start_proxy(
    name: str,
    workdir: Path,
    site: str,
    *,
    port: int | None = None,
    host: str = "127.0.0.1",
    extra: str = "",
    account: tuple[str, str] | None = None,
    start_timeout: float = 30,
) -> Server:
    """Start the web server ``name`` on ``host:port`` with ``site`` as its site.

    :param name: one of :data:`PROXIES`.
    :param workdir: a directory of its own for the configuration, pid file,
        logs and temporary files (created; handed to the worker account).
    :param site: the output of ``dlshortcuts_proxy_config``, embedded as is.
    :param port: where to listen; a free port when None.
    :param host: the address to listen on (a loopback one unless the caller
        means to be reached from elsewhere, as ``DEMO_NGINX_ADDRESS`` may).
    :param extra: nginx only: more directives for its ``server`` block,
        before the site.
    :param account: the user and group workers switch to when started as
        root; :func:`worker_account` when None.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    account = account or worker_account()
    if account is not None and os.geteuid() == 0:
        # lighttpd opens its error log after dropping to the worker account.
        shutil.chown(workdir, *account)
    else:
        account = None
    port = free_port() if port is None else port
    if extra and name != "nginx":
        raise ValueError(f"extra directives are for nginx only, not {name!r}")
    if name not in _STARTERS:
        raise ValueError(f"name must be one of {', '.join(PROXIES)}, not {name!r}")
    argv, env = _STARTERS[name](workdir, host=host, port=port, site=site, extra=extra, account=account)
    log = workdir / "server.log"
    return start_server(argv, port, log, env=env, cwd=workdir, timeout=start_timeout, host=host)


def worker_account() -> tuple[str, str] | None:
    """The user and group workers switch to when started as root (None otherwise).

    Apache refuses to serve as root; the others are kept unprivileged too, so
    every server reads the files as a stranger would.
    """
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_name, grp.getgrgid(nobody.pw_gid).gr_name


def system_binary(name: str) -> str:
    """The server's executable: Debian installs them in /usr/sbin, which a non-root PATH may lack."""
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
    if found is None:
        raise FileNotFoundError(f"{name} is not installed: run `make system-packages`.")
    return found


_Command = tuple[list[str], Mapping[str, str]]


class _Starter(Protocol):
    def __call__(
        self, workdir: Path, *, host: str, port: int, site: str, extra: str, account: tuple[str, str] | None
    ) -> _Command: ...


def _nginx(
    workdir: Path, *, host: str, port: int, site: str, extra: str, account: tuple[str, str] | None
) -> _Command:
    user = f"user {account[0]} {account[1]};" if account else ""
    config = workdir / "nginx.conf"
    config.write_text(
        f"""\
{user}
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    include /etc/nginx/mime.types;
    access_log {workdir}/access.log;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    sendfile on;
    server {{
        listen {host}:{port};
        server_name 127.0.0.1 localhost;
{_indent(extra, "        ")}
        # The output of: manage.py dlshortcuts_proxy_config --backend nginx
{_indent(site, "        ")}
    }}
}}
"""
    )
    # -e: nginx opens its compiled-in error log before reading the config.
    argv = [system_binary("nginx"), "-p", str(workdir), "-e", str(workdir / "error.log")]
    return [*argv, "-c", str(config), "-g", "daemon off;"], {}


def _apache(
    workdir: Path, *, host: str, port: int, site: str, extra: str, account: tuple[str, str] | None
) -> _Command:
    del extra  # nginx only: refused by start_proxy
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
Listen {host}:{port}
ServerName 127.0.0.1
{loads}
{user}
TypesConfig /etc/mime.types
<VirtualHost {host}:{port}>
{_indent(site, "    ")}
</VirtualHost>
"""
    )
    # Run directly, apache2 reads only this file (apache2ctl would source /etc/apache2/envvars).
    return [system_binary("apache2"), "-f", str(config), "-DFOREGROUND"], {}


def _lighttpd(
    workdir: Path, *, host: str, port: int, site: str, extra: str, account: tuple[str, str] | None
) -> _Command:
    del extra  # nginx only: refused by start_proxy
    user = f'server.username = "{account[0]}"\nserver.groupname = "{account[1]}"' if account else ""
    config = workdir / "lighttpd.conf"
    config.write_text(
        f"""\
server.document-root = "{workdir}/empty"
server.bind = "{host}"
server.port = {port}
server.pid-file = "{workdir}/lighttpd.pid"
server.errorlog = "{workdir}/error.log"
server.upload-dirs = ( "{workdir}" )
{user}
{site}
"""
    )
    (workdir / "empty").mkdir(exist_ok=True)
    return [system_binary("lighttpd"), "-D", "-f", str(config)], {}


def _caddy(
    workdir: Path, *, host: str, port: int, site: str, extra: str, account: tuple[str, str] | None
) -> _Command:
    del extra, account  # nginx only; Caddy never switches users
    config = workdir / "Caddyfile"
    config.write_text(
        f"""\
{{
{TAB}admin off
{TAB}auto_https off
}}
http://{host}:{port} {{
{_indent(site, TAB)}
}}
"""
    )
    # Caddy keeps state under $HOME / XDG directories: keep them private too.
    home = {"HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir), "XDG_DATA_HOME": str(workdir)}
    return [system_binary("caddy"), "run", "--config", str(config), "--adapter", "caddyfile"], home


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.splitlines())


_STARTERS: dict[str, _Starter] = {
    "apache": _apache,
    "caddy": _caddy,
    "lighttpd": _lighttpd,
    "nginx": _nginx,
}
