"""Content-Disposition (RFC 6266, RFC 8187 filename*), one line of ASCII always."""

from __future__ import annotations

import re
import unicodedata
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import cast
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dlshortcuts.http.disposition import FALLBACK_FILENAME, content_disposition, safe_filename
from tests.hostile_names import NAMES


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


# Hostile download names: whatever the name, Content-Disposition stays one safe line.
#
# Each header is checked three ways: against the RFC 6266 / RFC 8187 grammar
# (a strict regular expression), parsed back by the standard library's
# ``email`` package as a mail agent would, and compared with the name a
# browser would save (``filename*`` when present, RFC 6266 §4.3).

# RFC 6266 §4.1 with RFC 9110 §5.6.4 quoted-string (qdtext or quoted-pair)
# and RFC 8187 §3.2.1 ext-value (attr-char or pct-encoded).
_QUOTED = r'"(?P<quoted>(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*)"'
_EXT_VALUE = r"UTF-8''(?P<ext>(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+)"
_GRAMMAR = re.compile(rf"(?P<type>attachment|inline); filename={_QUOTED}(?:; filename\*={_EXT_VALUE})?")


def parse_disposition(value: str) -> tuple[str, str, str | None]:
    """The type, ``filename`` and ``filename*`` of a header, as the ``email`` package reads them."""
    message = Message()
    message["Content-Disposition"] = value
    # typeshed says every value is a str; an RFC 2231 value is a (charset, language, text) tuple.
    params = cast(
        "list[tuple[str, str | tuple[str, str, str]]] | None",
        message.get_params(header="content-disposition"),
    )
    assert params is not None
    (kind, _), *rest = params
    plain = [v for k, v in rest if k == "filename" and isinstance(v, str)]
    extended = [v for k, v in rest if k == "filename" and isinstance(v, tuple)]
    assert len(plain) == 1
    assert len(extended) <= 1
    return kind, plain[0], collapse_rfc2231_value(extended[0]) if extended else None


def _is_clean(name: str) -> bool:
    return not any(c in "/\\" or unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in name)


@settings(deadline=None)
@given(name=NAMES, as_attachment=st.booleans())
@example(name="a\uff0fb", as_attachment=True)  # fullwidth solidus: NFKD gives "/"
@example(name="x\uff3c", as_attachment=True)  # fullwidth backslash: would escape the closing quote
@example(name="\udcff.bin", as_attachment=True)  # a surrogate-escaped byte from os.fsdecode
@example(name="evil\"; filename*=UTF-8''x.exe", as_attachment=True)
@example(name="report\r\nSet-Cookie: a=b", as_attachment=False)
@example(name="invoice\u202egpj.exe", as_attachment=True)
@example(name="../../etc/passwd", as_attachment=True)
@example(name="..\\..\\boot.ini", as_attachment=True)
def test_disposition_is_one_line_of_ascii_that_parses_back_to_the_clean_name(
    name: str, as_attachment: bool
) -> None:
    value = content_disposition(name, as_attachment=as_attachment)

    assert value.isascii()
    assert value.isprintable()  # no CR, LF, NUL or any other control character
    match = _GRAMMAR.fullmatch(value)
    assert match is not None, value
    kind, fallback, exact = parse_disposition(value)
    assert kind == ("attachment" if as_attachment else "inline")

    cleaned = safe_filename(name)
    saved = exact if exact is not None else fallback
    assert saved == cleaned
    assert saved.strip(" .") == saved != ""
    for spelling in (fallback, saved):
        assert _is_clean(spelling), spelling
        assert "%" not in fallback  # some agents percent-decode filename= (RFC 6266 appendix D)


@settings(deadline=None)
@given(name=NAMES)
def test_safe_filename_keeps_no_path_and_no_control_character(name: str) -> None:
    cleaned = safe_filename(name)
    assert _is_clean(cleaned)
    assert cleaned not in {"", ".", ".."}
    assert cleaned == FALLBACK_FILENAME or all(c in name for c in cleaned)
