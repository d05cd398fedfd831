"""Every download the demo shows, in the order the home page lists them.

Adding a kind of download to the demo is one view (or one urlpattern) in
``urls.py`` and one :class:`Link` here: the home page and the production
page are both drawn from this list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.urls import reverse

from dlshortcuts import signed_url

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
    :ivar signed: true when the link carries a signature that expires.
    """

    title: str
    url_name: str
    code: str
    shows: str
    production: str
    url_kwargs: Mapping[str, str] = field(default_factory=dict)
    login_required: bool = False
    inline: bool = False
    signed: bool = False

    @property
    def url(self) -> str:
        url = reverse(self.url_name, kwargs=dict(self.url_kwargs))
        # Signed each time the page is drawn, so the link is always fresh.
        return signed_url(url, expires_in=SIGNED_LINK_SECONDS) if self.signed else url


#: How long a signed link on the home page works.
SIGNED_LINK_SECONDS = 600

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
    Link(
        title="A signed link that expires in 10 minutes",
        url_name="shared",
        url_kwargs={"path": "welcome.txt"},
        code='path("shared/<path:path>", signature_required(serve_path), {"root": PRIVATE_ROOT / "files"})\n'
        "# the page links signed_url(reverse(...), expires_in=600)",
        shows="Anyone holding the link may download until it expires, without logging in; "
        "change one character of it, or wait ten minutes, and the answer is a 403 saying why.",
        production=FILE_ON_DISK + " The signature is checked by Django before the handover.",
        signed=True,
    ),
    Link(
        title="A document from the database",
        url_name="document",
        url_kwargs={"pk": "1"},
        code='path("documents/<int:pk>/", serve_field, {"queryset": Document.objects.filter(owner=None), '
        '"filename_field": "filename", "size_field": "size", "content_type_field": "content_type", '
        '"modified_field": "uploaded_at"})',
        shows="A Document without an owner, looked up by the pk in the URL (any other pk is a 404). "
        "Its name, size, type "
        "and date come from the model's own fields, so a HEAD or a 304 never touches the storage.",
        production=FILE_ON_DISK + " FileSystemStorage keeps uploads on disk under MEDIA_ROOT, so a "
        "location for MEDIA_ROOT is all it needs.",
    ),
    Link(
        title="Your own document",
        url_name="my-document",
        url_kwargs={"pk": "2"},
        code="@login_required\ndef my_document(request, pk):\n"
        "    return serve_field(request, queryset=Document.objects.filter(owner=request.user), pk=pk, "
        "**DOCUMENT_FIELDS)",
        shows="The queryset is filtered on the owner: /my/documents/1/ exists but is not yours, "
        "so it is a 404 like a missing one (and /documents/2/ is a 404 for everyone).",
        production=FILE_ON_DISK + " The owner check runs in Django before the offload header is sent.",
        login_required=True,
    ),
    Link(
        title="The same document from an async view",
        url_name="async-document",
        url_kwargs={"pk": "1"},
        code="async def async_document(request, pk):\n"
        "    return await aserve_field(request, queryset=Document.objects.filter(owner=None), pk=pk, "
        "**DOCUMENT_FIELDS)",
        shows="aserve_field runs the query and the storage calls in a worker thread; under ASGI the body "
        "is an async iterator, so the event loop never waits on the disk.",
        production=FILE_ON_DISK + " @optimized_download wraps async views too.",
    ),
    Link(
        title="A file from a named storage",
        url_name="storage",
        url_kwargs={"name": "reports/2026-q3.txt"},
        code='path("storage/<path:name>", serve_storage, {"storage": "private"})',
        shows='"private" is an alias in settings.STORAGES (a FileSystemStorage under var/storage/): '
        "a missing name or a ../ is a 404, never a 500.",
        production=FILE_ON_DISK + " With an S3 storage, redirect=True answers 302 to a presigned URL "
        "and the bucket sends the bytes instead.",
    ),
    Link(
        title="A remote file, proxied",
        url_name="remote",
        url_kwargs={"path": "welcome.txt"},
        code="def remote(request, path):\n"
        '    return serve_url(request, request.build_absolute_uri(reverse("files", kwargs={"path": path})))',
        shows="The demo has no internet, so it proxies itself: serve_url fetches /files/... from this "
        'server (DLSHORTCUTS["URL_ALLOWED_HOSTS"] lists only 127.0.0.1 and localhost) and relays '
        "Range, conditions and headers; curl -r 0-4 on it.",
        production="nginx: with a source_url location, @optimized_download answers X-Accel-Redirect to an "
        "internal location that proxy_passes to the upstream, and Django fetches nothing. Elsewhere "
        "Django relays the bytes in 64 KiB blocks.",
    ),
    Link(
        title="Several files as one zip",
        url_name="archive",
        code='path("demo-files.zip", serve_archive, '
        '{"members": archive_members, "filename": "demo-files.zip"})\n'
        "# archive_members(request): ArchiveMember(name, path or document.file, size=..., modified=...)\n"
        "# for the files and the documents the user may see",
        shows="serve_archive makes the zip while it is sent, with an exact Content-Length: interrupt the "
        "download and resume it (curl -C -), or curl -r on it; the 32 MiB file is inside. Logged in, "
        "your own document is in it too.",
        production="None: Django makes the archive (the web server has no file to send), with Range, "
        "reading one member at a time.",
    ),
]
