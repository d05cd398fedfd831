"""Signed, expiring links: signed_url, signature_required (sync, async, method views), the storage."""

from __future__ import annotations

import datetime
import re
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.storage import storages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import AsyncClient, Client, RequestFactory
from django.urls import clear_script_prefix, reverse, set_script_prefix
from pytest_django.fixtures import Settings as SettingsWrapper

from dlshortcuts import optimized_download, serve_path
from dlshortcuts.signing import SignedFileSystemStorage, signature_required, signed_url
from dlshortcuts.testing import assert_download, assert_offloaded
from tests.models import NamedUser, UUIDUser

pytestmark = pytest.mark.urls("tests.urls_signing")

NAME = "naïve résumé.pdf"
PDF = b"%PDF-1.4\n%%EOF\n"
EXPIRED = b"This download link has expired."
INVALID = b"This download link is not valid (missing, altered, or for another user)."
NOW = 1_900_000_000


@pytest.fixture
def files(media_root: Path) -> Path:
    (media_root / NAME).write_bytes(PDF)
    (media_root / "other.pdf").write_bytes(b"other")
    return media_root


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [float(NOW)]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def forbidden(response: HttpResponseBase, reason: bytes) -> None:
    assert isinstance(response, HttpResponse)
    assert (response.status_code, response["Content-Type"], response.content) == (
        403,
        "text/plain; charset=utf-8",
        reason,
    )


def test_link_to_a_non_ascii_name_with_spaces(client: Client, files: Path) -> None:
    url = signed_url(reverse("signed-file", args=[NAME]))
    assert re.fullmatch(r"/files/na%C3%AFve%20r%C3%A9sum%C3%A9\.pdf\?signature=[A-Za-z0-9_-]+", url)
    assert_download(client.get(url), content=PDF, filename=NAME, status=200)


def test_an_unencoded_path_signs_the_same_link(files: Path) -> None:
    assert signed_url(f"/files/{NAME}") == signed_url(reverse("signed-file", args=[NAME]))


def test_async_view(async_client: AsyncClient, files: Path) -> None:
    # An ASCII name: Django's AsyncClient puts a Latin-1 decoded path into the
    # ASGI scope (real servers decode UTF-8), so no view resolves a non-ASCII one.
    (files / "a b.pdf").write_bytes(PDF)
    url = signed_url(reverse("async-signed-file", args=["a b.pdf"]), expires_in=60)

    # AsyncClient.get is not marked async on Django 4.2: async_to_sync would warn.
    async def get(path: str) -> HttpResponseBase:
        return await async_client.get(path)

    assert_download(async_to_sync(get)(url), content=PDF, filename="a b.pdf")
    forbidden(async_to_sync(get)(url.replace("expires=", "expires=1")), INVALID)
    assert iscoroutinefunction(signature_required(_async_view))


async def _async_view(request: HttpRequest) -> HttpResponseBase:
    raise AssertionError("never called")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda url: url.replace("na%C3%AFve", "naive"), id="other-path"),
        pytest.param(
            lambda url: url.replace(re.escape("résumé"), "x").replace("r%C3%A9sum%C3%A9", "other"), id="path"
        ),
        pytest.param(lambda url: url.split("?")[0], id="no-signature"),
        pytest.param(lambda url: url[:-2] + ("AA" if not url.endswith("AA") else "BB"), id="signature"),
        pytest.param(lambda url: re.sub(r"expires=\d+", f"expires={NOW + 10**6}", url), id="longer-expiry"),
        pytest.param(lambda url: re.sub(r"expires=\d+&", "", url), id="no-expiry"),
    ],
)
def test_altered_links_are_forbidden(client: Client, files: Path, clock: list[float], tamper: Any) -> None:
    url = signed_url(reverse("signed-file", args=[NAME]), expires_in=60)
    assert_download(client.get(url), content=PDF)
    forbidden(client.get(tamper(url)), INVALID)


