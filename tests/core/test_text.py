from hypothesis import given
from hypothesis import strategies as st

from tocsin.enrich.language import identify
from tocsin.enrich.text import normalise, words


def test_urls_and_mentions_are_not_words():
    t = normalise("RT @relief_desk: Flooding in #Gonaives https://t.co/xYz now")
    assert "https://t.co/xYz" in t  # kept in the text a reader sees
    assert words(t) == ["flooding", "in", "gonaives", "now"]


def test_nfkc_and_whitespace():
    assert normalise("ﬁre\u00a0\u00a0in\n\n Ｔｏｗｎ\u200b") == "fire in Town"


def test_words_in_several_scripts():
    assert words("قصف على خان يونس") == ["قصف", "على", "خان", "يونس"]
    assert words("Обстріл Харкова!") == ["обстріл", "харкова"]
    assert words("הפגזה בשדרות") == ["הפגזה", "בשדרות"]
    assert words("Port-au-Prince aujourd'hui") == ["port-au-prince", "aujourd'hui"]


def test_language_identification():
    assert identify("Un front froid se retrouve sur Cuba ce matin, des averses sont prévues") == "fr"
    assert identify("قصف عنيف على مدينة خان يونس هذا الصباح") == "ar"
    assert identify("Обстріл Харкова триває вже третю добу") == "uk"
    assert identify("!!! 123") is None


@given(st.text(max_size=300))
def test_normalise_is_idempotent_and_words_are_clean(s):
    n = normalise(s)
    assert normalise(n) == n
    for w in words(n):
        assert w and "://" not in w and "@" not in w and " " not in w


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_fast_path_matches_the_general_one(s):
    import unicodedata

    from tocsin.enrich.text import CONTROL_RE, WS_RE

    slow = WS_RE.sub(" ", CONTROL_RE.sub("", unicodedata.normalize("NFKC", s))).strip()
    assert normalise(s) == slow


@given(st.text(max_size=200))
def test_word_fast_paths_match_the_plain_regex_pipeline(s):
    from tocsin.enrich.text import MENTION_RE, RT_PREFIX_RE, URL_RE, WORD_RE

    n = normalise(s)
    plain = MENTION_RE.sub(" ", URL_RE.sub(" ", RT_PREFIX_RE.sub("", n)))
    assert words(n) == [w.casefold() for w in WORD_RE.findall(plain)]
