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


@given(st.text(alphabet="aZ09'-_ .,:;!?#@/\"()&\t\n\x1c\x7fRTMhtps:w" + "x" * 5, max_size=120))
def test_ascii_words_match_the_unicode_regex(s):
    """The translate-and-split path for ASCII gives exactly the Unicode regex's words."""
    from tocsin.enrich.text import WORD_RE, strip_non_words

    for t in (s, normalise(s)):
        assert words(t) == WORD_RE.findall(strip_non_words(t).casefold())


def test_batched_language_id_gives_py3langid_labels():
    import py3langid

    from tocsin.enrich.language import BATCH_MAX_BYTES, identify_batch

    texts = [
        "Un front froid se retrouve sur Cuba ce matin, des averses sont prévues",
        "قصف عنيف على مدينة خان يونس هذا الصباح",
        "Обстріл Харкова триває вже третю добу",
        "הפגזה בשדרות הבוקר, אין נפגעים",
        "Flooding in the lower town, families moved to the school",
        "RT @desk: Flooding in the lower town https://t.co/x",
        "Flooding in the lower town, families moved to the school",  # repeated
        "!!! 123",
        "ok",
        "Terremoto de magnitud 7,8 en Ecuador; hay víctimas en Manta y Portoviejo",
        "Séisme: les secours cherchent des survivants " * 60,  # longer than a batch row
        "Banjir melanda Jakarta, ribuan warga mengungsi",
    ]
    assert len(texts[10].encode()) > BATCH_MAX_BYTES
    expected = [identify(t) for t in texts]
    assert identify_batch(texts) == expected
    assert expected[7] is None and expected[8] is None
    assert expected[0] == py3langid.classify(texts[0])[0] == "fr"
