"""Toponym resolution: pick the GeoNames referent of each mention from document context.

Score = prior + context, then a softmax over the mention's candidates gives confidence.
- prior: log population, the kind of place (continents and countries are what a bare
  "Georgia" or "Jordan" usually means in news), whether the text used the place's own
  name rather than an alternate, and whether the name comes from the hand-kept list;
- context, from a first pass that resolves every mention on its prior alone: countries
  and admin-1 regions the document names (a candidate inside them gains), the "Town,
  Region" pattern, nearness to the other places of the document, the source's home
  country and the document language's countries.
One sense per discourse: every mention of the same name gets the same referent.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np

from tocsin.enrich.geoparse.gazetteer import (
    F_CURATED,
    F_PRIMARY,
    KIND_ADMIN1,
    KIND_ADMIN2,
    KIND_CITY,
    KIND_COUNTRY,
    KIND_NAMES,
    Gazetteer,
)
from tocsin.enrich.geoparse.geo import EARTH_RADIUS_KM, haversine_prepared
from tocsin.enrich.geoparse.recognise import Mention
from tocsin.model import Place

MAX_CANDIDATES = 48


@dataclass(frozen=True, slots=True)
class Weights:
    """Scoring weights, kept in one place so that tuning is explicit and documented."""

    # by KIND_*; admin-1 populations are sums over member places, hence the discount
    kind_bonus: tuple[float, float, float, float, float] = (3.0, 2.5, -0.3, 0.0, -1.0)
    megacity: float = 1.0  # "New York" is the city in news, not the state
    capital: float = 1.5  # "Washington" is the capital
    primary: float = 0.8
    curated: float = 1.0
    country_ctx: float = 2.0
    dominant_ctx: float = 2.0  # extra for the document's most-named country (>= 2 votes)
    admin1_ctx: float = 1.0
    a1_vote_city: float = 0.0  # how much a place's own admin-1 counts as named context
    admin2_in_a1: float = 2.0  # extra for a county inside a named/implied admin-1
    town_region: float = 4.0
    near_100: float = 1.0
    near_300: float = 0.5
    home_country: float = 1.5
    lang_country: float = 0.7
    country_self: float = 2.0  # a country named elsewhere (by a demonym, say) supports itself
    region_of_town: float = 2.0  # "Tacoma, Washington": the region containing the town
    a1_sibling: float = 1.0  # "Indiana, Ohio, Montana, Wyoming": a list of regions
    a1_sibling_min: int = 4  # ... of at least this many other admin-1 of the country
    colocated: float = 0.5  # some reading of another name lies within colocated_km
    colocated_km: float = 50.0
    temperature: float = 1.0
    # a one-word name whose best reading is a town smaller than this, with no support from
    # the document (no country, region or nearby place, no "in"), is more likely a
    # surname or a common noun ("Spencer", "McDonald", "Boons") than a place: dropped.
    min_pop_alone: int = 20_000


DEFAULT_WEIGHTS = Weights()


#: Bounds on the caches (entries). Over 228k crisis posts they held 7.5k keys, 20k
#: documents' name sets and 6k places, and the process grew by 79 MB (15 MB without them).
PRIOR_CACHE_SIZE = 20_000
NEAR_CACHE_SIZE = 16  # per key: the places it is named with, distances computed once
COLOC_CACHE_SIZE = 16  # per key: the other names it was co-located with
_CACHES: dict[tuple[int, Weights], dict[int, _Cands]] = {}


def _cache_for(caches: dict, gz: Gazetteer, w: Weights) -> dict:
    """The cache of one (gazetteer, weights) pair in ``caches``, which keeps at most 9."""
    k = (id(gz), w)
    c = caches.get(k)
    if c is None:
        if len(caches) > 8:
            caches.clear()
        c = caches[k] = {}
    return c


def _prior_cache(gz: Gazetteer, w: Weights) -> dict[int, _Cands]:
    """Priors depend only on the key and the weights: news repeats the same names, so
    computing them once per key is most of resolution's speed."""
    return _cache_for(_CACHES, gz, w)


