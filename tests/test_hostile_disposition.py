"""Hostile download names: whatever the name, Content-Disposition stays one safe line.

Each header is checked three ways: against the RFC 6266 / RFC 8187 grammar
(a strict regular expression), parsed back by the standard library's
``email`` package as a mail agent would, and compared with the name a
browser would save (``filename*`` when present, RFC 6266 §4.3).
"""

from __future__ import annotations

import re
import unicodedata
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import cast

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dlshortcuts.http.disposition import FALLBACK_FILENAME, content_disposition, safe_filename
from tests.hostile_names import NAMES

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
