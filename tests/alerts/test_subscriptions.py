"""Subscription validation: every bad field is refused with a message naming it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.alerts.subscriptions import SubscriptionError, subscription_from_dict

OK = {"name": "haiti", "area": {"bbox": [-75, 17, -70, 21]}, "hazards": ["earthquake"],
      "info_types": ["casualties"], "needs": ["water"], "min_tier": "urgent",
      "min_sources": 2, "languages": ["en", "ht"],
      "channel": {"type": "webhook", "url": "https://example.org/h", "secret": "s" * 20}}


def with_(**kw):
    return {**OK, **kw}


@pytest.mark.parametrize("body,field", [
    (with_(area={"bbox": [-75, 17, -70]}), "area.bbox"),
    (with_(area={"bbox": [-75, 30, -70, 21]}), "south is above north"),
    (with_(area={"bbox": [-75, 17, -70, 95]}), "out of range"),
    (with_(area={"point": [1, 2]}), "radius_km"),
    (with_(area={"point": [1, 2], "radius_km": -1}), "radius_km"),
    (with_(area={"polygon": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}}),
     "at least 4"),
    (with_(area={"polygon": {"type": "Polygon",
                             "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}}), "not closed"),
    (with_(area={"polygon": {"type": "Point", "coordinates": [0, 0]}}), "GeoJSON"),
    (with_(area={"countries": ["Haiti"]}), "alpha-2"),
    (with_(area={"bbox": [0, 0, 1, 1], "countries": ["HT"]}), "exactly one"),
    (with_(hazards=["volcano_of_doom"]), "hazards"),
    (with_(info_types=["gossip"]), "info_types"),
    (with_(needs=["yachts"]), "needs"),
    (with_(min_tier="apocalyptic"), "min_tier"),
    (with_(min_sources=-1), "min_sources"),
    (with_(min_sources=True), "min_sources"),
    (with_(languages=["English"]), "languages"),
    (with_(channel={"type": "pigeon"}), "channel"),
    (with_(channel={"type": "webhook", "url": "ftp://example.org/"}), "scheme"),
    (with_(channel={"type": "webhook", "url": "http://169.254.169.254/latest"}), "public"),
    (with_(channel={"type": "webhook", "url": "https://e.org/", "secret": "short"}), "secret"),
    (with_(channel={"type": "email", "to": "not an address"}), "email"),
    ("not an object", "JSON object"),
])
def test_refusals_name_the_field(body, field):
    with pytest.raises(SubscriptionError, match=field):
        subscription_from_dict(body)


def test_round_trip_through_dict():
    sub = subscription_from_dict(OK, owner="k1")
    again = subscription_from_dict(sub.to_dict(reveal_secret=True))
    assert again.to_dict(reveal_secret=True) == sub.to_dict(reveal_secret=True)
    assert sub.to_dict()["channel"]["secret"] == "********"


def test_webhook_secret_generated_when_missing():
    sub = subscription_from_dict(with_(channel={"type": "webhook", "url": "https://e.org/"}))
    assert len(sub.channel.secret or "") >= 32


def test_no_person_fields_are_accepted_or_kept():
    """Events, never people: an author filter is not a field, so it cannot survive."""
    sub = subscription_from_dict(with_(author="someone", authors=["a"], user="u"))
    assert not {"author", "authors", "user"} & set(sub.to_dict())


@given(st.dictionaries(st.sampled_from(["name", "area", "hazards", "min_tier", "min_sources",
                                        "channel", "languages", "needs"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=5),
                                 st.lists(st.integers(), max_size=4),
                                 st.dictionaries(st.text(max_size=6), st.integers(),
                                                 max_size=3))))
def test_arbitrary_bodies_are_accepted_or_refused_cleanly(body):
    try:
        subscription_from_dict(body)
    except SubscriptionError:
        pass