@dataclass(slots=True)
class _Cands:
    """A key's candidates with their priors and the facts scoring needs, as Python lists
    where the scoring loop reads them one by one (numpy scalars are slow there)."""

    ents: np.ndarray
    top: int  # the prior-only winner
    lats: np.ndarray
    lons: np.ndarray
    pr_l: list[float]
    kinds_l: list[int]
    ccs: list[str]
    a1s: list[str]
    by_cc: dict[str, list[int]]  # country -> candidate indexes, ascending
    by_a1: dict[str, list[int]]  # admin-1 -> candidate indexes, ascending
    near: dict[int, list[float]]  # entity row -> distances (km) of the candidates to it
    rows: list[int]
    pops: list[int]
    top_kind: int
    top_cc: str
    top_a1: str
    #: place readings (towns, counties) as (indexes, radians lat, lon, cos lat, lowest and
    #: highest lat), for co-location; filled on first use
    places: tuple | None = None
    #: co-location with another key's place readings, as computed by _colocated for the
    #: ordered pair (this key, that key): other key -> (this key's hits, that key's hits)
    #: as bit masks over the place readings, or None where no two readings lie at
    #: similar latitudes
    coloc: dict[int, tuple | None] = field(default_factory=dict)
    #: (radians lat, its cosine, lon) of the candidates as float64, for distances to the
    #: document's other places; filled on first use
    geo: tuple | None = None
    max_kind: int = KIND_ADMIN2  # the finest kind among the candidates
    #: latitudes (degrees, ascending) of the readings that nearness scores (admin-1 or
    #: finer); filled on first use
    near_lats: list[float] | None = None


def _cands_of(gz: Gazetteer, kid: int, w: Weights) -> _Cands:
    ents, flags = gz.postings(kid)
    kinds, pops = gz.kind[ents], gz.pop[ents]
    pr = _priors(gz, ents, flags, w, kinds, pops)
    if len(ents) > MAX_CANDIDATES:
        top = np.argsort(-pr)[:MAX_CANDIDATES]
        ents, pr, kinds, pops = ents[top], pr[top], kinds[top], pops[top]
    rows = ents.tolist()
    best = int(pr.argmax())
    # gz.country_of / admin1_of of each row, with one array lookup for all rows
    cc_vocab, a1_vocab = gz.cc_vocab, gz.a1_vocab
    ccs = [cc_vocab[i] for i in gz.cc_code[ents].tolist()]
    a1s = [a1_vocab[i] for i in gz.a1_code[ents].tolist()]
    kinds_l = kinds.tolist()
    by_cc: dict[str, list[int]] = {}
    by_a1: dict[str, list[int]] = {}
    for j, (cc, a1) in enumerate(zip(ccs, a1s, strict=True)):
        by_cc.setdefault(cc, []).append(j)
        by_a1.setdefault(a1, []).append(j)
    # the prior-only winner and its kind, country and admin-1, read from the lists
    return _Cands(ents, rows[best], gz.lat[ents], gz.lon[ents],
                  pr.tolist(), kinds_l, ccs, a1s, by_cc, by_a1, {}, rows,
                  pops.tolist(), kinds_l[best], ccs[best], a1s[best], max_kind=max(kinds_l))


def _priors(gz: Gazetteer, ents: np.ndarray, flags: np.ndarray, w: Weights,
            kinds: np.ndarray | None = None, pops: np.ndarray | None = None) -> np.ndarray:
    """Priors of the entities ``ents`` (``kinds``/``pops``: their gz.kind/gz.pop, if the
    caller has them)."""
    if kinds is None:
        kinds = gz.kind[ents]
    if pops is None:
        pops = gz.pop[ents]
    pr = np.log10(pops.astype(np.float64) + 10.0)
    if len(pr) <= SMALL_PRIORS:
        return np.array(_priors_small(gz, ents, flags, w, kinds, pops, pr), dtype=np.float64)
    pr += np.asarray(w.kind_bonus)[kinds]
    pr += w.megacity * ((kinds == KIND_CITY) & (pops >= 1_000_000))
    pr += w.capital * gz.capital[ents]
    pr += w.primary * ((flags & F_PRIMARY) != 0)
    pr += w.curated * ((flags & F_CURATED) != 0)
    return pr