def test_link_expires(client: Client, files: Path, clock: list[float]) -> None:
    url = signed_url(reverse("signed-file", args=[NAME]), expires_in=datetime.timedelta(minutes=1))
    assert f"expires={NOW + 60}&" in url
    clock[0] = NOW + 60
    assert_download(client.get(url), content=PDF)
    clock[0] = NOW + 61
    forbidden(client.get(url), EXPIRED)


def test_link_bound_to_a_user(rf: RequestFactory, files: Path) -> None:
    alice, bob = User(pk=1, username="alice"), User(pk=2, username="bob")
    url = signed_url(reverse("signed-file", args=[NAME]), user=alice)
    view = signature_required(lambda request: serve_path(request, NAME, root=files))

    def get(user: Any) -> HttpResponseBase:
        request = rf.get(url)
        request.user = user
        return view(request)

    assert_download(get(alice), content=PDF)
    forbidden(get(bob), INVALID)
    forbidden(get(AnonymousUser()), INVALID)
    # An unbound link works for anyone, signed in or not.
    unbound = signed_url(reverse("signed-file", args=[NAME]))
    request = rf.get(unbound)
    request.user = bob
    assert_download(view(request), content=PDF)


def test_method_view(rf: RequestFactory, files: Path) -> None:
    class Downloads:
        @signature_required
        def get(self, request: HttpRequest) -> HttpResponseBase:
            return serve_path(request, NAME, root=files)

    url = signed_url(f"/files/{NAME}")
    assert_download(Downloads().get(rf.get(url)), content=PDF)
    forbidden(Downloads().get(rf.get(f"/files/{NAME}")), INVALID)


def test_not_a_view() -> None:
    with pytest.raises(TypeError, match=r"^signature_required\(\) decorates views"):
        signature_required(lambda name: name)("a.pdf")


def test_functools_wraps() -> None:
    def invoice(request: HttpRequest) -> HttpResponseBase:
        """The invoice."""
        raise AssertionError

    wrapped = signature_required(invoice)
    assert (wrapped.__name__, wrapped.__doc__, wrapped.__wrapped__) == ("invoice", "The invoice.", invoice)  # type: ignore[attr-defined]


def test_absolute_url_keeps_its_query_and_is_resigned(clock: list[float]) -> None:
    url = signed_url("https://files.example.com/m/a b.pdf?download=1#top", expires_in=5)
    assert re.fullmatch(
        rf"https://files\.example\.com/m/a%20b\.pdf\?download=1&expires={NOW + 5}&signature=[\w-]+#top", url
    )
    again = signed_url(url)
    assert re.fullmatch(r"https://files\.example\.com/m/a%20b\.pdf\?download=1&signature=[\w-]+#top", again)
    assert again == signed_url("https://files.example.com/m/a%20b.pdf?download=1#top")


