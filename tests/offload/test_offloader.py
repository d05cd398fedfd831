"""The Offloader shared by the decorator and the middleware: configuration and scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from pytest_django.fixtures import Settings

from dlshortcuts.download import Download
from dlshortcuts.offload.backends import BACKENDS
from dlshortcuts.offload.backends.nginx import ProxyOptions
from dlshortcuts.offload.locations import Location
from dlshortcuts.offload.offloader import (
    OFFLOAD_ATTRIBUTE,
    CachedOffloader,
    Offloader,
    check_arguments,
    offloading,
)


def test_no_backend_means_no_offloader(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"LOCATIONS": [{"root": "/srv", "url": "/_p/"}]}
    assert Offloader.configure({}) is None


def test_configure_merges_arguments_over_settings(settings: Settings) -> None:
    settings.DLSHORTCUTS = {
        "BACKEND": "nginx",
        "LOCATIONS": [{"root": "/srv", "url": "/_p/"}],
        "LIMIT_RATE": 10,
        "BUFFERING": True,
        "SNIFF": False,
    }
    offloader = Offloader.configure({"buffering": False, "charset": "utf-8"})
    assert offloader == Offloader(
        backend=BACKENDS["nginx"],
        locations=(Location(root="/srv", url="/_p/"),),
        options=ProxyOptions(limit_rate=10, buffering=False, charset="utf-8"),
        sniff=False,
    )


def test_explicit_empty_locations_override_settings(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [{"root": "/srv", "url": "/_p/"}]}
    offloader = Offloader.configure({"locations": []})
    assert offloader is not None
    assert offloader.locations == ()


def test_headers_for_a_mapped_and_an_unmapped_download(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    offloader = Offloader(
        BACKENDS["nginx"], (Location(root=str(tmp_path), url="/_p/"),), ProxyOptions(expires=5)
    )
    assert offloader.headers(Download("a.txt", path=str(tmp_path / "a.txt")), "text/plain") == {
        "X-Accel-Redirect": "/_p/a.txt",
        "X-Accel-Expires": "5",
    }
    assert offloader.headers(Download("b", path="/elsewhere/b"), "text/plain") is None


def test_offloading_restores_what_was_there(rf: RequestFactory) -> None:
    request = rf.get("/")
    outer = Offloader(BACKENDS["nginx"], (), ProxyOptions())
    inner = Offloader(BACKENDS["apache"], (), ProxyOptions())
    with offloading(request, outer):
        with offloading(request, inner):
            assert getattr(request, OFFLOAD_ATTRIBUTE) is inner
        assert getattr(request, OFFLOAD_ATTRIBUTE) is outer
        with offloading(request, None):
            assert getattr(request, OFFLOAD_ATTRIBUTE) is None
        assert getattr(request, OFFLOAD_ATTRIBUTE) is outer
    assert not hasattr(request, OFFLOAD_ATTRIBUTE)


def test_offloading_restores_after_an_exception(rf: RequestFactory) -> None:
    request = rf.get("/")
    with pytest.raises(RuntimeError), offloading(request, None):
        raise RuntimeError
    assert not hasattr(request, OFFLOAD_ATTRIBUTE)


def test_check_arguments_accepts_good_ones() -> None:
    check_arguments(
        {
            "backend": "caddy",
            "locations": [{"root": "/srv", "url": "/_p/"}],
            "sniff": True,
            "limit_rate": 1,
            "buffering": False,
            "expires": 0,
            "charset": "utf-8",
        }
    )


def test_cached_offloader_is_built_once(settings: Settings, tmp_path: Path) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [{"root": str(tmp_path), "url": "/_p/"}]}
    cached = CachedOffloader({})
    first = cached.get()
    assert first is not None
    assert cached.get() is first


@pytest.mark.parametrize("setting", ["DLSHORTCUTS", "STORAGES"])
def test_cached_offloader_is_rebuilt_after_a_setting_changes(
    settings: Settings, tmp_path: Path, setting: str
) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx", "LOCATIONS": [{"root": str(tmp_path), "url": "/_p/"}]}
    cached = CachedOffloader({"buffering": False})
    first = cached.get()
    assert first is not None
    if setting == "DLSHORTCUTS":
        settings.DLSHORTCUTS = {"BACKEND": "apache", "LOCATIONS": [{"root": str(tmp_path)}]}
    else:
        settings.STORAGES = {**settings.STORAGES}
    second = cached.get()
    assert second is not first
    assert second is not None
    assert second.options == ProxyOptions(buffering=False)
    assert second.backend is (BACKENDS["apache"] if setting == "DLSHORTCUTS" else BACKENDS["nginx"])


def test_cached_offloader_ignores_other_settings(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"BACKEND": "nginx"}
    cached = CachedOffloader({})
    first = cached.get()
    settings.MEDIA_URL = "/elsewhere/"
    assert cached.get() is first


def test_cached_offloader_follows_override_settings(settings: Settings) -> None:
    del settings.DLSHORTCUTS
    cached = CachedOffloader({})
    assert cached.get() is None
    with override_settings(DLSHORTCUTS={"BACKEND": "caddy"}):
        offloader = cached.get()
        assert offloader is not None
        assert offloader.backend is BACKENDS["caddy"]
    assert cached.get() is None