#: Up to this many candidates, ``_priors`` adds its terms in Python floats.
SMALL_PRIORS = 64


def _priors_small(gz: Gazetteer, ents: np.ndarray, flags: np.ndarray, w: Weights,
                  kinds: np.ndarray, pops: np.ndarray, base: np.ndarray) -> list[float]:
    """``_priors`` from ``base`` (the log-population term), element by element.

    Most keys have a few candidates, and numpy's per-operation cost on a Python scalar
    times a boolean array (~5 us each, five of them) was most of the cost of a key seen
    for the first time. Each element gets the same IEEE double operations in the same
    order as the vectorised sum: ``weight * flag`` (a flag is 0 or 1), then one addition
    per term, so the priors are the same floats.
    """
    kb, mega, cap_w, prim, cur = w.kind_bonus, w.megacity, w.capital, w.primary, w.curated
    out = base.tolist()
    for j, (k, pop, cap, fl) in enumerate(zip(kinds.tolist(), pops.tolist(),
                                               gz.capital[ents].tolist(), flags.tolist(),
                                               strict=True)):
        p = out[j]
        p += kb[k]
        p += mega * (k == KIND_CITY and pop >= 1_000_000)
        p += cap_w * cap
        p += prim * ((fl & F_PRIMARY) != 0)
        p += cur * ((fl & F_CURATED) != 0)
        out[j] = p
    return out


def resolve(gz: Gazetteer, text: str, mentions: list[Mention], *, lang: str | None = None,
            home_country: str | None = None, weights: Weights = DEFAULT_WEIGHTS
            ) -> list[Place]:
    """Resolve recognised mentions to places; Place.score is the resolution confidence."""
    if not mentions:
        return []
    # Everything below depends on the text only through this signature; posts repeat the
    # same few names ("Ecuador", "Japan"), so most documents are resolved from the cache.
    if len(mentions) == 1:  # most posts with a place: the same signature, built directly
        keys = [mentions[0].key_id]
        pairs: tuple[tuple[int, int], ...] = ()
    else:
        keys = list(dict.fromkeys(m.key_id for m in mentions))
        pairs = tuple((mentions[i].key_id, mentions[i + 1].key_id)
                      for i in range(len(mentions) - 1)
                      if _is_region_gap(text[mentions[i].end:mentions[i + 1].start]))
    sig = (tuple(keys), pairs, lang, home_country)
    last = _LAST[0]  # one read: another thread may swap in a whole new tuple
    if last is not None and last[0] is gz and last[1] is weights:
        priors, cache, fields = last[2], last[3], last[4]
    else:
        priors, cache, fields = (_prior_cache(gz, weights), _resolve_cache(gz, weights),
                                 _place_fields(gz))
        _LAST[0] = (gz, weights, priors, cache, fields)
    hit = cache.get(sig)
    if hit is None:
        hit = _resolve_keys(gz, keys, pairs, lang, home_country, weights, priors)
        if len(cache) >= RESOLVE_CACHE_SIZE:
            cache.clear()
        cache[sig] = hit
    resolved, unsupported = hit
    if unsupported:  # unless some mention has support: "in Boons", "Spencer Gulf"
        unsupported = unsupported - {m.key_id for m in mentions
                                     if m.locative or " " in m.phrase.strip()}
    out = []
    for m in mentions:
        if m.key_id in unsupported:
            continue
        row, conf = resolved[m.key_id]
        f = fields.get(row)
        if f is None:
            if len(fields) >= RESOLVE_CACHE_SIZE:
                fields.clear()
            f = fields[row] = _fields_of(gz, row)
        # positional: f is the 7 fields from geonameid to feature, then comes the score
        out.append(Place(m.start, m.end, m.phrase, *f, conf * m.confidence))
    return out


