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

from dataclasses import dataclass

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
from tocsin.enrich.geoparse.geo import haversine_many
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
    temperature: float = 1.0
    # a one-word name whose best reading is a town smaller than this, with no support from
    # the document (no country, region or nearby place, no "in"), is more likely a
    # surname or a common noun ("Spencer", "McDonald", "Boons") than a place: dropped.
    min_pop_alone: int = 20_000


DEFAULT_WEIGHTS = Weights()


PRIOR_CACHE_SIZE = 100_000
_CACHES: dict[tuple[int, Weights], dict[int, _Cands]] = {}


def _prior_cache(gz: Gazetteer, w: Weights) -> dict[int, _Cands]:
    """Priors depend only on the key and the weights: news repeats the same names, so
    computing them once per key is most of resolution's speed."""
    k = (id(gz), w)
    c = _CACHES.get(k)
    if c is None:
        if len(_CACHES) > 8:
            _CACHES.clear()
        c = _CACHES[k] = {}
    return c


@dataclass(slots=True)
class _Cands:
    """A key's candidates with their priors and the facts scoring needs, as Python lists
    where the scoring loop reads them one by one (numpy scalars are slow there)."""

    ents: np.ndarray
    pr: np.ndarray
    top: int  # the prior-only winner
    kinds: np.ndarray
    lats: np.ndarray
    lons: np.ndarray
    pr_l: list[float]
    kinds_l: list[int]
    ccs: list[str]
    a1s: list[str]


def _cands_of(gz: Gazetteer, kid: int, w: Weights) -> _Cands:
    ents, flags = gz.postings(kid)
    pr = _priors(gz, ents, flags, w)
    if len(ents) > MAX_CANDIDATES:
        top = np.argsort(-pr)[:MAX_CANDIDATES]
        ents, pr = ents[top], pr[top]
    kinds = gz.kind[ents]
    rows = ents.tolist()
    return _Cands(ents, pr, int(ents[int(pr.argmax())]), kinds, gz.lat[ents], gz.lon[ents],
                  pr.tolist(), kinds.tolist(), [gz.country_of(r) for r in rows],
                  [gz.admin1_of(r) for r in rows])


def _priors(gz: Gazetteer, ents: np.ndarray, flags: np.ndarray, w: Weights) -> np.ndarray:
    kinds = gz.kind[ents]
    pr = np.log10(gz.pop[ents].astype(np.float64) + 10.0)
    pr += np.asarray(w.kind_bonus)[kinds]
    pr += w.megacity * ((kinds == KIND_CITY) & (gz.pop[ents] >= 1_000_000))
    pr += w.capital * gz.capital[ents]
    pr += w.primary * ((flags & F_PRIMARY) != 0)
    pr += w.curated * ((flags & F_CURATED) != 0)
    return pr


def resolve(gz: Gazetteer, text: str, mentions: list[Mention], *, lang: str | None = None,
            home_country: str | None = None, weights: Weights = DEFAULT_WEIGHTS
            ) -> list[Place]:
    """Resolve recognised mentions to places; Place.score is the resolution confidence."""
    if not mentions:
        return []
    # Everything below depends on the text only through this signature; posts repeat the
    # same few names ("Ecuador", "Japan"), so most documents are resolved from the cache.
    keys = list(dict.fromkeys(m.key_id for m in mentions))
    pairs = tuple((mentions[i].key_id, mentions[i + 1].key_id) for i in range(len(mentions) - 1)
                  if _is_region_gap(text[mentions[i].end:mentions[i + 1].start]))
    sig = (tuple(keys), pairs, lang, home_country)
    cache = _resolve_cache(gz, weights)
    hit = cache.get(sig)
    if hit is None:
        hit = _resolve_keys(gz, keys, pairs, lang, home_country, weights)
        if len(cache) >= RESOLVE_CACHE_SIZE:
            cache.clear()
        cache[sig] = hit
    resolved, unsupported = hit
    if unsupported:  # unless some mention has support: "in Boons", "Spencer Gulf"
        unsupported = unsupported - {m.key_id for m in mentions
                                     if m.locative or " " in m.phrase.strip()}
    out = []
    fields = _place_fields(gz)
    for m in mentions:
        if m.key_id in unsupported:
            continue
        row, conf = resolved[m.key_id]
        f = fields.get(row)
        if f is None:
            f = fields[row] = _fields_of(gz, row)
        out.append(Place(m.start, m.end, m.phrase, *f, score=conf * m.confidence))
    return out


