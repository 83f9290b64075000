"""Crisis places in several scripts resolve to the right country within 20 km."""

from __future__ import annotations

import pytest

from tocsin.enrich.geoparse.geo import haversine_km

# (text, phrase expected, country, lat, lon) - reference points are the towns' centres
CASES = [
    ("Airstrikes hit Khan Yunis overnight.", "Khan Yunis", "PS", 31.34, 34.31),
    ("قصف مدفعي على خان يونس صباح اليوم", "خان يونس", "PS", 31.34, 34.31),
    ("وصلت المساعدات إلى وخان يونس", "خان يونس", "PS", 31.34, 34.31),
    ("Families fled Jabalia camp.", "Jabalia", "PS", 31.53, 34.48),
    ("Hospitals in Deir al-Balah are overwhelmed.", "Deir al-Balah", "PS", 31.42, 34.35),
    ("Hospitals in Deir el-Balah are overwhelmed.", "Deir el-Balah", "PS", 31.42, 34.35),
    ("Crossings near Rafah in Gaza were closed.", "Rafah", "PS", 31.30, 34.25),
    ("نزوح من رفح", "رفح", "PS", 31.30, 34.25),
    ("Shelling reported in Beit Lahia.", "Beit Lahia", "PS", 31.55, 34.50),
    ("Cholera cases rise in Port-au-Prince.", "Port-au-Prince", "HT", 18.54, -72.34),
    ("Displaced people arrive in Goma, DR Congo.", "Goma", "CD", -1.68, 29.23),
    ("Missiles struck Kharkiv this morning.", "Kharkiv", "UA", 49.99, 36.23),
    ("Ракетний удар по Харків", "Харків", "UA", 49.99, 36.23),
    ("Обстріл Харкова триває", "Харкова", "UA", 49.99, 36.23),
    ("У Харкові пошкоджено будинки", "Харкові", "UA", 49.99, 36.23),
    ("Famine warnings for El Fasher, North Darfur.", "El Fasher", "SD", 13.63, 25.35),
    ("אזעקות בשדרות", "שדרות", "IL", 31.52, 34.60),
    ("ירי רקטות לעבר שדרות", "שדרות", "IL", 31.52, 34.60),
    ("Rockets fired at Sderot.", "Sderot", "IL", 31.52, 34.60),
]


@pytest.mark.parametrize(("text", "phrase", "cc", "lat", "lon"), CASES,
                         ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)])
def test_crisis_place_resolves(gp, text, phrase, cc, lat, lon):
    places = gp.parse(text)
    match = [p for p in places if p.phrase == phrase]
    assert match, f"{phrase!r} not found in {text!r}: {[p.phrase for p in places]}"
    p = match[0]
    assert text[p.start:p.end] == phrase
    assert p.country == cc
    assert haversine_km(lat, lon, p.lat, p.lon) <= 20.0
    assert 0.0 < p.score <= 1.0


def test_full_index_crisis_places(full_gp):
    """The same places through the real index, where namesakes from every country compete."""
    for text, phrase, cc, lat, lon in CASES:
        p = next(p for p in full_gp.parse(text) if p.phrase == phrase)
        assert p.country == cc, (text, p)
        assert haversine_km(lat, lon, p.lat, p.lon) <= 20.0, (text, p)
