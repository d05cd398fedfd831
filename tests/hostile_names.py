"""File names that have broken download headers before, for property-based tests.

Used for Content-Disposition here, and meant for every other header a file
name reaches (X-Accel-Redirect, X-Sendfile ...): whatever the name, the
header must stay one line, carry no second header and no path it should not.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["HOSTILE", "NAMES"]

#: Characters that have broken download headers before: line ends, quotes,
#: escapes, parameter separators, percent signs, path separators (also their
#: fullwidth forms, which NFKD turns back into ASCII), bidirectional
#: overrides, zero-width characters, and lone surrogates (what os.fsdecode
#: makes of an undecodable byte in a file name on disk).
HOSTILE = (
    "\r\n\t\x00\x0b\x0c\x1b\x7f\x85\"\\;%/=*',. "
    "\u2028\u2029\u200b\u200e\u200f\u202a\u202e\u2066\u2069\ufeff"
    "\uff0f\uff3c\uff02\uff05\u2024\u2025\u3000\u00a0"
    "\udcff\udc80\ud800"
)
#: Names: arbitrary text, surrogates included, and hostile mixes short and very long.
NAMES = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None, categories=None)),  # surrogates included
    st.text(alphabet=st.sampled_from(HOSTILE + "ab.é日"), max_size=40),
    st.text(alphabet=st.sampled_from(HOSTILE + "ab.é日"), min_size=1000, max_size=5000),
)
