"""Signed, expiring download links: :func:`signed_url` makes them, :func:`signature_required` checks them.

The signature is an HMAC (Django's :class:`~django.core.signing.Signer`,
keyed by ``SECRET_KEY``) over the percent-decoded path, the expiry and, when
asked, the user's primary key. It is URL-safe base64, so a link survives any
file name: spaces, ``%``, non-ASCII. Other query parameters are not signed.
"""

from __future__ import annotations

import datetime
import hmac
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from django.core.files.storage import FileSystemStorage, Storage
from django.core.signing import Signer
from django.http import HttpRequest, HttpResponseForbidden
from django.utils.encoding import escape_uri_path

from dlshortcuts.wrappers import request_of, wrap_view

if TYPE_CHECKING:
    # Models: importing them needs the app registry, which the pytest plugin's import must not.
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

__all__ = [
    "EXPIRES_PARAMETER",
    "SIGNATURE_PARAMETER",
    "SignedFileSystemStorage",
    "SignedURLStorageMixin",
    "check_signature",
    "signature_required",
    "signed_url",
]

P = ParamSpec("P")
R = TypeVar("R")

#: The query parameters a signed link carries.
SIGNATURE_PARAMETER = "signature"
EXPIRES_PARAMETER = "expires"

_SALT = "dlshortcuts.signing"
_EXPIRED = "This download link has expired."
_INVALID = "This download link is not valid (missing, altered, or for another user)."


def _signer() -> Signer:
    # Built per call: SECRET_KEY (and its fallbacks) may change under override_settings.
    return Signer(salt=_SALT)


def _payload(path: str, expires: str, user_pk: str) -> str:
    # Each part is separated by a character the others cannot hold unescaped:
    # the expiry is digits, the pk is repr'd, and the path comes last.
    return f"{expires}\n{user_pk}\n{path}"


def _seconds(expires_in: int | datetime.timedelta) -> int:
    seconds = expires_in.total_seconds() if isinstance(expires_in, datetime.timedelta) else expires_in
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError(
            f"expires_in must be a non-negative number of seconds or a timedelta, not {expires_in!r}."
        )
    return int(seconds)


def signed_url(
    url_or_path: str,
    *,
    expires_in: int | datetime.timedelta | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
) -> str:
    """The link ``url_or_path`` with a signature (and an expiry) in its query string.

    ``url_or_path`` is a URL as :func:`~django.urls.reverse` or a storage's
    ``url()`` gives it (percent-encoded) or a plain path; the signature covers
    its percent-decoded path, the one the view sees as ``request.path``::

        signed_url(reverse("invoice", args=["naïve résumé.pdf"]), expires_in=3600, user=request.user)

    :param url_or_path: a path (``/files/a.pdf``) or an absolute URL; an
        existing query string is kept (but not signed).
    :param expires_in: seconds (or a :class:`~datetime.timedelta`) the link
        stays valid; None for a link that does not expire.
    :param user: a user the link is bound to: only that user (authenticated,
        by primary key) may use it.
    :raises ValueError: for a negative ``expires_in`` or a user without a primary key.
    """
    parts = urlsplit(url_or_path)
    path = unquote(parts.path)
    expires = "" if expires_in is None else str(int(time.time()) + _seconds(expires_in))
    user_pk = ""
    if user is not None:
        if getattr(user, "pk", None) is None:
            raise ValueError(f"signed_url() can only bind a link to a saved user, not {user!r}.")
        user_pk = repr(user.pk)
    signature = _signer().signature(_payload(path, expires, user_pk))
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in (SIGNATURE_PARAMETER, EXPIRES_PARAMETER)
    ]
    if expires:
        query.append((EXPIRES_PARAMETER, expires))
    query.append((SIGNATURE_PARAMETER, signature))
    return urlunsplit((parts.scheme, parts.netloc, escape_uri_path(path), urlencode(query), parts.fragment))


def check_signature(request: HttpRequest) -> str | None:
    """Why ``request`` may not use its link, or None when its signature holds.

    :param request: a request for a link made by :func:`signed_url`.
    :returns: the reason to refuse it (expired, or missing/altered/someone
        else's), or None.
    """
    signature = request.GET.get(SIGNATURE_PARAMETER, "")
    expires = request.GET.get(EXPIRES_PARAMETER, "")
    user = getattr(request, "user", None)
    candidates = [""]
    if user is not None and user.is_authenticated:
        candidates.append(repr(user.pk))
    signer = _signer()
    valid = False
    # Every candidate is computed and compared in constant time: how long the
    # check takes says nothing about which one failed. Keys in
    # SECRET_KEY_FALLBACKS keep links valid while the key is rotated.
    for key in (signer.key, *signer.fallback_keys):
        for user_pk in candidates:
            expected = signer.signature(_payload(request.path, expires, user_pk), key=key)
            valid |= hmac.compare_digest(expected.encode(), signature.encode())
    if not valid:
        return _INVALID
    if expires and int(expires) < time.time():
        return _EXPIRED
    return None


def signature_required(view: Callable[P, R]) -> Callable[P, R]:
    """Refuse requests whose link was not made by :func:`signed_url`, or has expired: 403.

    Works on sync and async views (also method views, whose request comes
    after ``self``), in either order with ``login_required`` and
    ``optimized_download``; the 403 body says why, in plain text.

    :param view: the view serving the signed links.
    """
    return wrap_view(view, _refusal)


@contextmanager
def _refusal(args: tuple[Any, ...]) -> Iterator[HttpResponseForbidden | None]:
    """A 403 saying why, answered instead of the view, or None to call it."""
    reason = check_signature(request_of(args, "signature_required()"))
    yield None if reason is None else HttpResponseForbidden(reason, content_type="text/plain; charset=utf-8")


class SignedURLStorageMixin(Storage):
    """Make a storage's ``url()`` return signed links, for views under :func:`signature_required`.

    :ivar expires_in: how long each link stays valid (seconds or a
        timedelta; None: forever), also accepted as an ``OPTIONS`` key in
        ``STORAGES``.
    """

    expires_in: int | datetime.timedelta | None = None

    def __init__(self, *args: Any, expires_in: int | datetime.timedelta | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if expires_in is not None:
            _seconds(expires_in)
            self.expires_in = expires_in

    def url(self, name: str | None) -> str:
        """The storage's own URL for ``name``, signed (see :func:`signed_url`)."""
        return signed_url(super().url(name), expires_in=self.expires_in)


class SignedFileSystemStorage(SignedURLStorageMixin, FileSystemStorage):
    """``FileSystemStorage`` whose ``url()`` returns signed links under ``MEDIA_URL``."""
