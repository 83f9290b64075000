"""Resolution's scalar fast paths give the same numbers as the vectorised code they replace.

Priors of small candidate lists are summed in Python floats, distances reuse per-key
arrays, co-location keeps its per-reading flags as bit masks: each is checked here against
the plain numpy formulation, on every key of the small test gazetteer (a sample of its keys where there are too many to take all).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from geoparse.conftest import gp, small_cache  # noqa: F401  (the small test gazetteer)
from tocsin.enrich.geoparse import resolve as R
from tocsin.enrich.geoparse.gazetteer import KIND_CITY
from tocsin.enrich.geoparse.geo import haversine_many

WEIGHTS = [
    R.DEFAULT_WEIGHTS,
    # negative, integer and odd weights: the scalar path must follow numpy's arithmetic
    dataclasses.replace(R.DEFAULT_WEIGHTS, megacity=-0.5, capital=2, primary=0.1,
                        curated=-1.3, kind_bonus=(0.1, -0.2, 0.3, -0.4, 0.5)),
]


def _vector_priors(gz, ents, flags, w):
    """The vectorised prior sum (what ``_priors`` does above SMALL_PRIORS candidates)."""
    kinds, pops = gz.kind[ents], gz.pop[ents]
    pr = np.log10(pops.astype(np.float64) + 10.0)
    pr += np.asarray(w.kind_bonus)[kinds]
    pr += w.megacity * ((kinds == KIND_CITY) & (pops >= 1_000_000))
    pr += w.capital * gz.capital[ents]
    pr += w.primary * ((flags & R.F_PRIMARY) != 0)
    pr += w.curated * ((flags & R.F_CURATED) != 0)
    return pr


@pytest.mark.parametrize("w", WEIGHTS)
def test_small_priors_are_the_vectorised_floats(gp, w):  # noqa: F811
    gz = gp.gazetteer
    checked = 0
    # a sample, and every key with more candidates than the scalar path takes
    sizes = np.diff(gz.key_ptr)
    sample = np.random.default_rng(3).integers(0, gz.n_keys, 15_000)
    for kid in sorted(set(sample.tolist()) | set(np.flatnonzero(sizes > R.SMALL_PRIORS).tolist())):
        ents, flags = gz.postings(kid)
        got = R._priors(gz, ents, flags, w)
        want = _vector_priors(gz, ents, flags, w)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), kid
        checked += len(ents) <= R.SMALL_PRIORS
    assert checked > 5000


def test_distances_are_haversine_many(gp):  # noqa: F811
    gz = gp.gazetteer
    rng = np.random.default_rng(7)
    for kid in rng.integers(0, gz.n_keys, 300).tolist():
        c = R._cands_of(gz, kid, R.DEFAULT_WEIGHTS)
        for r in rng.integers(0, gz.n_entities, 3).tolist():
            want = haversine_many(float(gz.lat[r]), float(gz.lon[r]), c.lats, c.lons).tolist()
            assert R._distances_km(c, float(gz.lat[r]), float(gz.lon[r])) == want


def _colocated_reference(cand, km):
    """``_colocated`` with numpy flag arrays and no memo (the formulation it replaced)."""
    pts = []
    for kid, c in cand.items():
        js = [j for j, k in enumerate(c.kinds_l) if k >= KIND_CITY]
        if js:
            la = np.radians(c.lats[js].astype(np.float64))
            lo = np.radians(c.lons[js].astype(np.float64))
            pts.append((kid, js, la[:, None], lo[:, None], np.cos(la)[:, None]))
    out = {}
    if len(pts) < 2:
        return out
    lim_h = math.sin(km / (2 * 6371.0088)) ** 2
    hits = {kid: np.zeros(len(js), dtype=bool) for kid, js, *_ in pts}
    for i, (k1, _, la1, lo1, co1) in enumerate(pts):
        for k2, _, la2, lo2, co2 in pts[i + 1:]:
            h = np.sin((la2.T - la1) / 2) ** 2 + co1 * co2.T * np.sin((lo2.T - lo1) / 2) ** 2
            m = h <= lim_h
            hits[k1] |= m.any(axis=1)
            hits[k2] |= m.any(axis=0)
    for kid, js, *_ in pts:
        if hits[kid].any():
            flags = [False] * len(cand[kid].rows)
            for j, h_j in zip(js, hits[kid].tolist(), strict=True):
                flags[j] = h_j
            out[kid] = flags
    return out


def test_colocated_flags_match_the_array_formulation(gp):  # noqa: F811
    gz = gp.gazetteer
    R.clear_caches()
    rng = np.random.default_rng(11)
    # keys with several town readings, so that documents have pairs to compare
    keys = [k for k in range(gz.n_keys) if 2 <= len(gz.postings(k)[0]) <= 40][:3000]
    found = 0
    for _ in range(2):  # the second round answers from the per-pair memo
        for doc in rng.choice(len(keys), size=(400, 3)).tolist():
            cand = {keys[i]: R._prior_cache(gz, R.DEFAULT_WEIGHTS).get(keys[i])
                    or R._cands_of(gz, keys[i], R.DEFAULT_WEIGHTS) for i in doc}
            for kid, c in cand.items():
                R._prior_cache(gz, R.DEFAULT_WEIGHTS)[kid] = c
            got = R._colocated(cand, R.DEFAULT_WEIGHTS.colocated_km)
            assert got == _colocated_reference(cand, R.DEFAULT_WEIGHTS.colocated_km)
            found += bool(got)
    R.clear_caches()
    assert found > 0


def test_bits():
    assert R._bits(np.array([], dtype=bool)) == 0
    flags = np.array([True, False, False, True] + [False] * 9 + [True])
    assert R._bits(flags) == 1 | 8 | (1 << 13)


def test_places_outside_the_band_are_beyond_near_km(gp):  # noqa: F811
    """``_all_far`` skips a place only when every scored reading is NEAR_KM or more away."""
    gz = gp.gazetteer
    rng = np.random.default_rng(13)
    skipped = 0
    for kid in rng.integers(0, gz.n_keys, 2000).tolist():
        c = R._cands_of(gz, kid, R.DEFAULT_WEIGHTS)
        # a random place, and one close to a reading (the band's edge is what matters)
        j = int(rng.integers(0, len(c.rows)))
        for r in (int(rng.integers(0, gz.n_entities)), c.rows[j]):
            for dlat in (0.0, 2.6, 2.8, -2.8):
                lat, lon = float(gz.lat[r]) + dlat, float(gz.lon[r])
                if not R._all_far(c, lat):
                    continue
                skipped += 1
                d = R._distances_km(c, lat, lon)
                assert all(dj >= R.NEAR_KM for dj, k in zip(d, c.kinds_l, strict=True)
                           if k >= R.KIND_ADMIN1)
    assert skipped > 100