def _is_region_gap(gap: str) -> bool:
    """The text between "Town" and "Region" in "Town, Region" / "Town (Region"."""
    return len(gap) <= 3 and gap.strip() in {",", "(", ", the"}


RESOLVE_CACHE_SIZE = 30_000
_RESOLVED: dict[tuple[int, Weights], dict] = {}
_FIELDS: dict[int, dict[int, tuple]] = {}
#: the caches of the last (gazetteer, weights) used: found by identity, not by hashing
#: the weights for every report
_LAST: list[tuple | None] = [None]


def _resolve_cache(gz: Gazetteer, w: Weights) -> dict:
    return _cache_for(_RESOLVED, gz, w)


def _place_fields(gz: Gazetteer) -> dict[int, tuple]:
    c = _FIELDS.get(id(gz))
    if c is None:
        if len(_FIELDS) > 8:
            _FIELDS.clear()
        c = _FIELDS[id(gz)] = {}
    return c


def clear_caches() -> None:
    """Forget every cached prior, resolution and place (tests, benchmarks, new weights)."""
    _CACHES.clear()
    _RESOLVED.clear()
    _FIELDS.clear()
    _LAST[0] = None


def _fields_of(gz: Gazetteer, row: int) -> tuple:
    """Place's fields from geonameid to feature, in order, for an entity row."""
    a1 = gz.admin1_of(row)
    return (int(gz.gid[row]), gz.name[row], round(float(gz.lat[row]), 5),
            round(float(gz.lon[row]), 5), gz.country_of(row) or None,
            a1.split(".", 1)[1] if "." in a1 else None, KIND_NAMES[int(gz.kind[row])])


