"""A stored archive read as a seekable file: every slice equals the full body, members opened lazily."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlshortcuts import ArchiveMember
from dlshortcuts.download import Download
from dlshortcuts.engine.bodies import TruncatedFileError
from dlshortcuts.sources.archive import members as members_module
from dlshortcuts.sources.archive import resolve_archive
from dlshortcuts.sources.files import open_file

SIZES = {"a.txt": 11, "b.bin": 200_000, "empty": 0, "c.bin": 70_000}


@pytest.fixture
def files(root: Path) -> dict[str, Path]:
    """Four members on disk, one of them empty."""
    written = {}
    for name, size in SIZES.items():
        written[name] = root / name
        written[name].write_bytes(os.urandom(size))
    return written


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The base names of the members opened, in order."""
    names: list[str] = []

    def spy(path: str | os.PathLike[str], filename: str | None = None) -> Download:
        names.append(os.path.basename(path))
        return open_file(path, filename)

    monkeypatch.setattr(members_module, "open_file", spy)
    return names


def _archive(files: dict[str, Path]) -> Download:
    return resolve_archive(list(files.items()), filename="x.zip", compression=None)


def _read(download: Download, start: int = 0, stop: int | None = None) -> bytes:
    file = download.open()
    assert file is not None
    stop = download.size if stop is None else stop
    assert stop is not None
    file.will_read(start, stop)  # type: ignore[attr-defined]
    file.seek(start)
    return file.read(stop - start)


def test_the_whole_archive_reads_back_with_every_member(files: dict[str, Path]) -> None:
    download = _archive(files)
    body = _read(download)
    download.close()
    assert len(body) == download.size
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert {name: archive.read(name) for name in archive.namelist()} == {
        name: path.read_bytes() for name, path in files.items()
    }


def test_nothing_is_opened_until_bytes_are_read(files: dict[str, Path], opened: list[str]) -> None:
    download = _archive(files)
    assert download.size is not None
    assert download.file is None
    download.close()
    assert opened == []


def test_each_member_is_released_once_its_bytes_are_read(files: dict[str, Path]) -> None:
    download = _archive(files)
    file = download.open()
    assert file is not None
    file.read(30 + 5 + 9 + 11)  # a.txt's header and data
    assert len(download.held) == 1  # the archive only: a.txt released
    file.read(100)  # into b.bin
    member = download.held[-1]
    download.close()
    assert member.file.closed  # type: ignore[attr-defined]


def test_resuming_after_known_crcs_reads_no_earlier_member(files: dict[str, Path], opened: list[str]) -> None:
    full = _read(download := _archive(files))
    download.close()
    opened.clear()
    resumed = _archive(files)
    start = full.index(b"c.bin") + 100  # inside c.bin's data
    assert _read(resumed, start) == full[start:]
    resumed.close()
    assert opened == ["c.bin"]


def test_a_range_inside_one_member_needs_no_crc(files: dict[str, Path], opened: list[str]) -> None:
    path = files["b.bin"]
    path.write_bytes(os.urandom(SIZES["b.bin"]))  # a new identity: no CRC cached
    full = _read(download := _archive(files))
    download.close()
    opened.clear()
    start = full.index(b"b.bin") + 1000
    inside = _archive(files)
    assert _read(inside, start, start + 50_000) == full[start : start + 50_000]
    inside.close()
    assert opened == ["b.bin"]


def test_resuming_inside_a_member_without_its_crc_reads_only_that_member_once(
    root: Path, opened: list[str]
) -> None:
    fresh = {"x.bin": root / "x.bin", "y.bin": root / "y.bin"}
    for path in fresh.values():
        path.write_bytes(os.urandom(300_000))
    download = _archive(fresh)
    expected = zipfile.ZipFile(io.BytesIO(_read(download)))
    download.close()
    # New contents, same sizes: nothing cached; the range starts inside y.bin.
    for path in fresh.values():
        path.write_bytes(os.urandom(300_000))
    opened.clear()
    resumed = _archive(fresh)
    assert resumed.size is not None
    start = 30 + 5 + 300_000 + 16 + 30 + 5 + 1234
    tail = _read(resumed, start)
    resumed.close()
    # y.bin once (the bytes before the range, then the range), x.bin once for the directory's CRC.
    assert opened == ["y.bin", "x.bin"]
    assert len(tail) == resumed.size - start
    assert expected.namelist() == ["x.bin", "y.bin"]


def test_crcs_given_by_the_caller_are_never_computed(root: Path, opened: list[str]) -> None:
    path = root / "given.bin"
    path.write_bytes(data := os.urandom(100_000))
    members = [ArchiveMember("given.bin", path, crc32=zlib.crc32(data))]
    download = resolve_archive(members, filename="x.zip", compression=None)
    assert download.size is not None
    directory = _read(download, download.size - 100)
    download.close()
    assert opened == []
    assert directory.endswith(b"\x00" * 2)  # the end record's empty comment


@pytest.mark.parametrize("change", ["grow", "shrink"])
def test_a_member_changed_after_the_length_was_computed_cuts_the_body(
    files: dict[str, Path], change: str
) -> None:
    download = _archive(files)
    path = files["b.bin"]
    path.write_bytes(os.urandom(SIZES["b.bin"] + (1 if change == "grow" else -1)))
    with pytest.raises(TruncatedFileError, match=r"'b\.bin' changed"):
        _read(download)
    download.close()


def test_a_member_changed_while_it_is_read_cuts_the_body(files: dict[str, Path]) -> None:
    download = _archive(files)
    file = download.open()
    assert file is not None
    file.read(1000)  # b.bin is open
    with open(files["b.bin"], "r+b") as member:
        member.truncate(500)
    with pytest.raises(TruncatedFileError, match=r"'b\.bin' changed"):
        file.read()
    download.close()


_members = st.lists(
    st.tuples(st.binary(max_size=3000), st.sampled_from(["bytes", "file", "given"])), max_size=6
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=_members, cuts=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=5))
def test_any_range_equals_that_slice_of_the_full_archive(
    members: list[tuple[bytes, str]], cuts: list[tuple[float, float]]
) -> None:
    def make() -> Download:
        items = []
        for index, (data, kind) in enumerate(members):
            source: object = ContentFile(data) if kind == "file" else data
            crc = zlib.crc32(data) if kind == "given" else None
            items.append(ArchiveMember(f"m{index}/é{index}.bin", source, crc32=crc, modified=1.7e9))
        return resolve_archive(items, filename="x.zip", compression=None)

    full = _read(download := make())
    download.close()
    archive = zipfile.ZipFile(io.BytesIO(full))
    assert archive.testzip() is None
    assert [archive.read(name) for name in archive.namelist()] == [data for data, _ in members]
    for low, high in cuts:
        start, stop = sorted((int(low * len(full)), int(high * len(full))))
        part = make()
        assert _read(part, start, stop) == full[start:stop]
        part.close()