def _is_region_gap(gap: str) -> bool:
    """The text between "Town" and "Region" in "Town, Region" / "Town (Region"."""
    return len(gap) <= 3 and gap.strip() in {",", "(", ", the"}


RESOLVE_CACHE_SIZE = 50_000
_RESOLVED: dict[tuple[int, Weights], dict] = {}
_FIELDS: dict[int, dict[int, tuple]] = {}


def _resolve_cache(gz: Gazetteer, w: Weights) -> dict:
    k = (id(gz), w)
    c = _RESOLVED.get(k)
    if c is None:
        if len(_RESOLVED) > 8:
            _RESOLVED.clear()
        c = _RESOLVED[k] = {}
    return c


def _place_fields(gz: Gazetteer) -> dict[int, tuple]:
    c = _FIELDS.get(id(gz))
    if c is None:
        if len(_FIELDS) > 8:
            _FIELDS.clear()
        c = _FIELDS[id(gz)] = {}
    elif len(c) >= RESOLVE_CACHE_SIZE:
        c.clear()
    return c


def _fields_of(gz: Gazetteer, row: int) -> tuple:
    """Place's fields from geonameid to feature, in order, for an entity row."""
    a1 = gz.admin1_of(row)
    return (int(gz.gid[row]), gz.name[row], round(float(gz.lat[row]), 5),
            round(float(gz.lon[row]), 5), gz.country_of(row) or None,
            a1.split(".", 1)[1] if "." in a1 else None, KIND_NAMES[int(gz.kind[row])])