def _resolve_keys(gz: Gazetteer, keys: list[int], pairs: tuple[tuple[int, int], ...],
                  lang: str | None, home_country: str | None, weights: Weights,
                  cache: dict[int, _Cands]
                  ) -> tuple[dict[int, tuple[int, float]], frozenset[int]]:
    """key id -> (entity row, confidence) for a document's distinct keys, and the keys
    whose reading is a small town that nothing in the document supports."""
    w = weights
    # candidates and priors per distinct key (one sense per discourse)
    cand: dict[int, _Cands] = {}
    for kid in keys:
        hit = cache.get(kid)
        if hit is None:
            hit = _cands_of(gz, kid, w)
            if len(cache) >= PRIOR_CACHE_SIZE:
                cache.clear()
            cache[kid] = hit
        cand[kid] = hit
    # pass 1: prior-only winners (c.top) give the document's context
    cc_votes: dict[str, float] = {}
    a1_votes: dict[str, float] = {}
    for c in cand.values():
        k, cc = c.top_kind, c.top_cc
        if k == KIND_COUNTRY:
            cc_votes[cc] = cc_votes.get(cc, 0.0) + 1.0
        elif k >= KIND_ADMIN1 and cc:
            cc_votes[cc] = cc_votes.get(cc, 0.0) + 0.5
        if k == KIND_ADMIN1 or k == KIND_ADMIN2:  # a county implies its state
            a1 = c.top_a1
            a1_votes[a1] = a1_votes.get(a1, 0.0) + 1.0
        elif k == KIND_CITY and weights.a1_vote_city:
            a1 = c.top_a1
            a1_votes[a1] = a1_votes.get(a1, 0.0) + weights.a1_vote_city

    dominant = max(cc_votes, key=cc_votes.__getitem__) if cc_votes else None
    if dominant is not None and cc_votes[dominant] < 2:
        dominant = None

    # "Town, Region": the region's possible codes, keyed by the town's key
    region_after: list[tuple[int, tuple[set[str], set[str]]]] = []
    for town, region in pairs:
        # (the candidates' country and admin-1 codes are in the cached lists already)
        rc = cand[region]
        ccs = {cc for cc, k in zip(rc.ccs, rc.kinds_l, strict=True) if k == KIND_COUNTRY}
        a1s = {a1 for a1, k in zip(rc.a1s, rc.kinds_l, strict=True) if k == KIND_ADMIN1}
        region_after.append((town, (ccs, a1s)))

    town_region_keys: dict[int, tuple[set[str], set[str]]] = {}
    for kid, (ccs, a1s) in region_after:
        prev = town_region_keys.get(kid, (set(), set()))
        town_region_keys[kid] = (prev[0] | ccs, prev[1] | a1s)

    # "Town, Region": the region's reading that contains one of the town's readings
    region_town_keys: dict[int, tuple[set[str], set[str]]] = {}
    if w.region_of_town:
        for town, region in pairs:
            c = cand[town]
            prev = region_town_keys.get(region, (set(), set()))
            region_town_keys[region] = (prev[0] | set(c.ccs), prev[1] | set(c.a1s))
    # admin-1 regions named per country: a list of states makes "Wyoming" the state
    a1_by_cc: dict[str, int] = {}
    if w.a1_sibling:
        for c in cand.values():
            if c.top_kind == KIND_ADMIN1:
                a1_by_cc[c.top_cc] = a1_by_cc.get(c.top_cc, 0) + 1

    # co-location: readings of two different names that lie close together support each
    # other, whichever readings the priors prefer ("Edmonton" and "Enfield" in London)
    coloc: dict[int, list[bool]] = {}
    if w.colocated and len(cand) >= 2:
        coloc = _colocated(cand, w.colocated_km)

    # pass 2: context scores
    resolved: dict[int, tuple[int, float]] = {}
    unsupported: set[int] = set()
    country_langs = gz.country_langs
    regional_tops = [(k2, c.top) for k2, c in cand.items() if c.top_kind >= KIND_ADMIN1]
    lang_ctx = bool(lang and lang != "en")
    for kid, c in cand.items():
        ccs, kinds_l, a1s = c.ccs, c.kinds_l, c.a1s
        # the prior-only winner (c.top) and its facts
        own_cc = c.top_cc
        own_kind = c.top_kind
        own_vote = 1.0 if own_kind == KIND_COUNTRY else (0.5 if own_kind >= KIND_ADMIN1 else 0)
        own_a1 = c.top_a1 if own_kind >= KIND_ADMIN1 else None
        own_a1_vote = 1.0 if own_kind in (KIND_ADMIN1, KIND_ADMIN2) else w.a1_vote_city
        # Context touches few candidates: visit only those, through the per-key indexes
        # by country and admin-1. Each candidate still gets its additions in the same
        # order (country, dominant, admin-1, admin-2, home, language), so the sums are
        # the same floats as a candidate-by-candidate loop gives.
        sc = c.pr_l.copy()
        by_cc, by_a1 = c.by_cc, c.by_a1
        for cc, votes in cc_votes.items():
            js = by_cc.get(cc)
            if js is None:
                continue
            v = votes - (own_vote if cc == own_cc else 0.0)
            if v > 0:
                add = w.country_ctx * min(1.0, v)
                for j in js:
                    if kinds_l[j] != KIND_COUNTRY:
                        sc[j] += add
                        if cc == dominant:
                            sc[j] += w.dominant_ctx
                    elif w.country_self:
                        sc[j] += w.country_self * min(1.0, v)
        for a1, votes in a1_votes.items():
            js = by_a1.get(a1)
            if js is None:
                continue
            va = votes - (own_a1_vote if a1 == own_a1 else 0.0)
            if va > 1e-9:
                add = w.admin1_ctx * min(1.0, va)
                for j in js:
                    if kinds_l[j] >= KIND_CITY:  # places and admin-2 inside a named admin-1
                        sc[j] += add
                        if kinds_l[j] == KIND_ADMIN2:
                            sc[j] += w.admin2_in_a1
        if home_country:
            for j in by_cc.get(home_country, ()):
                sc[j] += w.home_country
        if lang_ctx:
            for cc, js in by_cc.items():
                if lang in country_langs.get(cc, ()):
                    for j in js:
                        sc[j] += w.lang_country
        tr = town_region_keys.get(kid)
        if tr:
            for j, cc in enumerate(ccs):
                if kinds_l[j] >= KIND_ADMIN1 and (cc in tr[0] or a1s[j] in tr[1]):
                    sc[j] += w.town_region
        rt = region_town_keys.get(kid)
        if rt:
            for j, k in enumerate(kinds_l):
                if (k == KIND_COUNTRY and ccs[j] in rt[0]) or \
                        (k == KIND_ADMIN1 and a1s[j] in rt[1]):
                    sc[j] += w.region_of_town
        if a1_by_cc:
            for j, k in enumerate(kinds_l):
                if k == KIND_ADMIN1:
                    n = a1_by_cc.get(ccs[j], 0) - (own_kind == KIND_ADMIN1 and own_cc == ccs[j])
                    if n >= w.a1_sibling_min:
                        sc[j] += w.a1_sibling
        cl = coloc.get(kid)
        if cl is not None:
            for j, near_j in enumerate(cl):
                if near_j:
                    sc[j] += w.colocated
        # nearness to the other places (cities and regions) of the document; plain
        # Python from here on: candidate lists are short and numpy's per-call overhead
        # was most of the cost of a document seen for the first time
        # (only readings of admin-1 or finer use the distances: a key that has none, a
        # country say, skips computing them)
        others = [r for k2, r in regional_tops if k2 != kid] if c.max_kind >= KIND_ADMIN1 \
            else None
        if others:
            near: list[float] | None = None
            for r in others[:20]:
                d = c.near.get(r)
                if d is None:
                    lat = float(gz.lat[r])
                    d = _FAR if _all_far(c, lat) else _distances_km(c, lat, float(gz.lon[r]))
                    if len(c.near) < NEAR_CACHE_SIZE:
                        c.near[r] = d
                if d is _FAR:  # no reading within NEAR_KM: r changes no nearness bonus
                    continue
                near = d if near is None else [a if a <= b else b for a, b in zip(near, d, strict=True)]
            if near is not None:
                n100, n300 = w.near_100, w.near_300
                for j, dj in enumerate(near):
                    if kinds_l[j] >= KIND_ADMIN1 and dj < NEAR_KM:
                        sc[j] += n100 if dj < 100 else n300
        mx = max(sc)
        best = sc.index(mx)
        t = w.temperature
        p = [math.exp((x - mx) / t) for x in sc]
        resolved[kid] = (c.rows[best], p[best] / sum(p))
        if w.min_pop_alone and kinds_l[best] == KIND_CITY and \
                c.pops[best] < w.min_pop_alone and sc[best] - c.pr_l[best] <= 0:
            unsupported.add(kid)

    return resolved, frozenset(unsupported)


