"""Forward exponential decay: time-decayed counts without touching every count every tick.

A count added at stream time t is stored multiplied by g(t) = exp(λ (t − t0)). Comparing
stored values at any later time gives exactly the exponentially decayed comparison, because
every value shares the factor exp(−λ (now − t0)). When g grows large the landmark t0 moves
forward and every stored value is multiplied once by the same factor (``rebase``), which is
also when values that decayed to nothing are dropped — the reason memory stays flat.
"""

from __future__ import annotations

import math
from typing import Any

from .scoring import add_weight

#: rebase when g exceeds e**REBASE_AT: far from float overflow, rare (every ~40 half-lives).
REBASE_AT = 30.0


class Clock:
    def __init__(self, half_life: float, t0: float | None = None):
        self.lam = math.log(2.0) / half_life
        self.t0 = t0
        self.now = t0 if t0 is not None else 0.0

    def advance(self, t: float) -> float | None:
        """Move stream time to ``t`` (never backwards); returns a rebase factor or None."""
        if self.t0 is None:
            self.t0 = self.now = t
            return None
        if t > self.now:
            self.now = t
        if self.lam * (self.now - self.t0) > REBASE_AT:
            factor = math.exp(-self.lam * (self.now - self.t0))
            self.t0 = self.now
            return factor
        return None

    def g(self, t: float | None = None) -> float:
        if self.t0 is None:
            return 1.0
        return math.exp(self.lam * ((self.now if t is None else t) - self.t0))

    def to_state(self) -> dict[str, Any]:
        return {"lam": self.lam, "t0": self.t0, "now": self.now}

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> Clock:
        c = cls(1.0)
        c.lam, c.t0, c.now = d["lam"], d["t0"], d["now"]
        return c


class DocFreq:
    """Decayed document frequencies over *all* reports (relevant or not): the background."""

    def __init__(self, idf_cap: float):
        self.df: dict[str, float] = {}
        self.n = 0.0
        self.idf_cap = idf_cap
        #: the clock's current g: smoothing adds one *current* document, whatever the scale
        self.g = 1.0

    def add(self, feats: dict[str, float], g: float) -> None:
        add_weight(self.df, feats, g)  # df[w] += g for each feature (compiled: every report)
        self.n += g

    def idf(self, w: str) -> float:
        """Smoothed, capped IDF; unseen words get the cap."""
        g = self.g
        v = math.log((self.n + g) / (self.df.get(w, 0.0) + g)) + 1.0
        return v if v < self.idf_cap else self.idf_cap

    def rescale(self, factor: float, floor: float) -> None:
        """Apply a rebase factor and drop words whose decayed frequency fell below ``floor``."""
        self.n *= factor
        self.df = {w: v * factor for w, v in self.df.items() if v * factor >= floor}

    def prune(self, floor: float) -> None:
        self.df = {w: v for w, v in self.df.items() if v >= floor}

    def to_state(self) -> dict[str, Any]:
        return {"df": self.df, "n": self.n, "idf_cap": self.idf_cap, "g": self.g}

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> DocFreq:
        x = cls(d["idf_cap"])
        x.df, x.n, x.g = dict(d["df"]), d["n"], d["g"]
        return x
