"""Events compared by meaning across languages (accurate mode's multilingual embeddings).

Words link reports written in one language, resolved places (GeoNames ids) link them across
languages — but a burst of Arabic posts about an incident whose English reports already
formed an event shares no word with them, and no place either when the geoparser resolved
none. In accurate mode every report that can shape an event carries a multilingual sentence
embedding (``enrich/embed.py``), and every cluster keeps the decayed sum of its reports'
embeddings: the direction of that sum is the cluster's *representative embedding*, which
follows its story as the word profile does (same weights, same decay, same rule about which
reports may reshape a mature event).

Where it is used, and why only there (``scripts/cross_lingual_calibration.py`` on CrisisNLP
2016, a training corpus: the Chile earthquake in Spanish and in English, four other
earthquakes, floods, storms, outbreaks; docs/detection-measurements.md, "Cross-lingual
links"). One report's embedding says too little: a single Spanish Chile tweet is nearest the
English Chile event only 71 % of the time, and no cosine cut tells "this event" from "none".
The mean of five or more is nearest its own event 99-100 % of the time, Spanish included. So
the detector compares *clusters*, not reports: a candidate ready to open an event, and open
events at the merge pass, against the live events. And only across languages: within one
language words and places do better, and the encoder reads any two stories of a kind alike
(a *new* earthquake's Spanish tweets are about as near a live English earthquake event as
the right event's would be): of groups of eight whose own event is not live, 22 % are linked
to another at a margin of 0.01, 15 % at 0.015, against 0-3 % of Spanish groups linked to an
English event not theirs. The margin over the rivals decides, not the cosine.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np


def add_vector(acc: np.ndarray | None, v: np.ndarray, w: float) -> np.ndarray:
    """``acc + w * v`` in place (float32: 1.5 KB a cluster; a new array when ``acc`` is
    None). Only the sum's direction is ever used, which float32 keeps to ~1e-7."""
    if acc is None:
        return np.asarray(v, dtype=np.float32) * np.float32(w)
    acc += np.float32(w) * np.asarray(v, dtype=np.float32)
    return acc


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(a @ b) / (na * nb)


def vector_to_state(v: np.ndarray | None) -> str | None:
    """A snapshot-safe (JSON string) form of a vector, exact (float32 bytes, base64)."""
    if v is None:
        return None
    return base64.b64encode(np.ascontiguousarray(v, dtype="<f4").tobytes()).decode("ascii")


def vector_from_state(s: str | None) -> np.ndarray | None:
    if s is None:
        return None
    try:
        raw = base64.b64decode(s.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as e:
        raise ValueError(f"bad embedding in detector state: {e}") from e
    if len(raw) % 4:
        raise ValueError("bad embedding in detector state: not a float32 vector")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)  # (a writable copy)


def main_language(languages: Any) -> str | None:
    """The language most of a cluster's reports are in (None when unknown)."""
    if not languages:
        return None
    return languages.most_common(1)[0][0]


def cross_lingual_match(c: Any, events: Iterable[Any], *, link: float, margin: float,
                        min_reports: int, compatible: Callable[[Any, Any], bool],
                        same_kind: Callable[[Any, Any], bool]) -> tuple[Any, float] | None:
    """The live event whose story cluster ``c`` tells in another language, if one stands out.

    ``events``: the clusters it could join (``c`` itself is skipped); each needs, as ``c``
    does, ``min_reports`` embedded reports. Among the events most of whose reports are in
    other languages than ``c``'s main one ("abroad"), the target is the most similar (cosine
    of the representative embeddings) of those ``compatible`` with ``c`` (hazards agree,
    places do not conflict). It must be

    * at least ``link`` similar;
    * ahead by ``margin`` of every other event abroad, compatible or not, at least one of
      which is of the same kind (``same_kind``: hazards agree) — with none, the margin would
      measure nothing, since two earthquakes read alike to the encoder;
    * ahead by ``margin`` of every event "at home" (half its reports or more in ``c``'s
      language) that cannot be the target's story (not compatible with the target): the
      story ``c`` tells may be one already told in its own language. Events at home that
      may be the target's story are not held against it: they are often its own story's
      other fragments (the "Iquique" and "Antofagasta" events of Spanish posts next to an
      English "Chile" event).

    Returns (event, cosine) or None.
    """
    if c.emb is None or c.emb_count < min_reports:
        return None
    lang = main_language(c.languages)
    if lang is None:
        return None
    home, abroad = [], []
    for e in events:
        if e is c or e.emb is None or e.emb_count < min_reports:
            continue
        total = sum(e.languages.values())
        if total:
            # (abroad: most of its reports are in other languages — an event of English and
            # French reports with a growing Arabic share is abroad for Arabic posts until
            # they are half of it, whichever single language leads)
            side = home if 2 * e.languages.get(lang, 0) >= total else abroad
            side.append((cosine(c.emb, e.emb), e))
    targets = [x for x in abroad if compatible(c, x[1])]
    if not targets:
        return None
    sim, target = max(targets, key=lambda x: x[0])
    if sim < link:
        return None
    rivals = [x for x in abroad if x[1] is not target]
    if not any(same_kind(c, e) for _, e in rivals):
        return None
    if any(s > sim - margin for s, _ in rivals):
        return None
    if any(s > sim - margin and not compatible(e, target) for s, e in home):
        return None
    return target, sim
