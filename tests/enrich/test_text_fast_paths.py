"""The non-ASCII path of ``normalise`` skips regexes whose work str methods do exactly."""

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from tocsin.enrich.text import CONTROL_RE, WS_RE, normalise


def _reference(s: str) -> str:
    """``normalise`` as it was written first: NFKC, controls removed, regex whitespace."""
    return WS_RE.sub(" ", CONTROL_RE.sub("", unicodedata.normalize("NFKC", s))).strip()


def test_split_whitespace_is_regex_whitespace_once_controls_are_gone():
    """str.split() and WS_RE agree on every code point that CONTROL_RE leaves in place."""
    differ = [hex(cp) for cp in range(sys.maxunicode + 1)
              if not CONTROL_RE.match(c := chr(cp)) and bool(WS_RE.match(c)) != c.isspace()]
    assert differ == []


def test_printable_text_has_no_control_character():
    """What lets normalise skip CONTROL_RE on a printable text."""
    found = [hex(cp) for cp in range(sys.maxunicode + 1)
             if chr(cp).isprintable() and CONTROL_RE.match(chr(cp))]
    assert found == []


@given(st.text(max_size=200))
def test_normalise_matches_the_regex_pipeline(s):
    assert normalise(s) == _reference(s)


@given(st.text(alphabet=st.sampled_from(
    "ab é\u00a0\u1680\u2000\u2028\u2029\u202f\u205f\u3000\u200b\ufeff\x1c\x1d\x1e\x1f"
    "\x85\n\t\r\x0b\x0c\u180e🙏ﬁＴ"), max_size=60))
def test_normalise_matches_the_regex_pipeline_on_whitespace_and_controls(s):
    assert normalise(s) == _reference(s)
