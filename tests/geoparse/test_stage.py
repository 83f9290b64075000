"""The pipeline stage, report-level location and the event bounding box."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from tocsin.enrich.geoparse import GeoparseStage, bbox_of
from tocsin.model import Place, Report


def report(i: int, text: str, lang: str | None = None) -> Report:
    return Report(id=str(i), source="test", text=text, lang=lang,
                  published_at=datetime(2026, 11, 29, tzinfo=timezone.utc))


def test_stage_sets_places_and_location(gp):
    batch = [report(1, "Flooding in Goma, DR Congo, displaced thousands."),
             report(2, "No place here at all."),
             report(3, "قصف على خان يونس", "ar"),
             report(4, "")]
    out = GeoparseStage(gp).enrich(batch)
    assert out is batch
    assert [p.phrase for p in out[0].places] == ["Goma", "DR Congo"]
    assert out[0].location is not None and out[0].location.phrase == "Goma"
    assert out[1].places == [] and out[1].location is None
    assert out[2].location is not None and out[2].location.country == "PS"
    assert out[3].places == [] and out[3].location is None


def test_locate_prefers_specific_confident_places(gp):
    ps = gp.parse("Syria: shelling in Aleppo and Aleppo again.")
    loc = gp.locate(ps)
    assert loc is not None and loc.phrase == "Aleppo"
    weak = [Place(0, 4, "Goma", 1, "Goma", -1.6, 29.2, "CD", feature="PPL", score=0.1)]
    assert gp.locate(weak) is None
    assert gp.locate([]) is None


def test_parse_batch_matches_parse(gp):
    texts = ["Kharkiv", "Port-au-Prince and Goma", ""]
    assert gp.parse_batch(texts) == [gp.parse(t) for t in texts]
    assert gp.parse_batch(texts, ["en", None, "fr"]) == [gp.parse(t) for t in texts]


coords = st.tuples(st.floats(-180, 180), st.floats(-90, 90))


@given(st.lists(coords, max_size=20))
def test_bbox_contains_every_place(pts):
    places = [Place(0, 1, "x", lat=la, lon=lo) for lo, la in pts]
    box = bbox_of(places)
    if not pts:
        assert box is None
        return
    min_lon, min_lat, max_lon, max_lat = box
    assert min_lon <= max_lon and min_lat <= max_lat
    for lo, la in pts:
        assert min_lon <= lo <= max_lon and min_lat <= la <= max_lat


def test_bbox_ignores_unresolved():
    assert bbox_of([Place(0, 1, "x")]) is None
