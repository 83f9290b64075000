"""The same incidents reported in Arabic, French and English become one event per incident.

Fixture texts are written for this test (never corpus text). The three languages share no
words; what links them is what the geoparser gives every report: GeoNames ids (and the
classifier's hazard). Two incidents run at the same time, so the test also checks that the
bridge does not fuse different places.
"""

from __future__ import annotations

import random
from collections import Counter

from tocsin.detect import create_detector

from .conftest import enrich, mk, place

ALEPPO = place(170063, "Aleppo", 36.20124, 37.16117, "SY")
MOSUL = place(99072, "Mosul", 36.335, 43.11889, "IQ")

TEXTS = {
    ("quake", "ar"): ["زلزال قوي يضرب {p} وانهيار مبان", "انهيار مبان في {p} بعد الزلزال",
                      "فرق الإنقاذ تبحث عن ناجين في {p}", "هزة أرضية عنيفة في {p} الليلة"],
    ("quake", "fr"): ["Un fort séisme frappe {p}, des immeubles effondrés",
                      "Les secours cherchent des survivants à {p}",
                      "Séisme à {p} : bâtiments détruits dans le centre",
                      "Nouvelle secousse ressentie à {p} cette nuit"],
    ("quake", "en"): ["Strong earthquake hits {p}, buildings collapsed",
                      "Rescuers search for survivors in {p}",
                      "Buildings destroyed in central {p} after the quake",
                      "Another tremor felt in {p} overnight"],
    ("flood", "ar"): ["فيضانات تغمر أحياء {p} بعد أمطار غزيرة", "ارتفاع منسوب النهر في {p}",
                      "إجلاء عائلات من منازلها في {p} بسبب السيول", "المياه تغمر شوارع {p}"],
    ("flood", "fr"): ["Inondations à {p} après des pluies torrentielles",
                      "Le fleuve déborde à {p}, des quartiers sous l'eau",
                      "Des familles évacuées à {p} à cause des crues",
                      "Les rues de {p} inondées ce matin"],
    ("flood", "en"): ["Floods swamp {p} neighbourhoods after heavy rain",
                      "River bursts its banks in {p}",
                      "Families evacuated in {p} as waters rise",
                      "Streets of {p} under water this morning"],
}
NAMES = {("quake", "ar"): "حلب", ("flood", "ar"): "الموصل"}


def incident(rng, kind, plc, hazard, n, start):
    out = []
    for i in range(n):
        lang = ("ar", "fr", "en")[i % 3]
        name = NAMES.get((kind, lang), plc.name)
        text = rng.choice(TEXTS[(kind, lang)]).format(p=name) + f" #{kind}{i}"
        out.append(mk(text, start + i * 3, rid=f"{kind}-{lang}-{i}", places=[plc],
                      hazard=hazard, author=f"a_{kind}{i}", lang=lang))
    return out


def test_one_event_per_incident_across_languages():
    rng = random.Random(3)
    quake = incident(rng, "quake", ALEPPO, "earthquake", 30, 0)
    flood = incident(rng, "flood", MOSUL, "flood", 30, 1)
    reps = enrich(sorted(quake + flood, key=lambda r: r.published_at))
    det = create_detector()
    for i in range(0, len(reps), 10):
        det.observe(reps[i:i + 10])
    bf = det.drain_backfill()
    final = {r.id: det.final_event(bf.get(r.id, r.event_id)) for r in reps}
    for group in (quake, flood):
        events = Counter(final[r.id] for r in group)
        top, n = events.most_common(1)[0]
        assert top is not None
        assert n >= 27, events  # all but the very first reports (before the event opened)
        langs = det.get_event(top).languages
        assert set(langs) == {"ar", "fr", "en"}
    assert Counter(final[r.id] for r in quake).most_common(1)[0][0] != \
        Counter(final[r.id] for r in flood).most_common(1)[0][0]
    assert len(det.active_events()) == 2
