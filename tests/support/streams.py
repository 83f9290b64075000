"""Invented test streams (never corpus text): a few incidents, chatter and authors' handles."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

T0 = datetime(2024, 5, 1, 6, 0, tzinfo=timezone.utc)

INCIDENTS = {
    "quake": [
        "Strong earthquake shakes Port-au-Prince, buildings collapsed in {n} streets",
        "Earthquake in Port-au-Prince: people trapped under rubble near the market, {n} injured",
        "Aftershock felt again in Port-au-Prince, rescue teams searching collapsed houses",
        "Hospitals in Port-au-Prince overwhelmed after the earthquake, {n} dead reported",
        "Families sleeping outside in Port-au-Prince after the earthquake, need water and tents",
    ],
    "flood": [
        "Severe flooding in Goma after the river burst its banks, {n} homes under water",
        "Flood waters rising in Goma, families evacuated to schools",
        "Goma flooding: roads cut, aid agencies preparing food distribution for {n} families",
        "Heavy rain continues in Goma, flood warning extended, residents urged to move uphill",
    ],
    "shelling": [
        "Heavy shelling hits residential area of Kharkiv overnight, {n} civilians wounded",
        "Kharkiv under shelling again, a school and a clinic damaged",
        "Air strike in Kharkiv destroys apartment block, rescuers search for survivors",
        "Civilians in Kharkiv shelter in metro stations as shelling continues, {n} killed",
    ],
}
CHATTER = [
    "Just made the best pancakes of my life",
    "Traffic on the way to work is terrible again today",
    "Watching the game tonight with friends, can't wait",
    "This new phone battery lasts forever",
    "Anyone know a good book to read on holiday?",
]
HANDLES = [f"@secret_handle_{i:03d}" for i in range(40)]


def write_stream(path: Path, n: int = 600, *, step_s: float = 10.0, seed: int = 7,
                 extra: list[dict] | None = None) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        kind = rng.choice(["quake", "flood", "shelling", "chatter", "chatter"])
        tpl = rng.choice(CHATTER if kind == "chatter" else INCIDENTS[kind])
        items.append({
            "id": f"t{i:05d}",
            "time": (T0 + timedelta(seconds=i * step_s)).isoformat().replace("+00:00", "Z"),
            "text": tpl.format(n=rng.randint(2, 90)) + f" #{i % 13}",
            "author": rng.choice(HANDLES),
            "platform": "mastodon",
            "gold": kind,
        })
    items.extend(extra or [])
    with open(path, "w", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it) + "\n")
    return items
