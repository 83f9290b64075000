"""Scoring event detection against a gold-labelled stream.

Metrics (all in [0, 1] unless a count or a time):

* **BCubed** precision/recall/F1 over the items that carry a gold event. An item the detector
  left unassigned counts as a cluster of its own (it found none of its event-mates), so
  leaving relevant items out costs recall, never precision. Gold-null (noise) items do not
  enter BCubed; they are scored by:
* **noise purity**: share of gold-null items kept out of every event (None when the stream
  has no noise).
* **detection**: share of gold events for which some event's first ``first_k`` reports are
  mostly (> half) theirs; **delay**: from the gold event's first item to the opening (NEW)
  of the earliest such event, in stream seconds.
* **false alarms**: share of events (as they stand at the end of the stream, merges resolved)
  whose first ``first_k`` reports are mostly noise.
* **fragmentation**: events per detected gold event (1.0 is ideal).
* **titles** (``title_scores``): share of events (10+ items, mostly one gold event's) whose
  title comes from a report of that gold event, and — where the stream gives gold
  information types (humaid) — from a report a responder can act on; at the end of the
  stream and (``at_opening``) as the event was first announced, which is what an alert on
  its opening carried; and how often titles changed (``changes_per_event``: switches in
  the announced changes, per event announced).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .breakdown import breakdown, first_items, opened_by

Label = str | None


def bcubed(gold: Sequence[Label], pred: Sequence[Label]) -> tuple[float, float, float]:
    """BCubed (precision, recall, F1) over items with a gold label; unassigned = singleton."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items, predictions {len(pred)}")
    pairs: Counter[tuple[str, Any]] = Counter()
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if g is None:
            continue
        pairs[(g, p if p is not None else ("_single", i))] += 1
    n = sum(pairs.values())
    if n == 0:
        return 1.0, 1.0, 1.0
    size_g: Counter[str] = Counter()
    size_p: Counter[Any] = Counter()
    for (g, p), c in pairs.items():
        size_g[g] += c
        size_p[p] += c
    prec = sum(c * c / size_p[p] for (g, p), c in pairs.items()) / n
    rec = sum(c * c / size_g[g] for (g, p), c in pairs.items()) / n
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def noise_purity(gold: Sequence[Label], pred: Sequence[Label]) -> float | None:
    """Share of gold-null items left out of every event; None when there is no noise."""
    noise = [p for g, p in zip(gold, pred, strict=True) if g is None]
    if not noise:
        return None
    return sum(p is None for p in noise) / len(noise)


@dataclass
class DetectionScores:
    detected: float
    detected_events: list[str]
    missed_events: list[str]
    delays: dict[str, float]
    false_alarm_share: float
    n_events: int
    fragmentation: float


def detection_scores(
    gold: Sequence[Label],
    pred: Sequence[Label],
    times: Sequence[float],
    opened_at: dict[str, float] | None = None,
    first_k: int = 10,
) -> DetectionScores:
    """Detection, delay, false alarms and fragmentation; items must be in stream order.

    ``opened_at`` maps event id to the stream time it was announced; without it the time of
    the event's ``first_k``-th (or last) item stands in.
    """
    firsts = first_items(pred, first_k)
    gold_first: dict[str, float] = {}
    for g, t in zip(gold, times, strict=True):
        if g is not None and g not in gold_first:
            gold_first[g] = t
    majority: dict[str, Label] = {}
    noise_opened = 0
    for e, idx in firsts.items():
        has_majority, lab = opened_by(gold, idx)
        if has_majority:
            majority[e] = lab
            if lab is None:
                noise_opened += 1
        else:
            majority[e] = "_mixed"
    delays: dict[str, float] = {}
    per_gold: Counter[str] = Counter()
    for e, lab in majority.items():
        if lab is None or lab == "_mixed":
            continue
        per_gold[lab] += 1
        idx = firsts[e]
        t_open = (opened_at or {}).get(e, times[idx[-1]])
        d = max(0.0, t_open - gold_first[lab])
        if lab not in delays or d < delays[lab]:
            delays[lab] = d
    golds = sorted(gold_first)
    detected = [g for g in golds if g in delays]
    n_events = len(firsts)
    return DetectionScores(
        detected=len(detected) / len(golds) if golds else 1.0,
        detected_events=detected,
        missed_events=[g for g in golds if g not in delays],
        delays=delays,
        false_alarm_share=noise_opened / n_events if n_events else 0.0,
        n_events=n_events,
        fragmentation=(sum(per_gold.values()) / len(detected)) if detected else 0.0,
    )


def quality(gold: Sequence[Label], pred: Sequence[Label], times: Sequence[float],
            opened_at: dict[str, float], events_opened: int | None = None) -> dict[str, Any]:
    """The figures ``tocsin eval detect`` reports for one run's final assignments (items in
    stream order; ``opened_at``: final event id -> stream time it was announced)."""
    p, r, f = bcubed(gold, pred)
    ds = detection_scores(gold, pred, times, opened_at)
    npur = noise_purity(gold, pred)
    n = len(pred)
    out: dict[str, Any] = {
        "bcubed": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)},
        "noise_purity": None if npur is None else round(npur, 4),
        "detection": {
            "detected_share": round(ds.detected, 4),
            "missed": ds.missed_events,
            "delay_s": {k: round(v, 1) for k, v in sorted(ds.delays.items())},
            "median_delay_s": round(statistics.median(ds.delays.values()), 1)
            if ds.delays else None,
        },
        "false_alarm_share": round(ds.false_alarm_share, 4),
    }
    if events_opened is not None:
        out["events_opened"] = events_opened
    out["events_final"] = ds.n_events
    out["fragmentation"] = round(ds.fragmentation, 3)
    out["assigned_share"] = round(sum(x is not None for x in pred) / n, 4) if n else 0.0
    return out