#: the farthest distance (km) at which another place of the document makes a reading "near"
NEAR_KM = 300
#: a latitude band (degrees) wider than NEAR_KM: a reading outside it is farther than NEAR_KM
#: whatever its longitude (a great circle is at least as long as its latitude difference);
#: the 1 % margin dwarfs any rounding in the distances, so skipping them changes nothing
_NEAR_BAND_DEG = math.degrees(NEAR_KM / EARTH_RADIUS_KM) * 1.01
#: what ``c.near`` holds for a place farther than NEAR_KM from every scored reading
_FAR: list[float] = []


def _all_far(c: _Cands, lat: float) -> bool:
    """Whether every reading of ``c`` that nearness scores (admin-1 or finer) lies outside
    the latitude band of a place at ``lat``, so that its distances need not be computed:
    all would be at least NEAR_KM and score nothing (on humaid, 7 in 10 distance lists
    computed had no scored reading within NEAR_KM; half were outside the band)."""
    lats = c.near_lats
    if lats is None:
        lats = c.near_lats = sorted(la for la, k in zip(c.lats.tolist(), c.kinds_l, strict=True)
                                    if k >= KIND_ADMIN1)
    i = bisect_left(lats, lat - _NEAR_BAND_DEG)
    return i == len(lats) or lats[i] > lat + _NEAR_BAND_DEG


