"""Resolution rules and index parts added with index v16 (hand-written texts only)."""

from __future__ import annotations

import dataclasses

import pytest

from tocsin.enrich.geoparse import Geoparser
from tocsin.enrich.geoparse.build import members_point
from tocsin.enrich.geoparse.gazetteer import Gazetteer, Names, index_path
from tocsin.enrich.geoparse.geo import haversine_km
from tocsin.enrich.geoparse.resolve import DEFAULT_WEIGHTS, clear_caches


def _place(places, phrase):
    return next(p for p in places if p.phrase == phrase)


def test_gb_counties_are_indexed_under_one_word_names(gp):
    places = gp.parse("Flood warnings were issued across Kent and Essex on Sunday.")
    kent, essex = _place(places, "Kent"), _place(places, "Essex")
    assert (kent.country, kent.feature) == ("GB", "ADM2")
    assert (essex.country, essex.feature) == ("GB", "ADM2")
    # a county named like its city stays the city
    leeds = _place(gp.parse("Crews were sent to Leeds overnight."), "Leeds")
    assert (leeds.country, leeds.feature) == ("GB", "PPL")


def test_region_after_town_is_the_region_containing_it(gp):
    places = gp.parse("A bakery in Tacoma, Washington reopened after the storm.")
    wa = _place(places, "Washington")
    assert (wa.country, wa.feature, wa.admin1) == ("US", "ADM1", "WA")


def test_without_the_town_washington_stays_the_capital(gp):
    wa = _place(gp.parse("Officials in Washington met on Monday."), "Washington")
    assert wa.feature == "PPL" and wa.country == "US"


def test_a_list_of_states_makes_an_ambiguous_name_a_state(gp):
    text = "Snow closed roads in Indiana, Ohio, Montana, Missouri and Wyoming overnight."
    wy = _place(gp.parse(text), "Wyoming")
    assert (wy.feature, wy.admin1) == ("ADM1", "WY")
    off = dataclasses.replace(DEFAULT_WEIGHTS, a1_sibling=0.0)
    try:
        wy_off = _place(Geoparser(gp.gazetteer, off).parse(text), "Wyoming")
    finally:
        clear_caches()
    assert wy_off.feature == "PPL"  # the rule, not something else, makes it the state


def test_country_named_elsewhere_supports_itself(full_gp):
    text = ("Mexican officials said the talks would go on. Trade between Mexico and its "
            "neighbours grew, a Mexican minister said.")
    mx = _place(full_gp.parse(text), "Mexico")
    assert (mx.country, mx.feature) == ("MX", "PCLI")


def test_members_point_ignores_a_gross_outlier():
    pts = [(32.0 + i * 0.1, 119.0 + i * 0.1, 1000) for i in range(20)]
    clean = members_point(pts)
    with_outlier = members_point([*pts, (31.0, 100.0, 500)])  # filed under the wrong code
    assert haversine_km(*clean, *with_outlier) < 1.0
    # a real spread is kept: two far clusters of equal weight both count
    far = [(p[0], p[1] - 20.0, p[2]) for p in pts]
    assert members_point(pts + far)[1] < 110.0


def test_names_blob_round_trip():
    names = ["Kharkiv", "Zürich", "خان يونس", "", "東京", "São Paulo"]
    n = Names.of(names)
    assert len(n) == len(names)
    assert [n[i] for i in range(len(names))] == names == list(n)


def test_plain_automaton_loads_lazily(small_cache):
    gz = Gazetteer.load(index_path(small_cache))
    g = Geoparser(gz)
    assert not gz.plain_loaded
    # emoji (with the variation selector U+FE0F) are no reason to load it
    places = g.parse("Thoughts with everyone in Gaza ❤️ and Rafah")
    assert {p.phrase for p in places} >= {"Gaza", "Rafah"}
    assert not gz.plain_loaded
    places = g.parse("قصف في خان يونس")
    assert gz.plain_loaded
    assert any(p.country == "PS" for p in places)


@pytest.mark.parametrize("folded", ["kharkiv", "харків"])
def test_key_id_of_bounded_keys_needs_no_plain_automaton(small_cache, folded):
    gz = Gazetteer.load(index_path(small_cache))
    assert gz.key_id(folded) >= 0
    assert not gz.plain_loaded


def test_remove_old_versions_keeps_current_previous_and_newer(tmp_path):
    from tocsin.enrich.geoparse.gazetteer import INDEX_VERSION, remove_old_versions

    for v in (INDEX_VERSION - 2, INDEX_VERSION - 1, INDEX_VERSION, INDEX_VERSION + 1):
        (tmp_path / f"gazetteer-v{v}").mkdir()
    remove_old_versions(tmp_path)
    left = sorted(int(d.name.removeprefix("gazetteer-v")) for d in tmp_path.iterdir())
    assert left == [INDEX_VERSION - 1, INDEX_VERSION, INDEX_VERSION + 1]


def test_colocated_readings_support_each_other(gp):
    # Enfield (Nova Scotia, Connecticut, London): next to Edmonton, whose readings include
    # the London one 3 km away, the London reading gains
    text = "Police were called to Edmonton and Enfield on Friday."
    on = _place(gp.parse(text), "Enfield")
    off_w = dataclasses.replace(DEFAULT_WEIGHTS, colocated=0.0)
    try:
        off = _place(Geoparser(gp.gazetteer, off_w).parse(text), "Enfield")
    finally:
        clear_caches()
    assert on.country == "GB"
    assert off.country != "GB"
