"""Mapping downloads onto proxy locations: containment, storages, remote URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import Storage, default_storage, storages
from pytest_django.fixtures import Settings

from dlshortcuts.download import Download
from dlshortcuts.offload.locations import Location, Target, find_target, parse_locations


@pytest.fixture
def private(tmp_path: Path) -> Path:
    root = tmp_path / "private"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "f.txt").write_bytes(b"f")
    return root


@pytest.fixture
def local_storages(settings: Settings, private: Path) -> Path:
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return private


def test_from_entry_reads_the_keys(private: Path) -> None:
    assert Location.from_entry({"root": private, "url": "/_p/"}) == Location(url="/_p/", root=str(private))
    assert Location.from_entry({"storage": "media", "url": "/_m/"}) == Location(url="/_m/", storage="media")
    location = Location(source_url="https://b/", url="/_r/")
    assert Location.from_entry(location) is location
    assert parse_locations([{"root": "/a"}, location]) == (Location(root="/a"), location)


@pytest.mark.parametrize(
    ("entry", "error", "message"),
    [
        (
            {"url": "/_p/"},
            ValueError,
            "Location {'url': '/_p/'} needs exactly one of 'root', 'storage' or 'source_url'.",
        ),
        (
            {"root": "/a", "storage": "b"},
            ValueError,
            "Location {'root': '/a', 'storage': 'b'} needs exactly one of 'root', 'storage' or 'source_url'.",
        ),
        (
            {"ROOT": "/a"},
            ValueError,
            "Unknown key 'ROOT' in location {'ROOT': '/a'}; use root, storage, source_url, url. "
            "Did you mean 'root'?",
        ),
        (
            {"root": "/a", "prefix": "/_p/"},
            ValueError,
            "Unknown key 'prefix' in location {'root': '/a', 'prefix': '/_p/'}; use root, storage, "
            "source_url, url.",
        ),
        (
            {"storage": "default", "uri": "/_p/"},
            ValueError,
            "Unknown key 'uri' in location {'storage': 'default', 'uri': '/_p/'}; use root, storage, "
            "source_url, url. Did you mean 'url'?",
        ),
        ({"root": 3}, TypeError, "Location 'root' must be a string, not 3."),
        (
            {"root": "/a", "url": Path("/_p/")},
            TypeError,
            "Location 'url' must be a string, not PosixPath('/_p').",
        ),
        ("/srv", TypeError, "A location must be a dict such as {'root': DIR, 'url': PREFIX}, not '/srv'."),
    ],
)
def test_from_entry_refuses_malformed_entries(entry: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        Location.from_entry(entry)
    assert str(caught.value) == message


def test_path_inside_root(private: Path) -> None:
    location = Location(root=str(private), url="/_p/")
    target = find_target(Download("f.txt", path=str(private / "sub" / "f.txt")), [location])
    assert target == Target(location, "sub/f.txt", str((private / "sub" / "f.txt").resolve()))
    assert target.uri == "/_p/sub/f.txt"


@pytest.mark.parametrize(
    "path", ["{root}", "{root}/../private", "{root}2/f.txt", "/etc/passwd", "{root}/sub/../../x"]
)
def test_paths_outside_root_do_not_map(private: Path, path: str) -> None:
    download = Download("x", path=path.format(root=private))
    assert find_target(download, [Location(root=str(private), url="/_p/")]) is None


def test_root_given_through_a_symlink_still_contains(private: Path, tmp_path: Path) -> None:
    (tmp_path / "alias").symlink_to(private)
    download = Download("f.txt", path=str(private / "sub" / "f.txt"))
    target = find_target(download, [Location(root=str(tmp_path / "alias"), url="/_p/")])
    assert target is not None
    assert target.relative == "sub/f.txt"


def test_generated_content_never_maps() -> None:
    assert find_target(Download("x.csv", stream=iter([b"x"])), [Location(root="/", url="/_all/")]) is None


def test_storage_location(local_storages: Path) -> None:
    location = Location(storage="private", url="/_media/")
    download = Download("f.txt", storage=storages["private"], name="sub/f.txt")
    target = find_target(download, [location])
    assert target == Target(location, "sub/f.txt", str((local_storages / "sub" / "f.txt").resolve()))


def test_default_storage_proxy_matches_its_alias(local_storages: Path) -> None:
    location = Location(storage="default", url="/_media/")
    target = find_target(Download("f.txt", storage=default_storage, name="sub/f.txt"), [location])
    assert target is not None
    assert target.uri == "/_media/sub/f.txt"


def test_local_storage_file_maps_to_a_root_location(local_storages: Path) -> None:
    location = Location(root=str(local_storages), url="/_p/")
    target = find_target(Download("f.txt", storage=storages["private"], name="sub/f.txt"), [location])
    assert target is not None
    assert target.uri == "/_p/sub/f.txt"


def test_storage_name_with_dot_segments_does_not_map(local_storages: Path) -> None:
    location = Location(storage="private", url="/_media/")
    assert find_target(Download("f", storage=storages["private"], name="sub/./f.txt"), [location]) is None


def test_unknown_storage_alias_does_not_map(local_storages: Path) -> None:
    download = Download("f.txt", storage=storages["private"], name="sub/f.txt")
    assert find_target(download, [Location(storage="nope", url="/_m/")]) is None


@pytest.mark.parametrize(
    ("url", "relative", "query"),
    [
        ("https://b.example/files/a.pdf", "a.pdf", ""),
        ("https://b.example/files/d/p%C3%A9ter%20%25.txt", "d/péter %.txt", ""),
        ("https://b.example/files/a.pdf?X-Amz-Signature=ab%2Fc&x=1", "a.pdf", "X-Amz-Signature=ab%2Fc&x=1"),
        # An escaped byte that is not UTF-8 stays that byte (os.fsencode gives it back), not U+FFFD.
        ("https://b.example/files/a%FFb.bin", "a\udcffb.bin", ""),
    ],
)
def test_source_url_location(url: str, relative: str, query: str) -> None:
    location = Location(source_url="https://b.example/files/", url="/_remote/")
    assert find_target(Download("a", url=url), [location]) == Target(location, relative, None, query)


@pytest.mark.parametrize(
    "url",
    [
        "https://other.example/files/a.pdf",
        "https://b.example/files/../secret",
        "https://b.example/files/a%2F..%2F..%2Fsecret",
        "https://b.example/files/a%0D%0AX-Evil:%201",
        "https://b.example/files/a%00b",
    ],
)
def test_source_urls_that_do_not_map(url: str) -> None:
    location = Location(source_url="https://b.example/files/", url="/_remote/")
    assert find_target(Download("a", url=url), [location]) is None


class RemoteStorage(Storage):
    """A storage with no local path, like S3."""


def test_remote_storage_file_maps_only_to_its_alias(settings: Settings, private: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "remote": {"BACKEND": "tests.offload.test_locations.RemoteStorage"},
    }
    download = Download("f.txt", storage=storages["remote"], name="sub/f.txt")
    assert find_target(download, [Location(root=str(private), url="/_p/")]) is None
    location = Location(storage="remote", url="/_m/")
    assert find_target(download, [location]) == Target(location, "sub/f.txt", None)


def test_symlink_out_of_a_local_storage_does_not_map(local_storages: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_bytes(b"s")
    (local_storages / "link.txt").symlink_to(tmp_path / "secret.txt")
    download = Download("link.txt", storage=storages["private"], name="link.txt")
    assert find_target(download, [Location(storage="private", url="/_media/")]) is None


def test_storage_name_outside_the_storage_does_not_map(local_storages: Path) -> None:
    download = Download("x", storage=storages["private"], name="../x")
    assert find_target(download, [Location(root=str(local_storages), url="/_p/")]) is None
