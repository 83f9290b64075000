"""Post-hoc calibration fitted on held-out data (dev split, never test).

Temperature scaling for the softmax heads (one parameter: it fixes over/under-confidence
without changing the argmax, so it cannot hurt F1) and Platt scaling for binary heads.
Both are fitted by minimising log-loss with a bounded 1-D/2-D search, which is robust on the
few thousand dev items we have.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from .linear import sigmoid, softmax


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature T minimising the NLL of ``softmax(logits / T)`` on labels ``y`` (ints)."""
    y = np.asarray(y, dtype=np.int64)

    def nll(t: float) -> float:
        p = softmax(logits, t)
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))

    res = minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded")
    return float(res.x)


def fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` such that ``sigmoid(a * score + b)`` is calibrated on binary ``y``."""
    s = np.asarray(scores, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)

    def nll(ab: np.ndarray) -> float:
        p = np.clip(sigmoid(ab[0] * s + ab[1]), 1e-12, 1 - 1e-12)
        return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))

    res = minimize(nll, x0=np.array([1.0, 0.0]), method="Nelder-Mead",
                   options={"xatol": 1e-4, "fatol": 1e-7, "maxiter": 2000})
    return float(res.x[0]), float(res.x[1])


def best_f1_threshold(prob: np.ndarray, y: np.ndarray, lo: float = 0.05,
                      hi: float = 0.95) -> tuple[float, float]:
    """Threshold on ``prob`` maximising F1 of the positive class; returns (threshold, F1)."""
    y = np.asarray(y, dtype=bool)
    best = (0.5, -1.0)
    for th in np.linspace(lo, hi, 91):
        pred = prob >= th
        tp = float(np.sum(pred & y))
        fp = float(np.sum(pred & ~y))
        fn = float(np.sum(~pred & y))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[1]:
            best = (float(th), f1)
    return best
