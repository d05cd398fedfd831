"""Content types from names and from leading bytes (python-magic), cached."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from dlshortcuts import serve_path
from dlshortcuts.engine import content_type
from dlshortcuts.engine.content_type import (
    SNIFF_BYTES,
    guess_content_type,
    is_active_content_type,
    sniff_buffer,
    sniff_file,
)
from tests.reading import read
from tests.samples import HTML, PDF, png, write_docx


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.pdf", "application/pdf"),
        ("REPORT.PDF", "application/pdf"),
        ("photo.png", "image/png"),
        ("data.csv", "text/csv"),
        ("notes.txt", "text/plain"),
        # compressed files are the archive they are, never a Content-Encoding
        ("data.csv.gz", "application/gzip"),
        ("backup.tar.gz", "application/gzip"),
        ("dump.sql.bz2", "application/x-bzip"),
        ("image.iso.xz", "application/x-xz"),
        ("page.html.br", "application/x-brotli"),
        # names that tell nothing
        ("README", None),
        ("blob.bin", None),
        ("archive.unknownext", None),
        ("", None),
    ],
)
def test_guess_content_type(filename: str, expected: str | None) -> None:
    assert guess_content_type(filename) == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html", True),
        ("TEXT/HTML; charset=utf-8", True),
        ("image/svg+xml", True),
        ("application/xhtml+xml", True),
        ("text/javascript", True),
        ("text/plain", False),
        ("application/pdf", False),
        ("image/png", False),
    ],
)
def test_is_active_content_type(content_type: str, expected: bool) -> None:
    assert is_active_content_type(content_type) is expected


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    files = {
        "pdf": tmp_path / "document.pdf",
        "png": tmp_path / "image",
        "html": tmp_path / "upload.bin",  # the name lies: it is HTML
        "empty": tmp_path / "empty",
    }
    files["pdf"].write_bytes(PDF)
    files["png"].write_bytes(png())
    files["html"].write_bytes(HTML)
    files["empty"].write_bytes(b"")
    files["docx"] = write_docx(tmp_path / "letter.zip")
    return files


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _sniff(path: Path) -> str | None:
    return sniff_file(str(path), _identity(path))


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("pdf", "application/pdf"),
        ("png", "image/png"),
        ("html", "text/html"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("empty", None),  # libmagic cannot tell: no answer rather than a guess
    ],
)
def test_sniff_file(samples: dict[str, Path], kind: str, expected: str | None) -> None:
    assert _sniff(samples[kind]) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [(PDF, "application/pdf"), (png(), "image/png"), (HTML, "text/html"), (b"", None)],
)
def test_sniff_buffer(data: bytes, expected: str | None) -> None:
    assert sniff_buffer(data) == expected


def test_sniff_buffer_reads_only_the_head() -> None:
    assert sniff_buffer(PDF + b"\0" * (SNIFF_BYTES * 4)) == "application/pdf"


def test_sniff_file_cache_is_keyed_by_the_files_identity(tmp_path: Path) -> None:
    path = tmp_path / "changing"
    path.write_bytes(PDF)
    st = path.stat()
    assert sniff_file(str(path), _identity(path)) == "application/pdf"
    misses = sniff_file.cache_info().misses

    # Same path, size and mtime: the cached answer, libmagic not asked again
    # (proved by replacing the bytes but keeping both keys).
    path.write_bytes(png()[: len(PDF)].ljust(len(PDF), b"\0"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert sniff_file(str(path), _identity(path)) == "application/pdf"
    assert sniff_file.cache_info().misses == misses

    # A new mtime is a new key: sniffed again.
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert _sniff(path) == "image/png"
    assert sniff_file.cache_info().misses == misses + 1


def _served_type(rf: RequestFactory, root: Path) -> str:
    """The Content-Type serve_path gives ``root/blob`` (a name that tells nothing: sniffed)."""
    response = serve_path(rf.get("/"), "blob", root=root)
    read(response)
    return str(response["Content-Type"])


@pytest.mark.parametrize("replace", ["in-place", "rename"])
def test_a_file_replaced_within_the_same_second_at_the_same_size_is_sniffed_again(
    rf: RequestFactory, tmp_path: Path, replace: str
) -> None:
    # The sniffed-type cache must tell the two files apart although their
    # size and mtime second match: an upload that replaces a file (in place,
    # or by rename as storages do) within one second must not keep the old type.
    path = tmp_path / "blob"
    path.write_bytes(PDF)
    first = path.stat()
    assert _served_type(rf, tmp_path) == "application/pdf"

    image = png()[: len(PDF)].ljust(len(PDF), b"\0")
    if replace == "in-place":
        # The same inode, rewritten: its mtime moves by one nanosecond only.
        path.write_bytes(image)
        os.utime(path, ns=(first.st_atime_ns, first.st_mtime_ns + 1))
    else:
        # A new inode renamed over the name, with the very same size and mtime.
        new = tmp_path / "blob.new"
        new.write_bytes(image)
        os.utime(new, ns=(first.st_atime_ns, first.st_mtime_ns))
        new.replace(path)
    second = path.stat()
    assert second.st_size == first.st_size
    assert second.st_mtime_ns // 1_000_000_000 == first.st_mtime_ns // 1_000_000_000
    assert _served_type(rf, tmp_path) == "image/png"


# python-magic imported lazily: dlshortcuts imports and manage.py check runs without libmagic.
ROOT = Path(__file__).resolve().parents[2]

# A meta_path finder refusing python-magic, as an ImportError from a missing libmagic does.
SCRIPT = """
import sys

class NoMagic:
    def find_spec(self, name, path=None, target=None):
        if name == "magic" or name.startswith("magic."):
            raise ImportError("failed to find libmagic.  Check your installation")
        return None

sys.meta_path.insert(0, NoMagic())
import dlshortcuts
import django
django.setup()
from django.core.management import call_command
call_command("check")
assert "magic" not in sys.modules
print("ok")
"""
# What manage.py check says there (W071: the default SNIFF), with the install hint.
NO_LIBMAGIC_WARNING = (
    "(dlshortcuts.W071) python-magic cannot load (failed to find libmagic.  Check your installation): "
    "a file whose name tells no type is served as application/octet-stream instead of being sniffed."
)


def test_import_and_check_without_libmagic() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
    assert NO_LIBMAGIC_WARNING in result.stderr


def test_without_libmagic_a_name_that_tells_nothing_is_octet_stream(
    rf: RequestFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Never a 500 on a host without libmagic: served as with sniff=False (W071 warned at start-up).
    monkeypatch.setattr(content_type, "can_sniff", lambda: False)
    (tmp_path / "blob").write_bytes(PDF)
    assert _served_type(rf, tmp_path) == "application/octet-stream"


def test_without_libmagic_sniff_true_raises_python_magics_error(
    rf: RequestFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # sniff=True is asked for explicitly: E071 at start-up, and the call fails rather than lie.
    def no_libmagic() -> None:
        raise ImportError("failed to find libmagic.  Check your installation")

    monkeypatch.setattr(content_type, "can_sniff", lambda: False)
    monkeypatch.setattr(content_type, "_magic", no_libmagic)
    (tmp_path / "blob").write_bytes(PDF)
    with pytest.raises(ImportError, match="failed to find libmagic"):
        serve_path(rf.get("/"), "blob", root=tmp_path, sniff=True)


def test_can_sniff_here() -> None:
    content_type.can_sniff.cache_clear()
    assert content_type.libmagic_error() is None
    assert content_type.can_sniff() is True
