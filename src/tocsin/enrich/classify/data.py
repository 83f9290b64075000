"""Loading labelled corpora (shared/data classify format) and fixed, documented splits.

Splits are decided by a hash of the item's opaque ``id`` rather than by a seeded shuffle:
the same item always lands in the same fold, whatever the file order or the subset loaded,
so a "held-out fifth" stays held out across every script that reads the corpus.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xxhash

log = logging.getLogger(__name__)

#: Fold count for corpora without an official split (Kaggle, CrisisNLP): fold 0 is test.
N_FOLDS = 5
#: Seed of the fold hash. Changing it changes every split; keep it fixed.
SPLIT_SEED = 20261129

#: Disaster Response categories that name a need, mapped to tocsin's NEEDS.
DR_NEEDS: dict[str, str] = {
    "water": "water",
    "food": "food",
    "shelter": "shelter",
    "clothing": "shelter",
    "medical_help": "medical",
    "medical_products": "medical",
    "hospitals": "medical",
    "search_and_rescue": "search_and_rescue",
    "missing_people": "search_and_rescue",
    "electricity": "power",
    "money": "cash",
    "security": "protection",
}
#: Disaster Response categories that name the hazard, in priority order.
DR_HAZARDS: tuple[tuple[str, str], ...] = (
    ("earthquake", "earthquake"),
    ("floods", "flood"),
    ("storm", "storm"),
    ("fire", "wildfire"),
    ("military", "armed_conflict"),
)


def fold_of(item_id: str, n_folds: int = N_FOLDS) -> int:
    """Stable fold number of an item, from its id alone."""
    return xxhash.xxh64_intdigest(item_id.encode("utf-8"), seed=SPLIT_SEED) % n_folds


@dataclass(slots=True)
class BadLine:
    """A line that could not be used, kept so callers can count and report it."""

    path: str
    line: int
    reason: str


def open_text(path: str | Path):
    """Open plain or gzip JSON-lines by magic number, not by name: users rename files."""
    p = Path(path)
    with open(p, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(p, "rt", encoding="utf-8", errors="replace")
    return open(p, encoding="utf-8", errors="replace")


def iter_jsonl(
    path: str | Path, bad: list[BadLine] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each valid line; record bad lines in ``bad``.

    A line is bad when it is not JSON or not an object; an empty line is skipped silently
    (trailing newlines are common and carry nothing).
    """
    with open_text(path) as fh:
        for n, line in enumerate(fh, 1):
            s = line.strip()
            if not s:
                continue
            try:
                obj = json.loads(s)
            except ValueError as e:
                if bad is not None:
                    bad.append(BadLine(str(path), n, f"not JSON ({e.msg})"))
                continue
            if not isinstance(obj, dict):
                if bad is not None:
                    bad.append(BadLine(str(path), n, "not a JSON object"))
                continue
            yield n, obj


def load(path: str | Path) -> list[dict[str, Any]]:
    """All valid items of a file; bad lines are logged with file:line."""
    bad: list[BadLine] = []
    rows = [obj for _, obj in iter_jsonl(path, bad)]
    for b in bad[:20]:
        log.warning("%s:%d: %s", b.path, b.line, b.reason)
    return rows


def split_of(row: dict[str, Any]) -> str:
    """``train`` / ``dev`` / ``test`` for any corpus item.

    HumAID files carry their official split in the file name (passed in ``row['split']`` by
    :func:`load_corpus`); Disaster Response carries ``split`` (train/test, its own); other
    corpora use :func:`fold_of`: fold 0 test, fold 1 dev, the rest train.
    """
    s = row.get("split")
    if s in ("train", "dev", "test"):
        if s == "train" and row.get("dataset") == "disaster_response":
            # carve a dev part out of DR train for threshold tuning, by group so that twins
            # never straddle train and dev
            return "dev" if fold_of(str(row.get("parallel_id") or row["id"])) == 1 else "train"
        return s
    f = fold_of(str(row["id"]))
    return "test" if f == 0 else "dev" if f == 1 else "train"


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    """Load a file and stamp each item's split (HumAID's comes from the file name)."""
    rows = load(path)
    name = Path(path).name
    for official in ("train", "dev", "test"):
        if f".{official}." in name:
            for r in rows:
                r.setdefault("split", official)
    for r in rows:
        r["split"] = split_of(r)
    return rows
