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


def test_the_only_whitespace_a_printable_text_holds_is_the_space():
    """What lets normalise return a printable text without a double space as it is."""
    found = [hex(cp) for cp in range(sys.maxunicode + 1)
             if chr(cp).isprintable() and (chr(cp).isspace() or WS_RE.match(chr(cp)))]
    assert found == ["0x20"]


@given(st.text(max_size=200))
def test_normalise_matches_the_regex_pipeline(s):
    assert normalise(s) == _reference(s)


@given(st.text(alphabet=st.sampled_from(
    "ab é\u00a0\u1680\u2000\u2028\u2029\u202f\u205f\u3000\u200b\ufeff\x1c\x1d\x1e\x1f"
    "\x85\n\t\r\x0b\x0c\u180e🙏ﬁＴ"), max_size=60))
def test_normalise_matches_the_regex_pipeline_on_whitespace_and_controls(s):
    assert normalise(s) == _reference(s)


def test_a_url_needs_a_literal_colon_slash_slash_or_w_dot():
    """What lets strip_non_words test for "://", "w." or "W." before running URL_RE: no
    character but w and W matches its (?i)w, and ':', '/', '.' match only themselves."""
    import regex

    odd = [hex(cp) for cp in range(sys.maxunicode + 1)
           if chr(cp) not in "wW:/." and regex.match(r"(?i)[w:/.]", chr(cp))]
    assert odd == []


@given(st.text(alphabet=st.sampled_from("wW.:/hHtTpPsS@aRrMm _ʀ\u2003\nİ"), max_size=60)
       | st.text(max_size=120))
def test_strip_non_words_matches_the_ungated_regexes(s):
    """The substring tests in front of the regexes never skip one that would match."""
    from tocsin.enrich.text import MENTION_RE, RT_PREFIX_RE, URL_RE, strip_non_words

    n = normalise(s)
    assert strip_non_words(n) == MENTION_RE.sub(" ", URL_RE.sub(" ", RT_PREFIX_RE.sub("", n)))