def _distances_km(c: _Cands, lat: float, lon: float) -> list[float]:
    """``haversine_many(lat, lon, c.lats, c.lons).tolist()``, the same floats, with the
    candidates' side of the formula computed once per key (kept in ``c.geo``): on a handful
    of candidates most of a call's cost is numpy's per-operation overhead."""
    g = c.geo
    if g is None:
        p2 = np.radians(c.lats.astype(np.float64))
        g = c.geo = (p2, np.cos(p2), c.lons.astype(np.float64))
    return haversine_prepared(lat, lon, *g).tolist()


def _colocated(cand: dict[int, _Cands], km: float) -> dict[int, list[bool]]:
    """Per key, which of its place readings (towns, counties) lie within ``km`` of a place
    reading of another key (each pair of keys is one vectorised distance matrix)."""
    pts: list[tuple[int, tuple]] = []
    for kid, c in cand.items():
        if c.places is None:
            js = [j for j, k in enumerate(c.kinds_l) if k >= KIND_CITY]
            la = np.radians(c.lats[js].astype(np.float64))
            c.places = (js, la[:, None], np.radians(c.lons[js].astype(np.float64))[:, None],
                        np.cos(la)[:, None], float(la.min()) if js else 0.0,
                        float(la.max()) if js else 0.0)
        if c.places[0]:
            pts.append((kid, c.places))
    out: dict[int, list[bool]] = {}
    if len(pts) < 2:
        return out
    lim_h = math.sin(km / (2 * 6371.0088)) ** 2  # haversine h at that distance
    dlat = km / 6371.0088  # radians of latitude within km: a cheap test first
    # which place readings of each key are near another key's: bit i for reading i, in
    # Python ints (numpy's per-call cost on arrays this small was most of the work here)
    hits = dict.fromkeys([kid for kid, _ in pts], 0)
    for i, (k1, (_, la1, lo1, co1, lo_1, hi_1)) in enumerate(pts):
        memo = cand[k1].coloc  # pairs of names recur across documents: each pair once
        for k2, (_, la2, lo2, co2, lo_2, hi_2) in pts[i + 1:]:
            if k2 in memo:
                r = memo[k2]
            else:
                if lo_2 > hi_1 + dlat or lo_1 > hi_2 + dlat:
                    r = None  # no two readings at similar latitudes
                else:
                    h = np.sin((la2.T - la1) / 2) ** 2 + \
                        co1 * co2.T * np.sin((lo2.T - lo1) / 2) ** 2
                    m = h <= lim_h
                    r = (_bits(m.any(axis=1)), _bits(m.any(axis=0)))
                if len(memo) < COLOC_CACHE_SIZE:
                    memo[k2] = r
            if r is not None:
                hits[k1] |= r[0]
                hits[k2] |= r[1]
    for kid, pl in pts:
        hit = hits[kid]
        if hit:
            flags = [False] * len(cand[kid].rows)
            for i, j in enumerate(pl[0]):
                if hit >> i & 1:
                    flags[j] = True
            out[kid] = flags
    return out


def _bits(flags: np.ndarray) -> int:
    """A boolean vector as an int whose bit i is ``flags[i]``."""
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def place_of(gz: Gazetteer, m: Mention, row: int, score: float) -> Place:
    a1 = gz.admin1_of(row)
    return Place(
        start=m.start, end=m.end, phrase=m.phrase, geonameid=int(gz.gid[row]),
        name=gz.name[row], lat=round(float(gz.lat[row]), 5), lon=round(float(gz.lon[row]), 5),
        country=gz.country_of(row) or None, admin1=a1.split(".", 1)[1] if "." in a1 else None,
        feature=KIND_NAMES[int(gz.kind[row])], score=score,
    )
