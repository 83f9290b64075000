from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.enrich.dedup import DedupIndex, DedupStage, hamming, simhash, simhash_batch
from tocsin.enrich.text import TextStage
from tocsin.model import Report

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def rep(i, text):
    return Report(id=str(i), source="t", text=text, published_at=T0)


def run(texts, index=None):
    batch = [rep(i, t) for i, t in enumerate(texts)]
    TextStage().enrich(batch)
    DedupStage(index).enrich(batch)
    return batch


def test_retweet_and_other_link_are_exact_copies():
    b = run([
        "Bridge collapsed on Route 9 near the river, cars trapped https://t.co/aaa",
        "RT @someone: Bridge collapsed on Route 9 near the river, cars trapped https://t.co/bbb",
        "Bridge collapsed on route 9 near the river; cars trapped!",
        "Shelter open at the central school for families from the river district",
    ])
    assert [r.duplicate_of for r in b] == [None, "0", "0", None]


LONG = (
    "Update from the district office: the road to the northern villages is blocked by a "
    "landslide after heavy rain overnight. Teams are clearing debris, the bridge at the junction "
    "is closed, and families from the upper valley are asked to use the coast road and to go to "
    "the school shelter, where water and blankets are available until tomorrow evening"
)


def test_near_copy_of_a_long_text_is_found():
    b = run([LONG, LONG + " via local radio", LONG + " #flood"])
    assert [r.duplicate_of for r in b] == [None, "0", "0"]


def test_different_texts_are_not_copies():
    b = run([LONG, "Cholera cases confirmed in two camps; clinics ask for oral rehydration salts"])
    assert b[1].duplicate_of is None
    assert hamming(b[0].simhash, b[1].simhash) > 10


def test_window_is_bounded():
    idx = DedupIndex(window=10)
    run([f"unique report number {i} about something else entirely {i * 7}" for i in range(50)], idx)
    assert len(idx) == 10
    # an evicted text is no longer remembered
    b = run(["unique report number 0 about something else entirely 0"], idx)
    assert b[0].duplicate_of is None


@settings(max_examples=50)
@given(st.lists(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), max_size=12),
                max_size=8))
def test_batch_simhash_equals_single(token_lists):
    assert simhash_batch(token_lists) == [simhash(t) for t in token_lists]


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_hamming_is_a_metric(a, b):
    assert hamming(a, a) == 0
    assert hamming(a, b) == hamming(b, a)
    assert 0 <= hamming(a, b) <= 64