def test_secret_key_rotation(client: Client, files: Path, settings: SettingsWrapper) -> None:
    url = signed_url(reverse("signed-file", args=[NAME]))
    settings.SECRET_KEY = "another-secret"
    forbidden(client.get(url), INVALID)
    settings.SECRET_KEY_FALLBACKS = ["tests-only-not-secret"]
    assert_download(client.get(url), content=PDF)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"expires_in": -1}, "expires_in must be a non-negative number of seconds or a timedelta, not -1."),
        (
            {"expires_in": True},
            "expires_in must be a non-negative number of seconds or a timedelta, not True.",
        ),
        (
            {"user": AnonymousUser()},
            "signed_url() can only bind a link to a saved user, not <django.contrib.auth",
        ),
    ],
)
def test_misuse(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        signed_url("/a.pdf", **arguments)


def test_storage_url_is_signed(client: Client, files: Path, clock: list[float]) -> None:
    storage = SignedFileSystemStorage(location=files, base_url="/media/", expires_in=30)
    url = storage.url(NAME)
    assert re.fullmatch(
        rf"/media/na%C3%AFve%20r%C3%A9sum%C3%A9\.pdf\?expires={NOW + 30}&signature=[\w-]+", url
    )
    assert_download(client.get(url), content=PDF, filename=NAME)
    clock[0] = NOW + 31
    forbidden(client.get(url), EXPIRED)


def test_storage_without_expiry_and_bad_expiry(files: Path) -> None:
    assert "expires=" not in SignedFileSystemStorage(location=files, base_url="/media/").url(NAME)
    with pytest.raises(ValueError, match=r"^expires_in must be"):
        SignedFileSystemStorage(location=files, expires_in=-5)


@pytest.mark.parametrize("signature_outside", [True, False])
def test_stacks_with_optimized_download(rf: RequestFactory, files: Path, signature_outside: bool) -> None:
    def view(request: HttpRequest) -> HttpResponseBase:
        return serve_path(request, NAME, root=files)

    offload = optimized_download(backend="nginx", locations=[{"root": str(files), "url": "/_protected/"}])
    stacked = signature_required(offload(view)) if signature_outside else offload(signature_required(view))
    url = signed_url(f"/files/{NAME}")
    assert_offloaded(stacked(rf.get(url)), backend="nginx", location=f"/_protected/{NAME}")
    forbidden(stacked(rf.get(f"/files/{NAME}")), INVALID)


def test_signed_storage_behind_serve_storage(client: Client, files: Path, settings: SettingsWrapper) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "dlshortcuts.signing.SignedFileSystemStorage",
            "OPTIONS": {"location": str(files), "base_url": "/private/", "expires_in": 600},
        },
    }
    url = storages["private"].url(NAME)
    assert_download(client.get(url), content=PDF, filename=NAME)
    forbidden(client.get(url.split("?")[0]), INVALID)


@pytest.mark.parametrize("prefix", ["/app", "/d%C3%A9p%C3%B4t"])
def test_link_made_under_a_url_prefix_validates_there(client: Client, files: Path, prefix: str) -> None:
    # Served under a prefix (SCRIPT_NAME), reverse() includes it and so does
    # request.path: the link signs the path the view sees.
    script_name = unquote(prefix)
    set_script_prefix(f"{script_name}/")
    try:
        url = signed_url(reverse("signed-file", args=[NAME]), expires_in=60)
    finally:
        clear_script_prefix()
    assert url.startswith(f"{prefix}/files/")
    path_info = url.removeprefix(prefix)
    assert_download(client.get(path_info, SCRIPT_NAME=script_name.encode().decode("latin-1")), content=PDF)
    # The signature covers the prefix: the same link outside it, or under another, is not valid.
    forbidden(client.get(path_info), INVALID)
    forbidden(client.get(path_info, SCRIPT_NAME="/other"), INVALID)
    # A link made without the prefix does not validate under it.
    unprefixed = signed_url(reverse("signed-file", args=[NAME]))
    forbidden(client.get(unprefixed, SCRIPT_NAME=script_name.encode().decode("latin-1")), INVALID)


@pytest.mark.parametrize(
    ("owner", "others"),
    [
        (
            UUIDUser(id=uuid.UUID("12345678-1234-5678-1234-567812345678")),
            [
                UUIDUser(id=uuid.UUID("12345678-1234-5678-1234-567812345679")),
                NamedUser(username="12345678-1234-5678-1234-567812345678"),
            ],
        ),
        (NamedUser(username="alice"), [NamedUser(username="bob"), NamedUser(username="Alice")]),
        (NamedUser(username="1"), [User(pk=1, username="one"), NamedUser(username="01")]),
        (User(pk=1, username="one"), [NamedUser(username="1"), User(pk=11, username="eleven")]),
    ],
    ids=["uuid", "string", "string-digits", "integer"],
)
def test_link_bound_to_a_user_of_any_primary_key_type(
    rf: RequestFactory, files: Path, owner: Any, others: list[Any]
) -> None:
    url = signed_url(reverse("signed-file", args=[NAME]), user=owner)
    view = signature_required(lambda request: serve_path(request, NAME, root=files))

    def get(user: Any) -> HttpResponseBase:
        request = rf.get(url)
        request.user = user
        return view(request)

    assert_download(get(owner), content=PDF)
    for other in others:
        forbidden(get(other), INVALID)
    forbidden(get(AnonymousUser()), INVALID)
