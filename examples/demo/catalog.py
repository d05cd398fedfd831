"""Every download the demo shows, in the order the home page lists them.

Adding a kind of download to the demo is one view (or one urlpattern) in
``urls.py`` and one :class:`Link` here: the home page and the production
page are both drawn from this list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.urls import reverse

from .samples import NON_ASCII_NAME


@dataclass(frozen=True)
class Link:
    """One download on the home page.

    :ivar title: what the link says.
    :ivar url_name: the urlpattern's name.
    :ivar url_kwargs: its arguments.
    :ivar code: the dlshortcuts call behind it, as the reader would write it.
    :ivar shows: what to look at or try.
    :ivar production: which web-server offload would send it in production.
    :ivar login_required: true when only the demo user may have it.
    :ivar inline: true when the browser shows it rather than saving it.
    """

    title: str
    url_name: str
    code: str
    shows: str
    production: str
    url_kwargs: Mapping[str, str] = field(default_factory=dict)
    login_required: bool = False
    inline: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name, kwargs=dict(self.url_kwargs))


FILE_ON_DISK = "Offloaded: the web server sends the file on disk."

LINKS = [
    Link(
        title="A file under a root",
        url_name="files",
        url_kwargs={"path": "welcome.txt"},
        code='path("files/<path:path>", serve_path, {"root": PRIVATE_ROOT / "files"})',
        shows="The path comes from the URL and is confined to the root: "
        "/files/../members/handbook.pdf is a 404, not the members' file.",
        production=FILE_ON_DISK,
    ),
    Link(
        title=NON_ASCII_NAME,
        url_name="files",
        url_kwargs={"path": NON_ASCII_NAME},
        code='path("files/<path:path>", serve_path, {"root": PRIVATE_ROOT / "files"})',
        shows="Saved under its exact name: Content-Disposition carries an ASCII filename= "
        "and an RFC 8187 filename*=UTF-8''...",
        production=FILE_ON_DISK + " The path in the offload header is percent-encoded, so the name "
        "survives the proxy; Content-Disposition is kept from the app.",
    ),
    Link(
        title="A large file (32 MiB)",
        url_name="files",
        url_kwargs={"path": "large.bin"},
        code='path("files/<path:path>", serve_path, {"root": PRIVATE_ROOT / "files"})',
        shows="Range requests: interrupt the download and resume it, or try "
        "curl -r 1048576-1048585 on it. Under WSGI the file goes out with sendfile(2).",
        production=FILE_ON_DISK + " The web server answers Range and If-None-Match itself.",
    ),
    Link(
        title="A CSV export streamed from a queryset",
        url_name="orders-csv",
        code='path("orders.csv", serve_generated, {"content": order_rows, "filename": "orders.csv"})',
        shows="1000 orders streamed row by row from Order.objects.iterator(): memory stays flat "
        "however many rows there are.",
        production="None: generated content is not a file the web server can read, so Django streams "
        "it (no Content-Length, no Range).",
    ),
    Link(
        title="An inline image",
        url_name="images",
        url_kwargs={"path": "gradient.png"},
        code='path("images/<path:path>", serve_path, {"root": PRIVATE_ROOT / "images", '
        '"as_attachment": False})',
        shows="as_attachment=False: Content-Disposition: inline, so the browser shows it (it is also "
        "the picture at the top of this page).",
        production=FILE_ON_DISK + " Content-Disposition: inline is kept from the app.",
        inline=True,
    ),
    Link(
        title="A login-protected download",
        url_name="handbook",
        code="@login_required\ndef handbook(request):\n"
        '    return serve_path(request, settings.PRIVATE_ROOT / "members" / "handbook.pdf")',
        shows="Plain Django protects it: @login_required sends you to the login page first.",
        production=FILE_ON_DISK + " The view still runs first, so the login check stays in Django; "
        "only the bytes are handed over.",
        login_required=True,
    ),
]
