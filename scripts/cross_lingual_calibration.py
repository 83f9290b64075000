"""How reliably do representative embeddings link a story across languages? (accurate mode)

Reproduces the figures behind ``cross_lingual_link`` / ``cross_lingual_margin``
(docs/detection-measurements.md, "Cross-lingual links"), on CrisisNLP 2016 — a training
corpus, not an evaluation stream: its Chile earthquake was collected in Spanish and in
English, next to four other earthquakes, floods, storms and outbreaks.

Each event's relevant tweets are embedded (up to 300 sampled per English event, every Spanish
Chile tweet) and split in halves: one half gives the event's reference direction (the live
event), groups of ``g`` tweets are drawn from the other half (a candidate, or a young event).
Printed, per group size and rule setting: how often a Spanish Chile group links to the English
Chile event when it is live, and how often it links to another event when it is not (two
other earthquakes live: the rivals a margin needs).

    .venv/bin/python scripts/cross_lingual_calibration.py [--data ../shared/data/classify]
        [--cache DIR]   # an encoder cache folder: a second run embeds nothing

It takes a few minutes on two CPU threads (about 3,800 texts through the encoder).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np

CHILE_ES, CHILE_EN = "2014_Chile_Earthquake_cl", "2014_Chile_Earthquake_en"
QUAKES = ("2014_California_Earthquake", "2015_Nepal_Earthquake_en", "2013_Pakistan_eq")


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2]
                                          / "shared" / "data" / "classify"))
    ap.add_argument("--cache", default=None, help="encoder cache folder (optional)")
    ap.add_argument("--draws", type=int, default=500)
    args = ap.parse_args()
    from tocsin.enrich.classify.encoder import Encoder

    path = Path(args.data) / "crisisnlp2016.jsonl.gz"
    if not path.exists():
        raise SystemExit(f"{path}: not found (the shared corpora sit beside the repository)")
    texts: dict[str, list[str]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("info_type") != "not_relevant":
                texts[d["event"]].append(d["text"])
    rng = random.Random(5)
    enc = Encoder(args.cache)
    emb = {k: enc.encode(v if k == CHILE_ES else rng.sample(v, min(300, len(v))))
           for k, v in sorted(texts.items())}
    enc.save()
    nrng = np.random.default_rng(1)
    ref, pool = {}, {}
    for k, v in emb.items():
        idx = nrng.permutation(len(v))
        ref[k], pool[k] = unit(v[idx[: len(v) // 2]].mean(0)), v[idx[len(v) // 2:]]

    def group(k: str, g: int) -> np.ndarray:
        v = pool[k]
        return unit(v[nrng.choice(len(v), g, replace=False)].mean(0))

    english = [k for k in ref if k != CHILE_ES]
    print("one group against every English event: is its own event the nearest?")
    for g in (1, 3, 5, 8, 20):
        hits = es_hits = es_n = n = 0
        for k in pool:
            true = CHILE_EN if k == CHILE_ES else k
            for _ in range(200):
                c = group(k, g)
                sims = {r: float(c @ ref[r]) for r in english}
                ok = max(sims, key=sims.__getitem__) == true
                hits += ok
                n += 1
                if k == CHILE_ES:
                    es_hits += ok
                    es_n += 1
        print(f"  {g:>2} tweets: {hits / n:.3f} (Spanish Chile groups: {es_hits / es_n:.3f})")
    print("groups of 8 whose own event is not live, every other event live: linked anyway")
    for margin in (0.01, 0.015):
        linked = n = 0
        for k in pool:
            own = {CHILE_EN, CHILE_ES} if "Chile" in k else {k}
            for _ in range(100):
                c = group(k, 8)
                s = sorted((float(c @ ref[r]) for r in english if r not in own), reverse=True)
                linked += s[0] >= 0.9 and s[0] - s[1] >= margin
                n += 1
        print(f"  margin {margin}: {linked / n:.3f}")
    print("Spanish Chile groups, two other earthquakes live: linked right when the English "
          "Chile event is live / linked to another when it is not")
    for margin in (0.01, 0.015, 0.02):
        for g in (5, 8, 20):
            rows = []
            for pair in itertools.combinations(QUAKES, 2):
                out = []
                for live in (True, False):
                    refs = [*pair, CHILE_EN] if live else list(pair)
                    linked = 0
                    for _ in range(args.draws):
                        c = group(CHILE_ES, g)
                        s = sorted(((float(c @ ref[r]), r) for r in refs), reverse=True)
                        if s[0][0] >= 0.9 and s[0][0] - s[1][0] >= margin:
                            linked += s[0][1] == CHILE_EN if live else 1
                    out.append(linked / args.draws)
                rows.append(f"{'+'.join(p.split('_')[1][:4] for p in pair)} "
                            f"{out[0]:.2f}/{out[1]:.2f}")
            print(f"  margin {margin}, {g:>2} tweets: " + "; ".join(rows))


if __name__ == "__main__":
    main()
