"""Header fields between client, proxy and upstream: pure tables."""

from __future__ import annotations

import pytest
from requests.structures import CaseInsensitiveDict

from dlshortcuts.http.forwarding import end_to_end, filename_from_disposition, filename_from_url, hop_by_hop


def test_hop_by_hop_adds_the_names_connection_lists() -> None:
    headers = CaseInsensitiveDict({"connection": "close, X-Trace ,, Keep-Alive"})
    assert hop_by_hop(headers) >= {
        "connection",
        "x-trace",
        "keep-alive",
        "te",
        "transfer-encoding",
        "upgrade",
    }
    assert "" not in hop_by_hop(headers)


def test_end_to_end_picks_the_named_fields_that_may_cross() -> None:
    headers = CaseInsensitiveDict(
        {"range": "bytes=0-1", "Connection": "x-trace", "X-Trace": "1", "TE": "trailers", "ETag": '"a"'}
    )
    assert end_to_end(headers, ["Range", "X-Trace", "TE", "If-Range", "ETag"]) == {
        "Range": "bytes=0-1",
        "ETag": '"a"',
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("attachment", None),
        ("inline", None),
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename=report.pdf", "report.pdf"),
        ("ATTACHMENT; FILENAME=report.pdf", "report.pdf"),
        ('attachment;filename="a \\"quoted\\" name.txt"', 'a "quoted" name.txt'),
        ('attachment; filename="semi;colon.txt"', "semi;colon.txt"),
        ("attachment; filename*=UTF-8''%e2%82%ac%20rates.pdf", "€ rates.pdf"),
        ("attachment; filename*=utf-8'en'%C3%A9t%C3%A9.txt", "été.txt"),
        ("attachment; filename*=ISO-8859-1''%E9t%E9.txt", "été.txt"),
        # RFC 6266 §4.3: filename* wins wherever it stands.
        ("attachment; filename=\"eur.pdf\"; filename*=UTF-8''%e2%82%ac.pdf", "€.pdf"),
        ("attachment; filename*=UTF-8''%e2%82%ac.pdf; filename=\"eur.pdf\"", "€.pdf"),
        # An undecodable or unsupported filename* falls back to filename.
        ("attachment; filename*=UTF-8''%ff.pdf; filename=plain.pdf", "plain.pdf"),
        ("attachment; filename*=KOI8-R''%e1.pdf; filename=plain.pdf", "plain.pdf"),
        ("attachment; filename*=no-quotes.pdf; filename=plain.pdf", "plain.pdf"),
        ("attachment; filename*=UTF-8''%ff.pdf", None),
        # The first of two equal parameters counts.
        ("attachment; filename=first.pdf; filename=second.pdf", "first.pdf"),
        # Paths are never kept.
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\Windows\\\\win.ini"', "win.ini"),
        ('attachment; filename="dir/"', None),
        ('attachment; filename=""', None),
        ("attachment; size=3; filename=last.bin", "last.bin"),
        ("filename=no-type.bin", None),
    ],
)
def test_filename_from_disposition(value: str | None, expected: str | None) -> None:
    assert filename_from_disposition(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://files.example.com/reports/q3.pdf", "q3.pdf"),
        ("https://files.example.com/reports/q3.pdf?sig=abc#page=2", "q3.pdf"),
        ("https://files.example.com/r%C3%A9sum%C3%A9.pdf", "résumé.pdf"),
        ("https://files.example.com/a%20b.txt", "a b.txt"),
        ("https://files.example.com/%ff.bin", "\ufffd.bin"),
        ("https://files.example.com/..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("https://files.example.com/reports/", None),
        ("https://files.example.com", None),
    ],
)
def test_filename_from_url(url: str, expected: str | None) -> None:
    assert filename_from_url(url) == expected
