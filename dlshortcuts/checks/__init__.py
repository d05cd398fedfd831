"""Every system check of dlshortcuts (``manage.py check``): one table of ids, registered from it.

Each id is reported by the check function of its tag (``offload``:
:mod:`~dlshortcuts.checks.settings`, ``serve_url``:
:mod:`~dlshortcuts.checks.url_settings`, ``urls``:
:mod:`~dlshortcuts.checks.urls`, ``sendfile``:
:mod:`~dlshortcuts.checks.sendfile`, ``storages``:
:mod:`~dlshortcuts.checks.storages`, ``settings``:
:mod:`~dlshortcuts.checks.keys`, ``sniff``: :mod:`~dlshortcuts.checks.sniff`,
and ``security``, run by ``manage.py check --deploy`` only:
:func:`~dlshortcuts.checks.url_settings.check_url_allow_list`). Every check reads the settings through
:mod:`dlshortcuts.conf` and builds its messages with :func:`message`, so an id
missing from the table cannot be reported. Ids are never reused; the table
in docs/checks.rst says the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from django.core import checks
from django.core.checks import CheckMessage, Error, Tags, Warning

#: The tag every check of dlshortcuts runs under: ``manage.py check --tag dlshortcuts``.
TAG = "dlshortcuts"
OFFLOAD = "offload"
SERVE_URL = "serve_url"
SENDFILE = "sendfile"
STORAGES = "storages"
SETTINGS = "settings"
SNIFF = "sniff"
#: The tags whose checks run under ``manage.py check --deploy`` only.
DEPLOY_TAGS = frozenset({Tags.security})


class CheckId(NamedTuple):
    """One row of :data:`CHECKS`: what the id reports, and the tag of the check reporting it."""

    reports: str
    tag: str


#: Every check id, in order: an E is an Error, a W a Warning.
CHECKS: Mapping[str, CheckId] = {
    "dlshortcuts.E001": CheckId("BACKEND is not a known web server", OFFLOAD),
    "dlshortcuts.E002": CheckId("LOCATIONS is not a list of dicts", OFFLOAD),
    "dlshortcuts.E003": CheckId(
        "a location has an unknown key, a non-string value or not one source", OFFLOAD
    ),
    "dlshortcuts.E004": CheckId("a location's root is not an existing directory", OFFLOAD),
    "dlshortcuts.E005": CheckId("a location's url does not start and end with '/'", OFFLOAD),
    "dlshortcuts.E006": CheckId("a location's storage is not an alias in STORAGES", OFFLOAD),
    "dlshortcuts.E007": CheckId("a web server taking URIs, and a location without url", OFFLOAD),
    "dlshortcuts.E008": CheckId("a web server taking paths, and a location not on local disk", OFFLOAD),
    "dlshortcuts.E009": CheckId("LIMIT_RATE is not a non-negative int or False", OFFLOAD),
    "dlshortcuts.E010": CheckId("BUFFERING is not True or False", OFFLOAD),
    "dlshortcuts.E011": CheckId("EXPIRES is not seconds, a timedelta, a datetime or False", OFFLOAD),
    "dlshortcuts.E012": CheckId("CHARSET is not a charset name", OFFLOAD),
    "dlshortcuts.E013": CheckId("a source_url is not an http(s) URL ending in '/'", OFFLOAD),
    "dlshortcuts.E014": CheckId("DLSHORTCUTS is not a dict", OFFLOAD),
    "dlshortcuts.E015": CheckId("SNIFF is not True, False or None", OFFLOAD),
    "dlshortcuts.W001": CheckId("LOCATIONS is set but BACKEND is not", OFFLOAD),
    "dlshortcuts.W002": CheckId("OptimizedDownloadMiddleware is installed but BACKEND is not set", OFFLOAD),
    "dlshortcuts.W003": CheckId("two locations share one url", OFFLOAD),
    "dlshortcuts.W004": CheckId("an nginx option is set for a web server that ignores it", OFFLOAD),
    "dlshortcuts.W005": CheckId("Django's GZipMiddleware is installed: it rewrites downloads", OFFLOAD),
    "dlshortcuts.E020": CheckId("URL_TIMEOUT is not seconds or a (connect, read) pair", SERVE_URL),
    "dlshortcuts.E021": CheckId("URL_ALLOWED_HOSTS is not a list of host names", SERVE_URL),
    "dlshortcuts.E022": CheckId("URL_MAX_REDIRECTS is not a non-negative int", SERVE_URL),
    "dlshortcuts.W020": CheckId("a URL_ key serve_url does not read (a typo)", SERVE_URL),
    "dlshortcuts.W021": CheckId("URL_ALLOWED_HOSTS is empty: every URL is refused", SERVE_URL),
    "dlshortcuts.E030": CheckId("a serve_storage urlpattern names a storage not in STORAGES", Tags.urls),
    "dlshortcuts.E031": CheckId("a serve_field urlpattern's field is not a FileField", Tags.urls),
    "dlshortcuts.E032": CheckId("a serve_field urlpattern's *_field names no attribute", Tags.urls),
    "dlshortcuts.E033": CheckId(
        "a serve_path urlpattern takes its path from the URL without root", Tags.urls
    ),
    "dlshortcuts.E034": CheckId("a serve_path urlpattern's root is not an existing directory", Tags.urls),
    "dlshortcuts.E035": CheckId("a urlpattern passes an option its shortcut does not take", Tags.urls),
    "dlshortcuts.E036": CheckId("a urlpattern passes an option of the wrong type or value", Tags.urls),
    "dlshortcuts.E037": CheckId("a urlpattern never gives its shortcut a required argument", Tags.urls),
    "dlshortcuts.E038": CheckId("a urlpattern captures a name its shortcut does not take", Tags.urls),
    "dlshortcuts.E039": CheckId("a serve_field urlpattern's lookup names no field of the model", Tags.urls),
    "dlshortcuts.W030": CheckId("serve_url fetches a captured URL from any host (--deploy)", Tags.security),
    "dlshortcuts.E040": CheckId("SENDFILE_ROOT is not an existing directory", SENDFILE),
    "dlshortcuts.E041": CheckId("SENDFILE_BACKEND takes URIs and SENDFILE_URL is not set", SENDFILE),
    "dlshortcuts.W040": CheckId("SENDFILE_BACKEND is no known backend", SENDFILE),
    "dlshortcuts.W050": CheckId("a cloud storage's URLs cannot carry the download name", STORAGES),
    "dlshortcuts.E070": CheckId("DLSHORTCUTS has a key nothing reads (a typo)", SETTINGS),
    "dlshortcuts.E071": CheckId("sniffing is asked for and python-magic or libmagic is missing", SNIFF),
    "dlshortcuts.W071": CheckId("python-magic or libmagic is missing: unnamed types are not sniffed", SNIFF),
}


def message(check_id: str, text: str, *, hint: str) -> CheckMessage:
    """The Error (``dlshortcuts.E...``) or Warning (``dlshortcuts.W...``) ``check_id`` reports.

    :raises KeyError: for an id missing from :data:`CHECKS`.
    """
    CHECKS[check_id]
    level = Warning if check_id.startswith("dlshortcuts.W") else Error
    return level(text, hint=hint, id=check_id)


def check_functions() -> dict[str, Callable[..., list[CheckMessage]]]:
    """The function reporting each tag's ids (imported here: the checks need the app registry)."""
    from dlshortcuts.checks.keys import check_setting_keys  # noqa: PLC0415
    from dlshortcuts.checks.sendfile import check_sendfile_settings  # noqa: PLC0415
    from dlshortcuts.checks.settings import check_offload_settings  # noqa: PLC0415
    from dlshortcuts.checks.sniff import check_libmagic  # noqa: PLC0415
    from dlshortcuts.checks.storages import check_cloud_storages  # noqa: PLC0415
    from dlshortcuts.checks.url_settings import check_url_allow_list, check_url_settings  # noqa: PLC0415
    from dlshortcuts.checks.urls import check_urls  # noqa: PLC0415

    return {
        OFFLOAD: check_offload_settings,
        SERVE_URL: check_url_settings,
        Tags.urls: check_urls,
        Tags.security: check_url_allow_list,
        SENDFILE: check_sendfile_settings,
        STORAGES: check_cloud_storages,
        SETTINGS: check_setting_keys,
        SNIFF: check_libmagic,
    }


def register() -> None:
    """Register one check function per tag of :data:`CHECKS`, under ``dlshortcuts`` and that tag."""
    functions = check_functions()
    for tag in dict.fromkeys(check.tag for check in CHECKS.values()):
        checks.register(functions[tag], TAG, tag, deploy=tag in DEPLOY_TAGS)