def title_scores(ids: Sequence[str], gold: Sequence[Label], gold_info: Sequence[str | None],
                 pred: Sequence[Label], titles: dict[str, str | None], min_items: int = 10
                 ) -> dict[str, Any]:
    """How well events are titled: for each final event with at least ``min_items`` items
    whose items are mostly one gold event's, is its title taken from a report of that gold
    event (*on topic*), and — where the stream gives gold information types — from one a
    responder can act on (*actionable*: ``representative.ACTIONABLE``)? ``titles``: final
    event id -> the id of the report its title came from (``Event.title_report``).
    Events whose items are mostly noise are left out (the false-alarm share speaks of
    them); between two gold events with as many items, the one met first counts."""
    from ..detect.representative import ACTIONABLE

    at = {rid: i for i, rid in enumerate(ids)}
    members: dict[str, Counter[Label]] = {}
    for g, p in zip(gold, pred, strict=True):
        if p is not None:
            members.setdefault(p, Counter())[g] += 1
    informed = any(x is not None for x in gold_info)
    n = on_topic = actionable = 0
    for eid, labels in members.items():
        if sum(labels.values()) < min_items:
            continue
        top, _ = labels.most_common(1)[0]
        if top is None:
            continue
        n += 1
        i = at.get(titles.get(eid) or "")
        if i is None:
            continue  # no title, or one from a report outside the stream: neither
        on_topic += gold[i] == top
        actionable += gold_info[i] in ACTIONABLE
    return {"events": n,
            "on_topic_share": round(on_topic / n, 4) if n else None,
            "actionable_share": round(actionable / n, 4) if n and informed else None}


def evaluate_stream(
    path: Path,
    *,
    mode: str = "fast",
    classify: bool = True,
    geoparse: bool = True,
    batch_size: int = 1000,
    config: dict[str, Any] | None = None,
    details: bool = False,
    thin: float = 1.0,
    seed: int = 0,
) -> dict[str, Any]:
    """Replay ``path`` through the pipeline and score the detector against its gold events;
    ``details`` adds where the items went (``breakdown.breakdown``). ``thin`` < 1 replays
    only that share of the items (chosen by ``seed``: ``replay.keeps``) — the same stories
    at a lower volume — and scores those."""
    if not 0.0 < thin <= 1.0:
        raise ValueError(f"thin must be in (0, 1], not {thin}")
    from ..detect import create_detector
    from ..detect.replay import available_stages, replay

    stages, missing = available_stages(mode, classify=classify, geoparse=geoparse)
    det = create_detector(**(config or {}))
    opened: dict[str, float] = {}
    opening_title: dict[str, str | None] = {}  # the title an event was announced with
    last_title: dict[str, str | None] = {}  # per announced event id: its latest title
    title_changes = 0

    def on_changes(changes: list) -> None:
        nonlocal title_changes
        for ch in changes:
            eid, tid = ch.event.id, ch.event.title_report
            if ch.kind.value == "new" and eid not in opened:
                opened[eid] = ch.at.timestamp()
                opening_title[eid] = tid
            if eid in last_title and last_title[eid] != tid:
                title_changes += 1
            last_title[eid] = tid

    backfill: dict[str, str] = {}
    res = replay(path, det, stages, batch_size=batch_size, on_changes=on_changes,
                 on_backfill=backfill.update, keep_gold=True, thin=thin, seed=seed)
    pred = res.final_events(det, backfill)
    final_open: dict[str, float] = {}
    titles_at_open: dict[str, str | None] = {}  # of the first event announced of each
    for eid, t in opened.items():
        fe = det.resolve(eid)
        if fe not in final_open or t < final_open[fe]:
            final_open[fe] = t
            titles_at_open[fe] = opening_title[eid]
    n = len(res.ids)
    out = {
        "stream": str(path),
        "items": n,
        **({"thinned": {"share": thin, "seed": seed}} if thin < 1.0 else {}),
        "bad_lines": res.bad,
        "stages": [s.name for s in stages],
        "stages_missing": missing,
        **quality(res.gold, pred, res.times, final_open, events_opened=len(opened)),
        "throughput": {
            "pipeline_per_s": round(n / res.seconds, 1) if res.seconds else None,
            "detect_per_s": round(n / res.stage_seconds["detect"], 1)
            if res.stage_seconds.get("detect") else None,
            "stage_seconds": {k: round(v, 3) for k, v in res.stage_seconds.items()},
        },
    }
    titles = {}
    for eid in set(pred) - {None}:
        ev = det.get_event(eid)
        titles[eid] = ev.title_report if ev is not None else None
    out["titles"] = title_scores(res.ids, res.gold, res.gold_info, pred, titles)
    # the title an alert on the event's opening carried (its earliest NEW)
    out["titles"]["at_opening"] = title_scores(res.ids, res.gold, res.gold_info, pred,
                                               titles_at_open)
    # how often a title changed in the changes announced, per event announced
    out["titles"]["changes_per_event"] = round(title_changes / len(last_title), 3) \
        if last_title else None
    if details:
        out["breakdown"] = breakdown(res.gold, pred)
    return out
