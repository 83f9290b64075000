"""Geoparser throughput on short posts, one core, with baselines measured in the same run.

Reports posts/s for: the full geoparser (recognise + resolve), recognition alone, and two
baselines that bound it: a plain regex tokenisation of the same texts (the floor any
parser pays) and a naive dictionary geoparser (capitalised words looked up in a name ->
most-populous-place dict). Ratios, not absolute times, are what compare across machines.
Times are CPU time (time.process_time) of this process: on a shared machine wall time
mostly measures the neighbours.

The geoparser is timed twice over the same posts: "cold" (resolution caches empty, as
at the start of a stream) and "warm" (the same posts again: every document's set of
names already resolved once). A live stream sits in between and moves towards warm.

    .venv/bin/python bench/bench_geoparse.py [--n 20000] [--file POSTS.jsonl.gz]
        [--old OLD/src/tocsin/enrich/geoparse]

Without --file it uses HumAID test tweets from ../shared/data when present, else
synthetic crisis posts. The pipeline stage (``GeoparseStage.enrich`` on batches of 256
reports, cold then warm) is timed too.

--old compares against another copy of this package (say the last commit's:
``git archive HEAD src | tar -x -C /tmp/old``) in the same process, on the same loaded
index: the two are run on alternate 500-post chunks, in alternating order, best of 3
passes, which cancels most of a shared machine's drift; it prints old/new ratios.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import regex

from tocsin.enrich.geoparse import Geoparser, GeoparseStage
from tocsin.enrich.geoparse.resolve import clear_caches
from tocsin.model import Report

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/classify/humaid.test.jsonl.gz"
WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*")


def load_posts(path: Path | None, n: int) -> tuple[list[str], str]:
    for p in (path, DEFAULT, Path("/work/shared/data/classify/humaid.test.jsonl.gz")):
        if p and p.exists():
            out = []
            with gzip.open(p, "rt", encoding="utf-8") as f:
                for line in f:
                    out.append(json.loads(line)["text"])
                    if len(out) >= n:
                        break
            return out, str(p)
    rng = random.Random(7)
    names = ["Kharkiv", "Goma", "Port-au-Prince", "Khan Yunis", "Rafah", "خان يونس", "שדרות",
             "Houston", "Texas", "Харкові", "El Fasher", "Beit Lahia"]
    words = "flooding reported near the bridge people need water and shelter after quake in " \
            "rescue teams arrived this morning roads closed".split()
    posts = []
    for _ in range(n):
        w = rng.choices(words, k=rng.randint(8, 25))
        w.insert(rng.randint(0, len(w)), rng.choice(names))
        posts.append(" ".join(w))
    return posts, "synthetic"


def rate(fn, texts: list[str]) -> float:
    t = time.process_time()
    for x in texts:
        fn(x)
    return len(texts) / max(time.process_time() - t, 1e-9)


def stage_rate(stage, texts: list[str]) -> float:
    now = datetime(2020, 1, 1, tzinfo=UTC)
    reports = [Report(id=str(i), source="bench", text=x, published_at=now, lang="en")
               for i, x in enumerate(texts)]
    t = time.process_time()
    for i in range(0, len(reports), 256):
        stage.enrich(reports[i:i + 256])
    return len(texts) / max(time.process_time() - t, 1e-9)


def load_old(pkg: Path):
    """Another copy of the geoparse package, importable next to this one as ``_geo_old``."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-geo-old-"))
    dst = tmp / "_geo_old"
    shutil.copytree(pkg, dst, ignore=shutil.ignore_patterns("__pycache__"))
    for f in dst.glob("*.py"):
        f.write_text(f.read_text("utf-8").replace("tocsin.enrich.geoparse", "_geo_old"),
                     "utf-8")
    sys.path.insert(0, str(tmp))
    return (importlib.import_module("_geo_old.geoparser"),
            importlib.import_module("_geo_old.stage"), importlib.import_module("_geo_old.resolve"))


