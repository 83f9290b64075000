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

Without --file it uses HumAID test tweets from ../shared/data when present, else
synthetic crisis posts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import time
from pathlib import Path

import regex

from tocsin.enrich.geoparse import Geoparser
from tocsin.enrich.geoparse.resolve import clear_caches

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--file", type=Path)
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
    for k in ("recognise", "geoparse_cold", "geoparse"):
        res[f"{k}_us"] = round(1e6 / res[f"{k}_per_s"], 1)
    res["geoparse_vs_naive"] = round(res["geoparse_per_s"] / res["naive_dict_per_s"], 3)
    res["geoparse_cold_vs_naive"] = round(res["geoparse_cold_per_s"] / res["naive_dict_per_s"], 3)
    res["target_30us_met"] = res["geoparse_cold_us"] <= 30
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
