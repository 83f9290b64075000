"""Where a gold stream's items ended up: per gold event, and per detected event.

``tocsin eval detect --breakdown`` adds these two tables to its report. The headline figures
(BCubed, noise purity, detection, false alarms) say *how well*; the tables say *where it went
wrong*: which gold event was split or left partly unassigned, which detected event was opened
by noise, and how much noise each event took in. They name events and count items; they never
carry a report's text or author.

The "opened by" verdict uses the same rule as ``detect.detection_scores``: the label held by
more than half of an event's first ``first_k`` items (in stream order), else ``"mixed"``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

Label = str | None

#: what the tables call gold-null items, and events whose first items have no majority
NOISE = "noise"
MIXED = "mixed"


def first_items(pred: Sequence[Label], first_k: int = 10) -> dict[str, list[int]]:
    """Each event's first ``first_k`` item positions, in stream order."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pred):
        if p is not None and len(out[p]) < first_k:
            out[p].append(i)
    return dict(out)


def opened_by(gold: Sequence[Label], idx: Sequence[int]) -> tuple[bool, Label]:
    """(has a majority, its label) of the gold labels at ``idx`` (None = noise)."""
    lab, c = Counter(gold[i] for i in idx).most_common(1)[0]
    return c * 2 > len(idx), lab


def by_gold_event(gold: Sequence[Label], pred: Sequence[Label]) -> list[dict[str, Any]]:
    """One row per gold event (and one for noise, if any), largest first.

    ``unassigned``: share of its items in no event; ``events``: how many detected events
    hold any of them; ``main_event`` / ``main_share``: the event holding most of them and the
    share it holds (for noise: the event that took in most noise).
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items, predictions {len(pred)}")
    where: dict[Label, Counter[Label]] = defaultdict(Counter)
    for g, p in zip(gold, pred, strict=True):
        where[g][p] += 1
    rows = []
    for g, c in where.items():
        n = sum(c.values())
        held = [(e, k) for e, k in c.items() if e is not None]
        main, k = max(held, key=lambda x: (x[1], x[0])) if held else (None, 0)
        rows.append({"gold": NOISE if g is None else g, "items": n,
                     "unassigned": round(c[None] / n, 4), "events": len(held),
                     "main_event": main, "main_share": round(k / n, 4)})
    rows.sort(key=lambda r: (r["gold"] == NOISE, -r["items"], r["gold"]))
    return rows


def by_detected_event(gold: Sequence[Label], pred: Sequence[Label], first_k: int = 10,
                      top: int = 3) -> list[dict[str, Any]]:
    """One row per detected event, largest first: its size, noise share, the ``top`` gold
    events among its items, and which gold event (or noise, or a mix) its first ``first_k``
    items belong to; ``false_alarm`` when that is noise."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items, predictions {len(pred)}")
    content: dict[str, Counter[Label]] = defaultdict(Counter)
    for g, p in zip(gold, pred, strict=True):
        if p is not None:
            content[p][g] += 1
    rows = []
    for e, idx in first_items(pred, first_k).items():
        c = content[e]
        n = sum(c.values())
        has_majority, lab = opened_by(gold, idx)
        opener = (NOISE if lab is None else lab) if has_majority else MIXED
        golds = sorted(((g, k) for g, k in c.items() if g is not None),
                       key=lambda x: (-x[1], x[0]))[:top]
        rows.append({"event": e, "items": n, "noise_share": round(c[None] / n, 4),
                     "gold": dict(golds), "opened_by": opener,
                     "false_alarm": opener == NOISE})
    rows.sort(key=lambda r: (-r["items"], r["event"]))
    return rows


def breakdown(gold: Sequence[Label], pred: Sequence[Label], first_k: int = 10
              ) -> dict[str, list[dict[str, Any]]]:
    """Both tables, as ``tocsin eval detect --breakdown`` prints them."""
    return {"gold_events": by_gold_event(gold, pred),
            "events": by_detected_event(gold, pred, first_k)}
