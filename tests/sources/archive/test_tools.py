"""Archives read back by the tools people extract them with: zipfile, unzip, 7z, bsdtar.

The ZIP64 archive holds a sparse member of 4 GiB and one byte: its size and
the next member's offset need ZIP64 fields. It is written to disk by seeking
over the zeros, so the test costs a CRC pass, not 4 GiB of writes.
"""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from dlshortcuts import ArchiveMember
from dlshortcuts.download import Download
from dlshortcuts.sources.archive import resolve_archive
from dlshortcuts.sources.archive.layout import LIMIT

NAMES = ["résumé.pdf", "фото/кот.jpg", "中文/文件.txt", "emoji 🎉.txt", "empty/nothing.txt"]


def _tool_lines(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _check_with_every_tool(path: Path, names: list[str]) -> None:
    archive = zipfile.ZipFile(path)
    assert archive.testzip() is None
    assert archive.namelist() == names
    assert "No errors detected" in _tool_lines("unzip", "-t", str(path))
    assert "Everything is Ok" in _tool_lines("7z", "t", str(path))
    assert _tool_lines("bsdtar", "-tf", str(path)).splitlines() == names


def _write(download: Download, path: Path) -> None:
    if download.stream is not None:
        path.write_bytes(b"".join(download.stream))  # type: ignore[arg-type]
    else:
        file = download.open()
        assert file is not None
        path.write_bytes(file.read())
    download.close()


def _generated() -> Iterator[bytes]:
    yield b"made on the fly\n" * 1000


@pytest.mark.parametrize("compression", [None, "deflate"])
@pytest.mark.parametrize("sized", [True, False])
def test_non_ascii_names_and_empty_members(tmp_path: Path, compression: str | None, sized: bool) -> None:
    members: list[tuple[str, object]] = [
        (name, b"" if name.startswith("empty/") else os.urandom(5000 * index))
        for index, name in enumerate(NAMES, 1)
    ]
    members.append(("on disk.bin", tmp_path / "disk.bin"))
    (tmp_path / "disk.bin").write_bytes(os.urandom(70_000))
    members.append(("content file.txt", ContentFile(b"a Django File")))
    if not sized:
        members.append(("generated.txt", _generated()))
    path = tmp_path / "names.zip"
    _write(resolve_archive(members, filename="x.zip", compression=compression), path)
    _check_with_every_tool(path, [name for name, _ in members])
    assert zipfile.ZipFile(path).read("empty/nothing.txt") == b""
    assert zipfile.ZipFile(path).getinfo(NAMES[0]).flag_bits & 0x800  # UTF-8 name


def test_an_empty_archive(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    _write(resolve_archive([], filename="x.zip", compression=None), path)
    assert path.stat().st_size == 22
    assert zipfile.ZipFile(path).namelist() == []
    # unzip reports an empty archive with status 1 but reads it: 7z and bsdtar succeed.
    assert "Everything is Ok" in _tool_lines("7z", "t", str(path))
    assert _tool_lines("bsdtar", "-tf", str(path)) == ""


@pytest.mark.timeout(300)
def test_a_zip64_archive_over_4_gib_from_a_sparse_member(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as file:
        file.truncate(LIMIT + 1)  # sparse: no disk blocks
    small = os.urandom(1000)
    # The big member's CRC given as a model field would give it: the archive reads it once, to send it.
    members = [("before.txt", b"first"), ("big.bin", big), ArchiveMember("after.bin", small, modified=1.7e9)]
    download = resolve_archive(members, filename="x.zip", compression=None)
    assert download.size is not None
    assert download.size > 2**32
    path = tmp_path / "zip64.zip"
    archive = download.open()
    assert archive is not None
    with open(path, "wb") as out:
        while block := archive.read(8 * 2**20):
            if block.count(0) == len(block):
                out.seek(len(block), os.SEEK_CUR)  # zeros: leave a hole
            else:
                out.write(block)
        out.truncate()
    download.close()
    assert path.stat().st_size == download.size
    read_back = zipfile.ZipFile(path)
    assert [(info.filename, info.file_size) for info in read_back.infolist()] == [
        ("before.txt", 5),
        ("big.bin", LIMIT + 1),
        ("after.bin", 1000),
    ]
    assert read_back.getinfo("after.bin").header_offset > LIMIT
    assert read_back.read("after.bin") == small
    assert zlib.crc32(b"first") == read_back.getinfo("before.txt").CRC
    _check_with_every_tool(path, ["before.txt", "big.bin", "after.bin"])


def test_bytes_compressed_by_deflate_read_back(tmp_path: Path) -> None:
    text = "une ligne qui se répète\n".encode() * 5000
    path = tmp_path / "deflated.zip"
    _write(resolve_archive([("log.txt", text)], filename="x.zip", compression="deflate"), path)
    assert zipfile.ZipFile(path).getinfo("log.txt").compress_type == zipfile.ZIP_DEFLATED
    assert zipfile.ZipFile(io.BytesIO(path.read_bytes())).read("log.txt") == text
