"""Event titles keep no account handle, e-mail address or link (detect/title.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.detect import OnlineDetector
from tocsin.detect.cluster import Cluster
from tocsin.detect.title import title_text
from tocsin.enrich.text import TextStage
from tocsin.model import Report


@pytest.mark.parametrize(("text", "want"), [
    ("RT @janedoe: Dozens of police cars pouring into Watertown #bostonmarathon http://t.co/x",
     "Dozens of police cars pouring into Watertown #bostonmarathon"),
    ("Hurricane Maria: What We Know (Via: @FeedingAmerica) https://t.co/b7 https://t.co/aT",
     "Hurricane Maria: What We Know"),
    ("MT @x: RT @y: water rising fast cc @z @w", "water rising fast"),
    (".@some_one: I just heard thunder in Calgary", "I just heard thunder in Calgary"),
    ("Flood in Goma via @ocha", "Flood in Goma"),
    ("write to help.desk+flood@example.org for shelter", "write to for shelter"),
    ("Séisme à Port-au-Prince, plusieurs blessés", "Séisme à Port-au-Prince, plusieurs blessés"),
    ("@a @b https://t.co/x", ""),
])
def test_title_examples(text, want):
    assert title_text(text) == want


handle = st.from_regex(r"[a-z][a-z0-9_]{5,14}", fullmatch=True)
#: words of the text (not the retweet marker, nor the "via" / "cc" a removed account leaves)
word = st.from_regex(r"[a-zA-Z\u00e9\u0621-\u063a]{1,10}", fullmatch=True).filter(
    lambda w: w.lower() not in {"rt", "mt", "via", "cc", "by"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(word.map(lambda w: ("word", w)),
                          handle.map(lambda h: ("mention", "@" + h)),
                          handle.map(lambda h: ("rt", f"RT @{h}:")),
                          handle.map(lambda h: ("email", f"{h}@mail.example.org")),
                          handle.map(lambda h: ("url", f"https://t.co/{h}"))),
                min_size=1, max_size=12))
def test_no_handle_or_link_survives_and_every_word_does(parts):
    text = " ".join(p for _, p in parts)
    got = title_text(text)
    for kind, p in parts:
        if kind != "word":
            secret = p.split("@")[-1].split("/")[-1].rstrip(":") if kind != "email" else p
            assert secret not in got or any(k == "word" and secret in w for k, w in parts)
    assert "@" not in got and "://" not in got
    assert got.split() == [w for k, w in parts if k == "word"]


def report(i, text, t0=datetime(2024, 5, 1, tzinfo=timezone.utc)):
    return Report(id=f"r{i}", source="s", text=text, published_at=t0 + timedelta(minutes=i),
                  author_key=f"a{i % 9}")


def test_event_titles_name_no_account():
    """Retweets naming their authors make an event whose title names none of them."""
    texts = [f"RT @raw_handle_{i % 4}: flooding in Goma, river bursts its banks near the "
             f"market street {i} https://t.co/abc{i}" for i in range(40)]
    batch = TextStage().enrich([report(i, t) for i, t in enumerate(texts)])
    det = OnlineDetector()
    changes = det.observe(batch)
    events = [c.event for c in changes] + det.active_events()
    assert events
    for ev in events:
        assert ev.title and "raw_handle" not in ev.title and "http" not in ev.title
        assert "raw_handle" not in str(ev.to_dict())
    restored = OnlineDetector.restore(det.snapshot())
    assert all("raw_handle" not in e.title for e in restored.active_events())


def test_a_saved_raw_title_is_cleaned_on_restore():
    c = Cluster(id="e1", created=0.0, last=0.0)
    c.title = "RT @raw_handle: flood in Goma http://t.co/x"
    back = Cluster.from_state(c.to_state())
    assert back.title == "flood in Goma"


def test_a_state_saved_before_title_pools_keeps_its_title():
    """Snapshots written before titles had a pool (a ``title_score``, no pool, no id)."""
    state = Cluster(id="e1", created=0.0, last=0.0).to_state()
    for key in ("title_id", "title_pool"):
        del state[key]
    state["title"], state["title_score"] = "flood in Goma", 0.5
    back = Cluster.from_state(state)
    assert (back.title, back.title_id, back.title_pool) == ("flood in Goma", None, [])
    back.pick_title()  # an empty pool leaves the old title alone
    assert back.title == "flood in Goma"
