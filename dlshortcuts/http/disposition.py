"""Content-Disposition values (RFC 6266 with RFC 8187 ``filename*``), free of Django.

Django's ``content_disposition_header`` sends only ``filename*`` for a
non-ASCII name; browsers and tools that do not read it then save the file
under the URL's last segment. Here every header carries an ASCII
``filename="..."`` first and, when that had to lose something, the exact
name in ``filename*=UTF-8''...`` (RFC 6266 §4.3: recipients prefer it).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

#: The name used when nothing printable is left of the one given.
FALLBACK_FILENAME = "download"

# RFC 8187 §3.2.1 attr-char, beyond the letters and digits quote() keeps.
_ATTR_CHAR_PUNCTUATION = "!#$&+-.^_`|~"
# Characters a file name must never carry into a header or a save dialog.
_PATH_SEPARATORS = str.maketrans("", "", "/\\")
_UNSAFE_IN_FALLBACK = frozenset("%/\\")
# Unicode categories removed from names: control, format, surrogate, line
# and paragraph separator.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def safe_filename(name: str) -> str:
    """Clean a download name: no control or format characters, no path.

    Control characters (which could end the header line), Unicode format
    characters (right-to-left overrides that disguise ``gpj.exe`` as
    ``exe.jpg``), line and paragraph separators, lone surrogates (what
    ``os.fsdecode`` makes of a file name that is not UTF-8; they cannot be
    encoded) and path separators are removed; surrounding spaces and dots
    are stripped so that the name is neither hidden nor empty-looking.

    :param name: the name the caller asked for.
    :returns: the cleaned name, or :data:`FALLBACK_FILENAME` if nothing is left.
    """
    kept = "".join(c for c in name if unicodedata.category(c) not in _REMOVED_CATEGORIES)
    kept = kept.translate(_PATH_SEPARATORS).strip(" .")
    return kept or FALLBACK_FILENAME


def _ascii_fallback(name: str) -> str:
    """The closest printable-ASCII spelling of ``name`` for ``filename=``."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    # "%" is avoided in filename= because some agents percent-decode it
    # (RFC 6266 appendix D). NFKD turns the fullwidth solidus and reverse
    # solidus back into "/" and "\\": neither may come back as a path or as
    # an escape that swallows the closing quote. What cannot be spelt in
    # ASCII becomes "_".
    ascii_name = "".join(c if " " <= c <= "~" and c not in _UNSAFE_IN_FALLBACK else "_" for c in letters)
    return ascii_name.strip(" .") or FALLBACK_FILENAME


def content_disposition(filename: str, *, as_attachment: bool = True) -> str:
    """Build a Content-Disposition header value that is always one line of ASCII.

    :param filename: the name the browser should save the file under; it is
        cleaned with :func:`safe_filename` first.
    :param as_attachment: ``attachment`` (save) when true, ``inline`` (show)
        when false; both carry the name.
    """
    name = safe_filename(filename)
    fallback = _ascii_fallback(name)
    # safe_filename removed every backslash, so only quotes need escaping.
    quoted = fallback.replace('"', '\\"')
    value = f'{"attachment" if as_attachment else "inline"}; filename="{quoted}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHAR_PUNCTUATION)}"
    return value