def _resolve_keys(gz: Gazetteer, keys: list[int], pairs: tuple[tuple[int, int], ...],
                  lang: str | None, home_country: str | None, weights: Weights
                  ) -> tuple[dict[int, tuple[int, float]], frozenset[int]]:
    """key id -> (entity row, confidence) for a document's distinct keys, and the keys
    whose reading is a small town that nothing in the document supports."""
    w = weights
    # candidates and priors per distinct key (one sense per discourse)
    cand: dict[int, _Cands] = {}
    top1: dict[int, int] = {}
    cache = _prior_cache(gz, w)
    for kid in keys:
        hit = cache.get(kid)
        if hit is None:
            hit = _cands_of(gz, kid, w)
            if len(cache) >= PRIOR_CACHE_SIZE:
                cache.clear()
            cache[kid] = hit
        cand[kid] = hit
        # pass 1: prior-only winners give the document's context
        top1[kid] = hit.top
    cc_votes: dict[str, float] = {}
    a1_votes: dict[str, float] = {}
    for row in top1.values():
        k = int(gz.kind[row])
        cc = gz.country_of(row)
        if k == KIND_COUNTRY:
            cc_votes[cc] = cc_votes.get(cc, 0.0) + 1.0
        elif k >= KIND_ADMIN1 and cc:
            cc_votes[cc] = cc_votes.get(cc, 0.0) + 0.5
        if k == KIND_ADMIN1 or k == KIND_ADMIN2:  # a county implies its state
            a1 = gz.admin1_of(row)
            a1_votes[a1] = a1_votes.get(a1, 0.0) + 1.0
        elif k == KIND_CITY and weights.a1_vote_city:
            a1 = gz.admin1_of(row)
            a1_votes[a1] = a1_votes.get(a1, 0.0) + weights.a1_vote_city

    dominant = max(cc_votes, key=cc_votes.__getitem__) if cc_votes else None
    if dominant is not None and cc_votes[dominant] < 2:
        dominant = None

    # "Town, Region": the region's possible codes, keyed by the town's key
    region_after: list[tuple[int, tuple[set[str], set[str]]]] = []
    for town, region in pairs:
        ents = cand[region].ents
        kinds = gz.kind[ents]
        ccs = {gz.country_of(int(r)) for r, k in zip(ents, kinds, strict=True)
               if k == KIND_COUNTRY}
        a1s = {gz.admin1_of(int(r)) for r, k in zip(ents, kinds, strict=True)
               if k == KIND_ADMIN1}
        region_after.append((town, (ccs, a1s)))

    town_region_keys: dict[int, tuple[set[str], set[str]]] = {}
    for kid, (ccs, a1s) in region_after:
        prev = town_region_keys.get(kid, (set(), set()))
        town_region_keys[kid] = (prev[0] | ccs, prev[1] | a1s)

    # pass 2: context scores
    resolved: dict[int, tuple[int, float]] = {}
    unsupported: set[int] = set()
    country_langs = gz.country_langs
    regional_tops = [(k2, r) for k2, r in top1.items() if gz.kind[r] >= KIND_ADMIN1]
    lang_ctx = bool(lang and lang != "en")
    for kid, c in cand.items():
        ents, pr, kinds = c.ents, c.pr, c.kinds
        ccs, kinds_l, a1s = c.ccs, c.kinds_l, c.a1s
        own = top1[kid]
        own_cc = gz.country_of(own)
        own_kind = int(gz.kind[own])
        own_vote = 1.0 if own_kind == KIND_COUNTRY else (0.5 if own_kind >= KIND_ADMIN1 else 0)
        own_a1 = gz.admin1_of(own) if own_kind >= KIND_ADMIN1 else None
        own_a1_vote = 1.0 if own_kind in (KIND_ADMIN1, KIND_ADMIN2) else w.a1_vote_city
        # plain floats, added in the same order as before: identical to numpy's sums
        sc = c.pr_l.copy()
        for j, cc in enumerate(ccs):
            kj = kinds_l[j]
            v = cc_votes.get(cc, 0.0) - (own_vote if cc == own_cc else 0.0)
            if v > 0 and kj != KIND_COUNTRY:
                sc[j] += w.country_ctx * min(1.0, v)
                if cc == dominant:
                    sc[j] += w.dominant_ctx
            if kj >= KIND_CITY:  # places and admin-2 inside a named admin-1
                a1 = a1s[j]
                va = a1_votes.get(a1, 0.0) - (own_a1_vote if a1 == own_a1 else 0.0)
                if va > 1e-9:
                    sc[j] += w.admin1_ctx * min(1.0, va)
                    if kj == KIND_ADMIN2:
                        sc[j] += w.admin2_in_a1
            if home_country and cc == home_country:
                sc[j] += w.home_country
            if lang_ctx and lang in country_langs.get(cc, ()):
                sc[j] += w.lang_country
        tr = town_region_keys.get(kid)
        if tr:
            for j, cc in enumerate(ccs):
                if kinds_l[j] >= KIND_ADMIN1 and (cc in tr[0] or a1s[j] in tr[1]):
                    sc[j] += w.town_region
        score = np.array(sc)
        # nearness to the other places (cities and regions) of the document
        others = [r for k2, r in regional_tops if k2 != kid]
        if others:
            near = np.full(len(ents), np.inf)
            for r in others[:20]:
                d = haversine_many(float(gz.lat[r]), float(gz.lon[r]), c.lats, c.lons)
                near = np.minimum(near, d)
            score += np.where(near < 100, w.near_100, np.where(near < 300, w.near_300, 0.0)) \
                * (kinds >= KIND_ADMIN1)
        z = (score - score.max()) / w.temperature
        p = np.exp(z)
        p /= p.sum()
        best = int(np.argmax(score))
        resolved[kid] = (int(ents[best]), float(p[best]))
        if w.min_pop_alone and kinds[best] == KIND_CITY and \
                gz.pop[ents[best]] < w.min_pop_alone and score[best] - pr[best] <= 0:
            unsupported.add(kid)

    return resolved, frozenset(unsupported)


def place_of(gz: Gazetteer, m: Mention, row: int, score: float) -> Place:
    a1 = gz.admin1_of(row)
    return Place(
        start=m.start, end=m.end, phrase=m.phrase, geonameid=int(gz.gid[row]),
        name=gz.name[row], lat=round(float(gz.lat[row]), 5), lon=round(float(gz.lon[row]), 5),
        country=gz.country_of(row) or None, admin1=a1.split(".", 1)[1] if "." in a1 else None,
        feature=KIND_NAMES[int(gz.kind[row])], score=score,
    )