def compare_old(gp: Geoparser, texts: list[str], pkg: Path) -> dict:
    """us/post of the old and this code, same process and index, interleaved chunks."""
    og, ost, ores = load_old(pkg)
    old_gp = og.Geoparser(gp.gazetteer)
    sides = {"old": (old_gp, ost.GeoparseStage(old_gp), ores.clear_caches),
             "new": (gp, GeoparseStage(gp), clear_caches)}
    for g, _, _ in sides.values():
        g.parse_batch(texts[:300])
    chunks = [texts[i:i + 500] for i in range(0, len(texts), 500)]
    best: dict[str, float] = {}
    for _ in range(3):
        tot = dict.fromkeys((f"{w}_{s}" for w in ("recognise", "stage_cold", "stage_warm")
                             for s in sides), 0.0)
        for _, _, clear in sides.values():
            clear()
        for what in ("recognise", "stage_cold", "stage_warm"):
            for i, ch in enumerate(chunks):
                for side in (("old", "new") if i % 2 == 0 else ("new", "old")):
                    g, st, _ = sides[side]
                    if what == "recognise":
                        tot[f"{what}_{side}"] += len(ch) / rate(g.recogniser.find, ch)
                    else:
                        tot[f"{what}_{side}"] += len(ch) / stage_rate(st, ch)
        for k, v in tot.items():
            best[k] = min(best.get(k, 1e9), v)
    out = {f"{k}_us": round(v * 1e6 / len(texts), 1) for k, v in best.items()}
    for w in ("recognise", "stage_cold", "stage_warm"):
        out[f"{w}_old_over_new"] = round(best[f"{w}_old"] / best[f"{w}_new"], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--file", type=Path)
    ap.add_argument("--old", type=Path, help="another copy of the geoparse package")
    a = ap.parse_args()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    gp = Geoparser.load()
    load_s = time.perf_counter() - t0
    rss_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    texts, src = load_posts(a.file, a.n)
    gp.parse_batch(texts[:1000])  # first-use tables (fold, priors of the commonest names)
    # peak resident memory of the whole process once the index is loaded and 1,000 posts
    # are geoparsed (ru_maxrss is the high-water mark, so load-time transients count)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gz = gp.gazetteer
    naive = {}
    for name, row in zip(gz.name, range(gz.n_entities), strict=False):
        k = name.casefold()
        if k not in naive or gz.pop[row] > gz.pop[naive[k]]:
            naive[k] = row

    def naive_parse(x: str) -> list[int]:
        return [naive[w.casefold()] for w in WORD.findall(x)
                if w[:1].isupper() and w.casefold() in naive]

    res = {
        "posts": len(texts),
        "source": src,
        "index_load_s": round(load_s, 2),
        "index_rss_mb": round(rss_mb, 1),
        "process_peak_rss_mb_after_1000_posts": round(peak_mb, 1),
        "plain_automaton_loaded": gp.gazetteer.plain_loaded,
        "regex_tokenise_per_s": round(rate(WORD.findall, texts)),
        "naive_dict_per_s": round(rate(naive_parse, texts)),
        "recognise_per_s": round(rate(gp.recogniser.find, texts)),
    }
    clear_caches()
    res["geoparse_cold_per_s"] = round(rate(gp.parse, texts))
    res["geoparse_per_s"] = round(rate(gp.parse, texts))  # warm
    clear_caches()
    stage = GeoparseStage(gp)
    res["stage_cold_per_s"] = round(stage_rate(stage, texts))
    res["stage_per_s"] = round(stage_rate(stage, texts))  # warm
    for k in ("regex_tokenise", "recognise", "geoparse_cold", "geoparse", "stage_cold",
              "stage"):
        res[f"{k}_us"] = round(1e6 / res[f"{k}_per_s"], 1)
    # in-run baseline: how many regex tokenisations of the same post a geoparse costs
    for k in ("recognise", "geoparse_cold", "geoparse", "stage_cold", "stage"):
        res[f"{k}_vs_regex"] = round(res[f"{k}_us"] / res["regex_tokenise_us"], 2)
    res["geoparse_vs_naive"] = round(res["geoparse_per_s"] / res["naive_dict_per_s"], 3)
    res["geoparse_cold_vs_naive"] = round(res["geoparse_cold_per_s"] / res["naive_dict_per_s"], 3)
    res["target_30us_met"] = res["geoparse_cold_us"] <= 30
    if a.old:
        res["vs_old"] = compare_old(gp, texts, a.old)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
