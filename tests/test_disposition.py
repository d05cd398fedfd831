"""Content-Disposition (RFC 6266, RFC 8187 filename*), one line of ASCII always."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlshortcuts.http.disposition import FALLBACK_FILENAME, content_disposition, safe_filename


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        ("my report (1).pdf", 'attachment; filename="my report (1).pdf"'),
        # quotes are escaped inside the quoted-string
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        # non-ASCII: an ASCII approximation, then the exact name in filename*
        (
            "naïve résumé.pdf",
            "attachment; filename=\"naive resume.pdf\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf",
        ),
        (
            "日本語.txt",
            "attachment; filename=\"___.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt",
        ),
        ("€.csv", "attachment; filename=\"_.csv\"; filename*=UTF-8''%E2%82%AC.csv"),
        # "%" may be percent-decoded by some agents in filename=: kept in filename* only
        ("100%.txt", "attachment; filename=\"100_.txt\"; filename*=UTF-8''100%25.txt"),
        # RFC 8187 attr-char punctuation stays literal in filename*
        ("a+b&c!é.txt", "attachment; filename=\"a+b&c!e.txt\"; filename*=UTF-8''a+b&c!%C3%A9.txt"),
        # control characters, CR/LF and tabs are removed: no header injection
        ("evil\r\nSet-Cookie: x=1.txt", 'attachment; filename="evilSet-Cookie: x=1.txt"'),
        ("tab\there.txt", 'attachment; filename="tabhere.txt"'),
        ("nul\x00.txt", 'attachment; filename="nul.txt"'),
        ("line\u2028sep.txt", 'attachment; filename="linesep.txt"'),
        # right-to-left override (disguises "gpj.exe" as "exe.jpg") and zero-width characters
        ("invoice\u202egpj.exe", 'attachment; filename="invoicegpj.exe"'),
        ("a\u200bb.txt", 'attachment; filename="ab.txt"'),
        # path separators: the name never carries a directory
        ("../../etc/passwd", 'attachment; filename="etcpasswd"'),
        ("C:\\Windows\\evil.bat", 'attachment; filename="C:Windowsevil.bat"'),
        # fullwidth solidus and reverse solidus fold to "/" and "\" in NFKD: never in filename=
        ("a\uff0fb.txt", "attachment; filename=\"a_b.txt\"; filename*=UTF-8''a%EF%BC%8Fb.txt"),
        ("x\uff3c", "attachment; filename=\"x_\"; filename*=UTF-8''x%EF%BC%BC"),
        (
            "\uff02q\uff02.txt",
            'attachment; filename="\\"q\\".txt"; filename*=UTF-8\'\'%EF%BC%82q%EF%BC%82.txt',
        ),
        # hidden or empty-looking names
        (".htaccess", 'attachment; filename="htaccess"'),
        ("  spaced.txt  ", 'attachment; filename="spaced.txt"'),
        ("", f'attachment; filename="{FALLBACK_FILENAME}"'),
        ("..", f'attachment; filename="{FALLBACK_FILENAME}"'),
        ("\r\n", f'attachment; filename="{FALLBACK_FILENAME}"'),
        # os.fsdecode() of a name that is not UTF-8: lone surrogates cannot be encoded
        ("caf\udce9.txt", 'attachment; filename="caf.txt"'),
    ],
)
def test_attachment(filename: str, expected: str) -> None:
    value = content_disposition(filename)
    assert value == expected
    assert value.isascii()
    assert "\r" not in value
    assert "\n" not in value


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("photo.jpg", 'inline; filename="photo.jpg"'),
        ("été.jpg", "inline; filename=\"ete.jpg\"; filename*=UTF-8''%C3%A9t%C3%A9.jpg"),
    ],
)
def test_inline_carries_the_name_too(filename: str, expected: str) -> None:
    assert content_disposition(filename, as_attachment=False) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a/b\\c.txt", "abc.txt"), ("\u202e", FALLBACK_FILENAME), ("ok.txt", "ok.txt"), ("naïve", "naïve")],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


_HEADER = re.compile(
    r'(attachment|inline); filename="((?:[ !#-\[\]-~]|\\")*)"'
    r"(?:; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+))?"
)


@settings(deadline=None)  # a slow example on a shared machine is not a failure
@given(st.text(), st.booleans())
def test_any_name_gives_one_well_formed_ascii_header(name: str, as_attachment: bool) -> None:
    value = content_disposition(name, as_attachment=as_attachment)
    match = _HEADER.fullmatch(value)
    assert match is not None, value
    fallback = match.group(2).replace('\\"', '"')
    assert "/" not in fallback
    assert "\\" not in fallback
    assert "%" not in fallback
    exact = unquote(match.group(3)) if match.group(3) else fallback
    assert exact == safe_filename(name)
